"""The runner's own week: reminder days and times, their recurrence rules, and calendar weeks in
the runner's time zone. Pure (no Alexa, no clock of its own): times are epoch seconds, zones IANA
names ("Pacific/Auckland"); an unknown or missing zone reads as UTC where a clock time is needed.
What the runner set is kept in the record as `Reminders`, bounded."""

from __future__ import annotations

import datetime as dt
import re
import statistics
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

# RFC 5545 day codes, in Python's weekday order (Monday 0).
DAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
DAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
DEFAULT_HOUR = 7  # a runner with no workouts to go by is offered the morning
KEEP_TOKENS = 4  # reminder tokens kept: one reminder holds every day's rule
KEEP_ZONES = 4  # devices whose time zone is remembered
ZONE_CHECK_SECONDS = 24 * 3600  # a device's time zone is asked again after a day
_SPOKEN_DAYS = {name.lower(): code for name, code in zip(DAY_NAMES, DAYS, strict=True)} | {
    name.lower()[:3]: code for name, code in zip(DAY_NAMES, DAYS, strict=True)
}
_CLOCK = re.compile(r"^(\d{1,2}):(\d{2})$")


@dataclass(frozen=True)
class Plan:
    """Weekly reminders: on `days` (DAYS codes, in week order) at hour:minute, local time."""

    days: tuple[str, ...]
    hour: int
    minute: int = 0

    def rules(self) -> list[str]:
        """One recurrence rule a day, as the Reminders API takes them."""
        return [
            f"FREQ=WEEKLY;BYDAY={day};BYHOUR={self.hour};BYMINUTE={self.minute}"
            for day in self.days
        ]

    def at_hour(self, hour: int, minute: int = 0) -> Plan:
        return replace(self, hour=hour, minute=minute)

    def to_dict(self) -> dict[str, Any]:
        return {"days": list(self.days), "hour": self.hour, "minute": self.minute}

    @classmethod
    def from_dict(cls, data: object) -> Plan | None:
        """None for anything that is not a plan this version could have written."""
        if not isinstance(data, dict):
            return None
        days, hour, minute = data.get("days"), data.get("hour"), data.get("minute", 0)
        if not isinstance(days, list) or not days or not all(d in DAYS for d in days):
            return None
        if not isinstance(hour, int) or not isinstance(minute, int):
            return None
        if not _whole_in(hour, 0, 23) or not _whole_in(minute, 0, 59):
            return None
        return cls(in_week_order(days), hour, minute)


@dataclass(frozen=True)
class Reminders:
    """What the record keeps about reminders: whether one was offered, what the runner set and
    its tokens, what they asked for while the permission was being asked, and each device's time
    zone with when it was asked (None: asked, and not known)."""

    offered: bool = False
    plan: Plan | None = None
    tokens: tuple[str, ...] = ()
    wanted: Plan | None = None
    zones: tuple[tuple[str, str | None, float], ...] = field(default=())

    def zone_of(self, device: str | None) -> tuple[str | None, float] | None:
        """(zone, when asked) for `device`; None when never asked."""
        for known, zone, at in self.zones:
            if known == device:
                return zone, at
        return None

    def with_zone(self, device: str, zone: str | None, at: float) -> Reminders:
        others = tuple(z for z in self.zones if z[0] != device)
        return replace(self, zones=(*others, (device, zone, at))[-KEEP_ZONES:])

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {}
        if self.offered:
            data["offered"] = True
        if self.plan is not None:
            data["plan"] = self.plan.to_dict()
        if self.tokens:
            data["tokens"] = list(self.tokens[-KEEP_TOKENS:])
        if self.wanted is not None:
            data["wanted"] = self.wanted.to_dict()
        if self.zones:
            data["zones"] = [list(z) for z in self.zones[-KEEP_ZONES:]]
        return data

    @classmethod
    def from_dict(cls, data: object) -> Reminders:
        """What can be read of a stored value; anything malformed is left out, never fatal."""
        if not isinstance(data, dict):
            return cls()
        tokens = data.get("tokens")
        kept = [t for t in tokens if isinstance(t, str) and t] if isinstance(tokens, list) else []
        zones: list[tuple[str, str | None, float]] = []
        for entry in data.get("zones") or []:
            if isinstance(entry, list) and len(entry) == 3:
                device, zone, at = entry
                valid_zone = zone is None or (isinstance(zone, str) and known_zone(zone))
                if isinstance(device, str) and valid_zone and _is_number(at):
                    zones.append((device, zone, float(at)))
        return cls(
            offered=data.get("offered") is True,
            plan=Plan.from_dict(data.get("plan")),
            tokens=tuple(kept[-KEEP_TOKENS:]),
            wanted=Plan.from_dict(data.get("wanted")),
            zones=tuple(zones[-KEEP_ZONES:]),
        )


