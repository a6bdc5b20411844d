"""A rest is paced aloud and lasts what the plan says, to the millisecond of the timing model."""

from __future__ import annotations

import pytest

from skill.speech.phrasebook import default_phrasebook
from skill.speech.rest_pacing import Cue, Pause, Sound, beats_seconds, pace_rest
from skill.speech.sounds import REST_OVER
from skill.speech.ssml import break_tags
from skill.speech.timing import speech_seconds


def cue_seconds(key: str) -> float:
    return speech_seconds(default_phrasebook().say(key))


@pytest.mark.parametrize("rest", range(15, 121))
def test_every_allowed_rest_adds_up_exactly(rest: int) -> None:
    beats = pace_rest(rest, cue_seconds)
    assert beats_seconds(beats) == pytest.approx(rest, abs=0.001)
    assert all(b.seconds >= 0 for b in beats if isinstance(b, Pause))
    assert beats[-1] == Sound(REST_OVER)


def test_thirty_second_rest_has_halfway_ten_seconds_and_countdown_in_order() -> None:
    beats = pace_rest(30, cue_seconds)
    keys = [b.key for b in beats if isinstance(b, Cue)]
    assert keys == ["rest.halfway", "rest.left_10", "rest.three", "rest.two", "rest.one"]
    # "Halfway" starts at 15 s and "Ten seconds" at 20 s into the rest.
    clock, starts = 0.0, {}
    for beat in beats:
        if isinstance(beat, Cue):
            starts[beat.key] = clock
        clock += beat.clip.seconds if isinstance(beat, Sound) else beat.seconds
    assert starts["rest.halfway"] == pytest.approx(15.0, abs=0.01)
    assert starts["rest.left_10"] == pytest.approx(20.0, abs=0.01)


def test_long_rest_gets_more_checkpoints_short_rest_fewer() -> None:
    long_keys = [b.key for b in pace_rest(90, cue_seconds) if isinstance(b, Cue)]
    assert {"rest.left_60", "rest.halfway", "rest.left_30", "rest.left_10"} <= set(long_keys)
    short_keys = [b.key for b in pace_rest(15, cue_seconds) if isinstance(b, Cue)]
    assert "rest.halfway" not in short_keys and "rest.left_10" in short_keys


@pytest.mark.parametrize("seconds", [0.4, 10, 10.001, 25.5, 120])
def test_breaks_never_exceed_ten_seconds_and_keep_the_total(seconds: float) -> None:
    tags = break_tags(seconds)
    lengths = [int(tag.split('"')[1].removesuffix("ms")) for tag in tags]
    assert max(lengths) <= 10_000
    assert sum(lengths) == round(seconds * 1000)
