"""Where a runner is in a workout, as a frozen value that round-trips through a plain dict."""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any

MIN_REST_SECONDS = 15
MAX_REST_SECONDS = 120  # one response must pace the whole rest (Alexa caps speech length)


class ProgressError(ValueError):
    """A stored progress dict is not one this version can read."""


@dataclass(frozen=True)
class Progress:
    workout_id: str | None = None  # None: no workout chosen yet
    exercise_index: int = 0
    set_number: int = 1  # the set to do next, 1-based
    paused: bool = False
    finished: bool = False
    rest_seconds: int | None = None  # the runner's own rest length; None: the plan's
    started_at: float | None = None  # epoch seconds when the workout began
    sets_done: int = 0
    skipped: tuple[str, ...] = ()  # ids of exercises skipped this workout

    @property
    def active(self) -> bool:
        """A workout is under way (started, not finished)."""
        return self.workout_id is not None and not self.finished

    def to_dict(self) -> dict[str, Any]:
        # Field by field rather than dataclasses.asdict, which deep-copies (a hot path).
        data: dict[str, Any] = {f.name: getattr(self, f.name) for f in fields(self)}
        data["skipped"] = list(self.skipped)
        return data

    @classmethod
    def from_dict(cls, data: object) -> Progress:
        if not isinstance(data, dict):
            raise ProgressError("progress must be an object")
        unknown = set(data) - _FIELD_NAMES
        if unknown:
            raise ProgressError(f"unknown progress fields: {sorted(unknown)}")
        values = dict(data)
        skipped = values.get("skipped", [])
        if not isinstance(skipped, list) or not all(isinstance(s, str) for s in skipped):
            raise ProgressError("skipped must be a list of exercise ids")
        values["skipped"] = tuple(skipped)
        progress = cls(**values)
        _check_types(progress)
        return progress


_FIELD_NAMES = frozenset(f.name for f in fields(Progress))


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _check_types(p: Progress) -> None:
    if p.workout_id is not None and not isinstance(p.workout_id, str):
        raise ProgressError("workout_id must be text")
    if not _is_int(p.exercise_index) or p.exercise_index < 0:
        raise ProgressError("exercise_index must be a whole number from 0")
    if not _is_int(p.set_number) or p.set_number < 1:
        raise ProgressError("set_number must be a whole number from 1")
    if not _is_int(p.sets_done) or p.sets_done < 0:
        raise ProgressError("sets_done must be a whole number from 0")
    if not isinstance(p.paused, bool) or not isinstance(p.finished, bool):
        raise ProgressError("paused and finished must be true or false")
    if p.rest_seconds is not None and (
        not _is_int(p.rest_seconds) or not MIN_REST_SECONDS <= p.rest_seconds <= MAX_REST_SECONDS
    ):
        raise ProgressError("rest_seconds out of range")
    if p.started_at is not None and not isinstance(p.started_at, int | float):
        raise ProgressError("started_at must be a number")
