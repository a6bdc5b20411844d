"""Version 1 records (one total of sets done, no active time) read by version 2 of the skill:
the runner carries on at the same set, and the summary counts per exercise."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest

from skill.coaching import events as ev
from skill.coaching.coach import Coach
from skill.coaching.progress import Progress, ProgressError
from skill.content.loader import default_library
from skill.persistence import SqliteProgressStore, decode, unwrap
from skill.persistence.records import _V1_WORKOUTS
from tests.support import load_record, save_record

COACH = Coach(default_library())
STARTED = 1_769_500_000.0


def v1_progress(**fields: Any) -> dict[str, Any]:
    """A progress dict as version 1 saved it (every field, as its to_dict wrote them)."""
    progress: dict[str, Any] = {
        "workout_id": "bodyweight",
        "exercise_index": 0,
        "set_number": 1,
        "paused": False,
        "finished": False,
        "rest_seconds": None,
        "started_at": STARTED,
        "sets_done": 0,
        "skipped": [],
    }
    progress.update(fields)
    return progress


def upgraded(**fields: Any) -> Progress:
    attributes = unwrap({"version": 1, "attributes": {"progress": v1_progress(**fields)}})
    progress = Progress.from_dict(attributes["progress"])
    assert COACH.is_valid(progress)
    return progress


def test_the_frozen_version_1_workouts_match_the_content_they_were_written_against() -> None:
    for workout_id, exercises in _V1_WORKOUTS.items():
        plan = COACH.library.get(workout_id)
        assert plan is not None
        assert tuple((e.id, e.sets) for e in plan.exercises) == exercises


@pytest.mark.parametrize(
    ("fields", "counts"),
    [
        ({}, (0,)),
        ({"exercise_index": 2, "set_number": 2, "sets_done": 9}, (4, 4, 1)),
        (  # chin-ups skipped before any set
            {"exercise_index": 2, "set_number": 2, "sets_done": 5, "skipped": ["l_sit_chin_up"]},
            (4, 0, 1),
        ),
        ({"exercise_index": 5, "set_number": 2, "sets_done": 1}, (0, 0, 0, 0, 0, 1)),  # go to
        ({"exercise_index": 0, "set_number": 2, "sets_done": 3}, (3,)),  # sets done again
        ({"workout_id": "dumbbell", "exercise_index": 1, "sets_done": 3}, (3, 0)),
    ],
)
def test_the_total_is_shared_out_as_the_workout_was_taken(
    fields: dict[str, Any], counts: tuple[int, ...]
) -> None:
    progress = upgraded(**fields)
    assert progress.sets_by_exercise == counts
    assert progress.sets_done == fields.get("sets_done", 0)
    assert (progress.exercise_index, progress.set_number) == (
        fields.get("exercise_index", 0),
        fields.get("set_number", 1),
    )
    assert progress.active_seconds == 0.0 and progress.last_move_at is None


def test_a_rest_change_in_a_finished_workout_is_dropped_and_kept_otherwise() -> None:
    finished = upgraded(
        exercise_index=5, set_number=3, sets_done=20, finished=True, rest_seconds=60
    )
    assert finished.rest_seconds is None
    assert upgraded(rest_seconds=60).rest_seconds == 60
    idle = unwrap({"version": 1, "attributes": {"progress": {"rest_seconds": 60}}})["progress"]
    assert Progress.from_dict(idle) == Progress(rest_seconds=60)


@pytest.mark.parametrize(
    "attributes",
    [
        {},
        {"other": 1},
        {"progress": "garbage"},
        {"progress": v1_progress(sets_done="many")},
        {"progress": v1_progress(set_number=0)},
        {"progress": v1_progress(skipped="t_push_up")},
    ],
)
def test_what_is_not_a_well_formed_version_1_progress_is_left_for_the_reader(
    attributes: dict[str, Any],
) -> None:
    migrated = unwrap({"version": 1, "attributes": attributes})
    assert migrated == attributes
    if isinstance(attributes.get("progress"), dict):
        with pytest.raises(ProgressError):
            Progress.from_dict(migrated["progress"])


def test_an_upgraded_runner_finishes_with_a_true_summary() -> None:
    progress = upgraded(exercise_index=2, set_number=2, sets_done=9)
    now = STARTED + 9 * 60
    move = COACH.finish_set(progress, now)  # the row's second set: the 9 minutes since the start
    while move.progress.active:
        now += 60
        move = COACH.finish_set(move.progress, now)
    assert move.events == (
        ev.WorkoutFinished("bodyweight", 6, 20, (), 9 * 60 + 10 * 60.0, started_at=STARTED),
        ev.CoolDownOffered(),
    )


# --- through the SQLite store ------------------------------------------------------------------


@pytest.fixture
def store(tmp_path: Path) -> Iterator[SqliteProgressStore]:
    store = SqliteProgressStore(tmp_path / "coach.sqlite3")
    yield store
    store.close()


def test_the_sqlite_store_reads_a_stored_version_1_record_as_version_2(
    store: SqliteProgressStore, tmp_path: Path
) -> None:
    save_record(store, "A", {})
    old = {
        "version": 1,
        "attributes": {"progress": v1_progress(exercise_index=1, set_number=3, sets_done=6)},
    }
    with closing(sqlite3.connect(tmp_path / "coach.sqlite3")) as conn, conn:
        conn.execute("UPDATE progress SET record = ? WHERE user_id = 'A'", (json.dumps(old),))
    progress = Progress.from_dict(load_record(store, "A")["progress"])
    assert (progress.exercise_index, progress.set_number) == (1, 3)
    assert progress.sets_by_exercise == (4, 2)
    save_record(store, "A", {"progress": progress.to_dict()})
    with closing(sqlite3.connect(tmp_path / "coach.sqlite3")) as conn:
        (text,) = conn.execute("SELECT record FROM progress WHERE user_id = 'A'").fetchone()
    assert json.loads(text)["version"] == 2
    assert Progress.from_dict(decode(text)["progress"]) == progress
