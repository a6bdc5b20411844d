"""Settings, layered: defaults, then COACH_* environment variables, then explicit overrides.

The Flask app and the Lambda entry point both build a `Settings` from here, so a setting means
the same thing wherever the skill runs. Each field names the parser that reads it from text
(field metadata under PARSE), so how a variable is read never depends on how its type is spelt.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import Field, dataclass, field, fields, replace
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

ENV_PREFIX = "COACH_"
DEV_CA_FILE = "ca.pem"  # COACH_DEV_CA_PATH may name a folder holding this file
PARSE = "parse"  # Settings field metadata: the function that reads the field from text

Parser = Callable[[str], Any]  # raises ValueError("must be ...") for text it cannot use


class SettingsError(ValueError):
    """A setting has a value the skill cannot use; the message names the variable."""


def parse_bool(raw: str) -> bool:
    lowered = raw.strip().lower()
    if lowered in {"1", "true", "yes", "on"}:
        return True
    if lowered in {"0", "false", "no", "off"}:
        return False
    raise ValueError(f"must be 1 or 0, not {raw!r}")


def parse_whole_number(raw: str) -> int:
    try:
        return int(raw)
    except ValueError:
        raise ValueError(f"must be a whole number, not {raw!r}") from None


def parse_text(raw: str) -> str:
    return raw


def parse_optional_text(raw: str) -> str | None:
    """Empty means unset."""
    return raw or None


def parse_path(raw: str) -> Path:
    return Path(raw)


def parse_optional_path(raw: str) -> Path | None:
    """Empty means unset."""
    return Path(raw) if raw else None


def parse_audio_base_url(raw: str) -> str | None:
    """Empty means unset. Alexa fetches tracks over HTTPS only; plain HTTP is for a local host."""
    if not raw:
        return None
    url = urlsplit(raw)
    local = url.scheme == "http" and url.hostname in {"localhost", "127.0.0.1"}
    if not (url.scheme == "https" or local) or not url.hostname or url.query or url.fragment:
        raise ValueError(f"must be an https:// URL with no query, not {raw!r}")
    return raw.rstrip("/")


def parse_one_of(*choices: str) -> Parser:
    def parse(raw: str) -> str:
        if raw not in choices:
            raise ValueError(f"must be {' or '.join(choices)}, not {raw!r}")
        return raw

    return parse


@dataclass(frozen=True)
class Settings:
    # COACH_VERIFY_REQUESTS=0 only for local testing
    verify_requests: bool = field(default=True, metadata={PARSE: parse_bool})
    # when set, requests for any other skill are refused
    skill_id: str | None = field(default=None, metadata={PARSE: parse_optional_text})
    store: str = field(default="sqlite", metadata={PARSE: parse_one_of("sqlite", "dynamodb")})
    db_path: Path = field(default=Path("var/coach.sqlite3"), metadata={PARSE: parse_path})
    dynamodb_table: str = field(default="upper-body-coach-progress", metadata={PARSE: parse_text})
    # e.g. a local DynamoDB-compatible server
    dynamodb_endpoint: str | None = field(default=None, metadata={PARSE: parse_optional_text})
    aws_region: str = field(default="us-east-1", metadata={PARSE: parse_text})
    # trust this extra CA for request signatures (harness only)
    dev_ca_path: Path | None = field(default=None, metadata={PARSE: parse_optional_path})
    # trust this extra CA for Alexa's service APIs, the Reminders and Settings APIs (harness
    # only: its local stand-in of them, harness/alexa_apis.py)
    alexa_api_ca_path: Path | None = field(default=None, metadata={PARSE: parse_optional_path})
    # Alexa's request bodies are a few kilobytes
    max_body_bytes: int = field(default=64 * 1024, metadata={PARSE: parse_whole_number})
    # where Alexa's player fetches the coach's audio tracks (skill/audio): this server's
    # https://host/audio, or the audio bucket on Lambda; unset: no tracks are offered
    audio_base_url: str | None = field(default=None, metadata={PARSE: parse_audio_base_url})
    # the folder `make audio` writes and GET /audio/... serves
    audio_dir: Path = field(default=Path("build/audio"), metadata={PARSE: parse_path})


def env_name(setting: Field[Any]) -> str:
    return ENV_PREFIX + setting.name.upper()


def parse_setting(setting: Field[Any], raw: Any) -> Any:
    """Text goes through the field's parser; anything else (an override such as a Path or an
    int) is taken as it is."""
    if not isinstance(raw, str):
        return raw
    parse: Parser = setting.metadata[PARSE]
    try:
        return parse(raw)
    except ValueError as problem:
        raise SettingsError(f"{env_name(setting)} {problem}") from None


def load_settings(
    environ: Mapping[str, str] | None = None, overrides: Mapping[str, Any] | None = None
) -> Settings:
    """Defaults, then `COACH_<NAME>` variables from `environ`, then `overrides` by field name."""
    environ = os.environ if environ is None else environ
    by_name = {setting.name: setting for setting in fields(Settings)}
    values: dict[str, Any] = {}
    for name, setting in by_name.items():
        if env_name(setting) in environ:
            values[name] = parse_setting(setting, environ[env_name(setting)])
    for name, value in (overrides or {}).items():
        if name not in by_name:
            raise SettingsError(f"unknown setting {name!r}")
        values[name] = parse_setting(by_name[name], value)
    return replace(Settings(), **values)
