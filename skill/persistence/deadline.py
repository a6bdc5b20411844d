"""How long the progress store may take in one turn, and resting a store that stopped answering.

Alexa waits about 8 s for an answer; the skill answers within 4 s whatever the store does. A turn
runs inside `turn_deadline()`, and each store call gets only the time left of it (SQLite's busy
timeout; whether a DynamoDB attempt may start). A store that has just failed to answer is rested
(`Breaker`): while it rests, calls fail at once instead of each waiting out a timeout, so a crowd
of runners arriving at a hung store is not answered one timeout after another.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from ask_sdk_core.exceptions import PersistenceException

# Of the 4 s a runner may wait: the rest is the turn's own work and the network to Alexa.
STORE_BUDGET_S = 3.0
# What a turn keeps of that budget for saving the record, however long another call it makes
# (Alexa's Reminders and Settings APIs) would wait: one DynamoDB attempt, its connect and read
# timeouts (dynamodb_store.ATTEMPT_S, which the store needs left before it starts one; SQLite
# needs far less), and a margin for the turn's own work between the call and the save.
SAVE_RESERVE_S = 2.0
# A store that failed to answer is left alone this long, then one call tries it again.
REST_S = 5.0

_deadline: ContextVar[float | None] = ContextVar("store_deadline", default=None)


class StoreDown(PersistenceException):
    """The store is not answering (it timed out, refused, or is resting after doing so)."""


class OutOfTime(StoreDown):
    """The turn has no time left for another store call."""


@contextmanager
def turn_deadline(seconds: float = STORE_BUDGET_S) -> Iterator[None]:
    """Every store call made inside shares `seconds` from now."""
    token = _deadline.set(time.monotonic() + seconds)
    try:
        yield
    finally:
        _deadline.reset(token)


def time_left(otherwise: float) -> float:
    """Seconds left of the turn's store budget; `otherwise` outside a turn (tools, tests)."""
    deadline = _deadline.get()
    return otherwise if deadline is None else deadline - time.monotonic()


def time_to_spend(most: float, keep: float = SAVE_RESERVE_S) -> float:
    """How long a call that is not the store's (an Alexa API) may wait in this turn: at most
    `most`, and no longer than leaves `keep` of the turn's budget for the save (0 or less: no
    time for it). `most` outside a turn."""
    deadline = _deadline.get()
    if deadline is None:
        return most
    return min(most, deadline - keep - time.monotonic())


class Breaker:
    """Fails calls at once for `rest_s` after one timed out waiting for the store; then lets a
    single call through to find out whether the store is back (the others keep failing fast
    until it answers). Failures that come fast (refused, read-only) need no rest: they cost no
    waiting. Shared by every thread of a process."""

    def __init__(self, rest_s: float = REST_S, clock: Callable[[], float] = time.monotonic):
        self.rest_s = rest_s
        self._clock = clock
        self._lock = threading.Lock()
        self._resting_until: float | None = None  # None: the store is answering
        self._trying = False  # a call is finding out whether the store is back

    def allow(self) -> bool:
        """Whether a call may go to the store now (if so, report how it went)."""
        with self._lock:
            if self._resting_until is None:
                return True
            if self._trying or self._clock() < self._resting_until:
                return False
            self._trying = True
            return True

    def answered(self) -> None:
        """The store answered, even if with an error."""
        with self._lock:
            self._resting_until = None
            self._trying = False

    def timed_out(self) -> None:
        with self._lock:
            self._resting_until = self._clock() + self.rest_s
            self._trying = False
