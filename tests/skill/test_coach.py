"""The workout state machine on its own: positions and moves, no Alexa involved."""

from __future__ import annotations

from dataclasses import replace
from typing import NoReturn

import pytest

from skill.coaching import events as ev
from skill.coaching.coach import SET_ALLOWANCE_SECONDS, Coach
from skill.coaching.progress import Progress, ProgressError
from skill.content.loader import default_library

START = 1_000.0
MINUTE = 60.0
TWO_DAYS = 2 * 24 * 3600.0


@pytest.fixture(scope="module")
def coach() -> Coach:
    return Coach(default_library())


def started(coach: Coach, workout: str = "bodyweight") -> Progress:
    return coach.start(Progress(), workout, START).progress


def sets(coach: Coach, progress: Progress, count: int, at: float = START) -> Progress:
    """`count` sets finished, a minute apart from `at` on."""
    for n in range(count):
        progress = coach.finish_set(progress, at + n * MINUTE).progress
    return progress


def finish(coach: Coach, progress: Progress, at: float) -> ev.WorkoutFinished:
    """Every remaining set finished a minute apart from `at`; the summary."""
    while True:
        move = coach.finish_set(progress, at)
        progress, at = move.progress, at + MINUTE
        if not progress.active:
            summary = next(e for e in move.events if isinstance(e, ev.WorkoutFinished))
            assert move.events[-1] == ev.CoolDownOffered()  # the summary, then the offer
            return summary


def test_start_introduces_first_exercise_and_announces_set_one(coach: Coach) -> None:
    move = coach.start(Progress(), "bodyweight", START)
    assert move.progress.workout_id == "bodyweight"
    assert (move.progress.exercise_index, move.progress.set_number) == (0, 1)
    assert move.events == (
        ev.WorkoutStarted("bodyweight"),
        ev.ExerciseIntroduced(0),
        ev.SetAnnounced(0, 1),
    )


@pytest.mark.parametrize("workout_id", ["bodyweight", "dumbbell"])
def test_a_workout_started_with_its_warm_up_leads_each_part_then_the_first_set(
    coach: Coach, workout_id: str
) -> None:
    move = coach.start(Progress(), workout_id, START, warm_up=True)
    assert move.events == (ev.WorkoutStarted(workout_id), ev.WarmUpPart(0, 2))
    progress = move.progress
    assert (progress.exercise_index, progress.set_number, progress.sets_done) == (0, 1, 0)
    assert coach.warm_up(progress, 0).events == (ev.WarmUpPart(0, 2),)
    last = coach.warm_up(progress, 1)
    assert last.progress == progress  # a warm-up counts no set
    assert last.events == (ev.WarmUpPart(1, 2), ev.ExerciseIntroduced(0), ev.SetAnnounced(0, 1))


def test_skipping_the_warm_up_goes_to_the_first_set(coach: Coach) -> None:
    progress = coach.start(Progress(), "bodyweight", START, warm_up=True).progress
    move = coach.skip_warm_up(progress)
    assert move.progress == progress
    assert move.events == (ev.WarmUpSkipped(), ev.ExerciseIntroduced(0), ev.SetAnnounced(0, 1))
    assert coach.skip_warm_up(Progress()).events == (ev.NoActiveWorkout(),)


def test_the_cool_down_is_led_only_after_a_finished_workout(coach: Coach) -> None:
    progress = started(coach)
    assert coach.cool_down(progress, 0) is None
    one_done = coach.finish_set(progress, START).progress
    finished = coach.skip_exercise(
        coach.go_to(one_done, "stir_the_pot", START).progress,  # type: ignore[union-attr]
        START,
    ).progress
    first = coach.cool_down(finished, 0)
    assert first is not None and first.events == (ev.CoolDownPart(0, 2),)
    assert coach.cool_down(finished, 2) is None


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
    progress = sets(coach, progress, total_sets - 1, START + MINUTE)
    move = coach.finish_set(progress, START + total_sets * MINUTE)
    assert move.progress.finished and not move.progress.active
    assert move.events == (
        ev.WorkoutFinished(workout_id, 6, total_sets, (), total_sets * 60.0, started_at=START),
        ev.CoolDownOffered(),
    )
    after = coach.finish_set(move.progress, START + 1_900)
    assert after.events == (ev.NoActiveWorkout(just_finished=workout_id),)


