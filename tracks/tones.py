"""Synthetic tones: the beep and the bell the coach's tracks and the sound-library stand-ins use."""

from __future__ import annotations

import math
from array import array

from tracks.voices.pcm import SAMPLE_RATE, Pcm

PEAK = 0.5 * 32767  # leave headroom: MP3 overshoots on sharp edges

# (frequency ratio, amplitude, decay time constant in seconds) for a small struck bell.
_BELL_PARTIALS = ((1.0, 1.0, 0.9), (2.0, 0.5, 0.6), (2.76, 0.3, 0.4), (5.4, 0.15, 0.25))


def beep(count: int, frequency: float = 880.0) -> Pcm:
    """A sine tone over all `count` samples, 10 ms fade in, 60 ms fade out (no clicks)."""
    fade_in, fade_out = 0.010 * SAMPLE_RATE, 0.060 * SAMPLE_RATE
    samples = array("h")
    for i in range(count):
        envelope = min(1.0, i / fade_in, (count - i) / fade_out)
        samples.append(round(PEAK * envelope * math.sin(2 * math.pi * frequency * i / SAMPLE_RATE)))
    return Pcm(samples)


def bell(count: int, frequency: float = 880.0) -> Pcm:
    """Struck-bell partials decaying over `count` samples, faded to zero at the end."""
    total = sum(amplitude for _, amplitude, _ in _BELL_PARTIALS)
    fade_out = 0.050 * SAMPLE_RATE
    samples = array("h")
    for i in range(count):
        t = i / SAMPLE_RATE
        value = sum(
            amplitude * math.exp(-t / decay) * math.sin(2 * math.pi * frequency * ratio * t)
            for ratio, amplitude, decay in _BELL_PARTIALS
        )
        envelope = min(1.0, i / 48, (count - i) / fade_out)  # 2 ms strike
        samples.append(round(PEAK * envelope * value / total))
    return Pcm(samples)
