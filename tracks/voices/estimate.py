"""No audio: silence as long as the timing model says the text takes, so timings need no synth."""

from __future__ import annotations

from skill.speech.timing import WORDS_PER_MINUTE, speech_seconds
from tracks.voices.pcm import Pcm, silence


class EstimateVoice:
    name = "estimate"
    fingerprint = f"estimate/{WORDS_PER_MINUTE} wpm"

    def synthesize(self, text: str, rate: float = 1.0) -> Pcm:
        return silence(speech_seconds(text) / rate)