def test_stopping_partway_sums_up_the_workout_so_far_and_keeps_the_place(coach: Coach) -> None:
    progress = sets(coach, started(coach, "dumbbell"), 4, START + MINUTE)  # 3 + 1
    move = coach.stop(progress, START + 5 * MINUTE)
    assert move.progress == progress  # stopping is not abandoning: the place is kept
    # The work so far: up to the last set counted, not the time since.
    at = START + 4 * MINUTE
    assert move.events == (ev.WorkoutStopped("dumbbell", START, 2, 4, 4 * MINUTE, at),)
    assert coach.finish_set(move.progress, START + 6 * MINUTE).progress.sets_done == 5


def test_stopping_with_no_set_done_or_no_workout_sums_up_nothing(coach: Coach) -> None:
    assert coach.stop(started(coach), START + MINUTE).events == ()
    assert coach.stop(Progress(), START).events == ()
    done = coach.finish_set(sets(coach, started(coach), 19, START), START + 20 * MINUTE)
    assert coach.stop(done.progress, START + 21 * MINUTE).events == ()  # finished already


def test_skip_moves_to_next_exercise_and_is_remembered(coach: Coach) -> None:
    move = coach.skip_exercise(started(coach), START)
    assert move.progress.exercise_index == 1 and move.progress.set_number == 1
    assert move.progress.skipped == ("t_push_up",)
    assert move.events[0] == ev.ExerciseSkipped(0)


def test_skipping_the_last_exercise_finishes(coach: Coach) -> None:
    one_done = coach.finish_set(started(coach), START).progress
    progress = coach.go_to(one_done, "stir_the_pot", START)
    assert progress is not None
    move = coach.skip_exercise(progress.progress, START + 10)
    finished = move.events[-2]
    assert isinstance(finished, ev.WorkoutFinished) and move.events[-1] == ev.CoolDownOffered()
    assert finished.skipped == ("stir_the_pot",)


def test_skipping_the_last_exercise_with_nothing_done_finishes_no_workout(coach: Coach) -> None:
    # An empty workout is none: nothing to praise or count in the week, and the set stays.
    progress = coach.go_to(started(coach), "stir_the_pot", START)
    assert progress is not None
    move = coach.skip_exercise(progress.progress, START + 10)
    assert not any(isinstance(event, ev.WorkoutFinished) for event in move.events)
    assert move.events[0] == ev.NothingToFinish()
    assert not move.progress.finished and move.progress.set_number == 1


def test_previous_on_the_very_first_set_stays_there(coach: Coach) -> None:
    first = coach.back_one_set(started(coach), START)
    assert first.events[0] == ev.AlreadyFirst()
    assert (first.progress.exercise_index, first.progress.set_number) == (0, 1)


def test_previous_goes_back_a_set_within_the_exercise_and_undoes_its_count(coach: Coach) -> None:
    on_third = sets(coach, started(coach), 2)
    assert (on_third.set_number, on_third.sets_by_exercise) == (3, (2,))
    back = coach.back_one_set(on_third, START + 5 * MINUTE)
    assert (back.progress.exercise_index, back.progress.set_number) == (0, 2)
    assert back.progress.sets_by_exercise == (1,)
    assert back.events == (ev.MovedBackASet(), ev.SetAnnounced(0, 2))
    assert coach.finish_set(back.progress, START).progress.sets_by_exercise == (2,)


def test_previous_from_a_first_set_goes_to_the_last_set_of_the_exercise_before(
    coach: Coach,
) -> None:
    on_second_exercise = sets(coach, started(coach), 4)
    assert (on_second_exercise.exercise_index, on_second_exercise.set_number) == (1, 1)
    back = coach.back_one_set(on_second_exercise, START + 5 * MINUTE)
    assert (back.progress.exercise_index, back.progress.set_number) == (0, 4)
    assert back.progress.sets_by_exercise == (3,)
    assert back.events == (ev.MovedBack(0), ev.SetAnnounced(0, 4))


def test_previous_to_an_exercise_with_nothing_done_starts_it_from_set_one(coach: Coach) -> None:
    on_second = coach.skip_exercise(started(coach), START).progress
    back = coach.back_one_set(on_second, START)
    assert back.progress.exercise_index == 0 and back.progress.set_number == 1
    assert back.progress.sets_by_exercise == ()
    assert back.events == (ev.MovedBack(0), ev.ExerciseIntroduced(0), ev.SetAnnounced(0, 1))


