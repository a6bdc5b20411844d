"""Each exercise over weeks (skill.coaching.progression), on its own: what a runner notices is
the offer of one step up after two workouts with every set of it done whole, none after "too
hard", a partial set or pain, the step itself (a rep within the article's range, then the
harder way), and the bests kept."""

from __future__ import annotations

from dataclasses import replace

import pytest

from skill.coaching import progression as pg
from skill.coaching.coach import Coach, Transition
from skill.coaching.progress import Progress
from skill.content.loader import load_library
from skill.content.models import WorkoutPlan

LIBRARY = load_library()
COACH = Coach(LIBRARY)
DUMBBELL = next(plan for plan in LIBRARY.workouts if plan.id == "dumbbell")
PRESS = DUMBBELL.exercises[0]


def whole_workout(plan: WorkoutPlan, started: float) -> Progress:
    progress = COACH.start(Progress(), plan.id, started).progress
    while not progress.finished:
        progress = COACH.finish_set(progress, started + 60).progress
    return progress


def after(
    records: pg.Records, progress: Progress, hurt: dict[str, float] | None = None
) -> dict[str, pg.ExerciseRecord]:
    return pg.counted(records, DUMBBELL, progress, hurt or {})[0]


def test_two_whole_workouts_bring_an_offer_of_one_rep_more() -> None:
    records = after({}, whole_workout(DUMBBELL, 1000.0))
    assert pg.offer(PRESS, records[PRESS.id]) is None  # one is not enough
    records = after(records, whole_workout(DUMBBELL, 9000.0))
    assert pg.offer(PRESS, records[PRESS.id]) == pg.Step(13, None)


def test_a_workout_stopped_and_finished_later_counts_once() -> None:
    first = whole_workout(DUMBBELL, 1000.0)
    records = after(after({}, first), first)  # stopped, then the same workout finished
    assert records[PRESS.id].clean == 1
    assert pg.offer(PRESS, records[PRESS.id]) is None


@pytest.mark.parametrize("spoiled", ["partial", "too hard", "pain", "not reached"])
def test_no_offer_after_a_partial_set_too_hard_pain_or_sets_not_done(spoiled: str) -> None:
    records = after({}, whole_workout(DUMBBELL, 1000.0))
    second = whole_workout(DUMBBELL, 9000.0)
    hurt: dict[str, float] = {}
    if spoiled == "partial":
        second = replace(second, partial_sets=((PRESS.id, 2, 8),))
    elif spoiled == "too hard":
        records = {PRESS.id: pg.load_chosen(records[PRESS.id], "easier", 9100.0)}
    elif spoiled == "pain":
        hurt = {PRESS.id: 9100.0}
    else:
        second = replace(second, sets_by_exercise=(2, 3, 3, 3, 3, 3))
    records = after(records, second, hurt)
    assert pg.offer(PRESS, records[PRESS.id]) is None


def test_reps_go_up_within_the_articles_range_then_the_harder_way() -> None:
    assert PRESS.reps_range == (10, 15)  # the article: 10 to 15 reps
    at_top = pg.ExerciseRecord(reps=15)
    assert pg.step_up(PRESS, at_top) == pg.Step(12, "harder")
    assert pg.step_up(PRESS, pg.ExerciseRecord(reps=15, load="harder")) is None
    assert pg.step_up(PRESS, pg.ExerciseRecord(reps=15, load="easier")) == pg.Step(12, None)


def test_a_bodyweight_exercise_with_one_figure_steps_up_to_the_harder_way() -> None:
    bodyweight = LIBRARY.get("bodyweight")
    assert bodyweight is not None
    chin_up = bodyweight.exercises[1]
    assert chin_up.reps_range == (5, 5)  # the article gives 4 sets of 5, no range
    assert pg.step_up(chin_up, pg.ExerciseRecord()) == pg.Step(5, "harder")


def test_keep_it_the_same_waits_for_two_more_whole_workouts() -> None:
    records = after(after({}, whole_workout(DUMBBELL, 1000.0)), whole_workout(DUMBBELL, 9000.0))
    kept = {PRESS.id: pg.kept_the_same(records[PRESS.id])}
    assert pg.offer(PRESS, kept[PRESS.id]) is None
    kept = after(kept, whole_workout(DUMBBELL, 20000.0))
    assert pg.offer(PRESS, kept[PRESS.id]) is None
    kept = after(kept, whole_workout(DUMBBELL, 30000.0))
    assert pg.offer(PRESS, kept[PRESS.id]) == pg.Step(13, None)


def test_bests_never_cap_and_news_only_against_a_best_kept() -> None:
    first = whole_workout(DUMBBELL, 1000.0)
    records, news = pg.counted({}, DUMBBELL, first, {})
    assert news is None  # a first time is no news
    assert records[PRESS.id].best_reps == 12 and records[PRESS.id].hardest == "plan"
    taken = {**records, PRESS.id: pg.taken(records[PRESS.id], pg.Step(13, None), 9000.0)}
    second = COACH.start(Progress(), "dumbbell", 9000.0).progress
    second = pg.tuned(second, taken)
    while not second.finished:
        second = COACH.finish_set(second, 9060.0).progress
    records, news = pg.counted(taken, DUMBBELL, second, {})
    assert news == pg.Best(PRESS.id, reps=13)
    assert records[PRESS.id].best_reps == 13
    assert pg.went_up(records, DUMBBELL, 9000.0) == [PRESS.id]


