"""The coach's audio tracks for Alexa's player: the catalog (what exists, its names and URLs).

Rendering them is the track build's job (tracks/build.py, `make audio`); serving them is
skill/web/audio.py's (self-hosted) or an S3 bucket's (Lambda). See docs/audio.md. The package
imports nothing itself: a skill that serves no tracks never loads the catalog.
"""
