"""The rest length a runner keeps across workouts.

A rest chosen once is for the workout it was chosen in (or, chosen with no workout under way, the
next one started). The rule for keeping it: the same length chosen twice in a row ("60 second
rests", or "more rest" landing on 60), in one workout or in two, is kept, and every new workout
starts with it; a different length chosen in between starts the count again. Said with "always"
or "from now on", it is kept at once. "Reset my settings" forgets it.

Kept in the record's own `rest` field rather than in the progress or the preferences: a version
before this one refuses a progress with a field it does not know and writes the preferences back
with only the fields it knows, while it leaves a record field it does not know as it is."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from skill.coaching.progress import MAX_REST_SECONDS, MIN_REST_SECONDS

TIMES_TO_KEEP = 2  # the same length chosen this many times in a row is kept


@dataclass(frozen=True)
class LastingRest:
    kept: int | None = None  # the rest every new workout starts with; None: the plan's
    chosen: int | None = None  # the length chosen last
    times: int = 0  # how many times in a row `chosen` was chosen

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {}
        if self.kept is not None:
            data["kept"] = self.kept
        if self.chosen is not None:
            data["chosen"] = self.chosen
            data["times"] = self.times
        return data

    @classmethod
    def from_dict(cls, data: object) -> LastingRest:
        """The stored field; what this version cannot read is dropped, never the record."""
        if not isinstance(data, dict):
            return cls()
        kept = _length(data.get("kept"))
        chosen = _length(data.get("chosen"))
        times = data.get("times")
        if chosen is None or not isinstance(times, int) or isinstance(times, bool) or times < 1:
            return cls(kept)
        return cls(kept, chosen, times)


def chose(lasting: LastingRest, seconds: int, always: bool = False) -> LastingRest:
    """After the runner chose rests of `seconds` (with "always": kept at once)."""
    times = lasting.times + 1 if lasting.chosen == seconds else 1
    keeps = always or times >= TIMES_TO_KEEP
    return LastingRest(seconds if keeps else lasting.kept, seconds, times)


def says_kept(before: LastingRest, after: LastingRest, always: bool) -> bool:
    """The choice that made `after` out of `before` is worth saying it lasts: it made a new
    length last, or the runner said "always"."""
    return after.kept is not None and (after.kept != before.kept or always)


def _length(value: object) -> int | None:
    if isinstance(value, int) and not isinstance(value, bool):
        return value if MIN_REST_SECONDS <= value <= MAX_REST_SECONDS else None
    return None
