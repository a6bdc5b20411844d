"""The progress store: versioned records, SQLite per user, threads and processes sharing a file."""

from __future__ import annotations

import json
import multiprocessing
import sqlite3
import sys
import threading
import types
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest
from ask_sdk_core.exceptions import PersistenceException
from ask_sdk_model.context import Context
from ask_sdk_model.interfaces.system.system_state import SystemState
from ask_sdk_model.request_envelope import RequestEnvelope

from skill.config import Settings, SettingsError
from skill.persistence import (
    RECORD_VERSION,
    SqliteProgressStore,
    StoreDown,
    UnencodableAttributesError,
    UnreadableRecordError,
    decode,
    encode,
    make_store,
    record_key_of,
    records,
    unwrap,
    wrap,
)
from skill.persistence.deadline import Breaker
from tests.support import delete_record, load_record, save_record, user_envelope


def stored_text(path: Path, user_id: str) -> str | None:
    with closing(sqlite3.connect(path)) as conn:
        row = conn.execute("SELECT record FROM progress WHERE user_id = ?", (user_id,)).fetchone()
    return None if row is None else str(row[0])


def overwrite_record(path: Path, user_id: str, text: str) -> None:
    with closing(sqlite3.connect(path)) as conn, conn:
        conn.execute("UPDATE progress SET record = ? WHERE user_id = ?", (text, user_id))


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "nested" / "coach.sqlite3"


@pytest.fixture
def store(db_path: Path) -> Iterator[SqliteProgressStore]:
    store = SqliteProgressStore(db_path)
    yield store
    store.close()


POSITION: dict[str, Any] = {
    "workout": "pull-day",
    "exercise": 2,
    "set": 3,
    "rest_seconds": 45.5,
    "done": [True, False, None],
    "notes": {"voice": "café ☕", "tempo": [3, 1, 1]},
}


# --- records -----------------------------------------------------------------------------------


def test_record_round_trips_through_json_text() -> None:
    assert wrap(POSITION) == {"version": RECORD_VERSION, "attributes": POSITION}
    assert unwrap(wrap(POSITION)) == POSITION
    text = encode(POSITION)
    assert decode(text) == POSITION
    assert json.loads(text) == {"version": 2, "attributes": POSITION}
    assert text == json.dumps(json.loads(text), sort_keys=True, separators=(",", ":"))
    assert RECORD_VERSION == 2


@pytest.mark.parametrize(
    "record",
    [
        None,
        [],
        "text",
        {},
        {"attributes": {}},
        {"version": "1", "attributes": {}},
        {"version": True, "attributes": {}},
        {"version": 0, "attributes": {}},
        {"version": 3, "attributes": {}},
        {"version": 1},
        {"version": 1, "attributes": []},
        {"version": 1, "attributes": None},
    ],
)
def test_unwrap_refuses_malformed_or_unknown_records(record: object) -> None:
    with pytest.raises(UnreadableRecordError):
        unwrap(record)


@pytest.mark.parametrize("text", ["", "garbage", "{", '{"version": 1, "attributes": NaN}', "[]"])
def test_decode_refuses_bad_text(text: str) -> None:
    with pytest.raises(UnreadableRecordError):
        decode(text)


def test_unreadable_record_error_is_a_persistence_exception() -> None:
    assert issubclass(UnreadableRecordError, PersistenceException)
    assert issubclass(UnencodableAttributesError, PersistenceException)


@pytest.mark.parametrize(
    "attributes",
    [
        {"done": {1, 2}},
        {"when": object()},
        {"tempo": (3, 1, 1)},  # would come back as a list
        {"by_set": {1: "a"}},  # would come back with a str key
        {"rest": float("nan")},
        {"rest": float("inf")},
    ],
)
def test_encode_refuses_what_json_would_not_return_unchanged(attributes: dict[str, Any]) -> None:
    with pytest.raises(UnencodableAttributesError):
        encode(attributes)


def test_encode_refuses_a_cycle() -> None:
    attributes: dict[str, Any] = {}
    attributes["self"] = attributes
    with pytest.raises(UnencodableAttributesError, match="nest too deeply"):
        encode(attributes)


def test_encode_refuses_a_cycle_through_two_branches_at_once() -> None:
    """Walked a level at a time, such a record doubles at every level: refused long before it
    could fill the memory."""
    branching: dict[str, Any] = {}
    branching["self"] = branching
    branching["again"] = branching
    twice: list[Any] = []
    twice.extend([twice, twice])
    for attributes in (branching, {"list": twice}):
        with pytest.raises(UnencodableAttributesError, match="nest too deeply"):
            encode(attributes)


class Word(str):
    """A str subclass: JSON writes it as text, but only the slow, path-naming check takes it."""


def nested(containers: int, leaf: object = 1) -> dict[str, Any]:
    """Attributes of `containers` objects and lists, each inside the one before."""
    value: Any = leaf
    for _ in range(containers - 1):
        value = [value]
    return {"in": value}


