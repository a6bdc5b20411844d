"""Led sets again and their pace (issue 18, finding 6): the state machine's moves, the stored
field, and the timing of what is said (Alexa's limits hold at every pace)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from harness.ssml_rules import MAX_AUDIO_SECONDS
from skill.alexa.turn import _pace
from skill.coaching import events as ev
from skill.coaching.coach import Coach
from skill.coaching.progress import (
    QUICKEST_PACE,
    SLOWEST_PACE,
    USUAL_PACE,
    Progress,
    ProgressError,
)
from skill.content.loader import default_library
from skill.speech.phrasebook import default_phrasebook
from skill.speech.replies import Composer
from skill.speech.set_pacing import RESPONSE_SECONDS, rep_seconds, work_seconds
from skill.speech.ssml import MAX_BREAK_SECONDS

START = 1_000.0


@pytest.fixture(scope="module")
def coach() -> Coach:
    return Coach(default_library())


@pytest.fixture(scope="module")
def composer(coach: Coach) -> Composer:
    return Composer(coach, default_phrasebook())


def at_the_letters(coach: Coach) -> Progress:
    move = coach.go_to(coach.start(Progress(), "bodyweight", START).progress, "ytwl_raise", START)
    assert move is not None
    return move.progress


def test_slower_goes_a_step_at_a_time_to_its_bound_and_calls_the_set_again(coach: Coach) -> None:
    progress = at_the_letters(coach)
    paces = []
    for _ in range(SLOWEST_PACE - USUAL_PACE):
        move = coach.change_pace(progress, slower=True)
        progress = move.progress
        paces.append(progress.pace)
        assert move.events[0] == ev.PaceChanged(progress.pace, True)
        assert move.events[1] == ev.SetAnnounced(3, 1, with_name=True)
    assert paces == list(range(USUAL_PACE + 1, SLOWEST_PACE + 1))
    held = coach.change_pace(progress, slower=True)
    assert held.progress == progress
    assert held.events == (ev.PaceChanged(SLOWEST_PACE, True, changed=False),)


def test_faster_stops_at_the_quickest(coach: Coach) -> None:
    progress = at_the_letters(coach)
    for _ in range(USUAL_PACE - QUICKEST_PACE):
        progress = coach.change_pace(progress, slower=False).progress
    assert progress.pace == QUICKEST_PACE
    held = coach.change_pace(progress, slower=False)
    assert held.events == (ev.PaceChanged(QUICKEST_PACE, False, changed=False),)


def test_a_pace_change_counts_nothing_and_lasts_into_the_next_workout(coach: Coach) -> None:
    progress = at_the_letters(coach)
    slower = coach.change_pace(progress, slower=True).progress
    assert replace(slower, pace=progress.pace) == progress  # only the pace moved
    assert coach.start(slower, "dumbbell", START + 60).progress.pace == slower.pace
    assert coach.start_over(slower, START + 60).progress.pace == slower.pace


def test_a_set_not_led_is_not_called_again(coach: Coach) -> None:
    push_ups = coach.start(Progress(), "bodyweight", START).progress  # its sides alternate
    move = coach.change_pace(push_ups, slower=True)
    assert move.progress.pace == USUAL_PACE + 1
    assert not any(isinstance(e, ev.SetAnnounced) for e in move.events)


def test_a_step_again_names_the_step_of_the_set_under_way(coach: Coach) -> None:
    progress = at_the_letters(coach)
    move = coach.step_again(progress, "T")
    assert move is not None and move.progress == progress
    assert move.events == (ev.StepLedAgain(3, 1, 1),)
    assert coach.step_again(progress, "x") is None
    assert coach.step_again(progress, None) is None
    push_ups = coach.start(Progress(), "bodyweight", START).progress
    assert coach.step_again(push_ups, "t") is None  # no letters: the set is said again whole


def test_the_pace_is_never_stored_in_the_progress_and_its_field_reads_safely() -> None:
    assert "pace" not in Progress(pace=1).to_dict()
    with pytest.raises(ProgressError):
        Progress.from_dict({**Progress().to_dict(), "pace": 9})
    assert _pace(1) == 1 and _pace(-1) == -1
    for unreadable in (9, -5, "slow", True, None, 1.5):
        assert _pace(unreadable) == USUAL_PACE


def test_every_pace_is_a_controlled_rep() -> None:
    assert rep_seconds(USUAL_PACE) == 3.0
    assert (rep_seconds(QUICKEST_PACE), rep_seconds(SLOWEST_PACE)) == (2.5, 5.0)
    assert rep_seconds(SLOWEST_PACE + 3) == rep_seconds(SLOWEST_PACE)


@pytest.mark.parametrize("pace", range(QUICKEST_PACE, SLOWEST_PACE + 1))
def test_the_letters_take_longer_at_a_slower_pace_and_fit_alexas_limits(
    composer: Composer, coach: Coach, pace: int
) -> None:
    progress = replace(at_the_letters(coach), pace=pace)
    here = coach.position(progress)
    assert here is not None
    exercise = here.exercise
    led = composer.lead_set(exercise, pace)
    assert led is not None
    breaks = [p.held for p in led[0].pieces if p.is_break]
    assert max(breaks) <= MAX_BREAK_SECONDS
    steps = exercise.steps
    assert sum(breaks) == pytest.approx(
        3 + 3 * (len(steps) - 1) + 4 * work_seconds(steps[0].reps, pace)
    )
    for reply in (
        composer.repeat(progress),
        composer.step_again(progress, ev.StepLedAgain(3, 1, 0)),
        composer.pace_changed(progress, ev.PaceChanged(pace, True), lead_again=True),
        composer.how_to(progress),
    ):
        assert reply.said.seconds <= RESPONSE_SECONDS < MAX_AUDIO_SECONDS
        assert len(reply.speech) <= 8000


def test_from_a_letter_on_leaves_the_letters_before_it_out(
    composer: Composer, coach: Coach
) -> None:
    progress = at_the_letters(coach)
    said = composer.step_again(progress, ev.StepLedAgain(3, 1, 2)).said
    words = " ".join(p.words for p in said.pieces if p.words)
    assert words.startswith("From the W again. W: ")
    assert "Y: " not in words and "T: " not in words and "L: " in words
