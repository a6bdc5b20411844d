"""What every voice offers, and the errors voices raise."""

from __future__ import annotations

from typing import Protocol

from tracks.voices.pcm import Pcm


class Voice(Protocol):
    @property
    def name(self) -> str:
        """Engine name as the CLI spells it: "espeak", "gtts", "estimate"."""
        ...

    @property
    def fingerprint(self) -> str:
        """Engine, version and parameters: anything that changes the sound (a cache key part)."""
        ...

    def synthesize(self, text: str, rate: float = 1.0) -> Pcm:
        """Plain text (no markup) at a speaking-rate multiplier, as 24 kHz mono PCM."""
        ...


class VoiceError(RuntimeError):
    """A voice could not synthesize the text."""


class VoiceUnavailable(VoiceError):
    """The voice's engine or service cannot be reached (no network, missing library)."""
