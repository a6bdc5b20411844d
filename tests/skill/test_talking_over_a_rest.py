"""A move-on command said over a rest the coach paces in words starts the set after it: nothing
is counted. The skill tells from the requests' own timestamps: each answer that paces a rest
says in the session when, on that clock, the rest ends."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from harness.envelopes import intent_json
from skill.coaching.coach import SET_ALLOWANCE_SECONDS
from tests.support import (
    ONE_SET_IN,
    alexa_answer,
    load_record,
    output_speech,
    request_envelope,
    save_record,
    sqlite_store_of,
)

SENT = dt.datetime(2026, 12, 6, 9, 0, 0, tzinfo=dt.UTC)
REST_ENDS = SENT.timestamp() + 30  # the rest the last answer paced ends 30 s after `SENT`


@pytest.fixture
def app(make_app: Callable[..., Flask]) -> Flask:
    return make_app(COACH_VERIFY_REQUESTS="0")


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    save_record(sqlite_store_of(app), "amzn1.ask.account.TESTUSER", {"progress": ONE_SET_IN})
    return app.test_client()


def said(
    intent: str, at: dt.datetime | str, attributes: dict[str, Any] | None = None
) -> dict[str, Any]:
    """`intent` said in a conversation, stamped `at`, with the session's `attributes`."""
    return request_envelope(
        "IntentRequest",
        intent=intent_json(intent),
        timestamp=at,
        new_session=False,
        session_attributes=attributes or {},
    )


def sets_done(app: Flask) -> list[int]:
    progress = load_record(sqlite_store_of(app))["progress"]
    assert isinstance(progress, dict)
    return list(progress["sets_by_exercise"])


@pytest.mark.parametrize("intent", ["NextSetIntent", "ReadyIntent", "SkipExerciseIntent"])
def test_said_before_the_rest_ends_it_starts_the_set_and_counts_nothing(
    app: Flask, client: FlaskClient, intent: str
) -> None:
    early = SENT + dt.timedelta(seconds=15)
    body = alexa_answer(client, said(intent, early, {"rest_until": REST_ENDS}))
    speech = output_speech(body)
    assert "Rest over." in speech and "T push-up, set 2 of 4" in speech
    assert sets_done(app) == [1]
    assert "rest_until" not in body["sessionAttributes"]  # the rest is over: "done" counts
    again = alexa_answer(client, said("NextSetIntent", early + dt.timedelta(seconds=40)))
    assert "Set 3 of 4" in output_speech(again)
    assert sets_done(app) == [2]


def test_said_after_the_rest_ended_it_counts_the_set(app: Flask, client: FlaskClient) -> None:
    late = SENT + dt.timedelta(seconds=31)
    body = alexa_answer(client, said("NextSetIntent", late, {"rest_until": REST_ENDS}))
    assert "Set 3 of 4" in output_speech(body)
    assert sets_done(app) == [2]


def test_a_question_over_the_rest_leaves_it_running(app: Flask, client: FlaskClient) -> None:
    early = SENT + dt.timedelta(seconds=10)
    body = alexa_answer(client, said("SetsLeftIntent", early, {"rest_until": REST_ENDS}))
    assert body["sessionAttributes"]["rest_until"] == REST_ENDS
    later = early + dt.timedelta(seconds=8)
    alexa_answer(client, said("NextSetIntent", later, body["sessionAttributes"]))
    assert sets_done(app) == [1]


def test_the_answer_that_paces_a_rest_says_when_it_ends(client: FlaskClient) -> None:
    body = alexa_answer(client, said("NextSetIntent", SENT))
    speech = output_speech(body)
    assert "Rest 30 seconds." in speech and "Set 3 of 4" in speech
    ends = body["sessionAttributes"]["rest_until"] - SENT.timestamp()
    # The praise and "Rest 30 seconds." take a couple of seconds before the 30 s are paced.
    assert 30 < ends < 36


