"""User ids and skill ids: odd user ids get the real coach on both stores, and a request whose
session names another skill is refused on both entry points.

Every runner here talks to the web app in process, through real request envelopes, on SQLite and
on DynamoDB (moto_server): a lone-surrogate user id (JSON's `\\ud800`, which no UTF-8 store can
hold) and a 10,000-character one (over DynamoDB's 2048-byte key limit) each hear the same
workout any runner hears, their record is filed under `sha256:` and the id's SHA-256 on both
stores, and a real id's record is filed under exactly that id. The hostile table
(test_hostile.py) holds the web app's refusals of other skills' sessions; Lambda's is here.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from harness.envelopes import intent_json
from skill import lambda_function
from skill.alexa.skill_builder import OtherSkillRequest
from tests.support import (
    SKILL_ID,
    USER_ID,
    ListeningClock,
    output_speech,
    request_envelope,
    resolved_intent,
)
from tests.support.moto import FAKE_AWS_ENV, MotoServer, moto_fixture
from tests.support.servers import REGION, dynamodb_records, new_table, sqlite_records

LONE_SURROGATE_ID = "amzn1.ask.account.AHX3QKZ5\ud800TQ2N7R4Y"
LONG_ID = "amzn1.ask.account." + "A" * (10_000 - len("amzn1.ask.account."))
USER_IDS = {"lone-surrogate": LONE_SURROGATE_ID, "10000-characters": LONG_ID, "real": USER_ID}
OTHER_SKILL = "amzn1.ask.skill.someone-else"

moto = moto_fixture()

Records = Callable[[], dict[str, dict[str, Any]]]


def expected_key(user_id: str) -> str:
    """Where the runner's record must be: a real id as it is, any other by its SHA-256."""
    if user_id == USER_ID:
        return USER_ID
    return "sha256:" + hashlib.sha256(user_id.encode("utf-8", "surrogatepass")).hexdigest()


@pytest.fixture(params=["sqlite", "dynamodb"])
def store(
    request: pytest.FixtureRequest,
    make_app: Callable[..., Flask],
    coach_env: pytest.MonkeyPatch,
    tmp_path: Path,
) -> tuple[Flask, Records]:
    """The web app (verification off: these are ids, not signatures) on one store, and a
    reader of every record that store holds, by key."""
    if request.param == "sqlite":
        path = tmp_path / "ids.sqlite3"
        return make_app(COACH_VERIFY_REQUESTS="0", COACH_DB_PATH=path), lambda: sqlite_records(path)
    server: MotoServer = request.getfixturevalue("moto")
    for name, value in FAKE_AWS_ENV.items():
        coach_env.setenv(name, value)
    table = new_table(server.endpoint)
    app = make_app(
        COACH_VERIFY_REQUESTS="0",
        COACH_STORE="dynamodb",
        COACH_DYNAMODB_TABLE=table,
        COACH_DYNAMODB_ENDPOINT=server.endpoint,
        COACH_AWS_REGION=REGION,
    )
    return app, lambda: dynamodb_records(server.endpoint, table)


class Runner:
    """One runner's turns, carrying session attributes within a session as Alexa does."""

    def __init__(self, client: FlaskClient, user_id: str) -> None:
        self.client = client
        self.user_id = user_id
        self.attributes: dict[str, Any] = {}
        self.clock = ListeningClock()

    def launch(self) -> str:
        return self.send(request_envelope("LaunchRequest", user_id=self.user_id))

    def say(self, intent: str, *, one_shot: bool = False, **slots: str) -> str:
        """An intent in the open session, or with `one_shot` a new session ("Alexa, tell upper
        body coach ...")."""
        envelope = resolved_intent(intent, user_id=self.user_id, **slots)
        envelope["session"]["new"] = one_shot
        envelope["session"]["attributes"] = {} if one_shot else self.attributes
        return self.send(envelope)

    def send(self, envelope: dict[str, Any]) -> str:
        body = json.dumps(self.clock.stamp(envelope))  # ensure_ascii: a lone surrogate: \ud800
        response = self.client.post("/alexa", data=body, content_type="application/json")
        assert response.status_code == 200, response.data
        payload = response.get_json()
        self.clock.heard(payload)
        self.attributes = payload.get("sessionAttributes") or {}
        return output_speech(payload)


