"""Settings, layered: defaults, then COACH_* environment variables, then explicit overrides.

The Flask app and the Lambda entry point both build a `Settings` from here, so a setting means
the same thing wherever the skill runs.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any

ENV_PREFIX = "COACH_"
DEV_CA_FILE = "ca.pem"  # COACH_DEV_CA_PATH may name a folder holding this file


class SettingsError(ValueError):
    """A setting has a value the skill cannot use; the message names the variable."""


@dataclass(frozen=True)
class Settings:
    verify_requests: bool = True  # COACH_VERIFY_REQUESTS=0 only for local testing
    skill_id: str | None = None  # when set, requests for any other skill are refused
    store: str = "sqlite"  # "sqlite" or "dynamodb"
    db_path: Path = Path("var/coach.sqlite3")
    dynamodb_table: str = "upper-body-coach-progress"
    dynamodb_endpoint: str | None = None  # e.g. a local DynamoDB-compatible server
    aws_region: str = "us-east-1"
    dev_ca_path: Path | None = None  # trust this extra CA for request signatures (harness only)
    max_body_bytes: int = 64 * 1024  # Alexa's request bodies are a few kilobytes


def _parse_bool(name: str, raw: str) -> bool:
    lowered = raw.strip().lower()
    if lowered in {"1", "true", "yes", "on"}:
        return True
    if lowered in {"0", "false", "no", "off"}:
        return False
    raise SettingsError(f"{ENV_PREFIX}{name.upper()} must be 1 or 0, not {raw!r}")


def _coerce(name: str, kind: Any, raw: Any) -> Any:
    if not isinstance(raw, str):
        return raw
    if kind in (bool, "bool"):
        return _parse_bool(name, raw)
    if kind in (int, "int"):
        try:
            return int(raw)
        except ValueError:
            raise SettingsError(f"{ENV_PREFIX}{name.upper()} must be a whole number") from None
    if kind in (Path, "Path"):
        return Path(raw)
    if kind in ("Path | None",):
        return Path(raw) if raw else None
    if kind in ("str | None",):
        return raw or None
    return raw


def load_settings(
    environ: Mapping[str, str] | None = None, overrides: Mapping[str, Any] | None = None
) -> Settings:
    """Defaults, then `COACH_<NAME>` variables from `environ`, then `overrides` by field name."""
    environ = os.environ if environ is None else environ
    values: dict[str, Any] = {}
    for field in fields(Settings):
        env_name = ENV_PREFIX + field.name.upper()
        if env_name in environ:
            values[field.name] = _coerce(field.name, field.type, environ[env_name])
    for name, value in (overrides or {}).items():
        if name not in {f.name for f in fields(Settings)}:
            raise SettingsError(f"unknown setting {name!r}")
        kind = next(f.type for f in fields(Settings) if f.name == name)
        values[name] = _coerce(name, kind, value)
    settings = replace(Settings(), **values)
    if settings.store not in {"sqlite", "dynamodb"}:
        raise SettingsError(f"{ENV_PREFIX}STORE must be sqlite or dynamodb, not {settings.store!r}")
    return settings
