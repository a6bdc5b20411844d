"""Where a runner is in a workout, as a frozen value that round-trips through a plain dict."""

from __future__ import annotations

import math
from dataclasses import dataclass, fields
from typing import Any

LOADS = ("easier", "harder")  # the ways to change an exercise's load, besides the plan's own
MIN_REST_SECONDS = 15
MAX_REST_SECONDS = 300  # the longest rest: five minutes, played as the coach's audio (hands-free)
# The longest rest one spoken response can pace (Alexa caps a response's length).
MAX_SPOKEN_REST_SECONDS = 120
# The pace the coach leads a set at ("slow down", "speed up"), in steps from the usual one:
# skill.speech.set_pacing says how many seconds a rep each step is.
USUAL_PACE = 0
QUICKEST_PACE = -1
SLOWEST_PACE = 2


class ProgressError(ValueError):
    """A stored progress dict is not one this version can read."""


@dataclass(frozen=True)
class Progress:
    workout_id: str | None = None  # None: no workout chosen yet
    exercise_index: int = 0
    set_number: int = 1  # the set to do next, 1-based
    paused: bool = False
    finished: bool = False
    # The runner's rest length for this workout; None: the plan's. Set with no workout under
    # way, it is kept for the next workout started; it never outlives the workout it served.
    rest_seconds: int | None = None
    started_at: float | None = None  # epoch seconds when the workout began
    # Sets finished, by exercise index of the workout; exercises past the end have none.
    sets_by_exercise: tuple[int, ...] = ()
    skipped: tuple[str, ...] = ()  # ids of exercises skipped and not done since
    active_seconds: float = 0.0  # workout time counted so far (see Coach.clocked)
    last_move_at: float | None = None  # epoch seconds of the last move counted
    # The easier or harder way the runner chose, by exercise id, kept for this workout.
    loads: tuple[tuple[str, str], ...] = ()
    # Sets counted that were not whole: (exercise id, set number, reps done or None when the
    # runner did not say), in the order done.
    partial_sets: tuple[tuple[str, int, int | None], ...] = ()
    # Sets done beyond the plan ("one more set"), by exercise id; and the exercise (index) of
    # the extra set under way, if one is: the runner's place in the plan stays where it was.
    extra_sets: tuple[tuple[str, int], ...] = ()
    extra_of: int | None = None

    def extra_sets_of(self, exercise_id: str) -> int:
        return dict(self.extra_sets).get(exercise_id, 0)

    # Kit the runner lacks, by id, sorted: each exercise that needs it is done another way
    # (its stand-in) for the rest of this workout. A record from before it has none.
    missing_kit: tuple[str, ...] = ()
    # The runner's own reps a set, by exercise id, where they differ from the plan's
    # (skill.coaching.progression); kept in the record's `exercises` field, not stored here.
    reps: tuple[tuple[str, int], ...] = ()
    # The pace the runner's led sets go at (USUAL_PACE, or steps slower or quicker), kept across
    # workouts in the record's own `pace` field (skill.alexa.turn), not stored here.
    pace: int = USUAL_PACE

    def reps_of(self, exercise_id: str) -> int | None:
        return dict(self.reps).get(exercise_id)

    def with_reps(self, exercise_id: str, reps: int | None) -> tuple[tuple[str, int], ...]:
        chosen = {**dict(self.reps), exercise_id: reps}
        return tuple(sorted((key, value) for key, value in chosen.items() if value is not None))

    def load_of(self, exercise_id: str) -> str | None:
        """ "easier", "harder", or None for the exercise as the plan has it."""
        return dict(self.loads).get(exercise_id)

    def with_load(self, exercise_id: str, load: str | None) -> tuple[tuple[str, str], ...]:
        chosen = {**dict(self.loads), exercise_id: load}
        return tuple(sorted((key, value) for key, value in chosen.items() if value is not None))

    @property
    def active(self) -> bool:
        """A workout is under way (started, not finished)."""
        return self.workout_id is not None and not self.finished

    @property
    def sets_done(self) -> int:
        """Sets finished in this workout, all exercises together."""
        return sum(self.sets_by_exercise)

    def sets_of(self, exercise_index: int) -> int:
        """Sets of the exercise at `exercise_index` finished in this workout."""
        counts = self.sets_by_exercise
        return counts[exercise_index] if exercise_index < len(counts) else 0

    def with_sets_of(self, exercise_index: int, count: int) -> tuple[int, ...]:
        """sets_by_exercise with the exercise at `exercise_index` set to `count`."""
        counts = list(self.sets_by_exercise)
        counts.extend([0] * (exercise_index + 1 - len(counts)))
        counts[exercise_index] = max(0, count)
        return tuple(counts)

    def to_dict(self) -> dict[str, Any]:
        # Field by field rather than dataclasses.asdict, which deep-copies (a hot path).
        data: dict[str, Any] = {f.name: getattr(self, f.name) for f in fields(self)}
        data["skipped"] = list(self.skipped)
        data["sets_by_exercise"] = list(self.sets_by_exercise)
        data["loads"] = dict(self.loads)
        # The fields of partial and extra sets only when there are some: a record without them
        # is one that older versions read.
        if self.partial_sets:
            data["partial_sets"] = [list(entry) for entry in self.partial_sets]
        else:
            del data["partial_sets"]
        if self.extra_sets:
            data["extra_sets"] = dict(self.extra_sets)
        else:
            del data["extra_sets"]
        if self.extra_of is None:
            del data["extra_of"]
        # Written only when there is some, so that a version without it still reads the
        # records of runners who never said they lack kit.
        if self.missing_kit:
            data["missing_kit"] = list(self.missing_kit)
        else:
            del data["missing_kit"]
        # Never written: an older version refuses a progress with a field it does not know, and
        # would start the runner afresh. The runner's own reps are kept in the record's
        # `exercises` field (skill.coaching.progression), which an older version leaves as it
        # is, and put back into the progress when it is read (Progression.loaded).
        del data["reps"]
        del data["pace"]  # the same: kept in the record's `pace` field
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
        counts = values.get("sets_by_exercise", [])
        if not isinstance(counts, list) or not all(_is_int(n) and n >= 0 for n in counts):
            raise ProgressError("sets_by_exercise must be a list of whole numbers from 0")
        values["sets_by_exercise"] = tuple(counts)
        loads = values.get("loads", {})
        if not isinstance(loads, dict) or not all(
            isinstance(key, str) and value in LOADS for key, value in loads.items()
        ):
            raise ProgressError("loads must map exercise ids to easier or harder")
        values["loads"] = tuple(sorted(loads.items()))
        values["partial_sets"] = _partial_sets(values.get("partial_sets", []))
        extra = values.get("extra_sets", {})
        if not isinstance(extra, dict) or not all(
            isinstance(key, str) and _is_int(count) and count >= 1 for key, count in extra.items()
        ):
            raise ProgressError("extra_sets must map exercise ids to a count from 1")
        values["extra_sets"] = tuple(sorted(extra.items()))
        kit = values.get("missing_kit", [])
        if not isinstance(kit, list) or not all(isinstance(k, str) and k for k in kit):
            raise ProgressError("missing_kit must be a list of kit ids")
        values["missing_kit"] = tuple(sorted(kit))
        reps = values.get("reps", {})
        if not isinstance(reps, dict) or not all(
            isinstance(key, str) and _is_int(count) and count >= 1 for key, count in reps.items()
        ):
            raise ProgressError("reps must map exercise ids to a count from 1")
        values["reps"] = tuple(sorted(reps.items()))
        progress = cls(**values)
        _check_types(progress)
        return progress


