"""A chunked body (Transfer-Encoding: chunked, no Content-Length) is held to the same limit as
one with a length: over COACH_MAX_BODY_BYTES it is a 413 and nothing is saved, never a body cut
at the limit and processed. Sent through real WSGI servers (the test client cannot chunk) and,
for the fast default run, in process with the environ such a server builds."""

from __future__ import annotations

import http.client
import io
import json
import socket
import sqlite3
import uuid
from collections.abc import Callable, Iterator
from contextlib import closing
from pathlib import Path

import pytest
from flask import Flask

from tests.support import envelope_body, resolved_intent
from tests.support.servers import HOST, ServerKind, running_server, sqlite_env

LIMIT = 4096  # bytes: COACH_MAX_BODY_BYTES of the apps under test


def padded_start(user_id: str, size: int) -> bytes:
    """A StartWorkoutIntent followed by spaces up to `size` bytes: cut anywhere after the
    envelope, it is still JSON the skill would answer (and save)."""
    body = envelope_body(
        resolved_intent("StartWorkoutIntent", user_id=user_id, workout="bodyweight")
    )
    assert len(body) < LIMIT // 2
    return body + b" " * (size - len(body))


def chunks(body: bytes, size: int = 1000) -> Iterator[bytes]:
    for start in range(0, len(body), size):
        yield body[start : start + size]


def saved_users(path: Path) -> list[str]:
    if not path.exists():
        return []
    with closing(sqlite3.connect(path)) as conn:
        try:
            rows = conn.execute("SELECT user_id FROM progress").fetchall()
        except sqlite3.OperationalError:  # no table yet: nothing was ever saved
            return []
    return [str(row[0]) for row in rows]


def post_chunked(port: int, body: bytes) -> tuple[int, str]:
    """POST `body` in chunks and read the answer. A server that refuses the body may answer and
    close before the last chunk is sent: the send then fails (a broken pipe), and the answer
    it gave is still read."""
    head = (
        f"POST /alexa HTTP/1.1\r\nHost: {HOST}:{port}\r\nContent-Type: application/json\r\n"
        "Transfer-Encoding: chunked\r\n\r\n"
    ).encode("ascii")
    framed = [b"%x\r\n%s\r\n" % (len(chunk), chunk) for chunk in chunks(body)]
    with socket.create_connection((HOST, port), timeout=30) as sock:
        try:
            for piece in (head, *framed, b"0\r\n\r\n"):
                sock.sendall(piece)
        except (BrokenPipeError, ConnectionResetError):
            pass  # refused mid-body: the answer is read below
        response = http.client.HTTPResponse(sock)
        response.begin()
        return response.status, response.read().decode("utf-8", "replace")


@pytest.mark.parametrize("kind", ["gunicorn", "waitress"])
def test_a_chunked_body_over_the_limit_is_413_through_a_real_server(
    tmp_path: Path, kind: ServerKind
) -> None:
    db = tmp_path / "coach.sqlite3"
    env = {**sqlite_env(db), "COACH_MAX_BODY_BYTES": str(LIMIT), "COACH_SKILL_ID": ""}
    within, over = f"amzn1.ask.account.{uuid.uuid4()}", f"amzn1.ask.account.{uuid.uuid4()}"
    with running_server(
        "skill.app:create_app()", env, tmp_path / "server.log", kind=kind, workers=1
    ) as server:
        # The control: a chunked body within the limit is read whole and answered.
        assert post_chunked(server.port, padded_start(within, LIMIT))[0] == 200
        status, text = post_chunked(server.port, padded_start(over, 2 * LIMIT))
    assert status == 413, text
    assert json.loads(text) == {"error": "Request Entity Too Large"}
    assert saved_users(db) == [within]


def post_streamed(app: Flask, body: bytes) -> tuple[int, str]:
    """As a server that de-chunks the body hands it on: no CONTENT_LENGTH, the stream ends where
    the body does (wsgi.input_terminated)."""
    response = app.test_client().post(
        "/alexa",
        headers={"Content-Type": "application/json"},
        environ_overrides={
            "wsgi.input": io.BytesIO(body),
            "wsgi.input_terminated": True,
            "CONTENT_LENGTH": "",
        },
    )
    return response.status_code, response.get_data(as_text=True)


@pytest.mark.parametrize("size", [LIMIT + 1, 2 * LIMIT])
def test_a_streamed_body_over_the_limit_is_413_and_saves_nothing(
    make_app: Callable[..., Flask], tmp_path: Path, size: int
) -> None:
    app = make_app(COACH_VERIFY_REQUESTS="0", COACH_MAX_BODY_BYTES=str(LIMIT))
    user = f"amzn1.ask.account.{uuid.uuid4()}"
    assert post_streamed(app, padded_start(user, LIMIT))[0] == 200
    status, text = post_streamed(app, padded_start("amzn1.ask.account.OVER", size))
    assert status == 413, text
    assert saved_users(tmp_path / "coach.sqlite3") == [user]
