"""Missing kit in the workout state machine, on its own: the exercise the runner is on is done
another way with nothing counted and the place kept, the kit stays missing for the rest of the
workout, and a stored progress keeps it."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask import Flask

from skill.coaching import events as ev
from skill.coaching.coach import Coach
from skill.coaching.progress import Progress, ProgressError
from skill.content.loader import default_library
from tests.support import (
    ONE_SET_IN,
    USER_ID,
    alexa_answer,
    output_speech,
    resolved_intent,
    save_record,
    sqlite_store_of,
)

START = 1_000.0
EVERY_PIECE = (
    "bench",
    "dumbbells",
    "incline_bench",
    "kettlebell",
    "mat",
    "pull_up_bar",
    "stability_ball",
    "suspension_straps",
)


@pytest.fixture(scope="module")
def coach() -> Coach:
    return Coach(default_library())


def at_exercise(coach: Coach, exercise_id: str, sets_done: int = 0) -> Progress:
    """The bodyweight workout at `exercise_id`, with `sets_done` of its sets finished."""
    move = coach.go_to(Progress(), exercise_id, START)
    assert move is not None
    progress = move.progress
    for n in range(sets_done):
        progress = coach.finish_set(progress, START + 60 * (n + 1)).progress
    return progress


def stand_in_name(coach: Coach, progress: Progress, exercise_id: str) -> str | None:
    found = coach.library.find_exercise(exercise_id)
    assert found is not None
    plan, index = found
    stand_in = coach.stand_in(progress, plan.exercises[index])
    return None if stand_in is None else stand_in.name


def test_the_exercise_the_runner_is_on_is_done_another_way_with_nothing_counted(
    coach: Coach,
) -> None:
    progress = at_exercise(coach, "l_sit_chin_up", sets_done=2)
    move = coach.kit_missing(progress, ["pull_up_bar"])
    assert move.events == (ev.StandInGiven(1), ev.SetAnnounced(1, 3))
    after = move.progress
    assert after.missing_kit == ("pull_up_bar",)
    # The place and the counts are as they were.
    assert (after.exercise_index, after.set_number) == (1, 3)
    assert after.sets_by_exercise == progress.sets_by_exercise
    assert after.skipped == progress.skipped and after.paused == progress.paused
    assert stand_in_name(coach, after, "l_sit_chin_up") == "slow dumbbell row"


def test_kit_the_exercise_does_not_need_is_noted_for_the_ones_that_do(coach: Coach) -> None:
    progress = at_exercise(coach, "t_push_up")
    move = coach.kit_missing(progress, ["stability_ball"])
    assert move.events == (ev.KitNoted(("stability_ball",), 0),)
    assert move.progress.missing_kit == ("stability_ball",)
    assert stand_in_name(coach, move.progress, "t_push_up") is None
    assert stand_in_name(coach, move.progress, "stir_the_pot") == "plank circles on the floor"


def test_the_kit_stays_missing_for_every_later_exercise_that_needs_it(coach: Coach) -> None:
    progress = coach.kit_missing(at_exercise(coach, "l_sit_chin_up"), ["pull_up_bar"]).progress
    progress = coach.kit_missing(progress, ["stability_ball"]).progress
    moves = []
    while progress.active:
        move = coach.finish_set(progress, START)
        moves.append(move)
        progress = move.progress
    assert progress.missing_kit == ("pull_up_bar", "stability_ball")
    introduced = [e for m in moves for e in m.events if isinstance(e, ev.ExerciseIntroduced)]
    assert [i.exercise_index for i in introduced] == [2, 3, 4, 5]
    last = coach.go_to(progress, "stir_the_pot", START)
    assert last is not None
    # A workout jumped to (or started over) in the same session keeps what the runner lacks.
    assert last.progress.missing_kit == ("pull_up_bar", "stability_ball")


def test_without_the_other_workouts_kit_too_the_stand_in_needs_none(coach: Coach) -> None:
    progress = coach.kit_missing(at_exercise(coach, "l_sit_chin_up"), ["pull_up_bar"]).progress
    move = coach.kit_missing(progress, ["dumbbells"])  # the row needed them
    assert move.events == (ev.StandInGiven(1), ev.SetAnnounced(1, 1))
    assert stand_in_name(coach, move.progress, "l_sit_chin_up") == "floor pull"


def test_said_again_the_way_is_given_again_and_nothing_else_changes(coach: Coach) -> None:
    once = coach.kit_missing(at_exercise(coach, "ytwl_raise"), ["incline_bench"]).progress
    again = coach.kit_missing(once, ["incline_bench"])
    assert again.events == (ev.StandInGiven(3), ev.SetAnnounced(3, 1))
    assert again.progress == once


def test_paused_the_way_is_given_and_the_set_is_not_called(coach: Coach) -> None:
    paused = coach.pause(at_exercise(coach, "overhead_carry"), START + 5).progress
    move = coach.kit_missing(paused, ["kettlebell"])
    assert move.events == (ev.StandInGiven(4),)
    assert move.progress.paused


def test_before_the_first_exercise_the_kit_is_only_noted(coach: Coach) -> None:
    started = coach.start(Progress(), "dumbbell", START, warm_up=True).progress
    move = coach.kit_missing(started, ["dumbbells"], at_exercise=False)  # in the warm-up
    assert move.events == (ev.KitNoted(("dumbbells",), 0),)
    assert stand_in_name(coach, move.progress, "shoulder_press") == "water bottle press"


def test_with_no_workout_under_way_nothing_is_noted_in_the_progress(coach: Coach) -> None:
    move = coach.kit_missing(Progress(), ["dumbbells"])
    assert move.events == (ev.NoActiveWorkout(),)
    assert move.progress == Progress()


def test_kit_the_content_does_not_know_is_left_out(coach: Coach) -> None:
    move = coach.kit_missing(at_exercise(coach, "t_push_up"), ["rowing_machine", "mat"])
    assert move.progress.missing_kit == ("mat",)
    assert coach.known_kit(["trx", "bench", "bench"]) == ("bench",)


def test_a_workout_starts_with_the_kit_the_runner_lacks(coach: Coach) -> None:
    started = coach.start(Progress(), "bodyweight", START, missing_kit=EVERY_PIECE).progress
    assert started.missing_kit == EVERY_PIECE
    plan = coach.library.get("bodyweight")
    assert plan is not None
    # Every exercise has a way to do it with no kit at all.
    ways = [coach.stand_in(started, e) for e in plan.exercises]
    assert ways[0] is None  # the T push-up needs only the floor
    assert all(way is not None and way.uses == () for way in ways[1:])
    again = coach.start_over(started, START + 60).progress
    assert again.missing_kit == EVERY_PIECE
    # The runner's preferences, when given, are what the workout starts without.
    assert coach.start_over(started, START + 60, missing_kit=("mat",)).progress.missing_kit == (
        "mat",
    )
    assert coach.start(started, "dumbbell", START, missing_kit=()).progress.missing_kit == ()


def test_too_hard_or_too_easy_on_a_stand_in_keeps_the_plans_options_aside(coach: Coach) -> None:
    progress = coach.kit_missing(at_exercise(coach, "l_sit_chin_up"), ["pull_up_bar"]).progress
    easier = coach.change_load(progress, harder=False)
    assert easier.events == (ev.StandInLoad(1, harder=False),)
    assert easier.progress == progress  # the band over the bar is no option without a bar
    assert coach.change_load(progress, harder=True).events == (ev.StandInLoad(1, harder=True),)


def test_having_the_kit_again_puts_the_exercise_back_as_planned(coach: Coach) -> None:
    progress = at_exercise(coach, "l_sit_chin_up", sets_done=1)
    without = coach.kit_missing(progress, ["pull_up_bar", "stability_ball"]).progress
    back = coach.kit_back(without, ["pull_up_bar"])
    assert back.events == (
        ev.KitBack(("pull_up_bar",), 1, changed=True),
        ev.ExerciseIntroduced(1),
        ev.SetAnnounced(1, 2),
    )
    assert back.progress.missing_kit == ("stability_ball",)
    assert back.progress.sets_by_exercise == progress.sets_by_exercise
    other = coach.kit_back(back.progress, ["stability_ball"])
    assert other.events == (ev.KitBack(("stability_ball",), 1, changed=False),)
    assert other.progress.missing_kit == ()


@pytest.mark.parametrize(
    ("lacking", "best"),
    [
        ((), "bodyweight"),
        (EVERY_PIECE, "bodyweight"),  # no equipment: one exercise needs none, the rest floor ways
        (tuple(k for k in EVERY_PIECE if k != "dumbbells"), "dumbbell"),  # only dumbbells
        (tuple(k for k in EVERY_PIECE if k != "mat"), "bodyweight"),  # only a mat
        (("dumbbells",), "bodyweight"),
        (("pull_up_bar",), "dumbbell"),
    ],
)
def test_the_workout_that_suits_the_kit_best(
    coach: Coach, lacking: tuple[str, ...], best: str
) -> None:
    assert coach.best_workout(lacking).id == best


def test_missing_kit_is_stored_and_read_back_and_old_records_have_none(coach: Coach) -> None:
    progress = coach.kit_missing(at_exercise(coach, "t_push_up"), ["mat", "bench"]).progress
    stored = progress.to_dict()
    assert stored["missing_kit"] == ["bench", "mat"]
    assert Progress.from_dict(stored) == progress
    old = {k: v for k, v in stored.items() if k != "missing_kit"}
    assert Progress.from_dict(old).missing_kit == ()
    # None lacking is not written: a version without the field still reads the record.
    assert "missing_kit" not in Progress.from_dict(old).to_dict()
    assert Progress.from_dict({**stored, "missing_kit": ["mat", "bench"]}) == progress


@pytest.mark.parametrize(
    "kit",
    ["pull_up_bar", ["bench", "bench"], [3], [""], {"bench": True}, None],
    ids=["text", "twice", "number", "empty", "mapping", "null"],
)
def test_stored_missing_kit_that_is_not_a_list_of_kit_is_refused(kit: object) -> None:
    with pytest.raises(ProgressError, match="missing_kit"):
        Progress.from_dict({**Progress().to_dict(), "missing_kit": kit})


def test_missing_kit_the_content_does_not_know_or_with_no_workout_is_invalid(
    coach: Coach,
) -> None:
    progress = at_exercise(coach, "t_push_up")
    assert coach.is_valid(Progress(workout_id="bodyweight", missing_kit=("mat",)))
    assert not coach.is_valid(Progress(workout_id="bodyweight", missing_kit=("rowing_machine",)))
    assert not coach.is_valid(Progress(missing_kit=("mat",)))  # kept in preferences when idle
    assert coach.is_valid(progress)


def test_only_one_piece_means_every_other_is_missing_and_that_one_is_not(coach: Coach) -> None:
    progress = coach.kit_missing(at_exercise(coach, "l_sit_chin_up"), EVERY_PIECE).progress
    assert stand_in_name(coach, progress, "l_sit_chin_up") == "floor pull"
    only = coach.kit_only(progress, "dumbbells")  # the dumbbells were there after all
    assert only.events == (ev.StandInGiven(1), ev.SetAnnounced(1, 1))
    assert only.progress.missing_kit == tuple(k for k in EVERY_PIECE if k != "dumbbells")
    assert stand_in_name(coach, only.progress, "l_sit_chin_up") == "slow dumbbell row"
    nothing = coach.kit_only(at_exercise(coach, "t_push_up"), None)  # "no equipment"
    assert nothing.progress.missing_kit == EVERY_PIECE


def test_a_stored_kit_the_content_no_longer_names_is_dropped_not_the_record(
    make_app: Callable[..., Flask],
) -> None:
    """Content changes (a kit renamed, or gone): the runner keeps their place and history."""
    app = make_app(COACH_VERIFY_REQUESTS="0")
    store = sqlite_store_of(app)
    kept = {**ONE_SET_IN, "missing_kit": ["pullup_bar_old", "stability_ball"]}
    save_record(store, USER_ID, {"progress": kept})
    body = alexa_answer(app.test_client(), resolved_intent("NextSetIntent"))
    assert "Set 3 of 4" in output_speech(body)
    assert "start fresh" not in output_speech(body)
