"""A store outage is a few lines in the log, not one a failed turn.

Before, every turn that could not reach the store logged an ERROR line: a 30 s DynamoDB outage
under load logged about 4,900 (bench.outage_logs). Now the first failure is logged as it is,
then a line every 10 s with how many more failed, and a line when the store answers again with
the outage's total (skill.logs.FailureLog, on the coach's clock, which this test sets).
"""

from __future__ import annotations

import logging
import re
from typing import Any

import pytest

from skill.app import create_app
from skill.persistence import StoreDown, StoredRecord
from tests.support import (
    ONE_SET_IN,
    USER_ID,
    RecordingStore,
    alexa_answer,
    output_speech,
    resolved_intent,
    save_record,
)

START = 1_800_000_000.0
TURNS = 1000
TURN_S = 0.03  # 1,000 failed turns in 30 s
APOLOGY = "can't reach your saved workouts"
DOWN = "could not read progress in DynamoDB table progress: Could not connect to the endpoint URL"
FULL = "could not save progress in coach.sqlite3: database or disk is full"


class Clock:
    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


class StoreThatGoesAway(RecordingStore):
    down = False

    def read(self, key: str) -> StoredRecord | None:
        if self.down:
            raise StoreDown(DOWN)
        return super().read(key)


class StoreThatCannotSave(RecordingStore):
    """Reads answer and every save fails: a full disk, or a role that may only read."""

    def write(
        self, key: str, text: str, read: StoredRecord | None, quarantined: Any = None
    ) -> None:
        raise StoreDown(FULL)


def one_set_in(store: RecordingStore, clock: Clock, caplog: pytest.LogCaptureFixture) -> Any:
    """A test client of the app on `store`, its runner a set in, the coach's log captured."""
    save_record(store, USER_ID, {"progress": ONE_SET_IN})
    app = create_app(
        {"COACH_VERIFY_REQUESTS": "0", "COACH_STORE_OBJECT": store, "COACH_CLOCK": clock}
    )
    caplog.set_level(logging.INFO, logger="skill.alexa.skill_builder")
    return app.test_client()


def test_a_30_s_store_outage_logs_a_few_lines_that_count_every_failed_turn(
    coach_env: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    store = StoreThatGoesAway()
    clock = Clock(START)
    client = one_set_in(store, clock, caplog)

    store.down = True
    for k in range(TURNS):
        clock.now = START + k * TURN_S
        assert APOLOGY in output_speech(alexa_answer(client, resolved_intent("NextSetIntent")))
    store.down = False
    clock.now = START + 60  # the runner tries again a minute later
    assert "Set 3 of 4" in output_speech(alexa_answer(client, resolved_intent("NextSetIntent")))

    lines = [(r.levelname, r.getMessage()) for r in caplog.records]
    errors = [message for level, message in lines if level == "ERROR"]
    assert len(errors) <= 30 / 10 + 1  # was one a turn: 1,000
    assert errors[0] == f"progress store unavailable: {DOWN}"
    more = [int(m[1]) for e in errors if (m := re.search(r": (\d+) more failures in the last", e))]
    assert len(more) == len(errors) - 1 and 1 + sum(more) <= TURNS
    assert lines[-1] == (
        "WARNING",
        f"progress store unavailable: working again after {TURNS} failures over 30 s",
    )


def test_a_store_that_reads_but_cannot_save_stays_an_error_in_the_log(
    coach_env: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    # Every turn reads and then fails to save: no "working again" while runners hear the apology.
    store = StoreThatCannotSave()
    clock = Clock(START)
    client = one_set_in(store, clock, caplog)
    for k in range(TURNS):
        clock.now = START + k * TURN_S
        assert APOLOGY in output_speech(alexa_answer(client, resolved_intent("NextSetIntent")))

    lines = [(r.levelname, r.getMessage()) for r in caplog.records if r.name.endswith("builder")]
    assert [level for level, _ in lines] == ["ERROR"] * len(lines)
    assert 2 <= len(lines) <= 30 / 10 + 1
    assert lines[0][1] == f"progress store unavailable: {FULL}"
