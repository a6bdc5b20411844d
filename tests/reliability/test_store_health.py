"""The health check says what runners would hear, and a SQLite file pulled from under the
server is noticed.

`GET /` answers 200 only when the store can serve turns; otherwise 503 with the store's state in
a few words (the details go to the log). A SQLite file deleted or replaced while the server runs
is refused by every connection, open or new, in every worker: before, open connections wrote on
into the unlinked file while new ones made a new file, and workers disagreed about runners'
progress.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import stat
import subprocess
import sys
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from skill.app import create_app
from skill.persistence import SqliteProgressStore, decode
from tests.support import REPO_ROOT, output_speech, resolved_intent

USER = "amzn1.ask.account.HEALTH"
APOLOGY = "can't reach your saved workouts"
NOBODY = 65534


def app_on(store: SqliteProgressStore) -> Flask:
    return create_app({"COACH_VERIFY_REQUESTS": "0", "COACH_STORE_OBJECT": store})


def say(app: Flask, intent: str, **slots: str) -> str:
    response = app.test_client().post("/alexa", json=resolved_intent(intent, user_id=USER, **slots))
    assert response.status_code == 200
    body: dict[str, Any] = response.get_json()
    return output_speech(body)


def health(app: Flask) -> tuple[int, dict[str, Any]]:
    response = app.test_client().get("/")
    body: dict[str, Any] = response.get_json()
    return response.status_code, body


def in_a_new_thread(app: Flask, intent: str) -> str:
    """A turn on a thread that has no connection yet, as a new worker thread would."""
    heard: list[str] = []
    thread = threading.Thread(target=lambda: heard.append(say(app, intent)))
    thread.start()
    thread.join()
    return heard[0]


@pytest.fixture
def two_workers(tmp_path: Path, coach_env: pytest.MonkeyPatch) -> Iterator[tuple[Flask, Flask]]:
    """Two apps on one SQLite file, as two server workers are, both with a runner a set in."""
    path = tmp_path / "coach.sqlite3"
    stores = [SqliteProgressStore(path), SqliteProgressStore(path)]
    first, second = app_on(stores[0]), app_on(stores[1])
    say(first, "StartWorkoutIntent", workout="bodyweight")
    say(first, "SkipWarmUpIntent")
    assert "Set 2 of 4" in say(first, "NextSetIntent")
    assert "set 2 of 4" in say(second, "StatusIntent")
    yield first, second
    for store in stores:
        store.close()


def test_a_healthy_store_is_reported_ok(two_workers: tuple[Flask, Flask]) -> None:
    for app in two_workers:
        status, body = health(app)
        assert status == 200 and body["status"] == "ok" and body["store"] == "ok"


@pytest.mark.parametrize("sidecars", [False, True], ids=["database file", "with -wal and -shm"])
def test_a_deleted_sqlite_file_is_refused_by_every_worker_and_fails_health(
    two_workers: tuple[Flask, Flask], tmp_path: Path, sidecars: bool
) -> None:
    path = tmp_path / "coach.sqlite3"
    path.unlink()
    if sidecars:
        for suffix in ("-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
    for app in two_workers:
        assert APOLOGY in say(app, "NextSetIntent")
        assert APOLOGY in in_a_new_thread(app, "StatusIntent")
        status, body = health(app)
        assert status == 503 and body["status"] == "unavailable"
        assert body["store"] == "file deleted or replaced"
    assert not path.exists()  # no worker quietly made a new, empty file

    # A restart opens whatever is at the path then: here, a new file.
    restarted = app_on(SqliteProgressStore(path))
    assert health(restarted)[0] == 200
    assert "not in a workout right now" in say(restarted, "StatusIntent")


def test_a_replaced_sqlite_file_is_refused_by_every_worker(
    two_workers: tuple[Flask, Flask], tmp_path: Path
) -> None:
    path = tmp_path / "coach.sqlite3"
    other = tmp_path / "restored.sqlite3"
    restored = SqliteProgressStore(other)
    restored.read(USER)  # makes the file
    restored.close()
    os.replace(other, path)  # e.g. a backup moved into place while serving
    files = [path, Path(f"{path}-wal")]
    before = [file.read_bytes() for file in files]
    for app in two_workers:
        assert APOLOGY in say(app, "NextSetIntent")
        assert health(app)[0] == 503
    assert [file.read_bytes() for file in files] == before  # nothing written anywhere


# What a server process sees when its SQLite file is not writable: run as another user, since
# root may write any file.
READ_ONLY_PROBE = """
import json, sys
from skill.app import create_app
from tests.support import output_speech, resolved_intent
app = create_app({"COACH_VERIFY_REQUESTS": "0", "COACH_DB_PATH": sys.argv[1]})
client = app.test_client()
health = client.get("/")
turn = client.post("/alexa", json=resolved_intent("NextSetIntent", user_id=sys.argv[2]))
print(json.dumps({"health": [health.status_code, health.get_json()],
                  "speech": output_speech(turn.get_json())}))
