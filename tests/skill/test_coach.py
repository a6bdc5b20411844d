"""The workout state machine on its own: positions and moves, no Alexa involved."""

from __future__ import annotations

from typing import NoReturn

import pytest

from skill.coaching import events as ev
from skill.coaching.coach import Coach
from skill.coaching.progress import Progress, ProgressError
from skill.content.loader import default_library

START = 1_000.0


@pytest.fixture(scope="module")
def coach() -> Coach:
    return Coach(default_library())


def started(coach: Coach, workout: str = "bodyweight") -> Progress:
    return coach.start(Progress(), workout, START).progress


def test_start_introduces_first_exercise_and_announces_set_one(coach: Coach) -> None:
    move = coach.start(Progress(), "bodyweight", START)
    assert move.progress.workout_id == "bodyweight"
    assert (move.progress.exercise_index, move.progress.set_number) == (0, 1)
    assert move.events == (
        ev.WorkoutStarted("bodyweight"),
        ev.ExerciseIntroduced(0),
        ev.SetAnnounced(0, 1),
    )


def test_next_set_rests_then_announces_the_following_set(coach: Coach) -> None:
    move = coach.finish_set(started(coach), START + 60)
    assert move.progress.set_number == 2
    assert move.progress.sets_done == 1
    assert move.events == (ev.RestStarted(30, last_set_of_exercise=False), ev.SetAnnounced(0, 2))


def test_last_set_rests_into_the_next_exercise_introduction(coach: Coach) -> None:
    progress = started(coach)
    for _ in range(3):
        progress = coach.finish_set(progress, START).progress
    move = coach.finish_set(progress, START)
    assert (move.progress.exercise_index, move.progress.set_number) == (1, 1)
    assert move.events == (
        ev.RestStarted(30, last_set_of_exercise=True),
        ev.ExerciseIntroduced(1),
        ev.SetAnnounced(1, 1),
    )


@pytest.mark.parametrize("workout_id", ["bodyweight", "dumbbell"])
def test_whole_workout_ends_with_a_summary(coach: Coach, workout_id: str) -> None:
    plan = coach.library.get(workout_id)
    assert plan is not None
    progress = started(coach, workout_id)
    total_sets = sum(e.sets for e in plan.exercises)
    for _ in range(total_sets - 1):
        progress = coach.finish_set(progress, START).progress
    move = coach.finish_set(progress, START + 1_800)
    assert move.progress.finished and not move.progress.active
    assert move.events == (ev.WorkoutFinished(workout_id, 6, total_sets, (), 1_800.0),)
    after = coach.finish_set(move.progress, START + 1_900)
    assert after.events == (ev.NoActiveWorkout(just_finished=workout_id),)


def test_skip_moves_to_next_exercise_and_is_remembered(coach: Coach) -> None:
    move = coach.skip_exercise(started(coach), START)
    assert move.progress.exercise_index == 1 and move.progress.set_number == 1
    assert move.progress.skipped == ("t_push_up",)
    assert move.events[0] == ev.ExerciseSkipped(0)


def test_skipping_the_last_exercise_finishes(coach: Coach) -> None:
    progress = coach.go_to(started(coach), "stir_the_pot", START)
    assert progress is not None
    move = coach.skip_exercise(progress.progress, START + 10)
    assert isinstance(move.events[-1], ev.WorkoutFinished)
    assert move.events[-1].skipped == ("stir_the_pot",)


def test_previous_goes_back_an_exercise_or_stays_on_the_first(coach: Coach) -> None:
    first = coach.previous_exercise(started(coach))
    assert first.events[0] == ev.AlreadyFirst()
    assert first.progress.exercise_index == 0
    on_second = coach.skip_exercise(started(coach), START).progress
    back = coach.previous_exercise(on_second)
    assert back.progress.exercise_index == 0 and back.progress.set_number == 1
    assert back.events[0] == ev.MovedBack(0)


def test_pause_keeps_position_and_resume_announces_it_by_name(coach: Coach) -> None:
    progress = coach.finish_set(started(coach), START).progress
    paused = coach.pause(progress)
    assert paused.progress.paused
    assert (paused.progress.exercise_index, paused.progress.set_number) == (0, 2)
    resumed = coach.resume(paused.progress)
    assert not resumed.progress.paused
    assert resumed.events == (ev.Resumed(), ev.SetAnnounced(0, 2, with_name=True))