@pytest.mark.parametrize("leaf", [1, Word("one")], ids=["plain", "str subclass"])
def test_encode_keeps_records_up_to_the_nesting_limit_and_refuses_deeper(leaf: object) -> None:
    kept = nested(records.MAX_NESTING, leaf)
    assert decode(encode(kept)) == nested(records.MAX_NESTING, str(leaf) if leaf != 1 else 1)
    with pytest.raises(UnencodableAttributesError, match="nest too deeply"):
        encode(nested(records.MAX_NESTING + 1, leaf))


def test_a_cycle_through_many_branches_is_refused_before_a_level_grows_large() -> None:
    wide: list[Any] = []
    wide.extend([wide] * 999)  # levels of 1, 999, 998,001: the next would be a billion
    with pytest.raises(UnencodableAttributesError, match="nest too deeply"):
        encode({"wide": wide})


def test_migrations_upgrade_older_records_step_by_step(monkeypatch: pytest.MonkeyPatch) -> None:
    assert set(records.MIGRATIONS) == {1}
    monkeypatch.setattr(records, "RECORD_VERSION", 3)
    monkeypatch.setitem(records.MIGRATIONS, 2, lambda old: {"position": old["set"]})
    assert unwrap({"version": 1, "attributes": {"set": 3}}) == {"position": 3}
    assert unwrap({"version": 2, "attributes": {"set": 3}}) == {"position": 3}
    assert unwrap({"version": 3, "attributes": {"position": 4}}) == {"position": 4}


def test_missing_migration_is_unreadable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(records, "RECORD_VERSION", 3)
    with pytest.raises(UnreadableRecordError, match="no migration"):
        unwrap({"version": 2, "attributes": {}})


# --- the SQLite store --------------------------------------------------------------------------


def test_round_trip_and_unknown_user(store: SqliteProgressStore) -> None:
    assert load_record(store, "amzn1.ask.account.A") == {}
    save_record(store, "amzn1.ask.account.A", POSITION)
    assert load_record(store, "amzn1.ask.account.A") == POSITION
    save_record(store, "amzn1.ask.account.A", {"set": 4})
    assert load_record(store, "amzn1.ask.account.A") == {"set": 4}
    assert load_record(store, "amzn1.ask.account.B") == {}


def test_creates_folder_and_uses_wal(store: SqliteProgressStore, db_path: Path) -> None:
    assert not db_path.parent.exists()
    save_record(store, "A", {"set": 1})
    assert db_path.exists()
    with closing(sqlite3.connect(db_path)) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_users_never_see_each_other(store: SqliteProgressStore) -> None:
    save_record(store, "A", {"set": 1})
    save_record(store, "B", {"set": 2})
    assert load_record(store, "A") == {"set": 1}
    assert load_record(store, "B") == {"set": 2}


def test_a_restarted_server_reads_what_was_saved(db_path: Path) -> None:
    first = SqliteProgressStore(db_path)
    save_record(first, "A", POSITION)
    first.close()
    second = SqliteProgressStore(db_path)
    try:
        assert load_record(second, "A") == POSITION
    finally:
        second.close()


def test_the_stored_row_is_the_versioned_record(store: SqliteProgressStore, db_path: Path) -> None:
    save_record(store, "A", POSITION)
    text = stored_text(db_path, "A")
    assert text is not None
    assert json.loads(text) == {"version": 2, "attributes": POSITION}
    with closing(sqlite3.connect(db_path)) as conn:
        (updated_at,) = conn.execute("SELECT updated_at FROM progress").fetchone()
    assert updated_at.endswith("Z") and updated_at[:2] == "20"


def test_corrupt_row_is_unreadable_then_replaced_by_a_save(
    store: SqliteProgressStore, db_path: Path
) -> None:
    save_record(store, "A", {"set": 1})
    overwrite_record(db_path, "A", "\x00garbage{")
    with pytest.raises(UnreadableRecordError):
        load_record(store, "A")
    save_record(store, "A", {"set": 2})
    assert load_record(store, "A") == {"set": 2}


def test_a_future_version_is_unreadable(store: SqliteProgressStore, db_path: Path) -> None:
    save_record(store, "A", {"set": 1})
    overwrite_record(db_path, "A", '{"attributes":{"set":1},"version":3}')
    with pytest.raises(UnreadableRecordError, match="newer"):
        load_record(store, "A")


@pytest.mark.parametrize("bad", [{"done": {1, 2}}, {"when": object()}])
def test_unencodable_attributes_leave_the_previous_record(
    store: SqliteProgressStore, db_path: Path, bad: dict[str, object]
) -> None:
    save_record(store, "A", POSITION)
    before = stored_text(db_path, "A")
    with pytest.raises(UnencodableAttributesError):
        save_record(store, "A", bad)
    assert stored_text(db_path, "A") == before
    assert load_record(store, "A") == POSITION


def test_delete_removes_only_that_user(store: SqliteProgressStore) -> None:
    save_record(store, "A", {"set": 1})
    save_record(store, "B", {"set": 2})
    delete_record(store, "A")
    assert load_record(store, "A") == {}
    assert load_record(store, "B") == {"set": 2}
    delete_record(store, "nobody")  # deleting nothing is not an error


