"""GET /audio/<file>: the tracks Alexa's player fetches from the self-hosted server, and nothing
else under that path."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, cast

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from skill.audio.catalog import default_catalog

TRACK = default_catalog().rest(45).file
STALE = "rest-046-0000000000.mp3"
BODY = bytes(range(256)) * 40  # 10240 bytes: the route serves bytes, whatever they sound like


@pytest.fixture
def audio_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "audio"
    folder.mkdir()
    (folder / TRACK).write_bytes(BODY)
    (folder / "manifest.json").write_text("{}")
    (folder / "rest-045.mp3").write_bytes(BODY)  # not a catalog name
    (folder / STALE).write_bytes(BODY)  # a track's name before its wording changed
    (tmp_path / "secret.txt").write_text("not audio")
    return folder


def fetch(client: FlaskClient, path: str, method: str = "get", **kwargs: Any) -> TestResponse:
    """The reply, read whole and closed (send_file streams from an open file)."""
    with getattr(client, method)(path, **kwargs) as reply:
        reply.get_data()
        return cast(TestResponse, reply)


@pytest.fixture
def audio_client(make_app: Callable[..., Flask], audio_dir: Path) -> FlaskClient:
    return make_app(COACH_AUDIO_DIR=audio_dir).test_client()


def test_a_track_is_served_as_mp3_with_cache_headers(audio_client: FlaskClient) -> None:
    reply = fetch(audio_client, f"/audio/{TRACK}")
    assert reply.status_code == 200
    assert reply.mimetype == "audio/mpeg"
    assert reply.data == BODY
    assert reply.headers["Accept-Ranges"] == "bytes"
    assert reply.headers["Content-Length"] == str(len(BODY))
    assert reply.cache_control.public and reply.cache_control.max_age == 86400
    etag = reply.headers["ETag"]
    again = fetch(audio_client, f"/audio/{TRACK}", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.data == b""


def test_range_requests_get_the_bytes_asked_for(audio_client: FlaskClient) -> None:
    part = fetch(audio_client, f"/audio/{TRACK}", headers={"Range": "bytes=100-199"})
    assert part.status_code == 206
    assert part.headers["Content-Range"] == f"bytes 100-199/{len(BODY)}"
    assert part.data == BODY[100:200] and part.mimetype == "audio/mpeg"
    tail = fetch(audio_client, f"/audio/{TRACK}", headers={"Range": "bytes=-16"})
    assert tail.status_code == 206 and tail.data == BODY[-16:]
    resume = fetch(audio_client, f"/audio/{TRACK}", headers={"Range": "bytes=10000-"})
    assert resume.status_code == 206 and resume.data == BODY[10000:]


def test_a_range_past_the_end_is_416_naming_the_length(audio_client: FlaskClient) -> None:
    reply = fetch(audio_client, f"/audio/{TRACK}", headers={"Range": f"bytes={len(BODY)}-"})
    assert reply.status_code == 416
    assert reply.headers["Content-Range"] == f"bytes */{len(BODY)}"


def test_head_gives_the_headers_without_the_body(audio_client: FlaskClient) -> None:
    reply = fetch(audio_client, method="head", path=f"/audio/{TRACK}")
    assert reply.status_code == 200 and reply.data == b""
    assert reply.headers["Content-Length"] == str(len(BODY))
    assert reply.mimetype == "audio/mpeg"


@pytest.mark.parametrize(
    "path",
    [
        "/audio/",
        "/audio/manifest.json",
        "/audio/rest-045.mp3",
        f"/audio/{STALE}",
        f"/audio/{default_catalog().rest(46).file}",  # in the catalog, not rendered
        f"/audio/{TRACK}/",
        f"/audio/x/{TRACK}",
        "/audio/../secret.txt",
        "/audio/..%2fsecret.txt",
        "/audio/%2e%2e/secret.txt",
        "/audio/%2E%2E%2Fsecret.txt",
        "/audio/....//secret.txt",
        "/audio/../skill/app.py",
        "/audio/%2e%2e%2f%2e%2e%2fskill%2fapp.py",
        "/audio//etc/passwd",
        "/audio/%00",
    ],
)
def test_nothing_but_a_rendered_catalog_track_is_served(
    audio_client: FlaskClient, path: str
) -> None:
    reply = fetch(audio_client, path, follow_redirects=True)  # "//" redirects to "/"
    assert reply.status_code == 404
    assert b"not audio" not in reply.data and b"import" not in reply.data


def test_tracks_are_only_read(audio_client: FlaskClient) -> None:
    for method in ("post", "put", "delete"):
        assert fetch(audio_client, f"/audio/{TRACK}", method).status_code == 405