def test_next_set_while_paused_resumes_without_counting_a_set(coach: Coach) -> None:
    paused = coach.pause(started(coach)).progress
    move = coach.finish_set(paused, START)
    assert move.progress.sets_done == 0 and move.progress.set_number == 1
    assert move.events[0] == ev.Resumed()


@pytest.mark.parametrize("seconds", [14, 121, 0, -5, 600])
def test_rest_outside_the_range_is_refused(coach: Coach, seconds: int) -> None:
    progress = started(coach)
    move = coach.set_rest(progress, seconds)
    assert move.progress == progress
    assert move.events == (ev.RestRejected(seconds, 15, 120),)


def test_changed_rest_is_used_for_the_next_rest(coach: Coach) -> None:
    progress = coach.set_rest(started(coach), 45).progress
    move = coach.finish_set(progress, START)
    assert move.events[0] == ev.RestStarted(45, last_set_of_exercise=False)


def test_rest_preference_survives_starting_a_new_workout(coach: Coach) -> None:
    progress = coach.set_rest(Progress(), 60).progress
    assert coach.start(progress, "dumbbell", START).progress.rest_seconds == 60


def test_go_to_within_and_across_workouts(coach: Coach) -> None:
    within = coach.go_to(started(coach), "overhead_carry", START)
    assert within is not None
    assert within.progress.exercise_index == 4
    assert within.events[0] == ev.WentTo(4, switched_workout=False)
    across = coach.go_to(started(coach), "lateral_raise", START)
    assert across is not None
    assert across.progress.workout_id == "dumbbell" and across.progress.exercise_index == 3
    assert across.events[0] == ev.WentTo(3, switched_workout=True)
    assert coach.go_to(started(coach), "no_such_move", START) is None


def test_start_over_returns_to_the_top(coach: Coach) -> None:
    progress = coach.skip_exercise(started(coach), START).progress
    move = coach.start_over(progress, START + 5)
    assert (move.progress.exercise_index, move.progress.set_number, move.progress.skipped) == (
        0,
        1,
        (),
    )
    assert move.events[0] == ev.StartedOver("bodyweight")


@pytest.mark.parametrize(
    "name", ["finish_set", "skip_exercise", "pause", "resume", "previous_exercise", "start_over"]
)
def test_commands_without_a_workout_say_so(coach: Coach, name: str) -> None:
    move = getattr(coach, name)(
        *(
            (Progress(), START)
            if name in {"finish_set", "skip_exercise", "start_over"}
            else (Progress(),)
        )
    )
    assert move.events == (ev.NoActiveWorkout(),)
    assert move.progress == Progress()


def test_progress_round_trips_through_a_dict(coach: Coach) -> None:
    progress = coach.skip_exercise(coach.set_rest(started(coach), 45).progress, START).progress
    assert Progress.from_dict(progress.to_dict()) == progress


@pytest.mark.parametrize(
    "bad",
    [
        "not a dict",
        {"set_number": 0},
        {"exercise_index": "two"},
        {"mystery": 1},
        {"rest_seconds": 3},
        {"skipped": "t_push_up"},
        {"paused": "yes"},
    ],
)
def test_unreadable_progress_is_refused(bad: object) -> None:
    with pytest.raises(ProgressError):
        Progress.from_dict(bad)


def test_progress_pointing_at_missing_content_is_invalid(coach: Coach) -> None:
    assert not coach.is_valid(Progress(workout_id="yoga"))
    assert not coach.is_valid(Progress(workout_id="bodyweight", exercise_index=9))
    assert not coach.is_valid(Progress(workout_id="bodyweight", set_number=5))
    assert coach.is_valid(Progress(workout_id="bodyweight", exercise_index=5, set_number=3))


def test_time_left_shrinks_as_sets_are_done_and_is_nothing_when_idle(coach: Coach) -> None:
    assert coach.seconds_left(Progress()) == 0
    started = coach.start(Progress(), "dumbbell", 0.0).progress
    whole = coach.workout_seconds(coach.library.get("dumbbell") or _missing(), started)
    first = coach.seconds_left(started)
    later = coach.seconds_left(coach.finish_set(started, 1.0).progress)
    assert 0 < later < first <= whole


def test_current_rest_follows_the_plan_until_the_runner_changes_it(coach: Coach) -> None:
    started = coach.start(Progress(), "bodyweight", 0.0).progress
    assert coach.current_rest(started) == 30
    assert coach.current_rest(coach.set_rest(started, 60).progress) == 60
    assert coach.current_rest(Progress()) is None


def _missing() -> NoReturn:
    raise AssertionError("the dumbbell workout is missing")
