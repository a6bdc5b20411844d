"""How long the coach talks (harness.turn_lengths): the aims, and the table in docs kept current.

Aims the coach does not meet yet are strict xfails: when a change meets one, the test says so
and the marker comes off.
"""

from __future__ import annotations

import functools

import pytest

from harness.turn_lengths import (
    AIMS,
    WORKOUTS,
    Aim,
    Measured,
    Unprompted,
    ends_with_prompt,
    measure_all,
    speech_seconds_besides_rest,
    table,
    talk_before_pacing,
    talk_seconds,
)
from skill.speech.sounds import REST_OVER
from skill.speech.timing import speech_seconds
from tests.support import REPO_ROOT

NOT_YET: set[str] = set()  # every aim is met; an aim missed again goes here as a strict xfail


@functools.cache
def measured() -> tuple[list[Measured], list[Unprompted]]:
    return measure_all()


def test_the_readme_shows_the_turn_lengths_as_they_are() -> None:
    readme = (REPO_ROOT / "docs" / "turn-lengths.md").read_text(encoding="utf-8")
    current = table(*measured())
    assert current in readme, f"docs/turn-lengths.md's table is out of date; now:\n{current}"


def test_every_kind_of_turn_is_measured_in_both_workouts() -> None:
    rows, _ = measured()
    assert {(row.kind, row.workout) for row in rows} == {
        (aim.kind, workout) for aim in AIMS for workout in WORKOUTS
    }


def _params() -> list[object]:
    return [
        pytest.param(
            aim,
            id=aim.kind,
            marks=[pytest.mark.xfail(strict=True, reason="issue 8: not brief enough yet")]
            if aim.kind in NOT_YET
            else [],
        )
        for aim in AIMS
    ]


@pytest.mark.parametrize("aim", _params())
def test_each_kind_of_turn_keeps_its_aim(aim: Aim) -> None:
    rows, _ = measured()
    for row in rows:
        if row.kind == aim.kind:
            assert row.seconds <= aim.seconds, row
            assert row.ends_in_question or not aim.question, row


def test_no_response_leaves_the_microphone_open_without_a_prompt() -> None:
    _, unprompted = measured()
    assert not unprompted, unprompted[:3]


def test_the_paced_rest_is_not_counted_as_talk() -> None:
    talk = "Nice work. Set 2 of 4."
    ssml = (
        '<speak>Nice work. Rest 30 seconds. <break time="10000ms"/> Halfway.'
        '<break time="10000ms"/><break time="8000ms"/>'
        f'<audio src="{REST_OVER.src}"/> Set 2 of 4.</speak>'
    )
    # The announcement is talk; from its end to the beep's end is the rest (cues included).
    assert speech_seconds_besides_rest(ssml) == pytest.approx(
        speech_seconds("Nice work. Rest 30 seconds.") + speech_seconds("Set 2 of 4."), abs=0.11
    )
    assert speech_seconds_besides_rest(f"<speak>{talk}</speak>") == round(speech_seconds(talk), 1)


@pytest.mark.parametrize(
    ("text", "prompted"),
    [
        ("Set 2 of 4: 5 reps. Say next set when you're done.", True),
        ("Welcome back. Shall we carry on with chin-ups?", True),
        ("Set 2 of 4: 5 reps.", False),
        ("Rest 30 seconds. Set 3 of 3: 12 reps.", False),
    ],
)
def test_a_prompt_is_a_question_or_says_what_to_say(text: str, prompted: bool) -> None:
    assert ends_with_prompt(text) is prompted


def test_a_set_led_step_by_step_counts_its_announcement_and_prompt_as_talk_not_its_steps() -> None:
    ssml = (
        '<speak>Good. Rest 30 seconds. <break time="10000ms"/><break time="10000ms"/>'
        f'<break time="9220ms"/><audio src="{REST_OVER.src}"/> Set 2 of 3. '
        '<break time="3000ms"/> Y: Arms up into a Y. 8 reps. <break time="10000ms"/>'
        '<break time="3000ms"/> T: Arms out to the sides. 8 reps. <break time="10000ms"/>'
        " Now say next set.</speak>"
    )
    talk = speech_seconds("Good. Rest 30 seconds.") + speech_seconds("Set 2 of 3.")
    talk += speech_seconds("Now say next set.")
    assert talk_seconds(ssml) == pytest.approx(talk, abs=0.11)
    # Without breaks after the rest nothing more is taken off.
    plain = "<speak>Set 2 of 4. Say done when you finish.</speak>"
    assert talk_seconds(plain) == speech_seconds_besides_rest(plain)


def test_starting_a_workout_counts_what_is_said_before_the_warm_up_is_paced() -> None:
    ssml = (
        "<speak>Let's do it. Warm-up, part 1 of 2. March, 40 seconds."
        '<break time="10000ms"/> Arm circles, 30 seconds. <break time="10000ms"/></speak>'
    )
    said = "Let's do it. Warm-up, part 1 of 2. March, 40 seconds."
    assert talk_before_pacing(ssml) == round(speech_seconds(said), 1)