def known_zone(name: str) -> bool:
    return _zone(name) is not None


def _zone(name: str | None) -> ZoneInfo | None:
    if not name or len(name) > 64:
        return None
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None


def local(at: float, zone: str | None) -> dt.datetime:
    """The moment `at` on the runner's clock (UTC when the zone is unknown)."""
    return dt.datetime.fromtimestamp(at, _zone(zone) or dt.UTC)


def in_week_order(days: Iterable[str]) -> tuple[str, ...]:
    chosen = set(days)
    return tuple(day for day in DAYS if day in chosen)


def day_code(spoken: str | None) -> str | None:
    """ "monday", "Mondays", "mon" as MO; None for anything else."""
    if not spoken:
        return None
    if spoken.strip().upper() in DAYS:  # a resolved id
        return spoken.strip().upper()
    word = spoken.strip().lower().removesuffix("s")
    return _SPOKEN_DAYS.get(word)


def clock_time(value: str | None) -> tuple[int, int] | None:
    """AMAZON.TIME's "07:00" as (7, 0); None for its "MO"/"EV" parts of the day, or nothing."""
    hit = _CLOCK.match(value or "")
    if hit is None:
        return None
    hour, minute = int(hit.group(1)), int(hit.group(2))
    return (hour, minute) if hour < 24 and minute < 60 else None


def usual_time(times: Sequence[float], zone: str | None) -> tuple[int, int]:
    """The time the runner usually trains at, on their clock: the median of their workouts'
    times of day, to the half hour before it."""
    if not times:
        return DEFAULT_HOUR, 0
    minutes = [local(at, zone).hour * 60 + local(at, zone).minute for at in times]
    middle = statistics.median_low(minutes) // 30 * 30
    return middle // 60, middle % 60


def offer_day(times: Sequence[float], zone: str | None, now: float) -> str:
    """A day that keeps two workouts a week with today's: the runner's most usual other day at
    least two days from today either way, else three days on (Monday's is Thursday)."""
    today = local(now, zone).weekday()
    counts: dict[int, int] = {}
    for at in times:
        day = local(at, zone).weekday()
        if min((day - today) % 7, (today - day) % 7) >= 2:
            counts[day] = counts.get(day, 0) + 1
    if counts:
        best = max(counts.values())
        day = min((d for d, n in counts.items() if n == best), key=lambda d: (d - today) % 7)
        return DAYS[day]
    return DAYS[(today + 3) % 7]


def next_time(plan: Plan, now: float, zone: str | None) -> dt.datetime:
    """The next reminder of `plan` after `now`, on the runner's clock."""
    here = local(now, zone)
    for ahead in range(8):
        day = here.date() + dt.timedelta(days=ahead)
        if DAYS[day.weekday()] not in plan.days:
            continue
        at = dt.datetime(day.year, day.month, day.day, plan.hour, plan.minute, tzinfo=here.tzinfo)
        if at > here:
            return at
    raise ValueError("a plan names at least one day")  # unreachable for a valid plan


def week_start(at: float, zone: str | None) -> dt.date:
    """The Monday that starts the calendar week of `at`, on the runner's clock."""
    day = local(at, zone).date()
    return day - dt.timedelta(days=day.weekday())


def weeks_back(at: float, now: float, zone: str) -> int:
    """0 for the calendar week of `now` on the runner's clock, 1 for the week before, ..."""
    return (week_start(now, zone) - week_start(at, zone)).days // 7


def _whole_in(value: object, low: int, high: int) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and low <= value <= high


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and value >= 0