def test_the_runners_reps_are_the_ones_called() -> None:
    started = COACH.start(Progress(), "dumbbell", 1000.0).progress
    mine = pg.tuned(started, {PRESS.id: pg.ExerciseRecord(reps=13)})
    here = COACH.position(mine)
    assert here is not None and here.exercise.reps.count == 13


def test_the_record_round_trips_and_skips_what_it_cannot_read() -> None:
    record = pg.ExerciseRecord(13, "harder", 2, 9000.0, 1, None, 9000.0, 13, "harder")
    stored = pg.to_store({PRESS.id: record, "row": pg.ExerciseRecord()})
    assert pg.read(stored) == {PRESS.id: record, "row": pg.ExerciseRecord()}
    assert pg.read({PRESS.id: {"reps": "lots"}, "row": {"clean": 1}}) == {
        "row": pg.ExerciseRecord(clean=1)
    }


PROGRESSION = pg.Progression(COACH)


def offered_in_workout(records: pg.Records, started: float) -> tuple[list[str], pg.Records]:
    """The exercises offered a step up in a whole dumbbell workout started at `started`, each
    offer let go by (the set called as it is), and the records after it."""
    move = COACH.start(Progress(), "dumbbell", started)
    move = Transition(pg.tuned(move.progress, records), move.events)
    offered: list[str] = []
    while True:
        offers, marked = PROGRESSION.offers(move.progress, move.events, records, frozenset())
        offered.extend(offers)
        records = records if marked is None else marked
        if move.progress.finished:
            return offered, pg.counted(records, DUMBBELL, move.progress, {})[0]
        move = COACH.finish_set(move.progress, started + 60)


def test_one_offer_a_workout_the_others_wait_their_turn() -> None:
    records: pg.Records = after(
        after({}, whole_workout(DUMBBELL, 1000.0)), whole_workout(DUMBBELL, 9000.0)
    )
    assert all(pg.offer(e, records[e.id]) is not None for e in DUMBBELL.exercises)  # all due
    offered, records = offered_in_workout(records, 20000.0)
    assert offered == [PRESS.id]  # the first as it comes up, and no other
    offered, records = offered_in_workout(records, 30000.0)
    assert offered == [PRESS.id]  # let go by: still due, and still first
    declined = {**records, PRESS.id: pg.kept_the_same(records[PRESS.id])}
    offered, _ = offered_in_workout(declined, 40000.0)
    assert offered == [DUMBBELL.exercises[1].id]  # the next one's turn; its count was kept


def test_no_offer_for_the_rest_of_a_workout_in_which_pain_was_said() -> None:
    """Review finding 9: "my shoulder hurts" on the press, then "skip", brought the row's offer
    of a rep more. Pain said in an earlier workout does not hold the offer back."""
    records = after(after({}, whole_workout(DUMBBELL, 1000.0)), whole_workout(DUMBBELL, 9000.0))
    records = {**records, PRESS.id: pg.kept_the_same(records[PRESS.id])}  # the row due first
    started = 20000.0
    on_press = COACH.start(Progress(), "dumbbell", started).progress
    to_row = COACH.skip_exercise(on_press, started + 60, set_done=False)
    row = DUMBBELL.exercises[1].id
    hurt = frozenset({PRESS.id})
    earlier, _ = PROGRESSION.offers(to_row.progress, to_row.events, records, hurt, [15000.0])
    assert list(earlier) == [row]
    now, marked = PROGRESSION.offers(to_row.progress, to_row.events, records, hurt, [started + 30])
    assert now == {} and marked is None


def test_go_back_to_a_number_within_the_range_is_kept_and_outside_it_changes_nothing() -> None:
    started = COACH.start(Progress(), "dumbbell", 1000.0).progress
    records = {PRESS.id: pg.ExerciseRecord(reps=14, clean=2)}
    chosen = PROGRESSION.reps_chosen(pg.tuned(started, records), records, 12)
    assert chosen is not None and chosen.records is not None
    assert chosen.records[PRESS.id].reps is None  # the plan's 12 again
    assert chosen.records[PRESS.id].clean == 0  # its count towards a step up starts again
    here = COACH.position(PROGRESSION.loaded(chosen.progress, chosen.records))
    assert here is not None and here.exercise.reps.count == 12
    too_many = PROGRESSION.reps_chosen(started, records, 20)
    assert too_many is not None and too_many.records is None  # 10 to 15: nothing changed
    assert PROGRESSION.reps_chosen(Progress(), records, 12) is None  # no exercise under way


def test_the_best_asked_of_a_named_exercise_or_the_one_under_way() -> None:
    bodyweight = LIBRARY.get("bodyweight")
    assert bodyweight is not None
    chin_up = bodyweight.exercises[1]
    started = COACH.start(Progress(), "dumbbell", 1000.0).progress
    assert PROGRESSION.best_of(started, chin_up.id) == chin_up
    assert PROGRESSION.best_of(started, None) == PRESS
    assert PROGRESSION.best_of(Progress(), None) is None
