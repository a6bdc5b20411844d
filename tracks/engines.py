"""The voices in one place: pick one by name; the default is offline.

Implementations live in tracks.voices; import them from here.
"""

from __future__ import annotations

from tracks.voices.base import Voice, VoiceError, VoiceUnavailable
from tracks.voices.espeak import EspeakVoice, espeak_wpm
from tracks.voices.estimate import EstimateVoice
from tracks.voices.google import GttsVoice
from tracks.voices.pcm import SAMPLE_RATE, Pcm

__all__ = [
    "DEFAULT_VOICE",
    "SAMPLE_RATE",
    "VOICE_NAMES",
    "EspeakVoice",
    "EstimateVoice",
    "GttsVoice",
    "Pcm",
    "Voice",
    "VoiceError",
    "VoiceUnavailable",
    "espeak_wpm",
    "pick_voice",
]

DEFAULT_VOICE = "espeak"  # offline: the tracks and the harness must build with no network
VOICE_NAMES = ("espeak", "gtts", "estimate")


def pick_voice(name: str | None = None) -> Voice:
    """The voice called `name` ("espeak", "gtts", "estimate"); None gives the offline default.
    Touches no network: gTTS fails, with a hint, only when it first speaks."""
    name = (name or DEFAULT_VOICE).strip().lower()
    if name == "espeak":
        return EspeakVoice()
    if name == "gtts":
        return GttsVoice()
    if name == "estimate":
        return EstimateVoice()
    raise ValueError(f"unknown voice {name!r}: choose one of {', '.join(VOICE_NAMES)}")
