"""The coach's recorded voice for Alexa's player: the voices, MP3 in Alexa's format, the
synthesis cache and the track build (`make audio`, tracks/build.py).

Production tooling, installed with the `audio` extra: the skill names the tracks it plays
(skill/audio/catalog.py) and never imports this package; the harness speaks with the same
voices. Nothing here imports the harness.
"""
