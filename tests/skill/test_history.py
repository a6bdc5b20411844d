"""The runner's history: what the coach remembers across workouts, and what it refuses to read."""

from __future__ import annotations

import datetime as dt
import math
import sqlite3
from contextlib import closing
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from flask import Flask

from harness.device import Device, FlaskTransport
from skill.app import create_app
from skill.coaching import events as ev
from skill.coaching.coach import Coach
from skill.coaching.history import (
    KEEP_FORGOTTEN_WEEKS,
    KEEP_WORKOUTS,
    MAX_FORGOTTEN,
    WEEK_SECONDS,
    History,
    HistoryError,
    PastWorkout,
    Streak,
    Week,
    remember,
)
from skill.coaching.progress import Progress
from skill.content.loader import default_library
from skill.persistence import encode
from tests.support import USER_ID, resolved_intent
from tests.support.servers import sqlite_records

NOW = 1_796_000_000.0
DAY = 24 * 3600


def test_a_history_round_trips_through_a_plain_dict() -> None:
    history = (
        History()
        .finished("bodyweight", NOW - 3 * DAY, 20)
        .finished("dumbbell", NOW, 18)
        .explained_now("t_pushup")
        .explained_now("t_pushup")
    )
    assert History.from_dict(history.to_dict()) == history
    assert history.explained == {"t_pushup"}
    assert history.last() == PastWorkout("dumbbell", NOW, 18)


def test_workouts_this_week_count_the_seven_days_up_to_now() -> None:
    history = History()
    for days_ago in (9, 7, 6.9, 2, 0):
        history = history.finished("dumbbell", NOW - days_ago * DAY, 18)
    assert history.week_to(NOW) == Week(full=3)  # 6.9, 2 and 0 days ago
    assert history.week_to(NOW - WEEK_SECONDS) == Week(full=2)  # 9 and 7 days ago
    assert History().week_to(NOW) == Week()


def test_only_the_latest_workouts_are_kept_and_the_totals_count_them_all() -> None:
    history = History()
    for n in range(KEEP_WORKOUTS + 5):
        history = history.finished("bodyweight", NOW + n, n)
    history = history.stopped("dumbbell", NOW + 100, 4, started_at=NOW + 50)
    assert len(history.workouts) == KEEP_WORKOUTS
    assert history.workouts[0].sets_done == 6  # the six oldest were forgotten
    assert (history.finished_total, history.partial_total) == (KEEP_WORKOUTS + 5, 1)
    assert History.from_dict(history.to_dict()) == history


# --- workouts past the ones kept -----------------------------------------------------------------


def test_the_week_counts_every_workout_past_the_ones_kept() -> None:
    history = History()
    for n in range(2 * KEEP_WORKOUTS):  # four a day: 28 in 6 days and 18 hours
        history = history.finished("dumbbell", NOW + n * 6 * 3600, 18)
    last = NOW + 6 * DAY + 20 * 3600
    history = history.stopped("bodyweight", last, 6, started_at=last - 600)
    assert len(history.workouts) == KEEP_WORKOUTS
    assert history.week_to(last) == Week(full=28, partial=1)
    stored = History.from_dict(history.to_dict())
    assert stored == history and stored.week_to(last) == history.week_to(last)
    # The forgotten ones leave the week as they get older than seven days: 3 days on, the
    # first 12 have.
    assert history.week_to(last + 3 * DAY) == Week(full=16, partial=1)
    assert history.streak_to(last) == Streak(1, False)  # the first started it: nothing before


def test_workouts_forgotten_long_ago_leave_only_their_totals() -> None:
    history = History()
    for n in range(KEEP_WORKOUTS + 3):  # the three oldest forgotten
        history = history.finished("dumbbell", NOW + n * 3600, 18)
    assert sum(f.full for f in history.forgotten) == 3
    later = NOW + 2 * 7 * DAY
    for n in range(KEEP_WORKOUTS):
        history = history.finished("bodyweight", later + n * 3600, 20)
    assert sum(f.full for f in history.forgotten) == KEEP_WORKOUTS + 3  # the dumbbell ones
    history = history.finished("bodyweight", later + (KEEP_FORGOTTEN_WEEKS * 7 - 1) * DAY, 20)
    assert [f.full for f in history.forgotten] == [1]  # only the last weeks are counted by hour
    assert history.finished_total == 2 * KEEP_WORKOUTS + 4


