"""Per-user progress in one SQLite file, safe for several threads and several server processes.

One-shot commands ("tell upper body coach next set") arrive as new sessions, so this row, not
the session, is where the workout position lives.
"""

from __future__ import annotations

import os
import sqlite3
import threading
import time
from pathlib import Path
from typing import Any

from ask_sdk_core.attributes_manager import AbstractPersistenceAdapter
from ask_sdk_core.exceptions import PersistenceException
from ask_sdk_model.request_envelope import RequestEnvelope

from skill.persistence.records import decode, encode

# Alexa gives the skill about 8 s per request; waiting longer than this for another writer's
# lock would cost the answer anyway.
DEFAULT_BUSY_TIMEOUT_MS = 3000

_SCHEMA = """
CREATE TABLE IF NOT EXISTS progress (
    user_id TEXT PRIMARY KEY,
    record TEXT NOT NULL,
    updated_at TEXT NOT NULL
)
"""

_UPSERT = """
INSERT INTO progress (user_id, record, updated_at)
VALUES (?, ?, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
ON CONFLICT(user_id) DO UPDATE SET record = excluded.record, updated_at = excluded.updated_at
"""


def user_id_of(request_envelope: RequestEnvelope) -> str:
    """The Alexa user id that keys a runner's progress; PersistenceException if there is none."""
    context = getattr(request_envelope, "context", None)
    system = getattr(context, "system", None)
    user = getattr(system, "user", None)
    user_id = getattr(user, "user_id", None)
    if not isinstance(user_id, str) or not user_id:
        raise PersistenceException(
            "the request has no user id (context.System.user.userId), so progress cannot be"
            " stored or read"
        )
    return user_id


class SqliteProgressStore(AbstractPersistenceAdapter):
    """An ask-sdk persistence adapter keeping one versioned record per Alexa user."""

    def __init__(
        self, path: str | os.PathLike[str], busy_timeout_ms: int = DEFAULT_BUSY_TIMEOUT_MS
    ) -> None:
        self.path = Path(path)
        self.busy_timeout_ms = busy_timeout_ms
        # sqlite3 connections must not be shared between threads; each WSGI worker thread
        # opens its own on first use.
        self._local = threading.local()

    def _connection(self) -> sqlite3.Connection:
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is not None:
            if self._local.pid == os.getpid():
                return conn
            # Inherited through fork(): SQLite forbids using it in the child, and closing it
            # here could disturb the parent's locks, so keep it referenced and open a new one.
            self._local.inherited = conn
        self.path.parent.mkdir(parents=True, exist_ok=True)
        # isolation_level=None: every statement is its own transaction, so a save is exactly
        # one atomic upsert and nothing is ever left half-written or held open.
        conn = sqlite3.connect(self.path, isolation_level=None, check_same_thread=True)
        try:
            conn.execute(f"PRAGMA busy_timeout = {int(self.busy_timeout_ms)}")
            self._use_wal(conn)
            conn.execute(_SCHEMA)
        except BaseException:
            conn.close()
            raise
        self._local.conn = conn
        self._local.pid = os.getpid()
        return conn

    def _use_wal(self, conn: sqlite3.Connection) -> None:
        # WAL lets readers in other processes carry on while one process writes. Switching a new
        # file to WAL while another process does the same can fail at once with SQLITE_BUSY
        # (SQLite skips the busy handler where waiting could deadlock), so retry until the
        # busy timeout. Once the file is in WAL mode this is a no-op.
        deadline = time.monotonic() + self.busy_timeout_ms / 1000
        while True:
            try:
                conn.execute("PRAGMA journal_mode = WAL")
                # In WAL mode NORMAL still never corrupts the file and loses nothing when the
                # server process dies; only a power cut can drop the last commits. FULL would
                # fsync every turn, which was half the cost of a turn in `make bench`.
                conn.execute("PRAGMA synchronous = NORMAL")
                return
            except sqlite3.OperationalError as error:
                busy = error.sqlite_errorcode & 0xFF == sqlite3.SQLITE_BUSY
                if not busy or time.monotonic() >= deadline:
                    raise
                time.sleep(0.005)

    def _run(self, action: str, sql: str, params: tuple[Any, ...]) -> list[Any]:
        try:
            return self._connection().execute(sql, params).fetchall()
        except (sqlite3.Error, OSError) as error:
            raise PersistenceException(
                f"could not {action} progress in {self.path}: {error}"
            ) from error

    def get_attributes(self, request_envelope: RequestEnvelope) -> dict[str, object]:
        rows = self._run(
            "read",
            "SELECT record FROM progress WHERE user_id = ?",
            (user_id_of(request_envelope),),
        )
        if not rows:
            return {}
        return decode(rows[0][0])

    def save_attributes(
        self, request_envelope: RequestEnvelope, attributes: dict[str, object]
    ) -> None:
        user_id = user_id_of(request_envelope)
        # Encode first: attributes that cannot be stored raise here, before the old record
        # is touched.
        text = encode(attributes)
        self._run("save", _UPSERT, (user_id, text))

    def delete_attributes(self, request_envelope: RequestEnvelope) -> None:
        self._run(
            "delete", "DELETE FROM progress WHERE user_id = ?", (user_id_of(request_envelope),)
        )

    def close(self) -> None:
        """Close this thread's connection (other threads' close when those threads end)."""
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is not None:
            self._local.conn = None
            conn.close()