@pytest.mark.parametrize("user_id", USER_IDS.values(), ids=list(USER_IDS))
def test_any_user_id_hears_the_real_coach_and_is_stored_under_its_key(
    store: tuple[Flask, Records], user_id: str, caplog: pytest.LogCaptureFixture
) -> None:
    app, records = store
    caplog.set_level(logging.WARNING)
    caplog.clear()  # the app's own warning that verification is off
    runner = Runner(app.test_client(), user_id)

    assert "Welcome to Upper Body Coach" in runner.launch()
    assert "Warm-up, part 1 of 2" in runner.say("StartWorkoutIntent", workout="bodyweight")
    assert "Set 1 of 4" in runner.say("SkipWarmUpIntent")
    assert "Set 2 of 4" in runner.say("NextSetIntent")
    # New sessions: the place comes from the store, under the same key.
    assert "You're on T push-up, exercise 1 of 6, set 2 of 4" in runner.say(
        "StatusIntent", one_shot=True
    )
    assert "Set 3 of 4" in runner.say("NextSetIntent", one_shot=True)
    assert "T push-up, exercise 1 of 6, set 3 of 4" in runner.say("StatusIntent", one_shot=True)

    assert list(records()) == [expected_key(user_id)]
    assert [record.getMessage() for record in caplog.records] == []


def test_a_record_stored_under_a_real_id_is_still_found(
    store: tuple[Flask, Records],
) -> None:
    """Records saved before keys were derived were filed under the id itself."""
    app, records = store
    runner = Runner(app.test_client(), USER_ID)
    runner.say("StartWorkoutIntent", workout="dumbbell")
    runner.say("SkipWarmUpIntent")
    runner.say("NextSetIntent")
    assert list(records()) == [USER_ID]
    speech = Runner(app.test_client(), USER_ID).say("StatusIntent", one_shot=True)
    assert "You're on dumbbell shoulder press, exercise 1 of 6, set 2 of 3" in speech


# ---- another skill's session, on Lambda -------------------------------------------------------


@pytest.fixture
def lambda_handler(coach_env: pytest.MonkeyPatch, tmp_path: Path) -> lambda_function.LambdaHandler:
    return lambda_function.make_handler(
        {
            "COACH_STORE": "sqlite",
            "COACH_DB_PATH": str(tmp_path / "lambda.sqlite3"),
            "COACH_SKILL_ID": SKILL_ID,
        }
    )


def other_skills_session(request_type: str = "LaunchRequest") -> dict[str, Any]:
    event = request_envelope(request_type, intent=intent_json("NextSetIntent"))
    if request_type == "LaunchRequest":
        del event["request"]["intent"]
    event["session"]["application"]["applicationId"] = OTHER_SKILL
    return event


@pytest.mark.parametrize("request_type", ["LaunchRequest", "IntentRequest"])
def test_lambda_refuses_a_session_for_another_skill_as_it_refuses_a_context(
    lambda_handler: lambda_function.LambdaHandler, tmp_path: Path, request_type: str
) -> None:
    lambda_handler(resolved_intent("StartWorkoutIntent", workout="bodyweight"), None)
    before = sqlite_records(tmp_path / "lambda.sqlite3")
    assert list(before) == [USER_ID]
    # Lambda has no status code: an invocation error, as the SDK's own context check gives.
    with pytest.raises(OtherSkillRequest, match="Skill ID Verification failed: session"):
        lambda_handler(other_skills_session(request_type), None)
    context = other_skills_session(request_type)
    context["context"]["System"]["application"]["applicationId"] = OTHER_SKILL
    context["session"]["application"]["applicationId"] = SKILL_ID
    with pytest.raises(OtherSkillRequest, match="Skill ID Verification failed: context"):
        lambda_handler(context, None)
    assert sqlite_records(tmp_path / "lambda.sqlite3") == before  # nothing stored


def test_lambda_answers_this_skills_session_and_a_request_without_one(
    lambda_handler: lambda_function.LambdaHandler,
) -> None:
    """The control: the check refuses only another skill's id."""
    answer = lambda_handler(request_envelope("LaunchRequest"), None)
    assert "Welcome to Upper Body Coach" in str(answer["response"]["outputSpeech"]["ssml"])
    no_session = request_envelope("LaunchRequest")
    del no_session["session"]
    answer = lambda_handler(no_session, None)
    assert "Welcome to Upper Body Coach" in str(answer["response"]["outputSpeech"]["ssml"])