_FIELD_NAMES = frozenset(f.name for f in fields(Progress))


def _partial_sets(value: object) -> tuple[tuple[str, int, int | None], ...]:
    if not isinstance(value, list):
        raise ProgressError("partial_sets must be a list")
    entries: list[tuple[str, int, int | None]] = []
    for entry in value:
        if not (isinstance(entry, list) and len(entry) == 3):
            raise ProgressError("each partial set must be [exercise id, set, reps]")
        exercise_id, number, reps = entry
        if not isinstance(exercise_id, str) or not _is_int(number) or number < 1:
            raise ProgressError("a partial set names an exercise id and a set from 1")
        if reps is not None and not (_is_int(reps) and reps >= 0):
            raise ProgressError("a partial set's reps must be a whole number from 0, or null")
        entries.append((exercise_id, number, reps))
    return tuple(entries)


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _check_types(p: Progress) -> None:
    if p.workout_id is not None and not isinstance(p.workout_id, str):
        raise ProgressError("workout_id must be text")
    if not _is_int(p.exercise_index) or p.exercise_index < 0:
        raise ProgressError("exercise_index must be a whole number from 0")
    if not _is_int(p.set_number) or p.set_number < 1:
        raise ProgressError("set_number must be a whole number from 1")
    if not isinstance(p.paused, bool) or not isinstance(p.finished, bool):
        raise ProgressError("paused and finished must be true or false")
    if p.rest_seconds is not None and (
        not _is_int(p.rest_seconds) or not MIN_REST_SECONDS <= p.rest_seconds <= MAX_REST_SECONDS
    ):
        raise ProgressError("rest_seconds out of range")
    for name in ("started_at", "last_move_at"):
        value = getattr(p, name)
        if value is not None and not (_is_number(value) and math.isfinite(value) and value >= 0):
            raise ProgressError(f"{name} must be a time (seconds since 1970)")
    if not _is_number(p.active_seconds) or not 0 <= p.active_seconds < math.inf:
        raise ProgressError("active_seconds must be a finite number from 0")
    if p.extra_of is not None and (not _is_int(p.extra_of) or p.extra_of < 0):
        raise ProgressError("extra_of must be an exercise index, or null")
    if not _is_int(p.pace) or not QUICKEST_PACE <= p.pace <= SLOWEST_PACE:
        raise ProgressError("pace out of range")
    if len(set(p.skipped)) != len(p.skipped):
        raise ProgressError("skipped names an exercise twice")
    if len(set(p.missing_kit)) != len(p.missing_kit):
        raise ProgressError("missing_kit names a piece of kit twice")
