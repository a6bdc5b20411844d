"""A workout finished by mistake ("done" said too soon on its last set), taken back.

The move that finishes a workout changes more than the place: the history gains the workout
(this week's count, the streak, "how did I do"), and each exercise's record its count towards a
step up and its bests. Working those changes backwards is not possible in general (the streak
is a running count, an older partial entry was replaced), so the record keeps, beside the
finished workout, what it held before that move: `Finish`. Taking the finish back puts those
values back as they were, so that finishing the set properly afterwards stores exactly what a
single honest finish would have.

A `Finish` holds only while the record is still as the finish left it (its `left` digest) and
for TAKE_BACK_SECONDS: after any other change (a new workout, reps chosen, a reset), putting old
values back could lose what the runner did since, so the finish then stands. Kept in the
record's own field: a version without it leaves the field as it is, and as it changes the
progress the digest no longer matches, so the finish is never taken back over its changes.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, replace
from typing import Any

from skill.coaching.history import History, HistoryError
from skill.coaching.progress import Progress, ProgressError
from skill.coaching.progression import Records, read, to_store

# A "done" said by mistake is noticed at once: at the cool-down offer, or during the cool-down.
TAKE_BACK_SECONDS = 30 * 60


@dataclass(frozen=True)
class Finish:
    """What the record held just before the move that finished a workout, as stored."""

    at: float  # when the workout was finished
    progress: dict[str, Any]  # the place, on the set that was counted last
    history: object  # the stored history (None: there was none)
    exercises: object  # the stored exercise records (None: there were none)
    left: str = ""  # digest of the progress, history and records the finish left

    def to_dict(self) -> dict[str, Any]:
        return {
            "at": self.at,
            "progress": self.progress,
            "history": self.history,
            "exercises": self.exercises,
            "left": self.left,
        }

    @classmethod
    def from_dict(cls, data: object) -> Finish | None:
        """The stored field; None for what this version cannot read (the finish then stands)."""
        if not isinstance(data, dict):
            return None
        at, progress, left = data.get("at"), data.get("progress"), data.get("left")
        if isinstance(at, bool) or not isinstance(at, int | float):
            return None
        if not isinstance(progress, dict) or not isinstance(left, str) or not left:
            return None
        return cls(float(at), progress, data.get("history"), data.get("exercises"), left)

    def place(self) -> Progress | None:
        """The place before the finish; None when it cannot be read."""
        try:
            return Progress.from_dict(self.progress)
        except ProgressError:
            return None

    def records(self) -> Records:
        return read(self.exercises)

    def past(self) -> History | None:
        """The history before the finish; None when it cannot be read (nor then was it changed
        by the finish: a history this version cannot read is kept as it was stored)."""
        try:
            return History() if self.history is None else History.from_dict(self.history)
        except HistoryError:
            return None


def before_finish(progress: Progress, history: object, records: Records, now: float) -> Finish:
    """What a turn that finishes a workout read from the record: to keep until it is saved."""
    return Finish(now, progress.to_dict(), history, to_store(records) if records else None)


def digest(progress: object, history: object, exercises: object) -> str:
    """A fingerprint of a record's place, history and exercise records, as stored."""
    text = json.dumps([progress, history, exercises], sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def sealed(finish: Finish, progress: object, history: object, exercises: object) -> Finish:
    """`finish` with what the finishing turn stored, to tell later whether that still stands."""
    return replace(finish, left=digest(progress, history, exercises))


def still_kept(finish: Finish | None, progress: object, history: object, exercises: object) -> bool:
    """The record still holds what `finish` left: nothing has been done since."""
    return finish is not None and finish.left == digest(progress, history, exercises)


def may_take_back(finish: Finish, now: float) -> bool:
    """The finish (kept: the record still holds what it left) is recent enough to take back."""
    return 0 <= now - finish.at <= TAKE_BACK_SECONDS
