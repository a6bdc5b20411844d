"""The Flask app: routes, status codes, layered settings, the verification-off banner."""

from __future__ import annotations

import io
import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from harness.signing import DevIdentity
from skill.alexa.skill_builder import CoachSkill
from skill.alexa.skill_builder import build_skill as real_build_skill
from skill.app import EXTENSION_KEY, VERIFICATION_OFF_BANNER
from skill.config import Settings, SettingsError
from skill.persistence.sqlite_store import SqliteProgressStore
from tests.support import (
    SKILL_ID,
    RecordingStore,
    count_dispatches,
    envelope_body,
    output_speech,
    request_envelope,
)
from tests.support.signing import signed_headers

JSON = "application/json"
AppFactory = Callable[..., Flask]


def _launch() -> bytes:
    return envelope_body(request_envelope("LaunchRequest"))


def test_health(client: FlaskClient) -> None:
    response = client.get("/")
    assert response.status_code == 200
    assert response.content_type == JSON
    assert response.get_json() == {
        "status": "ok",
        "service": "upper-body-coach",
        "store": "ok",
        "verify_requests": True,
        "skill_id_check": False,
    }


def test_health_does_not_reveal_the_skill_id(make_app: AppFactory) -> None:
    response = make_app(COACH_SKILL_ID=SKILL_ID).test_client().get("/")
    assert response.get_json()["skill_id_check"] is True
    assert SKILL_ID not in response.get_data(as_text=True)


def test_get_alexa_is_405_with_allow_header(client: FlaskClient) -> None:
    response = client.get("/alexa")
    assert response.status_code == 405
    assert "POST" in response.headers["Allow"]
    assert response.get_json() == {"error": "Method Not Allowed"}


@pytest.mark.parametrize(
    "content_type",
    [None, "text/plain", "application/x-www-form-urlencoded", "application/json; charset=latin-1"],
)
def test_wrong_content_type_is_415(
    client: FlaskClient,
    app: Flask,
    dev_identity: DevIdentity,
    monkeypatch: pytest.MonkeyPatch,
    content_type: str | None,
) -> None:
    dispatched = count_dispatches(app, monkeypatch)
    body = _launch()
    headers = signed_headers(dev_identity, body)
    del headers["Content-Type"]
    if content_type is not None:
        headers["Content-Type"] = content_type
    response = client.post("/alexa", data=body, headers=headers)
    assert response.status_code == 415
    assert response.get_json() == {"error": "Unsupported Media Type"}
    assert dispatched == []


@pytest.mark.parametrize("content_type", ["application/json", "application/json; charset=UTF-8"])
def test_json_content_type_with_or_without_charset_is_accepted(
    client: FlaskClient, dev_identity: DevIdentity, content_type: str
) -> None:
    body = _launch()
    headers = signed_headers(dev_identity, body) | {"Content-Type": content_type}
    response = client.post("/alexa", data=body, headers=headers)
    assert response.status_code == 200
    assert response.content_type == JSON
    assert "Welcome" in output_speech(response.get_json())


def _small_app(make_app: AppFactory) -> Flask:
    return make_app(COACH_VERIFY_REQUESTS=False, COACH_MAX_BODY_BYTES=1024)


