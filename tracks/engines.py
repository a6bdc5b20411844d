"""The voices in one place: pick one by name; the default is offline.

Implementations live in tracks.voices; import them from here.
"""

from __future__ import annotations

from skill.locales import DEFAULT, closest
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


# Each locale in its own accent: gTTS by language and Google domain, espeak-ng by its voices
# (its British voices are "en" and "en-GB-x-rp"; it has no Canadian, Australian or Indian
# English, so the nearest spelling's accent stands in).
GTTS_ACCENTS = {
    "en-US": ("en", "com"),
    "en-GB": ("en", "co.uk"),
    "en-CA": ("en", "ca"),
    "en-AU": ("en", "com.au"),
    "en-IN": ("en", "co.in"),
    "de-DE": ("de", "de"),
}
ESPEAK_VOICES = {
    "en-US": "en-us",
    "en-GB": "en-GB-x-rp",
    "en-CA": "en-us",
    "en-AU": "en",
    "en-IN": "en",
    "de-DE": "de",
}


def pick_voice(name: str | None = None, locale: str = DEFAULT) -> Voice:
    """The voice called `name` ("espeak", "gtts", "estimate") speaking `locale`'s accent; None
    gives the offline default. Touches no network: gTTS fails, with a hint, only when it first
    speaks."""
    name = (name or DEFAULT_VOICE).strip().lower()
    locale = closest(locale)
    if name == "espeak":
        return EspeakVoice(ESPEAK_VOICES[locale])
    if name == "gtts":
        lang, tld = GTTS_ACCENTS[locale]
        return GttsVoice(lang=lang, tld=tld)
    if name == "estimate":
        return EstimateVoice()
    raise ValueError(f"unknown voice {name!r}: choose one of {', '.join(VOICE_NAMES)}")
