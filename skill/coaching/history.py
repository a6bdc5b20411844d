"""What the coach remembers about a runner across workouts: the workouts finished, or stopped
partway, and when; how many of each there have been in all; and which exercises it has explained
in full. A frozen value that round-trips through a plain dict, checked value by value when read
(it comes from storage). Histories stored before partial workouts and totals were kept still
read: their workouts were all finished, and their totals are the workouts kept. Histories stored
before forgotten workouts were counted by the hour read as having none counted that way."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import Any, TypeGuard

from skill.coaching import events as ev
from skill.coaching.schedule import week_start, weeks_back
from skill.content.models import Library

# The coach speaks of the last seven days and the last workout; 14 covers a week of two a day.
# Every turn reads and writes the whole record, so the history stays this small; the totals
# count every workout beyond those kept.
KEEP_WORKOUTS = 14
WEEK_SECONDS = 7 * 24 * 3600
# Workouts forgotten past KEEP_WORKOUTS are still counted, by the hour they were done in, for
# the weeks and the streak: as many a week as a runner does, while the record stays bounded (at
# most one entry an hour, for four weeks).
HOUR_SECONDS = 3600
KEEP_FORGOTTEN_WEEKS = 4
KEEP_FORGOTTEN_SECONDS = KEEP_FORGOTTEN_WEEKS * WEEK_SECONDS
MAX_FORGOTTEN = KEEP_FORGOTTEN_SECONDS // HOUR_SECONDS + 1  # distinct hours in that span
SESSIONS_A_WEEK = 2  # the dumbbell article's advice: these exercises twice a week

_REQUIRED = frozenset({"workout_id", "finished_at", "sets_done"})
_OPTIONAL = frozenset({"partial", "started_at", "seconds"})
_TOTALS = ("finished_total", "partial_total")
_FORGOTTEN = "forgotten"
_RUN = "two_a_week"


class HistoryError(ValueError):
    """A stored history this version cannot read; the message says which field."""


@dataclass(frozen=True)
class PastWorkout:
    workout_id: str
    finished_at: float  # epoch seconds: when it was finished, or when the runner stopped
    sets_done: int
    partial: bool = False  # stopped before the end; the runner's place was kept
    # When that workout was started: names it, so that going on with it later (and stopping
    # again, or finishing) replaces its partial entry instead of adding one. None in histories
    # stored before it was kept.
    started_at: float | None = None
    seconds: float | None = None  # active time (skill.coaching.coach.Coach.clocked), or None

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "workout_id": self.workout_id,
            "finished_at": self.finished_at,
            "sets_done": self.sets_done,
        }
        if self.partial:
            data["partial"] = True
        if self.started_at is not None:
            data["started_at"] = self.started_at
        if self.seconds is not None:
            data["seconds"] = self.seconds
        return data

    @classmethod
    def from_dict(cls, data: object) -> PastWorkout:
        if not isinstance(data, dict) or not _REQUIRED <= set(data) <= _REQUIRED | _OPTIONAL:
            raise HistoryError(
                "a workout needs workout_id, finished_at and sets_done, and may have partial,"
                " started_at and seconds"
            )
        workout_id = data["workout_id"]
        sets_done = data["sets_done"]
        partial = data.get("partial", False)
        if not isinstance(workout_id, str) or not workout_id:
            raise HistoryError("workout_id must be text")
        if not _is_whole(sets_done) or sets_done < 0:
            raise HistoryError("sets_done must be a whole number from 0")
        if not isinstance(partial, bool):
            raise HistoryError("partial must be true or false")
        finished_at = _time(data["finished_at"], "finished_at")
        started_at = data.get("started_at")
        seconds = data.get("seconds")
        return cls(
            workout_id,
            finished_at,
            sets_done,
            partial,
            None if started_at is None else _time(started_at, "started_at"),
            None if seconds is None else _seconds(seconds),
        )

    def same_workout(self, other: PastWorkout) -> bool:
        """The same workout, started once: a partial entry and what became of it later."""
        return self.workout_id == other.workout_id and self.started_at == other.started_at


@dataclass(frozen=True)
class Forgotten:
    """Workouts of one hour no longer kept one by one: how many, and when the latest was done
    (they all count as done then: at most an hour out)."""

    at: float
    full: int = 0
    partial: int = 0

    @property
    def hour(self) -> int:
        return int(self.at // HOUR_SECONDS)

    def with_one(self, workout: PastWorkout) -> Forgotten:
        return Forgotten(
            max(self.at, workout.finished_at),
            self.full + (not workout.partial),
            self.partial + workout.partial,
        )

    def to_list(self) -> list[float | int]:
        return [self.at, self.full, self.partial]

    @classmethod
    def from_list(cls, data: object) -> Forgotten:
        if not isinstance(data, list) or len(data) != 3:
            raise HistoryError("each forgotten entry must be [time, full, partial]")
        at, full, partial = data
        if not (_is_whole(full) and _is_whole(partial) and full >= 0 and partial >= 0):
            raise HistoryError("forgotten counts must be whole numbers from 0")
        if full + partial == 0:
            raise HistoryError("a forgotten entry must count a workout")
        return cls(_time(at, "forgotten time"), full, partial)


@dataclass(frozen=True)
class Week:
    """Workouts in a rolling week: finished ones, and ones stopped partway."""

    full: int = 0
    partial: int = 0


@dataclass(frozen=True)
class Streak:
    # Weeks in a row, up to now, each with SESSIONS_A_WEEK full workouts or more (this week
    # counts once it has them; until then the streak stands on the weeks before it).
    weeks: int
    maybe_longer: bool  # it reaches back past what the coach knows: it may be longer


@dataclass(frozen=True)
class Run:
    """The streak kept as a running count, so that it never caps at the workouts kept: the
    latest calendar week with a full workout (its Monday, on the runner's clock when known,
    else UTC's), how many full ones it has, and the weeks in a row with two or more just before
    it. `open`: it was first worked out from a history that did not reach its start."""

    week: str  # ISO date of the week's Monday
    in_week: int
    before: int = 0
    open: bool = False

    def with_one(self, at: float, zone: str | None) -> Run:
        """With one more full workout done at `at`."""
        week = week_start(at, zone)
        latest = dt.date.fromisoformat(self.week)
        if week == latest:
            return replace(self, in_week=self.in_week + 1)
        if week < latest:  # a clock behind, or a new zone: the run stays as it was
            return self
        follows = (week - latest).days == 7 and self.in_week >= SESSIONS_A_WEEK
        before = self.before + 1 if follows else 0
        return Run(week.isoformat(), 1, before, self.open and before > 0)

    def weeks_to(self, now: float, zone: str | None) -> int:
        """Weeks in a row with two or more, up to `now`'s week."""
        gap = (week_start(now, zone) - dt.date.fromisoformat(self.week)).days // 7
        done = self.in_week >= SESSIONS_A_WEEK
        if gap <= 0:
            return self.before + done
        return self.before + 1 if gap == 1 and done else 0

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"week": self.week, "in_week": self.in_week, "before": self.before}
        if self.open:
            data["open"] = True
        return data

    @classmethod
    def from_dict(cls, data: object) -> Run:
        if not isinstance(data, dict) or not {"week", "in_week", "before"} <= set(data) <= {
            "week",
            "in_week",
            "before",
            "open",
        }:
            raise HistoryError(f"{_RUN} must have week, in_week and before")
        week, in_week, before = data["week"], data["in_week"], data["before"]
        try:
            dt.date.fromisoformat(week if isinstance(week, str) else "")
        except ValueError:
            raise HistoryError(f"{_RUN} week must be a date") from None
        if not (_is_whole(in_week) and _is_whole(before) and in_week >= 1 and before >= 0):
            raise HistoryError(f"{_RUN} counts must be whole numbers")
        if not isinstance(data.get("open", False), bool):
            raise HistoryError(f"{_RUN} open must be true or false")
        return cls(week, in_week, before, data.get("open", False))


