"""Where each runner's workout position is kept between turns, sessions and server restarts."""

from __future__ import annotations

from skill.config import ENV_PREFIX, Settings, SettingsError
from skill.persistence.deadline import StoreDown, turn_deadline
from skill.persistence.records import (
    MIGRATIONS,
    RECORD_VERSION,
    NewerRecordError,
    UnencodableAttributesError,
    UnreadableRecordError,
    decode,
    encode,
    unwrap,
    wrap,
)
from skill.persistence.sqlite_store import SqliteProgressStore
from skill.persistence.store import (
    Quarantined,
    RecordStore,
    SaveConflict,
    StoredRecord,
    StoreUnhealthy,
    record_key_of,
)

__all__ = [
    "MIGRATIONS",
    "RECORD_VERSION",
    "NewerRecordError",
    "Quarantined",
    "RecordStore",
    "SaveConflict",
    "SqliteProgressStore",
    "StoreDown",
    "StoredRecord",
    "StoreUnhealthy",
    "UnencodableAttributesError",
    "UnreadableRecordError",
    "decode",
    "encode",
    "make_store",
    "turn_deadline",
    "unwrap",
    "record_key_of",
    "wrap",
]


def make_store(settings: Settings) -> RecordStore:
    """The progress store that `settings.store` names."""
    if settings.store == "sqlite":
        return SqliteProgressStore(settings.db_path)
    if settings.store == "dynamodb":
        # Imported here: the DynamoDB store pulls in botocore, which SQLite setups never need.
        from skill.persistence.dynamodb_store import make_dynamodb_store

        return make_dynamodb_store(settings)
    raise SettingsError(f"{ENV_PREFIX}STORE must be sqlite or dynamodb, not {settings.store!r}")
