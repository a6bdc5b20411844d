"""Speech segments (harness.ssml_reader) as sound: what a response sounds like on the device."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import lru_cache

from harness.ssml_reader import Clip, Segment, Silence, Text
from harness.standins import clip_path
from tracks.mp3 import decode_mp3
from tracks.voices.base import Voice
from tracks.voices.pcm import Pcm, concat, fit, resample, silence


def render_segments(
    segments: Sequence[Segment],
    voice: Voice,
    *,
    clip_pcm: Callable[[Clip], Pcm] | None = None,
) -> Pcm:
    """What the segments sound like: Text through `voice`, Silence as zeros, each Clip from its
    stand-in (or `clip_pcm`), cut or padded to the clip's known length so timings stay exact."""
    load_clip = clip_pcm or standin_pcm
    parts: list[Pcm] = []
    for segment in segments:
        if isinstance(segment, Text):
            parts.append(resample(voice.synthesize(segment.text, segment.rate)))
        elif isinstance(segment, Silence):
            parts.append(silence(segment.seconds))
        else:
            parts.append(fit(resample(load_clip(segment)), segment.seconds))
    return concat(parts)


def standin_pcm(clip: Clip) -> Pcm:
    """The local stand-in for a sound-library clip (see harness.standins)."""
    return _decode_cached(str(clip_path(clip.src)))


@lru_cache(maxsize=32)
def _decode_cached(path: str) -> Pcm:
    return decode_mp3(path)
