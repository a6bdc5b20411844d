"""The warm-up or cool-down part a runner is in, kept in their record beside the workout's place:
"warm_up:1" means part 1 (0-based) is the one "next" leads. A move's events say where it goes:
a warm-up or cool-down part led moves it on (or ends it, after the last part), and any move of
the workout itself (a set announced, a skip, a jump, a restart, the end) ends it; the end keeps
the cool-down offered (OFFERED) until it is answered. Pausing,
questions, a rest or load change leave it where it is."""

from __future__ import annotations

import re
from collections.abc import Iterable

from skill.coaching import events as ev

KINDS = ("warm_up", "cool_down")
# Kept in the same field once the cool-down is offered, until it is answered (led, declined, a
# workout begun): the session may close at the offer, and opening again soon asks it again.
# Not a part: `parse` reads it as none, so a version without it sees no warm-up or cool-down.
OFFERED = "cool_down_offered"
_SHAPE = re.compile(r"(warm_up|cool_down):(\d{1,2})")

# Events of a move of the workout itself: after one, no warm-up or cool-down part is under way.
_ENDS_IT = (
    ev.WorkoutStarted,
    ev.WarmUpSkipped,
    ev.SetAnnounced,
    ev.RestStarted,
    ev.ExerciseSkipped,
    ev.MovedBack,
    ev.MovedBackASet,
    ev.FinishTakenBack,
    ev.WentTo,
    ev.StartedOver,
    ev.WorkoutFinished,
    ev.CoolDownLeft,
)


def parse(value: object) -> tuple[str, int] | None:
    """("warm_up" or "cool_down", the part "next" leads) from a stored value; None otherwise."""
    found = _SHAPE.fullmatch(value) if isinstance(value, str) else None
    return None if found is None else (found[1], int(found[2]))


def offered(value: object) -> bool:
    """Whether a stored value is the cool-down offered and not yet answered."""
    return value == OFFERED


def stored(kind: str, part: int) -> str:
    """The stored value of `kind`'s part `part` ("warm_up:1"): what `parse` reads back."""
    return f"{kind}:{part}"


def routine_after(current: str | None, events: Iterable[ev.Event]) -> str | None:
    """The part under way after a move with `events` made during `current`."""
    routine = current
    for event in events:
        if isinstance(event, ev.WarmUpPart | ev.CoolDownPart):
            kind = "warm_up" if isinstance(event, ev.WarmUpPart) else "cool_down"
            routine = stored(kind, event.part + 1) if event.part + 1 < event.parts else None
        elif isinstance(event, ev.WarmUpHeld):
            routine = stored("warm_up", event.part)
        elif isinstance(event, ev.CoolDownOffered):
            routine = OFFERED
        elif isinstance(event, _ENDS_IT):
            routine = None
    return routine