@dataclass(frozen=True)
class History:
    workouts: tuple[PastWorkout, ...] = ()  # oldest first, at most KEEP_WORKOUTS
    explained: frozenset[str] = frozenset()  # ids of exercises explained in full
    # Every workout finished, and every one stopped partway and not finished since, the ones
    # forgotten past KEEP_WORKOUTS included.
    finished_total: int = 0
    partial_total: int = 0
    # The workouts forgotten past KEEP_WORKOUTS in the KEEP_FORGOTTEN_WEEKS before the latest
    # kept, by the hour, oldest first.
    forgotten: tuple[Forgotten, ...] = ()
    # The streak as a running count (None in histories stored before it: worked out from what
    # they have at their next full workout).
    run: Run | None = None

    def finished(
        self,
        workout_id: str,
        at: float,
        sets_done: int,
        started_at: float | None = None,
        seconds: float | None = None,
        zone: str | None = None,
    ) -> History:
        """With one more finished workout (the oldest forgotten past KEEP_WORKOUTS); a partial
        entry of the same workout is replaced by it. The streak's weeks are `zone`'s."""
        kept = self._kept(PastWorkout(workout_id, at, sets_done, False, started_at, seconds))
        # Worked out before this workout can push the oldest known one out of the history.
        run = self.run or self._run_from_what_is_known(zone)
        if run is None:
            return replace(kept, run=Run(week_start(at, zone).isoformat(), 1))
        return replace(kept, run=run.with_one(at, zone))

    def stopped(
        self,
        workout_id: str,
        at: float,
        sets_done: int,
        started_at: float | None,
        seconds: float | None = None,
    ) -> History:
        """With a workout stopped partway: stopping the same workout again updates its entry."""
        return self._kept(PastWorkout(workout_id, at, sets_done, True, started_at, seconds))

    def _kept(self, workout: PastWorkout) -> History:
        earlier = next((w for w in self.workouts if w.partial and w.same_workout(workout)), None)
        others = [w for w in self.workouts if w is not earlier]
        # In time order even if a server's clock is behind the last one's: a history out of
        # order would not be read again.
        in_order = sorted((*others, workout), key=lambda w: w.finished_at)
        kept, dropped = in_order[-KEEP_WORKOUTS:], in_order[:-KEEP_WORKOUTS]
        return replace(
            self,
            workouts=tuple(kept),
            finished_total=self.finished_total + (not workout.partial),
            partial_total=self.partial_total + workout.partial - (earlier is not None),
            forgotten=_forget(self.forgotten, dropped, kept[-1].finished_at),
        )

    def explained_now(self, exercise_id: str) -> History:
        if exercise_id in self.explained:
            return self
        return replace(self, explained=self.explained | {exercise_id})

    def week_to(self, now: float, zone: str | None = None) -> Week:
        """Workouts this week: the calendar week from Monday on the runner's clock when `zone`
        is known, else the seven days up to `now` (a rolling week)."""
        week = [w for w in self.workouts if _week_index(w.finished_at, now, zone) == 0]
        older = [f for f in self.forgotten if _week_index(f.at, now, zone) == 0]
        partial = sum(w.partial for w in week)
        return Week(
            len(week) - partial + sum(f.full for f in older),
            partial + sum(f.partial for f in older),
        )

    def streak_to(self, now: float, zone: str | None = None) -> Streak:
        """Weeks in a row, back from `now`, each with SESSIONS_A_WEEK full workouts or more:
        calendar weeks on the runner's clock when `zone` is known, else rolling weeks. Worked
        out from the workouts known one by one or by the hour; where that reaches back past
        them, the running count carries it on."""
        known = _known_weeks(self._full_times(), now, zone)
        weeks, reaches = _in_a_row(known)
        if zone is None and not known.get(0):
            weeks = 0  # rolling weeks are never over: seven days without a workout end it
        # Full workouts no longer counted by the hour are older than any that are: when the
        # streak reaches the oldest week known, they may carry it further back.
        maybe_longer = weeks > 0 and reaches and self._uncounted()
        if maybe_longer and self.run is not None:
            counted = self.run.weeks_to(now, zone)
            if counted >= weeks:
                return Streak(counted, self.run.open)
        return Streak(weeks, maybe_longer)

    def _full_times(self) -> list[float]:
        """When each full workout known was done (the forgotten ones at their hour)."""
        kept = [w.finished_at for w in self.workouts if not w.partial]
        return kept + [f.at for f in self.forgotten for _ in range(f.full)]

    def _uncounted(self) -> bool:
        """Some full workouts are known only by the total."""
        return self.finished_total > len(self._full_times())

    def _run_from_what_is_known(self, zone: str | None) -> Run | None:
        """The running count worked out from the full workouts known (a history stored before
        it was kept): open when they may not reach the run's start; None without any."""
        times = self._full_times()
        if not times:
            return None
        latest = max(times)
        known = _known_weeks(times, latest, zone, calendar=True)
        before = 0
        while known.get(before + 1, 0) >= SESSIONS_A_WEEK:
            before += 1
        reaches = max(known) <= before + 1
        start = week_start(latest, zone).isoformat()
        return Run(start, known[0], before, before > 0 and reaches and self._uncounted())

    def last(self) -> PastWorkout | None:
        return self.workouts[-1] if self.workouts else None

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "workouts": [w.to_dict() for w in self.workouts],
            "explained": sorted(self.explained),
            "finished_total": self.finished_total,
            "partial_total": self.partial_total,
        }
        # Only once there are any: a history without them reads in versions before them too.
        if self.forgotten:
            data[_FORGOTTEN] = [f.to_list() for f in self.forgotten]
        if self.run is not None:
            data[_RUN] = self.run.to_dict()
        return data

    @classmethod
    def from_dict(cls, data: object) -> History:
        fields = {"workouts", "explained", *_TOTALS, _FORGOTTEN, _RUN}
        if not isinstance(data, dict) or not set(data) <= fields:
            raise HistoryError("history must be an object with workouts, explained and totals")
        workouts = data.get("workouts", [])
        explained = data.get("explained", [])
        if not isinstance(workouts, list) or len(workouts) > KEEP_WORKOUTS:
            raise HistoryError(f"workouts must be a list of at most {KEEP_WORKOUTS}")
        if not isinstance(explained, list) or not all(isinstance(e, str) and e for e in explained):
            raise HistoryError("explained must be a list of exercise ids")
        kept = tuple(PastWorkout.from_dict(w) for w in workouts)
        if any(a.finished_at > b.finished_at for a, b in zip(kept, kept[1:], strict=False)):
            raise HistoryError("workouts must be in the order they were finished")
        partial = sum(w.partial for w in kept)
        # Stored before totals were kept: the workouts kept are all there is to count.
        finished_total = data.get("finished_total", len(kept) - partial)
        partial_total = data.get("partial_total", partial)
        for name, total, at_least in (
            ("finished_total", finished_total, len(kept) - partial),
            ("partial_total", partial_total, partial),
        ):
            if not _is_whole(total) or total < at_least:
                raise HistoryError(f"{name} must be a whole number, at least the ones kept")
        forgotten = _read_forgotten(data.get(_FORGOTTEN, []))
        run = Run.from_dict(data[_RUN]) if _RUN in data else None
        return cls(kept, frozenset(explained), finished_total, partial_total, forgotten, run)