def test_skip_on_the_last_set_counts_it_and_is_not_a_skip(coach: Coach) -> None:
    on_last = sets(coach, started(coach), 3)
    move = coach.skip_exercise(on_last, START + 4 * MINUTE)
    assert move.progress.sets_by_exercise == (4,) and move.progress.skipped == ()
    assert (move.progress.exercise_index, move.progress.set_number) == (1, 1)
    assert not any(isinstance(event, ev.ExerciseSkipped) for event in move.events)
    assert finish(coach, move.progress, START + 5 * MINUTE).skipped == ()


def test_an_exercise_skipped_then_done_counts_as_done(coach: Coach) -> None:
    skipped = coach.skip_exercise(started(coach), START).progress
    assert skipped.skipped == ("t_push_up",)
    back = coach.back_one_set(skipped, START + MINUTE).progress
    done = coach.finish_set(back, START + 2 * MINUTE).progress
    assert done.skipped == ()
    summary = finish(coach, done, START + 3 * MINUTE)
    assert (summary.exercises_done, summary.sets_done, summary.skipped) == (6, 20, ())


def test_the_summary_counts_sets_done_and_names_only_what_stayed_skipped(coach: Coach) -> None:
    progress = sets(coach, started(coach), 4)  # T push-up done
    progress = coach.finish_set(progress, START + 5 * MINUTE).progress  # 1 chin-up set
    progress = coach.skip_exercise(progress, START + 6 * MINUTE).progress  # chin-ups cut short
    progress = coach.skip_exercise(progress, START + 7 * MINUTE).progress  # rows skipped
    summary = finish(coach, progress, START + 8 * MINUTE)
    assert summary.exercises_done == 5  # every exercise with a set done
    assert summary.sets_done == 4 + 1 + 3 + 3 + 3
    assert summary.skipped == ("suspension_row",)
    assert summary.cut_short == (("l_sit_chin_up", 1),)


def test_exercises_jumped_over_are_not_counted_done(coach: Coach) -> None:
    jumped = coach.go_to(started(coach), "stir_the_pot", START + MINUTE)
    assert jumped is not None and jumped.progress.sets_by_exercise == ()
    summary = finish(coach, jumped.progress, START + 2 * MINUTE)
    assert (summary.exercises_done, summary.sets_done, summary.skipped) == (1, 3, ())


def test_going_back_to_an_exercise_left_partway_picks_up_after_its_sets(coach: Coach) -> None:
    progress = sets(coach, started(coach), 2)
    away = coach.go_to(progress, "overhead_carry", START + 3 * MINUTE)
    assert away is not None
    back = coach.go_to(away.progress, "t_push_up", START + 4 * MINUTE)
    assert back is not None
    assert (back.progress.exercise_index, back.progress.set_number) == (0, 3)
    assert back.events[-1] == ev.SetAnnounced(0, 3)


# ---- the workout's time ---------------------------------------------------------------------


def test_time_counts_the_gaps_between_moves(coach: Coach) -> None:
    progress = sets(coach, started(coach), 3, START + MINUTE)
    assert progress.active_seconds == 3 * MINUTE
    assert progress.last_move_at == START + 3 * MINUTE


def test_a_workout_resumed_two_days_later_counts_one_capped_gap(coach: Coach) -> None:
    progress = sets(coach, started(coach), 3, START + MINUTE)
    later = coach.finish_set(progress, START + 3 * MINUTE + TWO_DAYS).progress
    cap = 30 + SET_ALLOWANCE_SECONDS  # the bodyweight rest plus a set
    assert later.active_seconds == 3 * MINUTE + cap
    summary = finish(coach, later, START + 4 * MINUTE + TWO_DAYS)
    assert summary.seconds_taken == 3 * MINUTE + cap + (20 - 4) * MINUTE


def test_the_cap_follows_the_rest_in_effect(coach: Coach) -> None:
    progress = coach.set_rest(started(coach, "dumbbell"), 120).progress
    later = coach.finish_set(progress, START + TWO_DAYS).progress
    assert later.active_seconds == 120 + SET_ALLOWANCE_SECONDS


def test_time_paused_does_not_count(coach: Coach) -> None:
    progress = sets(coach, started(coach), 1, START + MINUTE)
    paused = coach.pause(progress, START + 2 * MINUTE).progress
    assert paused.active_seconds == 2 * MINUTE
    resumed = coach.resume(paused, START + 2 * MINUTE + 40 * MINUTE).progress
    assert resumed.active_seconds == 2 * MINUTE
    after = coach.finish_set(resumed, START + 43 * MINUTE).progress
    assert after.active_seconds == 3 * MINUTE


