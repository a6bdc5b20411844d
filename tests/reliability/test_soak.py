"""The soak bench (`bench/soak.py`), run short: a few runners for a few seconds on `make serve`.

The bench's own entry point runs, as `python -m bench.soak` would, and its report is read: every
request answered, none wrong, and the store holding exactly each runner's own place. The same
bench against a server whose store says every save went through but quietly drops some must
fail: a lost set is a wrong answer, or a record that is not where its runner was told it is.
"""

from __future__ import annotations

import itertools
import os
import re
import threading

import pytest
from flask import Flask

from bench import soak
from skill.app import STORE_OBJECT_KEY, create_app
from skill.persistence import Quarantined, SqliteProgressStore, StoredRecord

pytestmark = pytest.mark.slow

RUNNERS = 6
SECONDS = 4
FORGET_EVERY = 5  # the forgetful store drops every fifth save
SHORT_SOAK = ["--runners", str(RUNNERS), "--seconds", str(SECONDS), "--sample-every", "1"]


class ForgetfulStore(SqliteProgressStore):
    """A SQLite store that answers every save as done but skips every FORGET_EVERY-th."""

    def __init__(self, path: str) -> None:
        super().__init__(path)
        self._writes = itertools.count(1)
        self._count_lock = threading.Lock()

    def write(
        self,
        key: str,
        text: str,
        read: StoredRecord | None,
        quarantined: Quarantined | None = None,
    ) -> None:
        with self._count_lock:
            forget = next(self._writes) % FORGET_EVERY == 0
        if not forget:
            super().write(key, text, read, quarantined)


def forgetful_app() -> Flask:
    """The skill on a ForgetfulStore at COACH_DB_PATH (served by `make serve` in the test)."""
    return create_app({STORE_OBJECT_KEY: ForgetfulStore(os.environ["COACH_DB_PATH"])})


def figure(report: str, name: str) -> int:
    found = re.search(rf"^  {name}: (\d+)", report, re.MULTILINE)
    assert found, f"no {name!r} in the report:\n{report}"
    return int(found.group(1))


def test_a_short_soak_on_make_serve_answers_every_request_right(
    capsys: pytest.CaptureFixture[str],
) -> None:
    exit_code = soak.main(SHORT_SOAK)
    report = capsys.readouterr().out
    assert exit_code == 0, report
    assert figure(report, "requests answered") > 0, report
    assert figure(report, "HTTP errors") == 0, report
    assert figure(report, "wrong answers") == 0, report
    assert figure(report, "request ids sent twice") == 0, report
    assert figure(report, "workouts finished") > 0, report
    assert (
        f"store: {RUNNERS} records, {RUNNERS} runners' checked, 0 user ids given up after a"
        " failure, 0 problems" in report
    )


def test_the_soak_fails_on_a_server_that_loses_sets(capsys: pytest.CaptureFixture[str]) -> None:
    exit_code = soak.main([*SHORT_SOAK, "--app", f"{__name__}:forgetful_app()"])
    report = capsys.readouterr().out
    assert exit_code == 1, report
    assert figure(report, "requests answered") > 0, report
    assert figure(report, "HTTP errors") == 0, report  # every lost set was answered as saved
    assert figure(report, "wrong answers") > 0, report
