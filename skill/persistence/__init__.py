"""Where each runner's workout position is kept between turns, sessions and server restarts."""

from __future__ import annotations

import importlib

from ask_sdk_core.attributes_manager import AbstractPersistenceAdapter

from skill.config import ENV_PREFIX, Settings, SettingsError
from skill.persistence.records import (
    MIGRATIONS,
    RECORD_VERSION,
    UnencodableAttributesError,
    UnreadableRecordError,
    decode,
    encode,
    unwrap,
    wrap,
)
from skill.persistence.sqlite_store import SqliteProgressStore

__all__ = [
    "MIGRATIONS",
    "RECORD_VERSION",
    "SqliteProgressStore",
    "UnencodableAttributesError",
    "UnreadableRecordError",
    "decode",
    "encode",
    "make_persistence_adapter",
    "unwrap",
    "wrap",
]

_DYNAMODB_MODULE = "skill.persistence.dynamodb_store"


def make_persistence_adapter(settings: Settings) -> AbstractPersistenceAdapter:
    """The progress store that `settings.store` names."""
    if settings.store == "sqlite":
        return SqliteProgressStore(settings.db_path)
    if settings.store == "dynamodb":
        # Imported lazily: the DynamoDB store pulls in boto3, which the SQLite setup never needs.
        try:
            module = importlib.import_module(_DYNAMODB_MODULE)
        except ModuleNotFoundError as error:
            if error.name != _DYNAMODB_MODULE:
                raise
            raise SettingsError(
                f"{ENV_PREFIX}STORE=dynamodb, but this build has no DynamoDB store yet;"
                f" use {ENV_PREFIX}STORE=sqlite"
            ) from error
        adapter = module.make_dynamodb_store(settings)
        if not isinstance(adapter, AbstractPersistenceAdapter):
            raise TypeError(f"{_DYNAMODB_MODULE}.make_dynamodb_store returned {adapter!r}")
        return adapter
    raise SettingsError(f"{ENV_PREFIX}STORE must be sqlite or dynamodb, not {settings.store!r}")