def test_however_many_workouts_a_runner_does_the_history_stays_bounded() -> None:
    history = History()
    every = 20 * 60  # three workouts an hour, for twice as long as forgotten ones are counted
    count = 2 * KEEP_FORGOTTEN_WEEKS * WEEK_SECONDS // every
    for n in range(count):
        history = history.finished("dumbbell", NOW + n * every, 18)
    last = NOW + (count - 1) * every
    assert len(history.forgotten) <= MAX_FORGOTTEN
    assert len(encode({"history": history.to_dict()})) < 20_000
    # The week is counted to within an hour: the forgotten ones of an hour count as its latest.
    exact = WEEK_SECONDS // every
    assert exact <= history.week_to(last).full <= exact + 2
    assert history.finished_total == count


def test_a_history_stored_before_forgotten_workouts_were_counted_counts_them_from_now() -> None:
    stored = History()
    for n in range(KEEP_WORKOUTS):
        stored = stored.finished("dumbbell", NOW + n * 3600, 18)
    # As stored before forgotten workouts, and the streak's running count, were kept.
    old = stored.to_dict() | {"finished_total": KEEP_WORKOUTS + 6}  # six forgotten, not by hour
    del old["two_a_week"]
    assert "forgotten" not in old
    history = History.from_dict(old)
    assert history.week_to(NOW + DAY) == Week(full=KEEP_WORKOUTS)  # all it can know of
    assert history.streak_to(NOW + DAY) == Streak(1, True)  # the six may be older
    history = history.finished("bodyweight", NOW + DAY, 20)
    assert history.week_to(NOW + DAY) == Week(full=KEEP_WORKOUTS + 1)
    assert history.finished_total == KEEP_WORKOUTS + 7


# --- workouts stopped partway ---------------------------------------------------------------------


def test_a_workout_stopped_partway_counts_as_partial_in_its_week() -> None:
    history = History().finished("bodyweight", NOW - DAY, 20, NOW - DAY - 1500, 1500.0)
    history = history.stopped("dumbbell", NOW, 12, started_at=NOW - 900, seconds=840.0)
    assert history.week_to(NOW) == Week(full=1, partial=1)
    assert history.last() == PastWorkout("dumbbell", NOW, 12, True, NOW - 900, 840.0)
    assert (history.finished_total, history.partial_total) == (1, 1)
    assert History.from_dict(history.to_dict()) == history


def test_stopping_the_same_workout_again_updates_its_one_entry() -> None:
    history = History().stopped("dumbbell", NOW, 5, started_at=NOW - 600)
    history = history.stopped("dumbbell", NOW + 2 * DAY, 9, started_at=NOW - 600)
    assert history.workouts == (PastWorkout("dumbbell", NOW + 2 * DAY, 9, True, NOW - 600),)
    assert (history.finished_total, history.partial_total) == (0, 1)


def test_finishing_a_workout_stopped_before_replaces_its_partial_entry() -> None:
    history = History().finished("bodyweight", NOW - DAY, 20, NOW - DAY - 1500)
    history = history.stopped("dumbbell", NOW, 5, started_at=NOW - 600)
    history = history.finished("dumbbell", NOW + DAY, 18, started_at=NOW - 600, seconds=1400.0)
    assert [(w.workout_id, w.partial) for w in history.workouts] == [
        ("bodyweight", False),
        ("dumbbell", False),
    ]
    assert history.week_to(NOW + DAY) == Week(full=2)
    assert (history.finished_total, history.partial_total) == (2, 0)


def test_another_workout_started_instead_leaves_the_partial_one_as_it_was() -> None:
    history = History().stopped("dumbbell", NOW, 5, started_at=NOW - 600)
    history = history.finished("dumbbell", NOW + DAY, 18, started_at=NOW + DAY - 1500)
    history = history.stopped("bodyweight", NOW + 2 * DAY, 3, started_at=NOW + 2 * DAY - 300)
    assert [(w.workout_id, w.sets_done, w.partial) for w in history.workouts] == [
        ("dumbbell", 5, True),
        ("dumbbell", 18, False),
        ("bodyweight", 3, True),
    ]
    assert (history.finished_total, history.partial_total) == (1, 2)


