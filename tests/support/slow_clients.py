"""Slow clients, and the requests a real user makes while they hang.

`SlowClients` opens connections to a server and trickles each one's request a byte at a time:
headers that never end (a "slowloris"), or complete headers followed by a body that crawls. It
never finishes a request, so whatever the server gives such a connection is held for as long
as the clients run. Meanwhile `health` and `launch` ask what a real user would: the health
check, and a (signed) LaunchRequest whose answer is read for the coach's words.
"""

from __future__ import annotations

import http.client
import json
import socket
import threading
import time
import uuid
from dataclasses import dataclass, field
from typing import Literal

from harness.signing import DevIdentity
from tests.support import envelope_body, output_speech, request_envelope
from tests.support.signing import signed_headers

SlowKind = Literal["headers", "body"]
BODY_BYTES = 4000  # a slow body's announced length: within the app's limit, never all sent


def slow_request(kind: SlowKind, host: str, port: int) -> tuple[bytes, bytes]:
    """(sent at once, trickled): a request that is never finished within a test's time."""
    if kind == "headers":
        head = f"GET / HTTP/1.1\r\nHost: {host}:{port}\r\nX-Slow: ".encode()
        return b"", head + b"a" * 2000
    head = (
        f"POST /alexa HTTP/1.1\r\nHost: {host}:{port}\r\nContent-Type: application/json\r\n"
        f"Content-Length: {BODY_BYTES}\r\n\r\n"
    ).encode()
    return head, b"{" + b" " * (BODY_BYTES - 1)


@dataclass
class SlowClients:
    """`count` connections of `kind`, each sending one more byte every `interval_s`."""

    host: str
    port: int
    count: int
    kind: SlowKind = "headers"
    interval_s: float = 0.2
    sockets: list[socket.socket] = field(default_factory=list)
    dropped: int = 0  # connections the server closed (or reset) while they trickled
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None

    def start(self) -> SlowClients:
        first, rest = slow_request(self.kind, self.host, self.port)
        pending: list[tuple[socket.socket, bytes]] = []
        for _ in range(self.count):
            conn = socket.create_connection((self.host, self.port), timeout=5)
            conn.sendall(first + rest[:1])
            self.sockets.append(conn)
            pending.append((conn, rest[1:]))
        self._thread = threading.Thread(target=self._trickle, args=(pending,), daemon=True)
        self._thread.start()
        return self

    def _trickle(self, pending: list[tuple[socket.socket, bytes]]) -> None:
        while pending and not self._stop.wait(self.interval_s):
            still: list[tuple[socket.socket, bytes]] = []
            for conn, rest in pending:
                try:
                    conn.sendall(rest[:1])
                except OSError:
                    self.dropped += 1
                    continue
                if rest[1:]:
                    still.append((conn, rest[1:]))
            pending = still

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=10)
        for conn in self.sockets:
            conn.close()

    def __enter__(self) -> SlowClients:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


@dataclass(frozen=True)
class Answer:
    """What a probe got: the status and what it said, or the error; and how long it took."""

    what: str
    status: int | None
    text: str
    seconds: float

    @property
    def ok(self) -> bool:
        return self.status == 200


def _ask(
    what: str,
    host: str,
    port: int,
    method: str,
    path: str,
    body: bytes | None,
    headers: dict[str, str],
    timeout_s: float,
) -> tuple[Answer, bytes]:
    began = time.monotonic()
    conn = http.client.HTTPConnection(host, port, timeout=timeout_s)
    try:
        conn.request(method, path, body=body, headers=headers)
        response = conn.getresponse()
        raw = response.read()
        status: int | None = response.status
        error = ""
    except OSError as problem:  # refused, reset or timed out: the user heard nothing
        raw, status, error = b"", None, f"{type(problem).__name__}: {problem}"
    finally:
        conn.close()
    seconds = time.monotonic() - began
    return Answer(what, status, error or raw.decode("utf-8", "replace"), seconds), raw


def health(host: str, port: int, timeout_s: float) -> Answer:
    """GET /, with the health check's own status in `text`."""
    answer, raw = _ask("GET /", host, port, "GET", "/", None, {}, timeout_s)
    if answer.ok:
        status = json.loads(raw).get("status")
        return Answer(answer.what, answer.status, f"status {status}", answer.seconds)
    return answer


def launch(host: str, port: int, identity: DevIdentity | None, timeout_s: float) -> Answer:
    """ "Alexa, open upper body coach" from a new user, signed with `identity` (unsigned if
    None): the coach's speech in `text`."""
    user = f"amzn1.ask.account.SLOW-{uuid.uuid4().hex[:12]}"
    body = envelope_body(request_envelope("LaunchRequest", user_id=user))
    headers = {"Content-Type": "application/json"}
    if identity is not None:
        headers = signed_headers(identity, body)
    answer, raw = _ask("launch", host, port, "POST", "/alexa", body, headers, timeout_s)
    if answer.ok:
        return Answer(answer.what, answer.status, output_speech(json.loads(raw)), answer.seconds)
    return answer
