"""Pace a rest aloud: cues at sensible moments, silence between, a beep when it is over.

The rest is measured from the end of "Rest N seconds." to the start of the next set's words, and
the cues' own speaking time (from the timing model) counts toward it, so what the runner hears
lasts the programmed rest.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from skill.speech.sounds import REST_OVER, SoundClip


@dataclass(frozen=True)
class Cue:
    key: str  # a phrasebook key, e.g. "rest.halfway"
    seconds: float


@dataclass(frozen=True)
class Pause:
    seconds: float


@dataclass(frozen=True)
class Sound:
    clip: SoundClip


RestBeat = Cue | Pause | Sound

COUNTDOWN = ("rest.three", "rest.two", "rest.one")  # one second apart, ending at the beep
MIN_GAP_SECONDS = 4.0  # checkpoints closer than this to the previous one are dropped
# (seconds remaining when the cue starts, key, shortest rest that gets it)
REMAINING_CUES = ((60, "rest.left_60", 90), (30, "rest.left_30", 50), (10, "rest.left_10", 15))
HALFWAY_FROM_SECONDS = 25


def _checkpoints(rest: int) -> list[tuple[float, str]]:
    wanted: list[tuple[float, str]] = []
    if rest >= HALFWAY_FROM_SECONDS:
        wanted.append((rest / 2, "rest.halfway"))
    wanted += [(rest - left, key) for left, key, shortest in REMAINING_CUES if rest >= shortest]
    wanted.sort(key=lambda item: item[0])
    kept: list[tuple[float, str]] = []
    for at, key in wanted:
        if at >= 3 and (not kept or at - kept[-1][0] >= MIN_GAP_SECONDS):
            kept.append((at, key))
    end = rest - REST_OVER.seconds
    kept += [(end - (len(COUNTDOWN) - i), key) for i, key in enumerate(COUNTDOWN)]
    return kept


def pace_rest(rest_seconds: int, cue_seconds: Callable[[str], float]) -> tuple[RestBeat, ...]:
    """The beats of a rest of `rest_seconds`; their lengths add up to exactly that."""
    beats: list[RestBeat] = []
    clock = 0.0
    for at, key in _checkpoints(rest_seconds):
        if at - clock > 0.0005:
            beats.append(Pause(round(at - clock, 3)))
            clock = at
        spoken = cue_seconds(key)
        beats.append(Cue(key, spoken))
        clock += spoken
    end = rest_seconds - REST_OVER.seconds
    beats.append(Pause(round(max(0.0, end - clock), 3)))
    beats.append(Sound(REST_OVER))
    return tuple(beats)


def beats_seconds(beats: tuple[RestBeat, ...]) -> float:
    total = 0.0
    for beat in beats:
        total += beat.clip.seconds if isinstance(beat, Sound) else beat.seconds
    return round(total, 3)
