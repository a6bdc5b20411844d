"""The store's health as `GET /` reports it.

A check writes, as a turn's save does (a full disk or a role that may only read fails it), and
`GET /` is public: on DynamoDB every check would be a billed write to one item, and a flood of
them could throttle that item and fail every server's check while runners' items are fine. So a
passing verdict is kept for a few seconds, unless a turn's store call has failed since; a failing
one is never kept, so the next `GET /` checks again.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from skill.persistence.store import RecordStore

KEEP_PASSING_S = 5.0


class StoreHealth:
    """`store.check()` at most once every `keep_s` seconds while it passes. `failures` counts
    the turns whose store calls have failed (skill.logs.FailureLog.total)."""

    def __init__(
        self,
        store: RecordStore,
        failures: Callable[[], int],
        keep_s: float = KEEP_PASSING_S,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.store = store
        self.failures = failures
        self.keep_s = keep_s
        self.clock = clock
        self._lock = threading.Lock()
        self._passed: tuple[float, int] | None = None  # when, and the turns failed by then

    def check(self) -> None:
        """Raise StoreUnhealthy if the store cannot serve turns."""
        now, failed = self.clock(), self.failures()
        with self._lock:
            passed = self._passed
        if passed is not None and now - passed[0] < self.keep_s and passed[1] == failed:
            return
        with self._lock:
            self._passed = None
        self.store.check()  # raises: nothing is kept
        with self._lock:
            self._passed = (now, failed)
