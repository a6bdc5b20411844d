"""Which exercises caused a runner pain lately, and when: kept in their record beside the
history, so that the coach offers the easier way when the exercise next comes up. A field of the
record's own (not the history's), so that a version without it keeps it and still reads the
history."""

from __future__ import annotations

import math
from collections.abc import Mapping

from skill.coaching.routine import parse as parse_routine
from skill.coaching.routine import stored as stored_routine

# How long the coach remembers that an exercise hurt.
REMEMBERED_SECONDS = 28 * 24 * 3600

Pains = dict[str, float]  # exercise id -> when pain was said in it (epoch seconds)

# Not an exercise: when the runner last stopped for chest pain, feeling faint or trouble
# breathing, told to leave training for the day. A key no exercise has, so that older versions
# read it as an exercise that never comes up.
URGENT = "!urgent"
# How long opening the skill again says that advice again rather than offering to carry on.
URGENT_REMINDED_SECONDS = 12 * 3600


def read(value: object) -> Pains:
    """The stored value as pains; anything else (absent, or not this shape) as none."""
    if not isinstance(value, dict):
        return {}
    return {
        exercise: float(at)
        for exercise, at in value.items()
        if isinstance(exercise, str)
        and exercise
        and isinstance(at, int | float)
        and not isinstance(at, bool)
        and math.isfinite(at)
        and at >= 0
    }


def said(pains: Mapping[str, float], exercise_id: str, at: float) -> Pains:
    """With pain said in `exercise_id` at `at`; older entries past remembering are dropped."""
    kept = {e: t for e, t in pains.items() if at - REMEMBERED_SECONDS < t}
    kept[exercise_id] = at
    return kept


def lately(pains: Mapping[str, float], now: float) -> frozenset[str]:
    """The exercises that caused pain within REMEMBERED_SECONDS of `now`."""
    return frozenset(e for e, at in pains.items() if now - REMEMBERED_SECONDS < at <= now)


def of_exercises(pains: Mapping[str, float]) -> Pains:
    """Pain said of exercises only: not the advice to stop for today, nor a warm-up's or
    cool-down's."""
    return {e: at for e, at in pains.items() if not e.startswith("!")}


def urgent_lately(pains: Mapping[str, float], now: float) -> bool:
    """Whether the runner stopped for chest pain, faintness or breathing within
    URGENT_REMINDED_SECONDS of `now`."""
    at = pains.get(URGENT)
    return at is not None and now - URGENT_REMINDED_SECONDS < at <= now


# Pain said in a warm-up or cool-down: the part held ("warm_up:1", skill.coaching.routine) under
# a key no exercise has, so that older versions read it as an exercise that never comes up.
# While it is the part under way, no more moves are led unasked, in this session or a later one.
IN_ROUTINE = "!in:"
# How long pain said in a cool-down holds it: its session, and a one-shot soon after.
COOL_DOWN_HELD_SECONDS = 30 * 60


def said_in_routine(pains: Mapping[str, float], routine: str, at: float) -> Pains:
    """With pain said at `at` in the warm-up or cool-down part `routine` (the one "next" leads)."""
    return said(answered_in_routine(pains), IN_ROUTINE + routine, at)


def held_in_routine(pains: Mapping[str, float], routine: str | None, now: float) -> bool:
    """Whether the warm-up or cool-down part `routine` is held for pain said in it, and not
    answered since (going on, or not). A warm-up's is remembered as long as an exercise's pain,
    as the workout's place is held for pain mid-workout until the runner moves on; a
    cool-down's only COOL_DOWN_HELD_SECONDS: the workout is over, and a later session starts
    afresh rather than asking about yesterday's stretches."""
    if routine is None:
        return False
    at = pains.get(IN_ROUTINE + routine)
    held = COOL_DOWN_HELD_SECONDS if routine.startswith("cool_down") else REMEMBERED_SECONDS
    return at is not None and now - held < at <= now


def answered_in_routine(pains: Mapping[str, float]) -> Pains:
    """Without pain held in a warm-up or cool-down: the runner answered whether to go on."""
    return {e: at for e, at in pains.items() if not e.startswith(IN_ROUTINE)}


def kept_for(pains: Mapping[str, float], routine: str | None) -> Pains:
    """As kept once a move leaves the warm-up or cool-down at `routine`: pain held in another
    part (one the runner has moved on from) is let go, so that it never holds a later part."""
    part = parse_routine(routine)
    held = None if part is None else IN_ROUTINE + stored_routine(*part)
    return {e: at for e, at in pains.items() if not e.startswith(IN_ROUTINE) or e == held}