def test_next_set_after_a_pause_resumes_without_counting_the_pause(coach: Coach) -> None:
    paused = coach.pause(started(coach), START + MINUTE).progress
    resumed = coach.finish_set(paused, START + TWO_DAYS).progress
    assert resumed.active_seconds == MINUTE and resumed.sets_by_exercise == ()


def test_an_upgraded_progress_without_a_last_move_counts_from_its_start(coach: Coach) -> None:
    upgraded = Progress(
        workout_id="bodyweight", set_number=3, sets_by_exercise=(2,), started_at=START
    )
    soon = coach.finish_set(upgraded, START + 5 * MINUTE).progress
    assert soon.active_seconds == 5 * MINUTE
    cap = 30 + SET_ALLOWANCE_SECONDS
    late = coach.finish_set(upgraded, START + TWO_DAYS).progress
    assert late.active_seconds == 3 * cap  # one capped gap per set done, and one more


def test_pausing_a_paused_workout_moves_nothing(coach: Coach) -> None:
    """The pause button pressed after the advice to stop for today (which paused the workout)
    is no move after that advice: the runner has not carried on (Handlers.told_to_stop_today)."""
    paused = coach.pause(started(coach), START + MINUTE).progress
    again = coach.pause(paused, START + 10 * MINUTE)
    assert again.progress == paused and again.events == (ev.Paused(),)


def test_pause_keeps_position_and_resume_announces_it_by_name(coach: Coach) -> None:
    progress = coach.finish_set(started(coach), START).progress
    paused = coach.pause(progress, START)
    assert paused.progress.paused
    assert (paused.progress.exercise_index, paused.progress.set_number) == (0, 2)
    resumed = coach.resume(paused.progress, START)
    assert not resumed.progress.paused
    assert resumed.events == (ev.Resumed(), ev.SetAnnounced(0, 2, with_name=True))


def test_next_set_while_paused_resumes_without_counting_a_set(coach: Coach) -> None:
    paused = coach.pause(started(coach), START).progress
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


def test_a_rest_chosen_before_any_workout_is_for_the_next_one_started(coach: Coach) -> None:
    progress = coach.set_rest(Progress(), 60).progress
    started_now = coach.start(progress, "dumbbell", START).progress
    assert started_now.rest_seconds == 60
    move = coach.finish_set(started_now, START)
    assert move.events[0] == ev.RestStarted(60, last_set_of_exercise=False)


def test_a_rest_change_stays_with_the_workout_it_was_made_in(coach: Coach) -> None:
    in_bodyweight = coach.set_rest(started(coach), 60).progress
    switched = coach.start(in_bodyweight, "dumbbell", START + MINUTE).progress
    assert switched.rest_seconds is None
    assert coach.finish_set(switched, START).events[0] == ev.RestStarted(45, False)
    jumped = coach.go_to(in_bodyweight, "lateral_raise", START + MINUTE)
    assert jumped is not None and jumped.progress.rest_seconds is None


def test_a_rest_change_ends_with_its_workout(coach: Coach) -> None:
    on_last = coach.go_to(coach.set_rest(started(coach), 60).progress, "stir_the_pot", START)
    assert on_last is not None
    done = sets(coach, on_last.progress, 3)
    assert done.finished and done.rest_seconds is None
    again = coach.start(done, "bodyweight", START + TWO_DAYS).progress
    assert coach.finish_set(again, START + TWO_DAYS).events[0] == ev.RestStarted(30, False)


def test_starting_over_keeps_the_rest_chosen_in_that_workout(coach: Coach) -> None:
    progress = coach.set_rest(started(coach), 60).progress
    assert coach.start_over(progress, START + MINUTE).progress.rest_seconds == 60


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


def test_an_exercise_done_again_keeps_its_count_at_the_plan(coach: Coach) -> None:
    done = sets(coach, started(coach), 4)  # every set of T push-up
    again = coach.go_to(done, "t_push_up", START + 5 * MINUTE)
    assert again is not None and again.progress.set_number == 1
    twice = sets(coach, again.progress, 2, START + 6 * MINUTE)
    assert twice.sets_of(0) == 4 and coach.is_valid(twice)  # never 6 of 4: a record kept
    back = coach.back_one_set(twice, START + 9 * MINUTE).progress
    assert back.set_number == 2 and back.sets_of(0) == 4  # nothing done is taken off
    left = coach.skip_exercise(back, START + 10 * MINUTE).progress
    assert left.exercise_index == 1 and "t_push_up" not in left.skipped  # all of it was done