def test_a_history_stored_before_partial_workouts_and_totals_still_reads() -> None:
    stored = {
        "workouts": [
            {"workout_id": "bodyweight", "finished_at": NOW - DAY, "sets_done": 20},
            {"workout_id": "dumbbell", "finished_at": NOW, "sets_done": 18},
        ],
        "explained": ["t_push_up"],
    }
    history = History.from_dict(stored)
    assert history.last() == PastWorkout("dumbbell", NOW, 18)
    assert not any(w.partial for w in history.workouts)
    assert (history.finished_total, history.partial_total) == (2, 0)  # all there is to count
    assert history.to_dict()["workouts"] == stored["workouts"]  # written back the same way


# --- streaks --------------------------------------------------------------------------------------


def test_a_streak_counts_weeks_in_a_row_with_two_full_workouts_or_more() -> None:
    history = History()
    for days_ago in (24, 23, 17, 16, 10, 9, 3):  # two in each of weeks 3, 2 and 1; one this week
        history = history.finished("bodyweight", NOW - days_ago * DAY, 20)
    assert history.streak_to(NOW) == Streak(3, False)  # this week is not over: it stands
    assert history.finished("dumbbell", NOW - DAY, 18).streak_to(NOW) == Streak(4, False)
    # A week with one full workout and one stopped partway breaks it (the aim counts full ones).
    broken = History()
    for days_ago in (24, 23, 17, 16, 10):
        broken = broken.finished("bodyweight", NOW - days_ago * DAY, 20)
    broken = broken.stopped("dumbbell", NOW - 9 * DAY, 6, started_at=NOW - 9 * DAY - 600)
    assert broken.streak_to(NOW - 7 * DAY) == Streak(2, False)  # week 1 was still going
    assert broken.streak_to(NOW) == Streak(0, False)
    assert history.streak_to(NOW + 14 * DAY) == Streak(0, False)  # two weeks without
    assert History().streak_to(NOW) == Streak(0, False)


AUCKLAND = "Pacific/Auckland"


def _auckland(day: int, hour: int, minute: int) -> float:
    """January 2026 on an Auckland clock (the 26th is a Monday)."""
    return dt.datetime(2026, 1, day, hour, minute, tzinfo=ZoneInfo(AUCKLAND)).timestamp()


def test_the_week_and_the_streak_follow_the_runners_own_calendar_week() -> None:
    history = History()
    for day in (21, 25):  # Wednesday and Sunday, at 23:30 on the runner's clock
        history = history.finished("dumbbell", _auckland(day, 23, 30), 18, zone=AUCKLAND)
    monday = _auckland(26, 0, 15)  # 45 minutes later: a new week where the runner is
    assert history.week_to(monday, AUCKLAND) == Week()
    assert history.week_to(monday) == Week(full=2)  # the rolling fallback: the last seven days
    assert history.streak_to(monday, AUCKLAND) == Streak(1, False)  # last week had two
    history = history.finished("dumbbell", _auckland(26, 23, 30), 18, zone=AUCKLAND)
    assert history.week_to(_auckland(26, 23, 50), AUCKLAND) == Week(full=1)
    history = history.finished("dumbbell", _auckland(28, 23, 30), 18, zone=AUCKLAND)
    assert history.streak_to(_auckland(28, 23, 50), AUCKLAND) == Streak(2, False)


def test_a_streak_longer_than_the_workouts_kept_is_counted_in_full() -> None:
    history = History()
    for week in range(30):  # two a week for 30 weeks: 60 workouts, 14 kept one by one
        for day in (0, 3):
            history = history.finished("dumbbell", NOW + (week * 7 + day) * DAY, 18)
    last = NOW + (29 * 7 + 3) * DAY
    assert history.streak_to(last + 60) == Streak(30, False)
    assert History.from_dict(history.to_dict()).streak_to(last + 60) == Streak(30, False)
    # On the runner's calendar, next Friday: that week is not over yet, the streak stands.
    assert history.streak_to(last + 8 * DAY, "UTC") == Streak(30, False)
    assert history.streak_to(last + 15 * DAY, "UTC") == Streak(0, False)  # a week missed
    assert history.streak_to(last + 8 * DAY) == Streak(0, False)  # rolling: 7 days without