@pytest.mark.parametrize(
    "request_envelope",
    [
        user_envelope(None),
        user_envelope(""),
        RequestEnvelope(),
        RequestEnvelope(context=Context(system=SystemState())),
    ],
)
def test_missing_user_id_is_a_persistence_exception(request_envelope: RequestEnvelope) -> None:
    with pytest.raises(PersistenceException, match="user id"):
        record_key_of(request_envelope)


def test_a_lock_held_too_long_is_a_persistence_exception_then_a_rest(db_path: Path) -> None:
    now = [0.0]
    breaker = Breaker(rest_s=5.0, clock=lambda: now[0])
    impatient = SqliteProgressStore(db_path, busy_timeout_ms=50, breaker=breaker)
    save_record(impatient, "A", {"set": 1})
    holder = sqlite3.connect(db_path, isolation_level=None)
    try:
        holder.execute("BEGIN EXCLUSIVE")
        with pytest.raises(PersistenceException) as caught:
            save_record(impatient, "A", {"set": 2})
        assert isinstance(caught.value.__cause__, sqlite3.OperationalError)
        assert not isinstance(caught.value, sqlite3.Error)
        holder.execute("ROLLBACK")
    finally:
        holder.close()
    # It waited out a lock: for the rest, calls fail at once rather than wait again.
    with pytest.raises(StoreDown, match="failed moments ago"):
        load_record(impatient, "A")
    now[0] = 5.0
    assert load_record(impatient, "A") == {"set": 1}
    save_record(impatient, "A", {"set": 3})
    assert load_record(impatient, "A") == {"set": 3}
    impatient.close()


def test_an_unusable_path_is_a_persistence_exception(tmp_path: Path) -> None:
    (tmp_path / "a-directory").mkdir()
    broken = SqliteProgressStore(tmp_path / "a-directory")
    with pytest.raises(PersistenceException) as caught:
        load_record(broken, "A")
    assert isinstance(caught.value.__cause__, sqlite3.Error)


def test_threads_saving_at_once_lose_nothing(store: SqliteProgressStore) -> None:
    threads, saves, users_per_thread = 8, 50, 5
    start = threading.Barrier(threads)
    errors: list[BaseException] = []

    def work(t: int) -> None:
        try:
            start.wait()
            for n in range(saves):
                save_record(store, f"user-{t}-{n % users_per_thread}", {"n": n})
                save_record(store, "shared", {"thread": t, "n": n})
                assert load_record(store, f"user-{t}-{n % users_per_thread}") == {"n": n}
        except BaseException as error:  # reported below: a thread's exception is otherwise lost
            errors.append(error)

    workers = [threading.Thread(target=work, args=(t,)) for t in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert errors == []
    for t in range(threads):
        for u in range(users_per_thread):
            last = max(n for n in range(saves) if n % users_per_thread == u)
            assert load_record(store, f"user-{t}-{u}") == {"n": last}
    shared = load_record(store, "shared")
    assert shared in [{"thread": t, "n": saves - 1} for t in range(threads)]


def write_users_in_a_process(path: str, prefix: str, count: int, start: Any) -> None:
    """Run in a spawned process: a separate server sharing the file."""
    store = SqliteProgressStore(path)
    start.wait()
    for n in range(count):
        save_record(store, f"{prefix}-{n}", {"n": n, "by": prefix})
        save_record(store, "shared", {"by": prefix})
    store.close()


def test_two_processes_sharing_the_file_lose_nothing(db_path: Path) -> None:
    count = 100
    context = multiprocessing.get_context("spawn")
    start = context.Barrier(2)
    processes = [
        context.Process(target=write_users_in_a_process, args=(str(db_path), prefix, count, start))
        for prefix in ("left", "right")
    ]
    for process in processes:
        process.start()
    for process in processes:
        process.join(timeout=60)
        assert process.exitcode == 0
    reader = SqliteProgressStore(db_path)
    try:
        for prefix in ("left", "right"):
            for n in range(count):
                assert load_record(reader, f"{prefix}-{n}") == {
                    "n": n,
                    "by": prefix,
                }
        assert load_record(reader, "shared") in [{"by": "left"}, {"by": "right"}]
    finally:
        reader.close()


# --- choosing a store --------------------------------------------------------------------------


def test_sqlite_setting_makes_the_sqlite_store(db_path: Path) -> None:
    adapter = make_store(Settings(store="sqlite", db_path=db_path))
    assert isinstance(adapter, SqliteProgressStore)
    assert adapter.path == db_path


def test_dynamodb_setting_uses_the_module_when_present(
    monkeypatch: pytest.MonkeyPatch, db_path: Path
) -> None:
    made = SqliteProgressStore(db_path)
    fake = types.ModuleType("skill.persistence.dynamodb_store")
    fake.make_dynamodb_store = lambda settings: made  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "skill.persistence.dynamodb_store", fake)
    adapter = make_store(Settings(store="dynamodb"))
    assert adapter is made


def test_an_unknown_store_is_a_settings_error() -> None:
    with pytest.raises(SettingsError, match="COACH_STORE"):
        make_store(Settings(store="redis"))
