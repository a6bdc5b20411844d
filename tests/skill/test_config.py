"""Settings: every field is read from its COACH_* variable by its own parser, bad text is an
error naming the variable, and overrides that are not text are taken as they are."""

from __future__ import annotations

from dataclasses import Field, fields
from pathlib import Path
from typing import Any

import pytest

from skill.config import PARSE, Settings, SettingsError, env_name, load_settings

SETTINGS = {setting.name: setting for setting in fields(Settings)}

# What each variable's text reads as, the way docs/settings.md documents it.
READS_AS: dict[str, list[tuple[str, object]]] = {
    "verify_requests": [
        ("1", True),
        ("0", False),
        ("true", True),
        ("False", False),
        (" yes ", True),
        ("off", False),
    ],
    "skill_id": [("amzn1.ask.skill.abc", "amzn1.ask.skill.abc"), ("", None)],
    "store": [("sqlite", "sqlite"), ("dynamodb", "dynamodb")],
    "db_path": [("/data/coach.sqlite3", Path("/data/coach.sqlite3"))],
    "dynamodb_table": [("my-table", "my-table")],
    "dynamodb_endpoint": [("http://localhost:8000", "http://localhost:8000"), ("", None)],
    "aws_region": [("eu-west-1", "eu-west-1")],
    "dev_ca_path": [("var/dev-identity", Path("var/dev-identity")), ("", None)],
    "alexa_api_ca_path": [("var/apis-ca.pem", Path("var/apis-ca.pem")), ("", None)],
    "max_body_bytes": [("2048", 2048), (" 4096 ", 4096)],
    "audio_base_url": [("https://coach.example/audio/", "https://coach.example/audio"), ("", None)],
    "audio_dir": [("/srv/coach/audio", Path("/srv/coach/audio"))],
}

REFUSED: list[tuple[str, str]] = [
    ("verify_requests", "maybe"),
    ("verify_requests", ""),
    ("store", "redis"),
    ("store", "SQLite"),
    ("max_body_bytes", "64k"),
    ("max_body_bytes", "1.5"),
    ("max_body_bytes", ""),
    ("audio_base_url", "http://coach.example/audio"),
]


@pytest.mark.parametrize("setting", SETTINGS.values(), ids=list(SETTINGS))
def test_every_setting_has_a_parser_that_reads_its_default_back(setting: Field[Any]) -> None:
    parse = setting.metadata.get(PARSE)
    assert callable(parse), f"{setting.name} names no parser"
    text = "" if setting.default is None else str(setting.default)
    assert parse(text) == setting.default


def test_every_setting_has_read_cases_here() -> None:
    assert set(READS_AS) == set(SETTINGS)


@pytest.mark.parametrize(
    ("name", "text", "value"),
    [(name, text, value) for name, cases in READS_AS.items() for text, value in cases],
)
def test_each_variable_reads_as_documented(name: str, text: str, value: object) -> None:
    settings = load_settings({env_name(SETTINGS[name]): text})
    assert getattr(settings, name) == value
    assert type(getattr(settings, name)) is type(value)


@pytest.mark.parametrize(("name", "text"), REFUSED)
def test_bad_text_is_an_error_naming_the_variable(name: str, text: str) -> None:
    variable = env_name(SETTINGS[name])
    with pytest.raises(SettingsError, match=variable) as from_env:
        load_settings({variable: text})
    assert repr(text) in str(from_env.value)  # says what it got
    with pytest.raises(SettingsError, match=variable):
        load_settings({}, {name: text})  # the same text as an override


def test_overrides_that_are_not_text_are_taken_as_they_are(tmp_path: Path) -> None:
    settings = load_settings(
        {"COACH_VERIFY_REQUESTS": "1", "COACH_MAX_BODY_BYTES": "5000"},
        {
            "verify_requests": False,
            "max_body_bytes": 2048,
            "db_path": tmp_path / "coach.sqlite3",
            "dev_ca_path": tmp_path,
        },
    )
    assert settings.verify_requests is False
    assert settings.max_body_bytes == 2048
    assert settings.db_path == tmp_path / "coach.sqlite3"
    assert settings.dev_ca_path == tmp_path


def test_unset_variables_keep_the_defaults() -> None:
    assert load_settings({"UNRELATED": "x", "COACH": "y"}) == Settings()


def test_unknown_override_is_an_error() -> None:
    with pytest.raises(SettingsError, match="'verify_request'"):
        load_settings({}, {"verify_request": "0"})
