"""Pain is met with safety first: the set it stops is never counted, whatever follows, and the
coach remembers, offering the easier way when the exercise next comes up."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from harness.device import Device
from harness.dialog_stage import Stage
from harness.envelopes import DEFAULT_USER_ID
from harness.interaction_model import load_model
from skill.coaching import pains
from skill.persistence import SqliteProgressStore
from tests.support import load_record


@pytest.fixture
def stage(tmp_path: Path, coach_env: pytest.MonkeyPatch) -> Stage:
    return Stage(tmp_path / "coach.sqlite3")


def record(stage: Stage) -> dict[str, Any]:
    return load_record(SqliteProgressStore(stage.database), DEFAULT_USER_ID)


def sets_done(stage: Stage) -> list[int]:
    progress = record(stage)["progress"]
    assert isinstance(progress, dict)
    return list(progress["sets_by_exercise"])


def on_the_last_set_of_the_first_exercise(device: Device) -> None:
    for words in ("open upper body coach", "start the dumbbell workout", "skip the warm up"):
        device.say(words)
    device.say("done")
    device.say("done")
    assert "set 3 of 3" in device.say("where am i").speech_text


@pytest.mark.parametrize("then", [["yes"], ["no", "skip this exercise"]])
def test_pain_on_a_last_set_never_counts_it_whatever_follows(stage: Stage, then: list[str]) -> None:
    """Skipping on an exercise's last set counts it, as next set would, but not after pain."""
    device = stage.device(DEFAULT_USER_ID)
    on_the_last_set_of_the_first_exercise(device)
    before = sets_done(stage)
    heard = device.say("my wrist hurts")
    assert heard.intent == "PainIntent"
    assert "don't push through pain" in heard.speech_text
    if then == ["yes"]:
        device.say("yes")  # the easier way, and the same set again
        heard = device.say("it still hurts")  # no easier way left: skipping is offered
        assert "shall I skip it?" in heard.speech_text
    for words in then:
        heard = device.say(words)
    assert "bent-over row" in heard.speech_text
    assert sets_done(stage)[:1] == before[:1] == [2]


def test_pain_is_remembered_and_the_easier_way_offered_when_the_exercise_comes_up_again(
    stage: Stage,
) -> None:
    device = stage.device(DEFAULT_USER_ID)
    for words in ("open upper body coach", "start the dumbbell workout", "skip the warm up"):
        device.say(words)
    device.say("my shoulder hurts")
    hurt = record(stage)["hurt"]
    assert isinstance(hurt, dict) and "shoulder_press" in hurt
    device.say("stop")
    stage.advance(2 * 24 * 3600)  # two days later, a new workout
    device.say("open upper body coach")
    assert "Start the dumbbell workout again" in device.say("start over").speech_text
    heard = device.say("yes")  # the workout from the top
    assert "caused you pain" in heard.speech_text and "say easier" in heard.speech_text


def test_pain_in_a_warm_up_holds_only_that_part_and_only_until_answered() -> None:
    """Pain held in a warm-up part (skill.coaching.pains) holds that part, as long as pain in an
    exercise is remembered; moving on or answering lets it go, so a later workout's warm-up at
    the same part is never held for it, and the exercises' pains stay."""
    hurt = pains.said_in_routine({"row": 5.0}, "warm_up:1", 100.0)
    assert pains.held_in_routine(hurt, "warm_up:1", 200.0)
    assert not pains.held_in_routine(hurt, "warm_up:0", 200.0)
    assert not pains.held_in_routine(hurt, "cool_down:1", 200.0)
    assert not pains.held_in_routine(hurt, "warm_up:1", 100.0 + pains.REMEMBERED_SECONDS)
    assert pains.kept_for(hurt, "warm_up:1") == hurt
    moved_on = pains.kept_for(hurt, "warm_up:2")
    assert moved_on == {"row": 5.0}
    assert not pains.held_in_routine(pains.kept_for(hurt, None), "warm_up:1", 200.0)
    assert pains.answered_in_routine(hurt) == {"row": 5.0}
    assert pains.of_exercises({**hurt, pains.URGENT: 1.0}) == {"row": 5.0}


# Every intent said at the question after pain in an exercise ("shall I give you an easier
# way?", and "shall I skip it?" once the easier way hurt too). Only these go on to a set: the
# easier way (a yes), skipping to the next exercise.
GOES_ON_AT = {
    "easier": {"AMAZON.YesIntent", "EasierIntent", "SkipExerciseIntent"},
    "skip": {"AMAZON.YesIntent", "SkipExerciseIntent"},
}
# Sent with no slot, these were not understood: "didn't catch that" is the truth for them.
NOT_CAUGHT = {"AMAZON.FallbackIntent", "SetRepsIntent", "PaceIntent"}
PAIN_QUESTION_INTENTS = [intent.name for intent in load_model().intents]


@pytest.mark.parametrize("offer", ["easier", "skip"])
@pytest.mark.parametrize("intent", PAIN_QUESTION_INTENTS)
def test_every_answer_at_the_question_after_pain_is_coherent(
    stage: Stage, intent: str, offer: str
) -> None:
    """Never "didn't catch that" for words understood, never the set that hurt counted or
    called unasked ("Welcome back" over it), never an answer to another question ("it stays
    as it is") with this one asked again."""
    device = stage.device(DEFAULT_USER_ID)
    for words in ("open upper body coach", "start the dumbbell workout", "skip the warm up"):
        device.say(words)
    if offer == "skip":  # the easier way taken, and it hurt again
        device.say("my wrist hurts")
        device.say("yes")
    asked = device.say("my wrist hurts").speech_text
    assert ("shall I skip it?" if offer == "skip" else "an easier way") in asked
    heard = device.intent(intent).speech_text
    if intent not in NOT_CAUGHT:
        assert "didn't catch" not in heard
    assert "Welcome back" not in heard and "it stays as it is" not in heard
    if intent not in GOES_ON_AT[offer]:
        assert "Say done when you finish" not in heard
    if intent in ("HarderIntent", "ReadyIntent", "AMAZON.ResumeIntent", "CarryOnIntent"):
        assert "Don't push through pain" in heard  # pushing on: safety first, and the question
    assert not any(sets_done(stage))
