"""Per-user progress in one SQLite file, safe for several threads and several server processes.

One-shot commands ("tell upper body coach next set") arrive as new sessions, so this row, not
the session, is where the workout position lives.
"""

from __future__ import annotations

import errno
import os
import sqlite3
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar, cast

from skill.persistence.deadline import Breaker, OutOfTime, StoreDown, time_left
from skill.persistence.store import (
    Quarantined,
    RecordStore,
    SaveConflict,
    StoredRecord,
    StoreUnhealthy,
)

_T = TypeVar("_T")

# The longest one statement waits for another writer's lock outside a turn; inside one, only
# what is left of the turn's store budget.
DEFAULT_BUSY_TIMEOUT_MS = 3000

_SCHEMA = (
    """
    CREATE TABLE IF NOT EXISTS progress (
        user_id TEXT PRIMARY KEY,
        record TEXT NOT NULL,
        updated_at TEXT NOT NULL
    )
    """,
    # Records this version could not read, kept when a fresh one replaced them.
    """
    CREATE TABLE IF NOT EXISTS quarantined_records (
        user_id TEXT NOT NULL,
        record TEXT NOT NULL,
        reason TEXT NOT NULL,
        quarantined_at TEXT NOT NULL
    )
    """,
    # One row the health check rewrites: a write as real as a turn's save, so a full disk, a
    # read-only file or a held lock fails the check exactly when it fails turns.
    """
    CREATE TABLE IF NOT EXISTS health (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        checked_at TEXT NOT NULL,
        ballast BLOB NOT NULL
    )
    """,
)
# Files made before saves were conditional have no revision column: rows there count as 0.
_ADD_REVISION = "ALTER TABLE progress ADD COLUMN revision INTEGER NOT NULL DEFAULT 0"

_NOW = "strftime('%Y-%m-%dT%H:%M:%fZ', 'now')"
_INSERT = f"""
INSERT INTO progress (user_id, record, revision, updated_at) VALUES (?, ?, 1, {_NOW})
ON CONFLICT(user_id) DO NOTHING
"""
_UPDATE = f"""
UPDATE progress SET record = ?, revision = revision + 1, updated_at = {_NOW}
WHERE user_id = ? AND revision = ?
"""
_REPLACE = f"""
INSERT INTO progress (user_id, record, revision, updated_at) VALUES (?, ?, 1, {_NOW})
ON CONFLICT(user_id) DO UPDATE SET
    record = excluded.record, revision = revision + 1, updated_at = excluded.updated_at
"""
# The ballast is at least as large as a runner's record (1.5 KB after 400 workouts), so that a
# disk with room for the check's pages has room for a turn's.
_HEALTH_BALLAST_BYTES = 4096
_CHECK_HEALTH = f"""
INSERT INTO health (id, checked_at, ballast) VALUES (1, {_NOW}, zeroblob(?))
ON CONFLICT(id) DO UPDATE SET checked_at = excluded.checked_at, ballast = excluded.ballast
"""
_QUARANTINE = """
INSERT INTO quarantined_records (user_id, record, reason, quarantined_at) VALUES (?, ?, ?, ?)
"""


def _waited_for_a_lock(error: Exception) -> bool:
    """Another connection held the file's lock for the whole busy timeout."""
    code = getattr(error, "sqlite_errorcode", 0) & 0xFF
    return code in {sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED}


