"""MP3 in Alexa's format (MPEG-2 layer III, 48 kbps, 24000 Hz, mono): encoding, frame headers
and decoding."""

from __future__ import annotations

import os
from array import array
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import BinaryIO

import lameenc
import miniaudio

from tracks.voices.pcm import SAMPLE_RATE, Pcm, resample, silence

ALEXA_BITRATE_KBPS = 48
ALEXA_SAMPLE_RATE = SAMPLE_RATE
LAME_QUALITY = 2  # 0 best ... 9 fastest; 2 is LAME's "high quality" preset
FRAME_SAMPLES = 576  # per frame of MPEG-2 layer III: what encode_mp3 writes

# Frame header tables (ISO 11172-3 / 13818-3). Index 0 is "free format", 15 is invalid.
_VERSIONS = {0b00: "2.5", 0b10: "2", 0b11: "1"}
_LAYERS = {0b01: 3, 0b10: 2, 0b11: 1}
_BITRATES: Mapping[tuple[str, int], tuple[int, ...]] = {
    ("1", 1): (0, 32, 64, 96, 128, 160, 192, 224, 256, 288, 320, 352, 384, 416, 448),
    ("1", 2): (0, 32, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320, 384),
    ("1", 3): (0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320),
    ("2", 1): (0, 32, 48, 56, 64, 80, 96, 112, 128, 144, 160, 176, 192, 224, 256),
    ("2", 2): (0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160),
    ("2", 3): (0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160),
}
_SAMPLE_RATES = {
    "1": (44100, 48000, 32000),
    "2": (22050, 24000, 16000),
    "2.5": (11025, 12000, 8000),
}
_CHANNEL_MODES = ("stereo", "joint stereo", "dual channel", "mono")


@dataclass(frozen=True)
class FrameHeader:
    offset: int  # byte offset of the frame in the data
    version: str  # MPEG version: "1", "2" or "2.5"
    layer: int
    bitrate_kbps: int
    sample_rate: int
    channel_mode: str
    padding: bool
    length: int  # bytes, header included
    samples: int  # PCM samples per channel in this frame


def encode_mp3(pcm: Pcm, out: str | os.PathLike[str] | BinaryIO | None = None) -> bytes:
    """Encode in Alexa's format; write to a path or binary file if given; return the bytes."""
    if pcm.sample_rate != ALEXA_SAMPLE_RATE:
        pcm = resample(pcm, ALEXA_SAMPLE_RATE)
    encoder = lameenc.Encoder()
    encoder.set_bit_rate(ALEXA_BITRATE_KBPS)
    encoder.set_in_sample_rate(ALEXA_SAMPLE_RATE)
    encoder.set_out_sample_rate(ALEXA_SAMPLE_RATE)
    encoder.set_channels(1)
    encoder.set_quality(LAME_QUALITY)
    data = bytes(encoder.encode(pcm.to_bytes())) + bytes(encoder.flush())
    if isinstance(out, str | os.PathLike):
        Path(out).write_bytes(data)
    elif out is not None:
        out.write(data)
    return data


def parse_frame_header(data: bytes, offset: int = 0) -> FrameHeader | None:
    """The MPEG audio frame header at `offset`, or None if there is none."""
    if offset + 4 > len(data):
        return None
    b1, b2, b3 = data[offset + 1], data[offset + 2], data[offset + 3]
    if data[offset] != 0xFF or b1 & 0xE0 != 0xE0:
        return None
    version = _VERSIONS.get((b1 >> 3) & 0b11)
    layer = _LAYERS.get((b1 >> 1) & 0b11)
    bitrate_index, rate_index = b2 >> 4, (b2 >> 2) & 0b11
    if version is None or layer is None or bitrate_index in (0, 15) or rate_index == 3:
        return None
    bitrate = _BITRATES[("1" if version == "1" else "2", layer)][bitrate_index]
    sample_rate = _SAMPLE_RATES[version][rate_index]
    padding = bool((b2 >> 1) & 1)
    if layer == 1:
        samples = 384
        length = (12 * bitrate * 1000 // sample_rate + padding) * 4
    else:
        samples = 576 if layer == 3 and version != "1" else 1152
        length = samples // 8 * bitrate * 1000 // sample_rate + padding
    return FrameHeader(
        offset=offset,
        version=version,
        layer=layer,
        bitrate_kbps=bitrate,
        sample_rate=sample_rate,
        channel_mode=_CHANNEL_MODES[b3 >> 6],
        padding=padding,
        length=length,
        samples=samples,
    )


def mp3_frames(data: bytes) -> list[FrameHeader]:
    """Headers of every frame, skipping an ID3v2 tag and resyncing over junk."""
    frames: list[FrameHeader] = []
    offset = _id3v2_size(data)
    while offset + 4 <= len(data):
        header = parse_frame_header(data, offset)
        if header is None or offset + header.length > len(data):
            offset += 1
            continue
        frames.append(header)
        offset += header.length
    return frames


def mp3_sample_count(data: bytes) -> int:
    """PCM samples (per channel) in the frames: what mp3_frames counts, without parsing each
    frame when they all have the first one's header bytes (a constant-bitrate stream with no
    padding, as encode_mp3 writes: 144-byte frames)."""
    first = parse_frame_header(data)
    if first is not None and len(data) % first.length == 0 and not first.padding:
        step = first.length
        head = data[:3]
        if all(data[i::step] == head[i : i + 1] * (len(data) // step) for i in range(3)):
            return len(data) // step * first.samples
    return sum(frame.samples for frame in mp3_frames(data))


@lru_cache(maxsize=16)
def silent_mp3(frames: int) -> bytes:
    """`frames` frames of silence in Alexa's format: the start of an encoded silence, which
    plays on its own (a stream's first frame uses no bits from before it)."""
    if frames <= 0:
        return b""
    data = encode_mp3(silence(frames * FRAME_SAMPLES / ALEXA_SAMPLE_RATE))
    return data[: mp3_frames(data)[frames].offset]


def mp3_seconds(data: bytes) -> float:
    """Playing time from the frames (encoder delay and padding included, as a player plays it)."""
    return sum(frame.samples / frame.sample_rate for frame in mp3_frames(data))


def decode_mp3_bytes(data: bytes) -> Pcm:
    """Decode to 24 kHz mono 16-bit (miniaudio's defaults are 44100 Hz stereo)."""
    decoded = miniaudio.decode(
        data,
        output_format=miniaudio.SampleFormat.SIGNED16,
        nchannels=1,
        sample_rate=ALEXA_SAMPLE_RATE,
    )
    return Pcm(array("h", decoded.samples), ALEXA_SAMPLE_RATE)


def decode_mp3(path: str | os.PathLike[str]) -> Pcm:
    return decode_mp3_bytes(Path(path).read_bytes())


def _id3v2_size(data: bytes) -> int:
    if len(data) < 10 or data[:3] != b"ID3":
        return 0
    size = 0
    for byte in data[6:10]:  # "syncsafe": 7 bits per byte
        size = (size << 7) | (byte & 0x7F)
    return 10 + size + (10 if data[5] & 0x10 else 0)
