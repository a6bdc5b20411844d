"""Mono 16-bit PCM at Alexa's 24 kHz, and small pure helpers on it."""

from __future__ import annotations

import io
import sys
import wave
from array import array
from collections.abc import Iterable
from dataclasses import dataclass

import miniaudio

SAMPLE_RATE = (
    24000  # Alexa's MP3 rates are 16000, 22050 or 24000 Hz; the tracks and the harness use 24000
)


@dataclass(frozen=True)
class Pcm:
    samples: array[int]  # typecode "h": signed 16-bit, mono
    sample_rate: int = SAMPLE_RATE

    def __post_init__(self) -> None:
        if self.samples.typecode != "h":
            raise ValueError(
                f"PCM samples must be array('h'), not array({self.samples.typecode!r})"
            )

    @property
    def seconds(self) -> float:
        return len(self.samples) / self.sample_rate

    def to_bytes(self) -> bytes:
        """Little-endian int16, whatever the machine's byte order."""
        if sys.byteorder == "little":
            return self.samples.tobytes()
        swapped = array("h", self.samples)
        swapped.byteswap()
        return swapped.tobytes()

    def to_wav(self) -> bytes:
        """A mono 16-bit WAV file of the samples, as a microphone's recording is sent."""
        out = io.BytesIO()
        with wave.open(out, "wb") as wav:
            wav.setnchannels(1)
            wav.setsampwidth(2)
            wav.setframerate(self.sample_rate)
            wav.writeframes(self.to_bytes())
        return out.getvalue()

    @classmethod
    def from_bytes(cls, data: bytes, sample_rate: int = SAMPLE_RATE) -> Pcm:
        samples = array("h")
        samples.frombytes(data[: len(data) - len(data) % 2])
        if sys.byteorder != "little":
            samples.byteswap()
        return cls(samples, sample_rate)


def silence(seconds: float, sample_rate: int = SAMPLE_RATE) -> Pcm:
    return Pcm(array("h", bytes(2 * max(0, round(seconds * sample_rate)))), sample_rate)


def concat(parts: Iterable[Pcm], sample_rate: int = SAMPLE_RATE) -> Pcm:
    samples = array("h")
    for part in parts:
        if part.sample_rate != sample_rate:
            raise ValueError(f"cannot join {part.sample_rate} Hz PCM to {sample_rate} Hz")
        samples.extend(part.samples)
    return Pcm(samples, sample_rate)


def fit(pcm: Pcm, seconds: float) -> Pcm:
    """Cut or pad with silence to exactly `seconds`."""
    count = round(seconds * pcm.sample_rate)
    samples = pcm.samples[:count]
    if len(samples) < count:
        samples.extend(array("h", bytes(2 * (count - len(samples)))))
    return Pcm(samples, pcm.sample_rate)


def peak(pcm: Pcm) -> int:
    return max((abs(sample) for sample in pcm.samples), default=0)


def trim_zeros(samples: array[int]) -> array[int]:
    """Drop the exact-zero samples a synthesizer pads both ends with."""
    start = next((i for i, sample in enumerate(samples) if sample), len(samples))
    end = len(samples)
    while end > start and not samples[end - 1]:
        end -= 1
    return samples[start:end]


def resample(pcm: Pcm, sample_rate: int = SAMPLE_RATE) -> Pcm:
    """Convert to `sample_rate` with miniaudio's resampler (no numpy in the project)."""
    if pcm.sample_rate == sample_rate or not pcm.samples:
        return Pcm(array("h", pcm.samples), sample_rate)
    converted = miniaudio.convert_frames(
        miniaudio.SampleFormat.SIGNED16,
        1,
        pcm.sample_rate,
        pcm.samples.tobytes(),
        miniaudio.SampleFormat.SIGNED16,
        1,
        sample_rate,
    )
    samples = array("h")
    samples.frombytes(bytes(converted))
    return Pcm(samples, sample_rate)