class SqliteProgressStore(RecordStore):
    """One versioned record per Alexa user, with its revision, in one SQLite file.

    The file is the one found (or made) at `path` when the store first opens it. If it is
    deleted or replaced while the server runs, connections still open would carry on in the
    unlinked file while new ones made a new file, and workers would disagree about runners'
    progress: instead every call refuses (StoreDown) and the health check fails until the
    server is restarted on whatever is then at `path`.
    """

    def __init__(
        self,
        path: str | os.PathLike[str],
        busy_timeout_ms: int = DEFAULT_BUSY_TIMEOUT_MS,
        breaker: Breaker | None = None,
    ) -> None:
        self.path = Path(path)
        self.busy_timeout_ms = busy_timeout_ms
        # sqlite3 connections must not be shared between threads; each WSGI worker thread
        # opens its own on first use.
        self._local = threading.local()
        self._lock = threading.Lock()
        self._file: tuple[int, int] | None = None  # (device, inode) of the file first opened
        self._breaker = breaker or Breaker()

    def _same_file(self) -> None:
        """Refuse if `path` is no longer the file this store opened first."""
        try:
            found = os.stat(self.path)
        except FileNotFoundError:
            raise StoreDown(f"{self.path} was deleted while the server was running") from None
        if self._file is not None and (found.st_dev, found.st_ino) != self._file:
            raise StoreDown(f"{self.path} was replaced while the server was running")

    def _connection(self) -> sqlite3.Connection:
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is not None:
            if self._local.pid == os.getpid():
                self._same_file()
                return conn
            # Inherited through fork(): SQLite forbids using it in the child, and closing it
            # here could disturb the parent's locks, so keep it referenced and open a new one.
            self._local.inherited = conn
        with self._lock:
            if self._file is None:
                # The first connection may make the file; later ones must find that same file.
                self.path.parent.mkdir(parents=True, exist_ok=True)
                conn = self._connect(f"file:{self.path}?mode=rwc")
                found = os.stat(self.path)
                self._file = (found.st_dev, found.st_ino)
            else:
                self._same_file()
                conn = self._connect(f"file:{self.path}?mode=rw")
        self._local.conn = conn
        self._local.pid = os.getpid()
        self._local.busy_ms = self.busy_timeout_ms
        return conn

    def _connect(self, uri: str) -> sqlite3.Connection:
        # isolation_level=None: every statement is its own transaction unless one is begun, so
        # a save is one atomic statement and nothing is ever left half-written or held open.
        conn = sqlite3.connect(uri, uri=True, isolation_level=None, check_same_thread=True)
        try:
            conn.execute(f"PRAGMA busy_timeout = {int(self.busy_timeout_ms)}")
            self._use_wal(conn)
            for statement in _SCHEMA:
                conn.execute(statement)
            self._add_revisions(conn)
        except BaseException:
            conn.close()
            raise
        return conn

    @staticmethod
    def _add_revisions(conn: sqlite3.Connection) -> None:
        columns = {row[1] for row in conn.execute("PRAGMA table_info(progress)")}
        if "revision" in columns:
            return
        try:
            conn.execute(_ADD_REVISION)
        except sqlite3.OperationalError as error:
            if "duplicate column" not in str(error):  # another process added it just now
                raise

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

    def _wait_at_most(self, conn: sqlite3.Connection, wait_ms: int) -> None:
        """Let a statement wait no longer than `wait_ms` for another writer's lock."""
        if self._local.busy_ms != wait_ms:
            conn.execute(f"PRAGMA busy_timeout = {wait_ms}")
            self._local.busy_ms = wait_ms

    def _run(self, action: str, work: Callable[[sqlite3.Connection], _T]) -> _T:
        # In whole tenths of a second, so that the busy timeout is set again only now and then,
        # not on every call (a PRAGMA costs about as much as the read it bounds).
        wait_ms = min(self.busy_timeout_ms, int(time_left(otherwise=1e9) * 10) * 100)
        if wait_ms <= 0:
            raise OutOfTime(f"no time left in this turn to {action} progress in {self.path}")
        if not self._breaker.allow():
            raise StoreDown(f"could not {action} progress: {self.path} failed moments ago")
        try:
            conn = self._connection()
            self._wait_at_most(conn, wait_ms)
            result = work(conn)
        except SaveConflict:
            self._breaker.answered()
            raise
        except (sqlite3.Error, OSError, StoreDown) as error:
            if _waited_for_a_lock(error):
                self._breaker.timed_out()
            else:
                self._breaker.answered()
            raise StoreDown(f"could not {action} progress in {self.path}: {error}") from error
        except BaseException:
            self._breaker.answered()  # not the store's doing; never leave a probe open
            raise
        self._breaker.answered()
        return result

    def read(self, key: str) -> StoredRecord | None:
        rows = self._run(
            "read",
            lambda conn: conn.execute(
                "SELECT record, revision FROM progress WHERE user_id = ?", (key,)
            ).fetchall(),
        )
        if not rows:
            return None
        text, revision = rows[0]
        # A hand-edited row may hold a number or bytes: decoding it says the record is
        # unreadable, and it is quarantined as it is.
        return StoredRecord(cast(str, text), revision)

    def write(
        self,
        key: str,
        text: str,
        read: StoredRecord | None,
        quarantined: Quarantined | None = None,
    ) -> None:
        def save(conn: sqlite3.Connection) -> None:
            if quarantined is None:
                self._put(conn, key, text, read)
                return
            conn.execute("BEGIN IMMEDIATE")
            try:
                conn.execute(
                    _QUARANTINE, (key, quarantined.text, quarantined.reason, quarantined.at)
                )
                self._put(conn, key, text, read)
            except BaseException:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")

        self._run("save", save)

    @staticmethod
    def _put(conn: sqlite3.Connection, key: str, text: str, read: StoredRecord | None) -> None:
        if read is None:
            cursor = conn.execute(_INSERT, (key, text))
        else:
            cursor = conn.execute(_UPDATE, (text, key, read.revision))
        if cursor.rowcount != 1:
            raise SaveConflict(f"the record of {key!r} changed since it was read")

    def replace(self, key: str, text: str) -> None:
        self._run("save", lambda conn: conn.execute(_REPLACE, (key, text)))

    def delete(self, key: str) -> None:
        self._run(
            "delete",
            lambda conn: conn.execute("DELETE FROM progress WHERE user_id = ?", (key,)),
        )

    def quarantined(self, key: str) -> list[Quarantined]:
        rows = self._run(
            "read",
            lambda conn: conn.execute(
                "SELECT record, reason, quarantined_at FROM quarantined_records"
                " WHERE user_id = ? ORDER BY rowid",
                (key,),
            ).fetchall(),
        )
        return [Quarantined(*row) for row in rows]

    def check(self) -> None:
        """Can this server save a turn in the file it opened? It writes and commits the health
        row: a statement that wrote nothing passed on a full disk while every save failed."""
        try:
            conn = self._connection()
            self._wait_at_most(conn, min(self.busy_timeout_ms, 1000))
            conn.execute(_CHECK_HEALTH, (_HEALTH_BALLAST_BYTES,))
        except StoreDown as gone:  # deleted or replaced while serving
            raise StoreUnhealthy("file deleted or replaced", str(gone)) from gone
        except (sqlite3.Error, OSError) as error:
            code = getattr(error, "sqlite_errorcode", 0) & 0xFF
            state = {sqlite3.SQLITE_READONLY: "read-only", sqlite3.SQLITE_FULL: "disk full"}.get(
                code, "error"
            )
            # On a read-only mount WAL's shared-memory file cannot be made: "unable to open"
            cannot_open = code == sqlite3.SQLITE_CANTOPEN and _read_only_mount(self.path.parent)
            if cannot_open or getattr(error, "errno", None) == errno.EROFS:
                state = "read-only"
            if _waited_for_a_lock(error):
                state = "locked"
            raise StoreUnhealthy(state, f"{self.path}: {error}") from error

    def close(self) -> None:
        """Close this thread's connection (other threads' close when those threads end)."""
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is not None:
            self._local.conn = None
            conn.close()


def _read_only_mount(folder: Path) -> bool:
    """`folder` is on a file system mounted read-only (not merely closed to this user)."""
    try:
        return bool(os.statvfs(folder).f_flag & os.ST_RDONLY)
    except OSError:  # gone, or not reachable: not known to be read-only
        return False
