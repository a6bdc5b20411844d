"""The coach's audio tracks for Alexa's player: the catalog (what exists, its names and URLs).

Rendering them is the track build's job (tracks/build.py, `make audio`); serving them is
skill/web/audio.py's (self-hosted) or an S3 bucket's (Lambda). See docs/audio.md.
"""

from skill.audio.catalog import (
    MAX_REST_SECONDS,
    MIME_TYPE,
    MIN_REST_SECONDS,
    At,
    AudioCatalog,
    Section,
    Timed,
    Tone,
    Track,
    Words,
    default_catalog,
)

__all__ = [
    "MAX_REST_SECONDS",
    "MIME_TYPE",
    "MIN_REST_SECONDS",
    "At",
    "AudioCatalog",
    "Section",
    "Timed",
    "Tone",
    "Track",
    "Words",
    "default_catalog",
]