def test_oversized_body_is_413(make_app: AppFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    app = _small_app(make_app)
    dispatched = count_dispatches(app, monkeypatch)
    envelope = request_envelope("LaunchRequest", padding="x" * 2048)
    response = app.test_client().post("/alexa", data=envelope_body(envelope), content_type=JSON)
    assert response.status_code == 413
    assert response.get_json() == {"error": "Request Entity Too Large"}
    assert dispatched == []


def test_oversized_body_without_content_length_is_413(
    make_app: AppFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = _small_app(make_app)
    dispatched = count_dispatches(app, monkeypatch)
    envelope = request_envelope("LaunchRequest", padding="x" * 2048)
    response = app.test_client().post(
        "/alexa",
        input_stream=io.BytesIO(envelope_body(envelope)),
        content_type=JSON,
        environ_overrides={"wsgi.input_terminated": True},  # as a server does for chunked bodies
    )
    assert response.status_code == 413
    assert dispatched == []


def test_body_at_the_limit_is_accepted(make_app: AppFactory) -> None:
    app = _small_app(make_app)
    body = envelope_body(request_envelope("LaunchRequest"))
    body = body[:-1] + b" " * (1024 - len(body)) + b"}"  # JSON allows the padding
    assert len(body) == 1024
    response = app.test_client().post("/alexa", data=body, content_type=JSON)
    assert response.status_code == 200


@pytest.mark.parametrize(
    ("body", "error"),
    [
        (b"\xff\xfe{}", "body is not UTF-8 JSON"),
        (b'{"version": "1.0", "request": ', "body is not UTF-8 JSON"),
        (b"", "body is not UTF-8 JSON"),
        (b"[1, 2, 3]", "body is not an Alexa request envelope"),
        (b'"LaunchRequest"', "body is not an Alexa request envelope"),
        (b'{"version": "1.0"}', "body is not an Alexa request envelope"),
        (
            b'{"version": "1.0", "request": {"type": "LaunchRequest"}}',
            "body is not an Alexa request envelope",
        ),
    ],
)
def test_broken_or_non_envelope_body_is_400(
    client: FlaskClient, app: Flask, monkeypatch: pytest.MonkeyPatch, body: bytes, error: str
) -> None:
    dispatched = count_dispatches(app, monkeypatch)
    response = client.post("/alexa", data=body, content_type=JSON)
    assert response.status_code == 400
    assert response.get_json() == {"error": error}
    assert dispatched == []


def test_envelope_without_context_is_400(client: FlaskClient) -> None:
    envelope = request_envelope("LaunchRequest")
    del envelope["context"]
    response = client.post("/alexa", data=envelope_body(envelope), content_type=JSON)
    assert response.status_code == 400
    assert response.get_json() == {"error": "body is not an Alexa request envelope"}


def test_unreadable_envelope_field_is_400(
    make_app: AppFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = make_app(COACH_VERIFY_REQUESTS=False)
    dispatched = count_dispatches(app, monkeypatch)
    envelope = request_envelope("LaunchRequest", timestamp="not a time")
    response = app.test_client().post("/alexa", data=envelope_body(envelope), content_type=JSON)
    assert response.status_code == 400
    assert response.get_json() == {"error": "malformed request envelope"}
    assert dispatched == []


def test_verification_off_accepts_unsigned_requests_and_says_so_loudly(
    make_app: AppFactory,
    coach_env: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    coach_env.setenv("COACH_VERIFY_REQUESTS", "0")
    with caplog.at_level(logging.WARNING, logger="skill.app"):
        app = make_app(COACH_DEV_CA_PATH=None, COACH_CERT_CHAINS=None)
    assert "REQUEST VERIFICATION IS OFF — local testing only" in capsys.readouterr().err
    assert "verification is off" in caplog.text
    assert app.extensions[EXTENSION_KEY].settings.verify_requests is False

    response = app.test_client().post("/alexa", data=_launch(), content_type=JSON)
    assert response.status_code == 200
    assert "Welcome" in output_speech(response.get_json())
    assert "VERIFICATION" not in capsys.readouterr().err  # once, at start-up only


def test_verification_on_prints_no_banner(
    app: Flask, capsys: pytest.CaptureFixture[str], client: FlaskClient
) -> None:
    client.post("/alexa", data=_launch(), content_type=JSON)
    assert VERIFICATION_OFF_BANNER.strip() not in capsys.readouterr().err


def test_unsigned_request_is_refused_by_default(client: FlaskClient) -> None:
    response = client.post("/alexa", data=_launch(), content_type=JSON)
    assert response.status_code == 400
    assert response.get_json() == {"error": "request verification failed"}


def test_settings_are_layered_defaults_env_then_test_config(
    make_app: AppFactory, coach_env: pytest.MonkeyPatch
) -> None:
    coach_env.setenv("COACH_MAX_BODY_BYTES", "5000")
    coach_env.setenv("COACH_AWS_REGION", "eu-west-1")
    app = make_app(COACH_MAX_BODY_BYTES=2048)
    settings = app.extensions[EXTENSION_KEY].settings
    assert isinstance(settings, Settings)
    assert settings.max_body_bytes == 2048  # test_config beats the environment
    assert settings.aws_region == "eu-west-1"  # the environment beats the default
    assert settings.dynamodb_table == Settings().dynamodb_table  # the default
    assert app.config["TESTING"] is True
    assert app.extensions[EXTENSION_KEY].settings is settings


def test_unknown_coach_setting_in_test_config_is_an_error(make_app: AppFactory) -> None:
    with pytest.raises(SettingsError, match="verify_request"):
        make_app(COACH_VERIFY_REQUEST=False)


def test_unreadable_dev_ca_is_an_error_at_start_up(make_app: AppFactory, tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match="COACH_DEV_CA_PATH"):
        make_app(COACH_DEV_CA_PATH=tmp_path / "missing.pem", COACH_STORE_OBJECT=None)


def test_the_skill_is_built_once(make_app: AppFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    built: list[CoachSkill] = []

    def build(settings: Settings, store: Any, service: Any) -> CoachSkill:
        built.append(real_build_skill(settings, store, service))
        return built[-1]

    monkeypatch.setattr("skill.app.build_skill", build)
    client = make_app(COACH_VERIFY_REQUESTS=False).test_client()
    for _ in range(3):
        assert client.post("/alexa", data=_launch(), content_type=JSON).status_code == 200
    assert len(built) == 1


def test_a_store_from_test_config_is_the_one_the_app_uses(
    make_app: AppFactory,
) -> None:
    store = RecordingStore()
    app = make_app(COACH_VERIFY_REQUESTS=False, COACH_STORE_OBJECT=store)
    assert app.extensions[EXTENSION_KEY].store is store


def test_the_skill_stores_progress_where_the_settings_say(
    make_app: AppFactory, tmp_path: Path
) -> None:
    database = tmp_path / "elsewhere.sqlite3"
    app = make_app(COACH_VERIFY_REQUESTS=False, COACH_DB_PATH=database)
    store = app.extensions[EXTENSION_KEY].store
    assert isinstance(store, SqliteProgressStore)
    assert Path(store.path) == database


def test_a_failing_skill_is_a_json_500_without_traceback(
    make_app: AppFactory,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    app = make_app(COACH_VERIFY_REQUESTS=False)
    skill = app.extensions[EXTENSION_KEY].skill

    def explode(asked: Any) -> Any:
        raise RuntimeError("secret internal detail")

    monkeypatch.setattr(skill, "answer", explode)
    response = app.test_client().post("/alexa", data=_launch(), content_type=JSON)
    assert response.status_code == 500
    assert response.get_json() == {"error": "internal error"}
    assert "secret" not in response.get_data(as_text=True)
    assert "secret internal detail" in caplog.text  # logged, with its traceback
    assert "Traceback" in caplog.text or caplog.records[-1].exc_info is not None