def remember(
    history: History,
    workout_id: str | None,
    events: Iterable[object],
    library: Library,
    now: float,
    zone: str | None = None,
) -> History:
    """`history` after a move in `workout_id` that produced `events` at `now`: a workout finished
    is kept with its time and sets (and counted in the streak, in `zone`'s weeks), one stopped
    partway with those of its last move, and an exercise explained in full is noted."""
    plan = library.get(workout_id) if workout_id else None
    for event in events:
        if isinstance(event, ev.WorkoutFinished):
            history = history.finished(
                event.workout_id, now, event.sets_done, event.started_at, event.seconds_taken, zone
            )
        elif isinstance(event, ev.WorkoutStopped):
            at = event.last_move_at
            history = history.stopped(
                event.workout_id, at, event.sets_done, event.started_at, event.seconds_taken
            )
        elif isinstance(event, ev.ExerciseIntroduced) and plan is not None:
            if 0 <= event.exercise_index < len(plan.exercises):
                history = history.explained_now(plan.exercises[event.exercise_index].id)
    return history


def _forget(
    forgotten: tuple[Forgotten, ...], dropped: Iterable[PastWorkout], latest: float
) -> tuple[Forgotten, ...]:
    """`forgotten` with the `dropped` workouts counted in their hours, and the hours more than
    KEEP_FORGOTTEN_WEEKS before `latest` (the latest workout kept) let go."""
    by_hour = {f.hour: f for f in forgotten}
    for workout in dropped:
        hour = int(workout.finished_at // HOUR_SECONDS)
        by_hour[hour] = by_hour.get(hour, Forgotten(workout.finished_at)).with_one(workout)
    recent = (f for f in by_hour.values() if f.at > latest - KEEP_FORGOTTEN_SECONDS)
    return tuple(sorted(recent, key=lambda f: f.at))


def _read_forgotten(data: object) -> tuple[Forgotten, ...]:
    if not isinstance(data, list) or len(data) > MAX_FORGOTTEN:
        raise HistoryError(f"forgotten must be a list of at most {MAX_FORGOTTEN} hours")
    forgotten = tuple(Forgotten.from_list(entry) for entry in data)
    if any(a.hour >= b.hour for a, b in zip(forgotten, forgotten[1:], strict=False)):
        raise HistoryError("forgotten hours must be in order, one entry an hour")
    return forgotten


def _week_of(at: float, now: float) -> int:
    """0 for the seven days up to `now`, 1 for the seven before, and so on."""
    return int((now - at) // WEEK_SECONDS)


def _week_index(at: float, now: float, zone: str | None, calendar: bool = False) -> int:
    """0 for this week, 1 for the week before...; -1 for a time after `now`. Calendar weeks on
    `zone`'s clock when it is known (or `calendar` asks for UTC's), else rolling weeks."""
    if at > now:
        return -1
    if zone is not None:
        return weeks_back(at, now, zone)
    if calendar:
        return weeks_back(at, now, "UTC")
    return _week_of(at, now)


def _known_weeks(
    times: Iterable[float], now: float, zone: str | None, calendar: bool = False
) -> dict[int, int]:
    """How many of `times` fall in each week back from `now` (0: this week)."""
    counts: dict[int, int] = {}
    for at in times:
        index = _week_index(at, now, zone, calendar)
        if index >= 0:
            counts[index] = counts.get(index, 0) + 1
    return counts


def _in_a_row(counts: dict[int, int]) -> tuple[int, bool]:
    """Weeks in a row with SESSIONS_A_WEEK or more, back from week 0 (counted once it has them;
    until then from week 1), and whether the run reaches the oldest week counted (or the week
    after it: that one's earlier workouts may be forgotten)."""
    first = 0 if counts.get(0, 0) >= SESSIONS_A_WEEK else 1
    index = first
    while counts.get(index, 0) >= SESSIONS_A_WEEK:
        index += 1
    oldest = max(counts, default=0)
    return index - first, oldest <= index


def _time(value: object, name: str) -> float:
    if not _is_number(value) or value < 0:
        raise HistoryError(f"{name} must be a time (seconds since 1970)")
    return float(value)


def _seconds(value: object) -> float:
    if not _is_number(value) or value < 0:
        raise HistoryError("seconds must be a number of seconds from 0")
    return float(value)


def _is_whole(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value: object) -> TypeGuard[int | float]:
    """A finite number (JSON's true and false are not numbers here)."""
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)