def test_a_partial_set_done_again_is_noted_once(coach: Coach) -> None:
    progress = started(coach)
    for _ in range(4):  # every set of T push-up, 2 of 4 reps each side
        progress = coach.finish_set_partly(progress, START, 2).progress
    again = coach.go_to(progress, "t_push_up", START + MINUTE)
    assert again is not None
    redone = coach.finish_set_partly(again.progress, START + 2 * MINUTE, 3).progress
    notes = [p for p in redone.partial_sets if p[0] == "t_push_up"]
    assert len(notes) == 4 and ("t_push_up", 1, 3) in notes  # four sets, four notes


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
    "name", ["finish_set", "skip_exercise", "pause", "resume", "back_one_set", "start_over"]
)
def test_commands_without_a_workout_say_so(coach: Coach, name: str) -> None:
    move = getattr(coach, name)(Progress(), START)
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
        {"sets_by_exercise": 3},
        {"sets_by_exercise": [1, -1]},
        {"sets_by_exercise": [True]},
        {"sets_done": 4},  # the version 1 field, which a migration replaces
        {"active_seconds": -1.0},
        {"last_move_at": "now"},
    ],
)
def test_unreadable_progress_is_refused(bad: object) -> None:
    with pytest.raises(ProgressError):
        Progress.from_dict(bad)


def test_progress_pointing_at_missing_content_is_invalid(coach: Coach) -> None:
    assert not coach.is_valid(Progress(workout_id="yoga"))
    assert not coach.is_valid(Progress(workout_id="bodyweight", exercise_index=9))
    assert not coach.is_valid(Progress(workout_id="bodyweight", set_number=5))
    assert not coach.is_valid(Progress(workout_id="bodyweight", sets_by_exercise=(1,) * 7))
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


# --- an easier or harder way, kept for the workout ---------------------------------------------


def test_too_hard_then_too_easy_steps_through_easier_planned_and_harder(coach: Coach) -> None:
    progress = started(coach)
    easier = coach.change_load(progress, harder=False)
    assert easier.events == (ev.LoadChosen(0, "easier"),)
    assert easier.progress.load_of("t_push_up") == "easier"
    planned = coach.change_load(easier.progress, harder=True)
    assert planned.events == (ev.LoadChosen(0, None),) and planned.progress.loads == ()
    harder = coach.change_load(planned.progress, harder=True)
    assert harder.progress.load_of("t_push_up") == "harder"
    beyond = coach.change_load(harder.progress, harder=True)
    assert beyond.events == (ev.LoadChosen(0, "harder", available=False),)
    assert beyond.progress == harder.progress


def test_the_way_chosen_stays_with_its_exercise_for_the_workout_only(coach: Coach) -> None:
    chosen = coach.change_load(started(coach), harder=False).progress
    later = sets(coach, chosen, 6)  # on into the next exercise
    assert later.exercise_index == 1
    assert later.load_of("t_push_up") == "easier" and later.load_of("l_sit_chin_up") is None
    assert Progress.from_dict(later.to_dict()) == later  # stored and read back
    assert coach.start(later, "bodyweight", START + 3_600).progress.loads == ()


def test_a_stored_way_that_is_neither_easier_nor_harder_is_refused() -> None:
    with pytest.raises(ProgressError, match="loads"):
        Progress.from_dict({**Progress().to_dict(), "loads": {"t_push_up": "heavier"}})


# ---- a set done, but not all of it -----------------------------------------------------------


def test_a_partial_set_counts_and_is_kept_with_its_reps(coach: Coach) -> None:
    move = coach.finish_set_partly(started(coach, "dumbbell"), START + MINUTE, 8)
    assert move.progress.sets_by_exercise == (1,) and move.progress.set_number == 2
    assert move.progress.partial_sets == (("shoulder_press", 1, 8),)
    assert move.events[0] == ev.SetDonePartly(0, 8)
    assert isinstance(move.events[1], ev.RestStarted)  # then the rest, as any set done


def test_as_many_reps_as_planned_is_the_whole_set(coach: Coach) -> None:
    move = coach.finish_set_partly(started(coach, "dumbbell"), START + MINUTE, 12)
    assert move.progress.sets_by_exercise == (1,)
    assert move.progress.partial_sets == ()
    assert not any(isinstance(e, ev.SetDonePartly) for e in move.events)


