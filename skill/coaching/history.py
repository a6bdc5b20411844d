"""What the coach remembers about a runner across workouts: the workouts finished and when, and
which exercises it has explained in full. A frozen value that round-trips through a plain dict,
checked value by value when read (it comes from storage)."""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import Any

from skill.coaching import events as ev
from skill.content.models import Library

# The coach speaks of the last seven days and the last workout; 14 covers a week of two a day.
# Every turn reads and writes the whole record, so the history stays this small.
KEEP_WORKOUTS = 14
WEEK_SECONDS = 7 * 24 * 3600
SESSIONS_A_WEEK = 2  # the dumbbell article's advice: these exercises twice a week


class HistoryError(ValueError):
    """A stored history this version cannot read; the message says which field."""


@dataclass(frozen=True)
class FinishedWorkout:
    workout_id: str
    finished_at: float  # epoch seconds
    sets_done: int

    def to_dict(self) -> dict[str, Any]:
        return {
            "workout_id": self.workout_id,
            "finished_at": self.finished_at,
            "sets_done": self.sets_done,
        }

    @classmethod
    def from_dict(cls, data: object) -> FinishedWorkout:
        if not isinstance(data, dict) or set(data) != {"workout_id", "finished_at", "sets_done"}:
            raise HistoryError("a finished workout needs workout_id, finished_at and sets_done")
        workout_id = data["workout_id"]
        finished_at = data["finished_at"]
        sets_done = data["sets_done"]
        if not isinstance(workout_id, str) or not workout_id:
            raise HistoryError("workout_id must be text")
        if not _is_number(finished_at) or not 0 <= finished_at < math.inf:
            raise HistoryError("finished_at must be a time (seconds since 1970)")
        if not _is_whole(sets_done) or sets_done < 0:
            raise HistoryError("sets_done must be a whole number from 0")
        return cls(workout_id, float(finished_at), sets_done)


@dataclass(frozen=True)
class History:
    workouts: tuple[FinishedWorkout, ...] = ()  # oldest first, at most KEEP_WORKOUTS
    explained: frozenset[str] = frozenset()  # ids of exercises explained in full

    def finished(self, workout_id: str, at: float, sets_done: int) -> History:
        """With one more finished workout (the oldest forgotten past KEEP_WORKOUTS)."""
        kept = (*self.workouts, FinishedWorkout(workout_id, at, sets_done))[-KEEP_WORKOUTS:]
        return replace(self, workouts=kept)

    def explained_now(self, exercise_id: str) -> History:
        if exercise_id in self.explained:
            return self
        return replace(self, explained=self.explained | {exercise_id})

    def workouts_in_week_to(self, now: float) -> int:
        """Workouts finished in the seven days up to `now` (a rolling week: the skill does not
        know the runner's time zone or which day their week starts)."""
        return sum(1 for w in self.workouts if now - WEEK_SECONDS < w.finished_at <= now)

    def last(self) -> FinishedWorkout | None:
        return self.workouts[-1] if self.workouts else None

    def to_dict(self) -> dict[str, Any]:
        return {
            "workouts": [w.to_dict() for w in self.workouts],
            "explained": sorted(self.explained),
        }

    @classmethod
    def from_dict(cls, data: object) -> History:
        if not isinstance(data, dict) or not set(data) <= {"workouts", "explained"}:
            raise HistoryError("history must be an object with workouts and explained")
        workouts = data.get("workouts", [])
        explained = data.get("explained", [])
        if not isinstance(workouts, list) or len(workouts) > KEEP_WORKOUTS:
            raise HistoryError(f"workouts must be a list of at most {KEEP_WORKOUTS}")
        if not isinstance(explained, list) or not all(isinstance(e, str) and e for e in explained):
            raise HistoryError("explained must be a list of exercise ids")
        finished = tuple(FinishedWorkout.from_dict(w) for w in workouts)
        if any(a.finished_at > b.finished_at for a, b in zip(finished, finished[1:], strict=False)):
            raise HistoryError("workouts must be in the order they were finished")
        return cls(finished, frozenset(explained))


def remember(
    history: History, workout_id: str | None, events: Iterable[object], library: Library, now: float
) -> History:
    """`history` after a move in `workout_id` that produced `events`: a finished workout is
    kept with its time and sets, an exercise explained in full is noted."""
    plan = library.get(workout_id) if workout_id else None
    for event in events:
        if isinstance(event, ev.WorkoutFinished):
            history = history.finished(event.workout_id, now, event.sets_done)
        elif isinstance(event, ev.ExerciseIntroduced) and plan is not None:
            if 0 <= event.exercise_index < len(plan.exercises):
                history = history.explained_now(plan.exercises[event.exercise_index].id)
    return history


def _is_whole(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)
