"""Failures that come in runs are logged as a few lines, with true counts, whatever the threads."""

from __future__ import annotations

import logging
import re
import threading

import pytest

from skill.logs import FailureLog

WHAT = "progress store unavailable"


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def log(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    caplog.set_level(logging.INFO, logger="test.failures")
    return caplog


def failures_log(clock: Clock) -> FailureLog:
    return FailureLog(logging.getLogger("test.failures"), WHAT, interval_s=10.0, clock=clock)


def said(lines: list[logging.LogRecord]) -> list[tuple[str, str]]:
    return [(line.levelname, line.getMessage()) for line in lines]


def totals(lines: list[logging.LogRecord]) -> int:
    """The failures the "working again" lines count, all told."""
    found = (re.search(r"working again after (\d+) failures", line.getMessage()) for line in lines)
    return sum(int(match[1]) for match in found if match)


def test_a_30_s_outage_is_four_lines_that_count_every_failure(
    clock: Clock, log: pytest.LogCaptureFixture
) -> None:
    failures = failures_log(clock)
    for k in range(3000):  # 100 failed turns a second for 30 s
        clock.now = k / 100
        failures.failed(ConnectionError(f"refused {k}"))
    clock.now = 30.0
    failures.succeeded()
    assert said(log.records) == [
        ("ERROR", f"{WHAT}: refused 0"),
        ("ERROR", f"{WHAT}: 1000 more failures in the last 10 s, the latest: refused 1000"),
        ("ERROR", f"{WHAT}: 1000 more failures in the last 10 s, the latest: refused 2000"),
        ("WARNING", f"{WHAT}: working again after 3000 failures over 30 s"),
    ]
    # Working on, and failing again much later, start afresh.
    clock.now = 100.0
    failures.succeeded()
    failures.failed(ConnectionError("refused again"))
    assert said(log.records[4:]) == [("ERROR", f"{WHAT}: refused again")]


def test_a_store_that_fails_every_other_turn_gets_a_line_an_interval(
    clock: Clock, log: pytest.LogCaptureFixture
) -> None:
    failures = failures_log(clock)
    for k in range(600):  # a turn every 0.1 s for a minute, every other one failing
        clock.now = k / 10
        if k % 2:
            failures.failed(TimeoutError("timed out"))
        else:
            failures.succeeded()
    clock.now = 100.0
    failures.succeeded()
    assert len(log.records) <= 60 / 10 + 2
    assert totals(log.records) == 300  # every failure in a "working again" total


def test_failures_from_many_threads_are_all_counted(
    clock: Clock, log: pytest.LogCaptureFixture
) -> None:
    failures = failures_log(clock)
    start = threading.Barrier(8)

    def fail_500() -> None:
        start.wait()
        for _ in range(500):
            failures.failed(ConnectionError("refused"))

    threads = [threading.Thread(target=fail_500) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    clock.now = 10.0
    failures.succeeded()
    assert said(log.records) == [
        ("ERROR", f"{WHAT}: refused"),
        ("WARNING", f"{WHAT}: working again after 4000 failures over 0 s"),
    ]


def test_a_clock_set_back_does_not_silence_the_failures(
    clock: Clock, log: pytest.LogCaptureFixture
) -> None:
    failures = failures_log(clock)
    clock.now = 3600.0
    failures.failed(ConnectionError("refused"))
    clock.now = 0.0  # the wall clock set back an hour
    failures.failed(ConnectionError("refused"))
    assert said(log.records)[-1] == (
        "ERROR",
        f"{WHAT}: 1 more failures in the last 0 s, the latest: refused",
    )


def test_nothing_is_logged_while_all_is_well(clock: Clock, log: pytest.LogCaptureFixture) -> None:
    failures = failures_log(clock)
    for k in range(100):
        clock.now = k
        failures.succeeded()
    assert log.records == []