def test_a_partial_set_while_paused_counts_nothing(coach: Coach) -> None:
    paused = coach.pause(started(coach, "dumbbell"), START).progress
    move = coach.finish_set_partly(paused, START + MINUTE, 5)
    assert move.progress.sets_done == 0 and move.progress.partial_sets == ()


def test_going_back_over_a_partial_set_takes_it_off_the_count_and_the_partials(
    coach: Coach,
) -> None:
    progress = coach.finish_set_partly(started(coach, "dumbbell"), START, None).progress
    assert progress.partial_sets == (("shoulder_press", 1, None),)
    back = coach.back_one_set(progress, START + MINUTE).progress
    assert back.sets_done == 0 and back.partial_sets == ()


def test_the_summary_says_how_many_sets_were_partial(coach: Coach) -> None:
    progress = coach.finish_set_partly(started(coach, "dumbbell"), START, 9).progress
    progress = coach.finish_set_partly(progress, START + MINUTE, None).progress
    summary = finish(coach, progress, START + 2 * MINUTE)
    assert summary.partial_sets == 2 and summary.sets_done == 18


def test_partial_sets_round_trip_and_a_record_without_any_is_as_before(coach: Coach) -> None:
    progress = coach.finish_set_partly(started(coach, "dumbbell"), START, 7).progress
    stored = progress.to_dict()
    assert stored["partial_sets"] == [["shoulder_press", 1, 7]]
    assert Progress.from_dict(stored) == progress
    assert "partial_sets" not in started(coach).to_dict()  # older versions read it as ever


@pytest.mark.parametrize(
    "bad",
    [{"partial_sets": "x"}, {"partial_sets": [["a", 0, 3]]}, {"partial_sets": [["a", 1, -1]]}],
)
def test_malformed_partial_sets_are_refused(bad: dict[str, object]) -> None:
    with pytest.raises(ProgressError, match="partial"):
        Progress.from_dict({**Progress().to_dict(), **bad})


def test_partial_sets_of_an_exercise_not_in_the_workout_are_not_valid(coach: Coach) -> None:
    progress = coach.finish_set_partly(started(coach, "dumbbell"), START, 7).progress
    moved = Progress.from_dict({**progress.to_dict(), "partial_sets": [["t_push_up", 1, 3]]})
    assert not coach.is_valid(moved)


# ---- one more set than planned ---------------------------------------------------------------


def test_one_more_set_after_an_exercise_is_counted_apart_and_back_to_the_plan(coach: Coach) -> None:
    after_first = sets(coach, started(coach, "dumbbell"), 3)  # on bent-over row, set 1
    extra = coach.extra_set(after_first, START + 4 * MINUTE)
    assert extra.events == (ev.ExtraSetAnnounced(0),)
    assert (extra.progress.exercise_index, extra.progress.set_number) == (1, 1)
    done = coach.finish_set(extra.progress, START + 5 * MINUTE)
    assert done.events[0] == ev.ExtraSetDone(0)
    assert done.events[-1] == ev.SetAnnounced(1, 1, with_name=True)
    assert done.progress.sets_by_exercise == (3,)  # the plan's count, unchanged
    assert done.progress.extra_sets == (("shoulder_press", 1),)
    assert done.progress.extra_of is None


def test_one_more_set_before_the_planned_ones_are_done_is_not_yet(coach: Coach) -> None:
    progress = sets(coach, started(coach, "dumbbell"), 1)
    move = coach.extra_set(progress, START + MINUTE)
    assert move.events == (ev.ExtraSetNotYet(0, 2),) and move.progress == progress


def test_extra_sets_stop_at_three_an_exercise(coach: Coach) -> None:
    progress = sets(coach, started(coach, "dumbbell"), 3)
    for _ in range(3):
        progress = coach.extra_set(progress, START).progress
        progress = coach.finish_set(progress, START).progress
    assert progress.extra_sets == (("shoulder_press", 3),)
    assert coach.extra_set(progress, START).events == (ev.ExtraSetsEnough(0, 3),)


