"""A request Alexa (or anyone) sends again, with the same request id, moves nothing: the runner
hears where they are now. A new request counts as ever."""

from __future__ import annotations

import json

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.support import (
    load_record,
    output_speech,
    resolved_intent,
    sqlite_store_of,
)


@pytest.fixture
def app(one_set_in: Flask) -> Flask:
    return one_set_in


def post(client: FlaskClient, body: str) -> str:
    response = client.post("/alexa", data=body, content_type="application/json")
    assert response.status_code == 200, response.data
    return output_speech(response.get_json())


def set_number(app: Flask) -> int:
    progress = load_record(sqlite_store_of(app))["progress"]
    assert isinstance(progress, dict)
    return int(progress["set_number"])


def test_the_same_request_again_moves_nothing(app: Flask) -> None:
    client = app.test_client()
    next_set = json.dumps(resolved_intent("NextSetIntent"))
    assert "Set 3 of 4" in post(client, next_set)
    assert set_number(app) == 3
    again = post(client, next_set)  # a replay, a second later: the same request id
    assert set_number(app) == 3  # set 3 was not counted
    assert "set 3 of 4" in again.lower() and "Rest" not in again
    assert "Set 4 of 4" in post(client, json.dumps(resolved_intent("NextSetIntent")))  # a new one
    assert set_number(app) == 4
