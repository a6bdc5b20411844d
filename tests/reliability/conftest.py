"""Fixtures for tests that must hold on both progress stores."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from skill.app import create_app
from skill.config import Settings
from skill.persistence import RecordStore, SqliteProgressStore
from skill.persistence.dynamodb_store import make_dynamodb_store
from tests.support import ONE_SET_IN, USER_ID, save_record, sqlite_store_of
from tests.support.moto import FAKE_AWS_ENV, MotoServer, moto_fixture
from tests.support.servers import progress_table_properties

# Serial: tests here race conditional writes, which only DynamoDB-like (serial per item) holds.
moto = moto_fixture(serial=True)


@pytest.fixture(params=["sqlite", "dynamodb"])
def either_store(
    request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[RecordStore]:
    """Each store the skill ships with: a SQLite file, and a DynamoDB table on moto_server
    made as serverless.yml makes it."""
    if request.param == "sqlite":
        sqlite = SqliteProgressStore(tmp_path / "coach.sqlite3")
        yield sqlite
        sqlite.close()
        return
    server: MotoServer = request.getfixturevalue("moto")
    for name, value in FAKE_AWS_ENV.items():
        monkeypatch.setenv(name, value)
    table = f"progress-{uuid.uuid4().hex[:12]}"
    store = make_dynamodb_store(
        Settings(store="dynamodb", dynamodb_table=table, dynamodb_endpoint=server.endpoint)
    )
    # Made with the store's own client (boto3 and a waiter cost half a second a test): moto
    # makes a table active at once.
    properties = progress_table_properties()
    store._client.create_table(
        TableName=table,
        AttributeDefinitions=properties["AttributeDefinitions"],
        KeySchema=properties["KeySchema"],
        BillingMode=properties["BillingMode"],
    )
    yield store


@pytest.fixture
def coach_on(either_store: RecordStore, coach_env: pytest.MonkeyPatch) -> FlaskClient:
    """The skill in process on `either_store`, request verification off."""
    app = create_app({"COACH_VERIFY_REQUESTS": "0", "COACH_STORE_OBJECT": either_store})
    return app.test_client()


@pytest.fixture
def one_set_in(make_app: Callable[..., Flask]) -> Flask:
    """The app, verification off, with the test runner one set into the bodyweight workout."""
    app = make_app(COACH_VERIFY_REQUESTS="0")
    save_record(sqlite_store_of(app), USER_ID, {"progress": ONE_SET_IN})
    return app