def test_an_old_history_works_its_streak_out_from_what_it_has_and_says_it_may_be_longer() -> None:
    stored = History()
    for n in range(KEEP_WORKOUTS):  # two a week for seven weeks
        stored = stored.finished("dumbbell", NOW + (n // 2 * 7 + n % 2 * 3) * DAY, 18)
    old = stored.to_dict() | {"finished_total": KEEP_WORKOUTS + 6}  # six more, forgotten
    del old["two_a_week"]  # as stored before the running count was kept
    history = History.from_dict(old)
    later = NOW + 7 * 7 * DAY
    for week in range(7, 27):  # 20 more weeks of two
        for day in (0, 3):
            later = NOW + (week * 7 + day) * DAY
            history = history.finished("dumbbell", later, 18)
    assert history.streak_to(later + 60) == Streak(27, True)  # at least: its start is not known
    history = history.finished("dumbbell", later + 14 * DAY, 18)  # a missed week: a new run
    history = history.finished("dumbbell", later + 15 * DAY, 18)
    assert history.streak_to(later + 15 * DAY + 60) == Streak(1, False)


def _stored(**workout: Any) -> dict[str, Any]:
    entry = {"workout_id": "bodyweight", "finished_at": NOW, "sets_done": 20, **workout}
    return {"workouts": [entry], "explained": []}


@pytest.mark.parametrize(
    ("stored", "field"),
    [
        (_stored(finished_at=math.inf), "finished_at"),
        (_stored(finished_at=-1.0), "finished_at"),
        (_stored(finished_at="yesterday"), "finished_at"),
        (_stored(sets_done=True), "sets_done"),
        (_stored(sets_done=-3), "sets_done"),
        (_stored(workout_id=""), "workout_id"),
        (_stored(extra=1), "workout_id, finished_at and sets_done"),
        (_stored(partial="yes"), "partial"),
        (_stored(started_at=math.inf), "started_at"),
        (_stored(seconds=-1), "seconds"),
        ({"workouts": [_stored()["workouts"][0]], "finished_total": 0}, "finished_total"),
        ({"workouts": [], "partial_total": 1.5}, "partial_total"),
        ({"workouts": [], "explained": [3]}, "explained"),
        ({"workouts": {}, "explained": []}, "workouts"),
        ({"workouts": [], "streak": 4}, "history"),
        ({"workouts": [], "forgotten": {}}, "forgotten"),
        ({"workouts": [], "forgotten": [[NOW, 1, 0]] * (MAX_FORGOTTEN + 1)}, "at most"),
        ({"workouts": [], "forgotten": [[NOW, 1]]}, "forgotten entry"),
        ({"workouts": [], "forgotten": [[NOW, -1, 2]]}, "forgotten counts"),
        ({"workouts": [], "forgotten": [[NOW, 0, 0]]}, "count a workout"),
        ({"workouts": [], "forgotten": [[math.inf, 1, 0]]}, "forgotten time"),
        ({"workouts": [], "forgotten": [[NOW, 1, 0], [NOW + 60, 1, 0]]}, "one entry an hour"),
        ([], "history"),
    ],
)
def test_a_history_that_makes_no_sense_is_refused_naming_the_field(
    stored: object, field: str
) -> None:
    with pytest.raises(HistoryError, match=field):
        History.from_dict(stored)


def test_a_workout_kept_after_a_later_one_goes_in_time_order() -> None:
    history = History().finished("a", NOW, 1).finished("b", NOW - 5, 1)  # a clock behind
    assert [w.workout_id for w in history.workouts] == ["b", "a"]
    assert History.from_dict(history.to_dict()) == history


def test_workouts_out_of_order_are_refused() -> None:
    stored = History().finished("a", NOW, 1).finished("b", NOW + 1, 1).to_dict()
    stored["workouts"].reverse()
    with pytest.raises(HistoryError, match="order"):
        History.from_dict(stored)


def test_too_many_stored_workouts_are_refused() -> None:
    entry = {"workout_id": "bodyweight", "finished_at": NOW, "sets_done": 1}
    with pytest.raises(HistoryError, match="at most"):
        History.from_dict({"workouts": [entry] * (KEEP_WORKOUTS + 1), "explained": []})


# --- what a move adds to the history -------------------------------------------------------------


def test_a_finished_workout_and_each_full_explanation_are_remembered() -> None:
    library = default_library()
    coach = Coach(library)
    started = coach.start(Progress(), "dumbbell", NOW)
    history = remember(History(), "dumbbell", started.events, library, NOW)
    first = library.get("dumbbell").exercises[0].id  # type: ignore[union-attr]
    assert history.explained == {first}
    finished = ev.WorkoutFinished("dumbbell", 6, 18, (), 1500.0, started_at=NOW)
    history = remember(history, "dumbbell", [finished], library, NOW + 1500)
    assert history.last() == PastWorkout("dumbbell", NOW + 1500, 18, False, NOW, 1500.0)


def test_a_workout_stopped_partway_is_remembered_as_partial_until_it_is_finished() -> None:
    library = default_library()
    stopped = ev.WorkoutStopped("dumbbell", NOW, 4, 12, 900.0, last_move_at=NOW + 950)
    history = remember(History(), "dumbbell", [stopped], library, NOW + 1000)
    assert history.last() == PastWorkout("dumbbell", NOW + 950, 12, True, NOW, 900.0)
    finished = ev.WorkoutFinished("dumbbell", 6, 18, (), 1400.0, started_at=NOW)
    history = remember(history, "dumbbell", [finished], library, NOW + 2000)
    assert history.workouts == (PastWorkout("dumbbell", NOW + 2000, 18, False, NOW, 1400.0),)


def test_moves_that_finish_nothing_and_explain_nothing_leave_it_alone() -> None:
    library = default_library()
    history = History().finished("bodyweight", NOW, 20)
    assert remember(history, "dumbbell", [ev.Paused(), ev.Resumed()], library, NOW) == history
    assert remember(history, None, [ev.ExerciseIntroduced(0)], library, NOW) == history


# --- stored with the runner's progress ------------------------------------------------------------


def _turn(app: Flask, envelope: dict[str, Any]) -> str:
    reply = app.test_client().post("/alexa", json=envelope).get_json()
    return str(reply["response"]["outputSpeech"]["ssml"])


def test_the_history_is_saved_beside_the_progress(tmp_path: Path, coach_env: Any) -> None:
    db = tmp_path / "coach.sqlite3"
    app = create_app({"COACH_VERIFY_REQUESTS": "0", "COACH_DB_PATH": str(db)})
    device = Device(FlaskTransport(app), user_id=USER_ID)
    device.say("open upper body coach")
    device.say("start the bodyweight workout")
    assert "T push-up" in device.say("skip the warm up").speech_text  # explained in full
    stored = sqlite_records(db)[USER_ID]
    assert History.from_dict(stored["history"]).explained == {"t_push_up"}
    assert stored["progress"]["workout_id"] == "bodyweight"


def test_a_history_this_version_cannot_read_is_kept_as_it_was(
    tmp_path: Path, coach_env: Any
) -> None:
    db = tmp_path / "coach.sqlite3"
    app = create_app({"COACH_VERIFY_REQUESTS": "0", "COACH_DB_PATH": str(db)})
    _turn(app, resolved_intent("StartWorkoutIntent", workout="bodyweight"))
    _turn(app, resolved_intent("SkipWarmUpIntent"))
    unreadable = {"workouts": "lots", "explained": []}
    record = sqlite_records(db)[USER_ID]
    record["history"] = unreadable
    with closing(sqlite3.connect(db)) as conn, conn:
        conn.execute("UPDATE progress SET record = ? WHERE user_id = ?", (encode(record), USER_ID))
    speech = _turn(app, resolved_intent("NextSetIntent"))
    assert "Set 2 of 4" in speech  # the workout carries on
    stored = sqlite_records(db)[USER_ID]
    assert stored["progress"]["set_number"] == 2
    assert stored["history"] == unreadable


def test_an_exercise_gone_to_is_remembered_as_explained(tmp_path: Path, coach_env: Any) -> None:
    db = tmp_path / "coach.sqlite3"
    app = create_app({"COACH_VERIFY_REQUESTS": "0", "COACH_DB_PATH": str(db)})
    device = Device(FlaskTransport(app), user_id=USER_ID)
    device.say("open upper body coach")
    device.say("start the bodyweight workout")
    device.say("skip the warm up")
    assert "Exercise 6 of 6" in device.say("go to stir the pot").speech_text
    stored = History.from_dict(sqlite_records(db)[USER_ID]["history"])
    assert stored.explained == {"t_push_up", "stir_the_pot"}
