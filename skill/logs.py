"""Failures that come in runs, logged as a few lines rather than one each.

When the progress store is down every turn fails the same way: a 30 s DynamoDB outage under load
logged thousands of ERROR lines, one a turn, which bury whatever else the log says and cost
money where logs are billed by the line. A `FailureLog` says the first failure of a run at ERROR,
then at most one line an interval with how many more there were, and a line when things work
again, with the run's total. It says no traceback: an outage is no bug in the skill, and its
error names the cause. Any number of threads may report to one.
"""

from __future__ import annotations

import logging
import math
import threading
import time
from collections.abc import Callable

INTERVAL_S = 10.0


class FailureLog:
    """Logs failures of one kind (`what`, e.g. "progress store unavailable") to `logger`, at
    most one line every `interval_s` seconds of `clock`: the first failure after a quiet
    interval as it is, the later ones as a count, and the first success after them with the
    run's total (so a store that fails every other turn still gets a line an interval, not one
    a turn)."""

    def __init__(
        self,
        logger: logging.Logger,
        what: str,
        interval_s: float = INTERVAL_S,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.logger = logger
        self.what = what
        self.interval_s = interval_s
        self.clock = clock
        self._lock = threading.Lock()
        self._run_began: float | None = None  # the run's first failure; None: no run
        self._last_failure = 0.0
        self._failures = 0  # in the run
        self._unsaid = 0  # failures in the run not yet in a line
        self._last_line = -math.inf
        self.total = 0  # failures ever reported, for whoever needs to know one happened since

    def failed(self, error: BaseException) -> None:
        with self._lock:
            now = self.clock()
            if self._run_began is None:
                self._run_began = now
            self._failures += 1
            self.total += 1
            self._last_failure = now
            if self._quiet(now):
                self._unsaid += 1
            elif self._failures == 1:
                self._line(now, logging.ERROR, "%s: %s", self.what, error)
            else:
                more, since = self._unsaid + 1, max(0.0, now - self._last_line)
                self._line(
                    now,
                    logging.ERROR,
                    "%s: %d more failures in the last %.0f s, the latest: %s",
                    self.what,
                    more,
                    since,
                    error,
                )

    def succeeded(self) -> None:
        with self._lock:
            now = self.clock()
            if self._run_began is None or self._quiet(now):
                return
            self._line(
                now,
                logging.WARNING,
                "%s: working again after %d failures over %.0f s",
                self.what,
                self._failures,
                max(0.0, self._last_failure - self._run_began),
            )
            self._run_began = None
            self._failures = 0

    def _quiet(self, now: float) -> bool:
        """Too soon after the last line for another. A clock set back (the coach's is the
        wall clock) ends the wait rather than stretching it."""
        return 0 <= now - self._last_line < self.interval_s

    def _line(self, now: float, level: int, message: str, *args: object) -> None:
        self.logger.log(level, message, *args)
        self._unsaid = 0
        self._last_line = now