"""


def probe_as_another_user(path: Path) -> dict[str, Any]:
    command = [sys.executable, "-c", READ_ONLY_PROBE, str(path), USER]
    if os.geteuid() == 0:
        command = ["setpriv", f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups", *command]
    done = subprocess.run(
        command, cwd=REPO_ROOT, capture_output=True, text=True, timeout=60, check=True
    )
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


@pytest.fixture
def shared_folder() -> Iterator[Path]:
    """A folder the other user may write in (pytest's own tmp folders are private to us)."""
    folder = Path(tempfile.mkdtemp(prefix="coach-health-"))
    folder.chmod(0o777)
    yield folder
    shutil.rmtree(folder)


def closed_to_others(path: Path) -> Path | None:
    """The first folder on `path` that other users may not pass through (no o+x), if any."""
    for folder in [*reversed(path.parents), path]:
        if folder.is_dir() and not folder.stat().st_mode & stat.S_IXOTH:
            return folder
    return None


# The venv's own folder, and the Python installation it links to (its standard library and, for
# a shared build such as pyenv's, libpython). Under /root, the other user ran a different Python
# that happened to be there (Debian's 3.11 library), until the venv moved to 3.12, which has none.
CLOSED = (
    closed_to_others(Path(sys.executable).parent)
    or closed_to_others(Path(sys.base_prefix))
    or closed_to_others(REPO_ROOT)
)


def runner_on_set_one(folder: Path) -> Path:
    """A SQLite file in `folder` holding a runner on the bodyweight workout's set 1."""
    path = folder / "coach.sqlite3"
    store = SqliteProgressStore(path)
    app = create_app({"COACH_VERIFY_REQUESTS": "0", "COACH_STORE_OBJECT": store})
    say(app, "StartWorkoutIntent", workout="bodyweight")
    say(app, "SkipWarmUpIntent")
    store.close()
    return path


@pytest.mark.skipif(
    os.geteuid() == 0 and shutil.which("setpriv") is None, reason="needs setpriv to drop root"
)
@pytest.mark.skipif(
    os.geteuid() == 0 and CLOSED is not None,
    reason=f"another user cannot reach this checkout or its Python ({CLOSED} is private to its "
    "owner, as `mktemp -d` makes it): the read-only case runs the skill as another user",
)
@pytest.mark.parametrize("writable", [True, False], ids=["writable", "read-only"])
def test_a_read_only_database_fails_health_as_every_turn_fails(
    shared_folder: Path, writable: bool
) -> None:
    path = runner_on_set_one(shared_folder)
    path.chmod(0o666 if writable else 0o644 if os.geteuid() == 0 else 0o444)

    result = probe_as_another_user(path)
    status, body = result["health"]
    if writable:  # the control: the same probe on a file it may write
        assert status == 200 and body["store"] == "ok"
        assert "Set 2 of 4" in result["speech"]
        return
    assert status == 503 and body["status"] == "unavailable" and body["store"] == "read-only"
    assert APOLOGY in result["speech"]
    with sqlite3.connect(path) as db:  # the runner's place is as it was
        (text,) = db.execute("SELECT record FROM progress").fetchone()
    assert decode(text)["progress"]["set_number"] == 1


# A server whose SQLite file sits on a 1 MB tmpfs that fills up. The tmpfs is mounted in a
# mount namespace of the probe's own (`unshare`), so nothing is left mounted whatever happens.
FULL_DISK_PROBE = """
import errno, json, sys
from pathlib import Path
from skill.app import create_app
from tests.support import output_speech, resolved_intent

folder, user = Path(sys.argv[1]), sys.argv[2]
app = create_app({"COACH_VERIFY_REQUESTS": "0", "COACH_DB_PATH": str(folder / "coach.sqlite3")})
client = app.test_client()

def health():
    answer = client.get("/")
    return [answer.status_code, answer.get_json()["store"]]

def say(intent, **slots):
    answer = client.post("/alexa", json=resolved_intent(intent, user_id=user, **slots))
    return output_speech(answer.get_json())

def fill(path):
    with open(path, "wb", buffering=0) as filler:
        for size in (65536, 4096, 1):
            try:
                while True:
                    filler.write(b"x" * size)
            except OSError as error:
                assert error.errno == errno.ENOSPC, error

say("StartWorkoutIntent", workout="bodyweight")
say("SkipWarmUpIntent")
seen = {"room": [health(), say("StatusIntent")], "full": []}
fill(folder / "filler")
for _ in range(5):
    seen["full"].append([say("NextSetIntent"), health()])
(folder / "filler").unlink()
seen["freed"] = [health(), say("NextSetIntent")]
print(json.dumps(seen))
"""


def probe_in_a_mount_namespace(mount: str, folder: Path, probe: str, *args: str) -> dict[str, Any]:
    """`probe` run with `args` after the shell command `mount` ($0: `folder`), in a user and
    mount namespace of its own: nothing stays mounted whatever happens."""
    command = [
        "unshare",
        "--user",
        "--map-root-user",
        "--mount",
        "sh",
        "-c",
        f'{mount} && exec "$@"',
    ]
    command += [str(folder), sys.executable, "-c", probe, *args, USER]
    done = subprocess.run(command, cwd=REPO_ROOT, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def full_disk_probe(folder: Path) -> dict[str, Any]:
    mount = 'mount -t tmpfs -o size=1m coach-full "$0"'
    return probe_in_a_mount_namespace(mount, folder, FULL_DISK_PROBE, str(folder))


def can_mount_a_tmpfs() -> bool:
    if shutil.which("unshare") is None:
        return False
    command = ["unshare", "--user", "--map-root-user", "--mount"]
    command += ["mount", "-t", "tmpfs", "-o", "size=64k", "coach-try", tempfile.gettempdir()]
    return subprocess.run(command, capture_output=True, timeout=30).returncode == 0


@pytest.mark.skipif(
    not can_mount_a_tmpfs(), reason="needs `unshare` to mount a small tmpfs in its own namespace"
)
def test_a_full_disk_fails_health_as_every_turn_fails(tmp_path: Path) -> None:
    seen = full_disk_probe(tmp_path)

    health_before, speech_before = seen["room"]
    assert health_before == [200, "ok"] and "set 1 of 4" in speech_before
    for speech, health_now in seen["full"]:  # every turn apologises, and so does the check
        assert APOLOGY in speech
        assert health_now == [503, "disk full"]
    # Space back: the server recovers without a restart, and set 1 was never counted twice.
    health_after, speech_after = seen["freed"]
    assert health_after == [200, "ok"]
    assert "Set 2 of 4" in speech_after


def probe_on_a_read_only_mount(folder: Path, path: Path) -> dict[str, Any]:
    """READ_ONLY_PROBE with `folder` mounted read-only over itself, in a mount namespace of the
    probe's own: read-only for root too, wherever this Python lives."""
    mount = 'mount --bind "$0" "$0" && mount -o remount,bind,ro "$0"'
    return probe_in_a_mount_namespace(mount, folder, READ_ONLY_PROBE, str(path))


@pytest.mark.skipif(
    not can_mount_a_tmpfs(), reason="needs `unshare` to mount in a namespace of its own"
)
def test_a_database_on_a_read_only_mount_fails_health_as_every_turn_fails(tmp_path: Path) -> None:
    # The other-user test above needs a Python that user may run; this one runs anywhere
    # `unshare` may mount.
    folder = tmp_path / "data"
    folder.mkdir()
    path = runner_on_set_one(folder)

    result = probe_on_a_read_only_mount(folder, path)
    status, body = result["health"]
    assert status == 503 and body["status"] == "unavailable" and body["store"] == "read-only"
    assert APOLOGY in result["speech"]
    with sqlite3.connect(path) as db:  # the runner's place is as it was
        (text,) = db.execute("SELECT record FROM progress").fetchone()
    assert decode(text)["progress"]["set_number"] == 1


class CountedChecks(SqliteProgressStore):
    checks = 0

    def check(self) -> None:
        self.checks += 1
        super().check()


def test_a_flood_of_health_checks_writes_once_until_a_turn_fails(tmp_path: Path) -> None:
    # GET / is public and each real check writes (on DynamoDB, a billed write to one item).
    store = CountedChecks(tmp_path / "coach.sqlite3")
    app = app_on(store)
    say(app, "StartWorkoutIntent", workout="bodyweight")
    for _ in range(100):
        status, body = health(app)
        assert (status, body["store"]) == (200, "ok")
    assert store.checks == 1

    # A turn's store call fails (here the file is pulled away): the next check is real.
    (tmp_path / "coach.sqlite3").unlink()
    assert APOLOGY in say(app, "NextSetIntent")
    status, body = health(app)
    assert (status, body["store"]) == (503, "file deleted or replaced")
    assert health(app)[0] == 503  # a failing verdict is never kept
    assert store.checks == 3