def test_skipping_an_extra_set_counts_nothing_and_keeps_the_place(coach: Coach) -> None:
    progress = coach.extra_set(sets(coach, started(coach, "dumbbell"), 3), START).progress
    move = coach.skip_exercise(progress, START + MINUTE)
    assert move.progress.extra_of is None and move.progress.extra_sets == ()
    assert move.progress.skipped == () and move.progress.exercise_index == 1
    assert move.events == (ev.SetAnnounced(1, 1, with_name=True),)


def test_the_summary_counts_extra_sets_apart(coach: Coach) -> None:
    progress = coach.extra_set(sets(coach, started(coach, "dumbbell"), 3), START).progress
    progress = coach.finish_set(progress, START).progress
    summary = finish(coach, progress, START + MINUTE)
    assert summary.sets_done == 18 and summary.extra_sets == 1


def test_extra_sets_round_trip_and_nonsense_is_refused(coach: Coach) -> None:
    progress = coach.extra_set(sets(coach, started(coach, "dumbbell"), 3), START).progress
    assert Progress.from_dict(progress.to_dict()) == progress
    assert "extra_sets" not in started(coach).to_dict()
    with pytest.raises(ProgressError, match="extra_sets"):
        Progress.from_dict({**progress.to_dict(), "extra_sets": {"shoulder_press": 0}})
    too_many = Progress.from_dict({**progress.to_dict(), "extra_sets": {"shoulder_press": 9}})
    assert not coach.is_valid(too_many)
    elsewhere = Progress.from_dict({**progress.to_dict(), "extra_of": 17})
    assert not coach.is_valid(elsewhere)


def test_a_set_with_no_reps_done_counts_nothing_and_is_called_again(coach: Coach) -> None:
    move = coach.finish_set_partly(started(coach, "dumbbell"), START + MINUTE, 0)
    assert move.progress.sets_done == 0 and move.progress.partial_sets == ()
    assert move.events == (ev.NoRepsDone(0), ev.SetAnnounced(0, 1, with_name=True))


def test_changing_the_load_during_an_extra_set_leaves_it_uncounted(coach: Coach) -> None:
    progress = coach.extra_set(sets(coach, started(coach, "dumbbell"), 3), START).progress
    move = coach.change_load(progress, harder=False)
    assert move.progress.extra_of is None and move.progress.extra_sets == ()
    assert move.events[0] == ev.ExtraSetLeft(0)
    assert move.progress.load_of("bent_over_row") == "easier"  # the planned set's exercise
    assert move.progress.sets_by_exercise == (3,)


def test_reps_said_over_a_rest_mark_the_set_before_it_partial_and_move_nothing(
    coach: Coach,
) -> None:
    after_one = coach.finish_set(started(coach, "dumbbell"), START + MINUTE).progress
    noted = coach.last_set_partly(after_one, 8)
    assert noted is not None
    assert noted.progress.partial_sets == (("shoulder_press", 1, 8),)
    assert replace(noted.progress, partial_sets=()) == after_one  # the place did not move
    assert noted.events == (ev.SetDonePartly(0, 8),)
    again = coach.last_set_partly(noted.progress, 9)  # said again: the same set, noted once
    assert again is not None and again.progress.partial_sets == (("shoulder_press", 1, 9),)
    # The whole set, not a rep, or before any set was done: nothing to note.
    assert coach.last_set_partly(after_one, 12) is None
    assert coach.last_set_partly(after_one, 0) is None
    assert coach.last_set_partly(started(coach, "dumbbell"), 8) is None
    # Over the rest after an exercise's last set: that set, not the next exercise's first.
    after_three = sets(coach, started(coach, "dumbbell"), 3)
    assert after_three.exercise_index == 1
    last = coach.last_set_partly(after_three, 10)
    assert last is not None and last.progress.partial_sets == (("shoulder_press", 3, 10),)
    # After an extra set: extras count whole, and the planned set before it was whole too.
    extra = coach.extra_set(after_three, START + 4 * MINUTE).progress
    after_extra = coach.finish_set(extra, START + 5 * MINUTE).progress
    assert after_extra.extra_sets == (("shoulder_press", 1),)
    assert coach.last_set_partly(after_extra, 8) is None


def test_the_other_workout_is_the_one_not_on_or_done_last(coach: Coach) -> None:
    assert coach.other_workout(Progress()) is None  # nothing chosen: no other to speak of
    on = started(coach, "bodyweight")
    assert coach.other_workout(on) == "dumbbell"
    assert coach.other_workout(replace(on, finished=True)) == "dumbbell"
    assert coach.other_workout(started(coach, "dumbbell")) == "bodyweight"