@pytest.mark.parametrize(
    "attributes",
    [{"rest_until": "soon"}, {"rest_until": True}, {"rest_until": [REST_ENDS]}],
    ids=["a string", "a boolean", "a list"],
)
def test_anything_unreadable_counts_the_set_as_before(
    app: Flask, client: FlaskClient, attributes: dict[str, Any]
) -> None:
    body = alexa_answer(client, said("NextSetIntent", SENT, attributes))
    assert "Set 3 of 4" in output_speech(body)
    assert sets_done(app) == [2]


def one_shot_ready(at: float) -> dict[str, Any]:
    """ "Alexa, tell Upper Body Coach I'm ready": a new session, `at` on the coach's clock."""
    stamp = dt.datetime.fromtimestamp(at, dt.UTC)
    return request_envelope("IntentRequest", intent=intent_json("ReadyIntent"), timestamp=stamp)


def test_ready_long_after_the_set_was_announced_asks_whether_it_was_done(
    make_app: Callable[..., Flask],
) -> None:
    announced = float(ONE_SET_IN["last_move_at"])
    later = announced + 30 + SET_ALLOWANCE_SECONDS + 1  # rest, introduction and set all passed
    app = make_app(COACH_VERIFY_REQUESTS="0", COACH_CLOCK=lambda: later)
    save_record(sqlite_store_of(app), "amzn1.ask.account.TESTUSER", {"progress": ONE_SET_IN})
    client = app.test_client()
    body = alexa_answer(client, one_shot_ready(later))
    assert "Have you done T push-up, set 2 of 4, already?" in output_speech(body)
    assert sets_done(app) == [1]
    yes = request_envelope(
        "IntentRequest",
        intent=intent_json("AMAZON.YesIntent"),
        new_session=False,
        session_attributes=body["sessionAttributes"],
    )
    assert "Set 3 of 4" in output_speech(alexa_answer(client, yes))
    assert sets_done(app) == [2]


def test_ready_soon_after_the_set_was_announced_is_go(make_app: Callable[..., Flask]) -> None:
    announced = float(ONE_SET_IN["last_move_at"])
    soon = announced + 30 + SET_ALLOWANCE_SECONDS - 1
    app = make_app(COACH_VERIFY_REQUESTS="0", COACH_CLOCK=lambda: soon)
    save_record(sqlite_store_of(app), "amzn1.ask.account.TESTUSER", {"progress": ONE_SET_IN})
    body = alexa_answer(app.test_client(), one_shot_ready(soon))
    assert "Off you go. T push-up, set 2 of 4" in output_speech(body)
    assert sets_done(app) == [1]


def test_said_before_the_set_is_called_after_an_introduction_it_starts_the_set(
    app: Flask, client: FlaskClient
) -> None:
    """The rest is over, but the next exercise is still being explained: not done either."""
    early = SENT + dt.timedelta(seconds=40)
    attributes = {"rest_until": REST_ENDS, "set_called": REST_ENDS + 45}
    body = alexa_answer(client, said("NextSetIntent", early, attributes))
    speech = output_speech(body)
    assert "Off you go." in speech and "Rest over." not in speech
    assert sets_done(app) == [1]


def test_an_answer_leading_into_a_new_exercise_says_when_its_set_is_called(
    app: Flask, client: FlaskClient
) -> None:
    last_set = {**ONE_SET_IN, "set_number": 4, "sets_by_exercise": [3]}
    save_record(sqlite_store_of(app), "amzn1.ask.account.TESTUSER", {"progress": last_set})
    body = alexa_answer(client, said("NextSetIntent", SENT))
    assert "L-sit chin-up" in output_speech(body)
    attributes = body["sessionAttributes"]
    # The rest, then the chin-up's introduction, then its set 1.
    assert SENT.timestamp() + 30 < attributes["rest_until"] < attributes["set_called"] - 20
