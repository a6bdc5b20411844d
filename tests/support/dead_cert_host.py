"""A certificate host that accepts connections and never answers, and `make serve` behind it.

`SilentHost` listens on 127.0.0.1, accepts every connection, reads what it is sent and never
answers. `dead_cert_host_env` makes it the HTTPS proxy of a server process, so every certificate
download the server tries (urllib honours `https_proxy`) opens a connection to it, sends
`CONNECT s3.amazonaws.com:443` and waits for an answer that never comes: the server sees a
certificate host that accepts connections and never answers, and nothing leaves the machine.

`send_unsigned` sends a request that names a chain URL of its own (one that passes the URL
rule) with a made-up signature, so the server must download that chain before it can refuse the
request; its answer is read later (`read_answer`), while `signed_next_set` asks the server what
a genuine runner would.
"""

from __future__ import annotations

import http.client
import json
import selectors
import socket
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from harness.signing import CA_CERT_FILE, DevIdentity
from skill.persistence import SqliteProgressStore
from tests.support import (
    ONE_SET_IN,
    USER_ID,
    envelope_body,
    output_speech,
    request_envelope,
    resolved_intent,
    save_record,
)
from tests.support.signing import signed_headers

HOST = "127.0.0.1"
SIGNED_APP = "harness.cli:dev_server_app()"  # verification on, the dev CA trusted, chain preloaded
MADE_UP_SIGNATURE = "AAAA"  # valid base64; never checked, as the chain is never had


class SilentHost:
    """A TCP server on 127.0.0.1 that accepts every connection and never answers; it records
    the first line each connection sends."""

    def __init__(self) -> None:
        self._listener = socket.create_server((HOST, 0), backlog=1024)
        self._listener.setblocking(False)
        self._selector = selectors.DefaultSelector()
        self._lock = threading.Lock()
        self._connections: list[socket.socket] = []
        self._first_lines: dict[socket.socket, bytes] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)

    @property
    def port(self) -> int:
        port: int = self._listener.getsockname()[1]
        return port

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.port}"

    @property
    def connections(self) -> int:
        """Connections accepted so far."""
        with self._lock:
            return len(self._connections)

    @property
    def first_lines(self) -> list[bytes]:
        """What each connection sent first (up to its first line break), in order."""
        with self._lock:
            return [self._first_lines.get(conn, b"") for conn in self._connections]

    def _serve(self) -> None:
        self._selector.register(self._listener, selectors.EVENT_READ)
        while not self._stop.is_set():
            for key, _ in self._selector.select(0.05):
                if key.fileobj is self._listener:
                    self._accept()
                else:
                    assert isinstance(key.fileobj, socket.socket)
                    self._read(key.fileobj)

    def _accept(self) -> None:
        try:
            conn, _ = self._listener.accept()
        except BlockingIOError:
            return
        conn.setblocking(False)
        self._selector.register(conn, selectors.EVENT_READ)
        with self._lock:
            self._connections.append(conn)

    def _read(self, conn: socket.socket) -> None:
        try:
            data = conn.recv(4096)
        except OSError:
            data = b""
        if not data:  # the client gave up: stop watching, keep the count
            self._selector.unregister(conn)
            return
        with self._lock:
            seen = self._first_lines.get(conn, b"")
            if b"\n" not in seen:
                self._first_lines[conn] = (seen + data).split(b"\n")[0].strip()

    def __enter__(self) -> SilentHost:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=10)
        for conn in [*self._connections, self._listener]:
            conn.close()
        self._selector.close()


def dead_cert_host_env(silent: SilentHost, db_path: Path, identity_dir: Path) -> dict[str, str]:
    """Settings for `make serve` with the dev app, every HTTPS download sent to `silent`."""
    return {
        "COACH_DB_PATH": str(db_path),
        "COACH_DEV_CA_PATH": str(identity_dir / CA_CERT_FILE),
        "https_proxy": silent.url,
        "HTTPS_PROXY": silent.url,
        "no_proxy": "",  # empty: urllib then has no exceptions to the proxy
        "NO_PROXY": "",
    }


def seed_one_set_in(db_path: Path) -> None:
    """The test runner one set into the bodyweight workout, in the SQLite file at `db_path`."""
    store = SqliteProgressStore(db_path)
    try:
        save_record(store, USER_ID, {"progress": ONE_SET_IN})
    finally:
        store.close()


def made_up_cert_url() -> str:
    """A chain URL that passes the URL rule, and that no one has asked for before."""
    return f"https://s3.amazonaws.com/echo.api/{uuid.uuid4().hex}.pem"


def send_unsigned(port: int, timeout_s: float = 60.0) -> http.client.HTTPConnection:
    """Send, and leave unanswered, a LaunchRequest naming a new chain URL; read it with
    `read_answer`."""
    body = envelope_body(request_envelope("LaunchRequest"))
    headers = {
        "Content-Type": "application/json",
        "SignatureCertChainUrl": made_up_cert_url(),
        "Signature-256": MADE_UP_SIGNATURE,
    }
    conn = http.client.HTTPConnection(HOST, port, timeout=timeout_s)
    conn.request("POST", "/alexa", body=body, headers=headers)
    return conn


@dataclass(frozen=True)
class Answer:
    """An HTTP status and body (None and the error when none came), and when it came (seconds
    on the monotonic clock)."""

    status: int | None
    text: str
    at: float


def read_answer(conn: http.client.HTTPConnection) -> Answer:
    try:
        response = conn.getresponse()
        status: int | None = response.status
        text = response.read().decode("utf-8", "replace")
    except OSError as problem:  # timed out or reset: no answer
        status, text = None, f"{type(problem).__name__}: {problem}"
    finally:
        conn.close()
    return Answer(status, text, time.monotonic())


def signed_next_set(port: int, identity: DevIdentity, timeout_s: float) -> Answer:
    """A genuine runner's "next set", signed with `identity`: the coach's speech in `text`."""
    body = envelope_body(resolved_intent("NextSetIntent"))
    conn = http.client.HTTPConnection(HOST, port, timeout=timeout_s)
    conn.request("POST", "/alexa", body=body, headers=signed_headers(identity, body))
    answer = read_answer(conn)
    if answer.status == 200:
        return Answer(answer.status, output_speech(json.loads(answer.text)), answer.at)
    return answer


def wait_until(condition: Callable[[], bool], timeout_s: float) -> bool:
    """Whether `condition()` came true within `timeout_s` (polled every 20 ms)."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.02)
    return bool(condition())
