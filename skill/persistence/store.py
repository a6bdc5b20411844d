"""What every progress store does: read a runner's record with its revision, and write a new one
only if the record is still at the revision that was read.

A turn reads the record, works out the answer, and saves. Two turns for one runner at once (two
Echo devices in one home) would both read the same record; without the revision check the later
save would silently undo the earlier one while both runners heard their own answer. With it, the
later save raises `SaveConflict` and the turn is worked out again on the fresh record
(`skill.alexa.skill_builder.CoachSkill`), so every answer is true of what is stored.

A record this version cannot read is never simply replaced: the write that replaces it keeps it
beside the new one (`Quarantined`), recoverable by hand.
"""

from __future__ import annotations

import abc
from dataclasses import dataclass
from datetime import UTC, datetime

from ask_sdk_core.exceptions import PersistenceException
from ask_sdk_model.request_envelope import RequestEnvelope

from skill.persistence.keys import record_key


@dataclass(frozen=True)
class StoredRecord:
    """A runner's record as stored: its text and how many saves made it (0: before revisions
    were kept)."""

    text: str
    revision: int


@dataclass(frozen=True)
class Quarantined:
    """A record this version could not read, kept beside the record that replaces it."""

    text: str
    reason: str
    at: str  # ISO 8601 UTC

    @classmethod
    def now(cls, text: str, reason: str) -> Quarantined:
        return cls(text, reason, datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ"))


class SaveConflict(PersistenceException):
    """Another turn saved this runner's record after it was read: work the turn out again."""


class StoreUnhealthy(PersistenceException):
    """Why a store cannot serve turns: `state` in a few words, safe for a public health check
    (no paths, no error text); the message, with the details, is for the log."""

    def __init__(self, state: str, detail: str) -> None:
        super().__init__(f"{state}: {detail}")
        self.state = state


def record_key_of(request_envelope: RequestEnvelope) -> str:
    """The key of a runner's progress (`record_key` of the Alexa user id, the id itself for any
    real one); PersistenceException if there is no id."""
    context = getattr(request_envelope, "context", None)
    system = getattr(context, "system", None)
    user = getattr(system, "user", None)
    user_id = getattr(user, "user_id", None)
    if not isinstance(user_id, str) or not user_id:
        raise PersistenceException(
            "the request has no user id (context.System.user.userId), so progress cannot be"
            " stored or read"
        )
    return record_key(user_id)


class RecordStore(abc.ABC):
    """A progress store: a runner's record by key, read whole and written back only if it is
    still what was read."""

    @abc.abstractmethod
    def read(self, key: str) -> StoredRecord | None:
        """The record stored under `key`, None if there is none; StoreDown and other
        PersistenceExceptions when the store cannot say."""

    @abc.abstractmethod
    def write(
        self,
        key: str,
        text: str,
        read: StoredRecord | None,
        quarantined: Quarantined | None = None,
    ) -> None:
        """Store `text` under `key` if the record there is still `read` (None: still none),
        else raise SaveConflict. `quarantined` is kept beside it, in the same write."""

    @abc.abstractmethod
    def replace(self, key: str, text: str) -> None:
        """Store `text` under `key` whatever is there, as its next revision (a save that does
        not depend on what was read: tools and tests)."""

    @abc.abstractmethod
    def delete(self, key: str) -> None: ...

    @abc.abstractmethod
    def quarantined(self, key: str) -> list[Quarantined]:
        """The records of `key` kept aside, oldest first (for operators and tests)."""

    @abc.abstractmethod
    def check(self) -> None:
        """Raise StoreUnhealthy if the store cannot serve turns (unreachable, read-only, its
        file gone); the health check reports it."""
