"""Hostile requests, all in one table: each gets a short JSON 4xx and writes nothing.

Every request below carries a NextSetIntent for a runner whose progress is already stored, so a
request that got through would move that runner on a set. The test snapshots the SQLite rows
before and after and checks that the skill's dispatcher never saw the request. The rows of
`HOSTILE` are the table in docs/reliability.md (`python -m tests.test_hostile` prints it; a test
keeps the two in step). Finer-grained checks of each rule live in test_verification.py and
test_web.py; this file is the whole list in one place.
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from collections.abc import Callable
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from harness.envelopes import intent_json
from harness.signing import (
    DevIdentity,
    chain_pem,
    make_dev_ca,
    make_signing_cert,
    sign_body,
)
from skill.coaching.progress import Progress
from tests.support import (
    REPO_ROOT,
    SKILL_ID,
    USER_ID,
    count_dispatches,
    envelope_body,
    load_record,
    output_speech,
    request_envelope,
    save_record,
    sqlite_store_of,
)
from tests.support.signing import refuse_certificate_downloads, signed_headers

ROOT = REPO_ROOT
DOCS = ROOT / "docs" / "reliability.md"
OTHER_URL = "https://s3.amazonaws.com/echo.api/other.pem"
OTHER_SKILL = "amzn1.ask.skill.someone-else"
SMALL_LIMIT = 4096  # bytes; the app under test is given this max_body_bytes
MAX_ERROR_BODY = 120  # bytes: a short JSON error, never a page or a traceback
SEEDED = Progress(
    workout_id="bodyweight", exercise_index=0, set_number=2, sets_by_exercise=(1,), started_at=1.7e9
)


@dataclass
class Attempt:
    """What one hostile request sends, and the app settings it is sent to."""

    body: bytes
    headers: dict[str, str]
    config: dict[str, Any] = field(default_factory=dict)
    method: str = "POST"


Build = Callable[[DevIdentity], Attempt]


@dataclass(frozen=True)
class Hostile:
    id: str
    request: str  # the table's "request" column
    status: int
    error: str
    proves: str  # the table's "what it proves" column
    build: Build
    fetches: bool = False  # whether refusing it involves an attempt to download the chain


def next_set_envelope(**fields: Any) -> dict[str, Any]:
    """A NextSetIntent for the seeded runner: had it got through, that runner moves on a set."""
    return request_envelope(
        "IntentRequest", new_session=False, intent=intent_json("NextSetIntent"), **fields
    )


def next_set_body(**fields: Any) -> bytes:
    return envelope_body(next_set_envelope(**fields))


def signed(identity: DevIdentity, body: bytes | None = None, **options: Any) -> Attempt:
    body = next_set_body() if body is None else body
    return Attempt(body, signed_headers(identity, body, **options))


def cert_url(url: str, preload: bool = True) -> Build:
    """Signed with the trusted dev key, its chain named by `url`. With `preload` the real chain
    is served for `url`, so only the certificate URL rule can refuse the request."""

    def build(identity: DevIdentity) -> Attempt:
        attempt = signed(identity, cert_url=url)
        if preload:
            attempt.config["COACH_CERT_CHAINS"] = {url: identity.chain_pem()}
        return attempt

    return build


def leaf(**options: Any) -> Build:
    """Signed by a new leaf certificate (issued by the dev CA unless `rogue`), served at
    OTHER_URL."""

    def build(identity: DevIdentity) -> Attempt:
        leaf_options = dict(options)
        if leaf_options.pop("rogue", False):
            ca_key, ca_cert = make_dev_ca("Rogue CA")
        else:
            ca_key, ca_cert = identity.ca_key, identity.ca_cert
        key, cert = make_signing_cert(ca_key, ca_cert, **leaf_options)
        attempt = signed(identity, cert_url=OTHER_URL)
        attempt.headers["Signature-256"] = sign_body(key, attempt.body)
        attempt.config["COACH_CERT_CHAINS"] = {OTHER_URL: chain_pem(cert, ca_cert)}
        return attempt

    return build


def unsigned(identity: DevIdentity) -> Attempt:
    return Attempt(next_set_body(), {"Content-Type": "application/json"})


def tampered(identity: DevIdentity) -> Attempt:
    original = next_set_body()
    attempt = signed(identity, original)
    attempt.body = original.replace(USER_ID.encode(), b"amzn1.ask.account.SOMEONE-ELSE")
    assert attempt.body != original
    return attempt


def other_key(identity: DevIdentity) -> Attempt:
    key, _ = make_signing_cert(identity.ca_key, identity.ca_cert)
    attempt = signed(identity)
    attempt.headers["Signature-256"] = sign_body(key, attempt.body)
    return attempt


def garbage_signature(identity: DevIdentity) -> Attempt:
    attempt = signed(identity)
    attempt.headers["Signature-256"] = "not base64 at all!"
    return attempt


def aged(seconds: int) -> Build:
    def build(identity: DevIdentity) -> Attempt:
        when = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=seconds)
        return signed(identity, next_set_body(timestamp=when))

    return build


def wrong_skill(identity: DevIdentity) -> Attempt:
    attempt = signed(identity)
    attempt.config["COACH_SKILL_ID"] = "amzn1.ask.skill.the-real-one"
    return attempt


def skill_named(*, context: str = SKILL_ID, session: str = SKILL_ID) -> Build:
    """Correctly signed for a server whose skill id is SKILL_ID, naming `context` in
    context.System.application and `session` in session.application."""

    def build(identity: DevIdentity) -> Attempt:
        envelope = next_set_envelope()
        envelope["context"]["System"]["application"]["applicationId"] = context
        envelope["session"]["application"]["applicationId"] = session
        attempt = signed(identity, envelope_body(envelope))
        attempt.config["COACH_SKILL_ID"] = SKILL_ID
        return attempt

    return build


def oversized(identity: DevIdentity) -> Attempt:
    body = next_set_body(padding="x" * SMALL_LIMIT)
    attempt = signed(identity, body)
    attempt.config["COACH_MAX_BODY_BYTES"] = SMALL_LIMIT
    return attempt


def raw(body: bytes, content_type: str = "application/json") -> Build:
    """`body` signed with the trusted key: a valid signature does not make it acceptable."""

    def build(identity: DevIdentity) -> Attempt:
        attempt = signed(identity, body)
        attempt.headers["Content-Type"] = content_type
        return attempt

    return build


def zoneless(stamp: str) -> Build:
    """Correctly signed, with a timestamp that carries no time zone."""

    def build(identity: DevIdentity) -> Attempt:
        return signed(identity, next_set_body(timestamp=stamp))

    return build


def nested(identity: DevIdentity) -> Attempt:
    return Attempt(b"[" * 1000 + b"]" * 1000, {"Content-Type": "application/json"})


def nested_envelope(identity: DevIdentity) -> Attempt:
    """A signed envelope carrying 500-deep session attributes."""
    deep: Any = {}
    for _ in range(500):
        deep = {"a": deep}
    envelope = next_set_envelope()
    envelope["session"]["attributes"] = {"deep": deep}
    return signed(identity, envelope_body(envelope))


def wrong_content_type(identity: DevIdentity) -> Attempt:
    attempt = signed(identity)
    attempt.headers["Content-Type"] = "text/plain"
    return attempt


def get_request(identity: DevIdentity) -> Attempt:
    return Attempt(b"", {}, method="GET")


REFUSED = "request verification failed"
URL_RULE = "the certificate URL rule alone refuses it (the real chain is served for it)"

HOSTILE: tuple[Hostile, ...] = (
    Hostile(
        "unsigned",
        "no signature headers",
        400,
        REFUSED,
        "unsigned requests never reach the skill",
        unsigned,
    ),
    Hostile(
        "url-http",
        "cert URL `http://s3.amazonaws.com/echo.api/…`",
        400,
        REFUSED,
        URL_RULE,
        cert_url("http://s3.amazonaws.com/echo.api/dev.pem"),
    ),
    Hostile(
        "url-host",
        "cert URL on `evil.example.com`",
        400,
        REFUSED,
        URL_RULE,
        cert_url("https://evil.example.com/echo.api/dev.pem"),
    ),
    Hostile(
        "url-host-suffix",
        "cert URL `https://s3.amazonaws.com.evil.example.com/echo.api/…`",
        400,
        REFUSED,
        URL_RULE,
        cert_url("https://s3.amazonaws.com.evil.example.com/echo.api/dev.pem"),
    ),
    Hostile(
        "url-userinfo",
        "cert URL `https://s3.amazonaws.com@evil.example.com/echo.api/…`",
        400,
        REFUSED,
        URL_RULE + "; the host is the part after `@`",
        cert_url("https://s3.amazonaws.com@evil.example.com/echo.api/dev.pem"),
    ),
    Hostile(
        "url-uppercase-host",
        "cert URL `HTTPS://S3.AMAZONAWS.COM.EVIL.EXAMPLE.COM/echo.api/…`",
        400,
        REFUSED,
        URL_RULE + "; case folding does not help a look-alike host",
        cert_url("HTTPS://S3.AMAZONAWS.COM.EVIL.EXAMPLE.COM/echo.api/dev.pem"),
    ),
    Hostile(
        "url-path",
        "cert URL path `/other.api/…`",
        400,
        REFUSED,
        URL_RULE,
        cert_url("https://s3.amazonaws.com/other.api/dev.pem"),
    ),
    Hostile(
        "url-path-case",
        "cert URL path `/EcHo.aPi/…`",
        400,
        REFUSED,
        URL_RULE + "; the path is case-sensitive",
        cert_url("https://s3.amazonaws.com/EcHo.aPi/dev.pem"),
    ),
    Hostile(
        "url-dotdot",
        "cert URL `https://s3.amazonaws.com/echo.api/../evil/…`",
        400,
        REFUSED,
        URL_RULE + "; `..` is resolved before the path check",
        cert_url("https://s3.amazonaws.com/echo.api/../evil/dev.pem"),
    ),
    Hostile(
        "url-encoded-dotdot",
        "cert URL `https://s3.amazonaws.com/echo.api/%2e%2e/evil/…`",
        400,
        REFUSED,
        "the URL rule decodes the path before normalising it, so `%2e%2e` cannot climb out"
        " of /echo.api/; nothing is downloaded",
        cert_url("https://s3.amazonaws.com/echo.api/%2e%2e/evil/dev.pem", preload=False),
    ),
    Hostile(
        "url-port",
        "cert URL port 563",
        400,
        REFUSED,
        URL_RULE,
        cert_url("https://s3.amazonaws.com:563/echo.api/dev.pem"),
    ),
    Hostile(
        "cert-expired",
        "leaf certificate expired yesterday",
        400,
        REFUSED,
        "an expired signing certificate is refused",
        leaf(
            not_before=dt.datetime.now(dt.UTC) - dt.timedelta(days=10),
            not_after=dt.datetime.now(dt.UTC) - dt.timedelta(days=1),
        ),
    ),
    Hostile(
        "cert-wrong-san",
        "leaf certificate for `evil.example.com`",
        400,
        REFUSED,
        "the leaf must name `echo-api.amazon.com`",
        leaf(san="evil.example.com"),
    ),
    Hostile(
        "cert-rogue-ca",
        "leaf certificate from an untrusted CA",
        400,
        REFUSED,
        "the chain must lead to a trusted root",
        leaf(rogue=True),
    ),
    Hostile(
        "tampered",
        "body changed after signing (another user id)",
        400,
        REFUSED,
        "the signature covers the exact body bytes",
        tampered,
    ),
    Hostile(
        "other-key",
        "signed with a key that is not the certificate's",
        400,
        REFUSED,
        "the signature must match the certificate's key",
        other_key,
    ),
    Hostile(
        "garbage-signature",
        "`Signature-256` not base64",
        400,
        REFUSED,
        "a malformed signature is a refusal, not a crash",
        garbage_signature,
    ),
    Hostile(
        "stale",
        "timestamp 200 s old",
        400,
        REFUSED,
        "replays older than 150 s are refused",
        aged(200),
    ),
    Hostile(
        "future",
        "timestamp 200 s ahead",
        400,
        REFUSED,
        "timestamps from the future are refused too",
        aged(-200),
    ),
    Hostile(
        "wrong-skill",
        "correctly signed, for another skill ID",
        400,
        "request is for another skill",
        "requests for other skills are refused before any handler",
        wrong_skill,
    ),
    Hostile(
        "wrong-skill-session",
        "correctly signed, this skill in `context`, another in `session.application`",
        400,
        "request is for another skill",
        "the session's skill is checked too (it was answered and saved)",
        skill_named(session=OTHER_SKILL),
    ),
    Hostile(
        "wrong-skill-context",
        "correctly signed, another skill in `context`, this one in `session.application`",
        400,
        "request is for another skill",
        "the context's skill is checked whatever the session names",
        skill_named(context=OTHER_SKILL),
    ),
    Hostile(
        "oversized",
        "signed body over `max_body_bytes`",
        413,
        "Request Entity Too Large",
        "big bodies are refused before they are read or verified",
        oversized,
    ),
    Hostile(
        "broken-json",
        "truncated JSON (signed)",
        400,
        "body is not UTF-8 JSON",
        "unparseable bodies are refused before verification",
        raw(b'{"version": "1.0", "request": '),
    ),
    Hostile(
        "not-utf8",
        "body not UTF-8 (signed)",
        400,
        "body is not UTF-8 JSON",
        "undecodable bodies are refused",
        raw(b"\xff\xfe{}"),
    ),
    Hostile(
        "not-envelope",
        "JSON that is not an envelope (signed)",
        400,
        "body is not an Alexa request envelope",
        "the skill only sees envelopes with the fields it relies on",
        raw(b'{"version": "1.0", "request": {"type": "IntentRequest"}}'),
    ),
    Hostile(
        "nested",
        "2 KB of 1,000 nested brackets (unsigned)",
        400,
        "body is nested too deeply",
        "deep nesting is refused before it can exhaust Python's recursion limit",
        nested,
    ),
    Hostile(
        "nested-envelope",
        "envelope with 500-deep session attributes (signed)",
        400,
        "body is nested too deeply",
        "JSON nested over 64 deep is refused, even inside an envelope",
        nested_envelope,
    ),
    Hostile(
        "timestamp-no-zone",
        "timestamp `2026-11-30T04:51:07`, no zone (signed)",
        400,
        "malformed request envelope",
        "a time without a zone is refused, not compared (it was a 500)",
        zoneless("2026-11-30T04:51:07"),
    ),
    Hostile(
        "timestamp-date",
        "timestamp `2026-11-30`, a bare date (signed)",
        400,
        "malformed request envelope",
        "a bare date is refused, not compared (it was a 500)",
        zoneless("2026-11-30"),
    ),
    Hostile(
        "content-type",
        "`Content-Type: text/plain`",
        415,
        "Unsupported Media Type",
        "only `application/json` (UTF-8) is read",
        wrong_content_type,
    ),
    Hostile(
        "get", "`GET /alexa`", 405, "Method Not Allowed", "only POST reaches the skill", get_request
    ),
)


def hostile_table() -> str:
    """The Markdown table for docs/reliability.md, from `HOSTILE`."""
    lines = ["| request | status | what it proves |", "| --- | --- | --- |"]
    lines += [f"| {case.request} | {case.status} | {case.proves} |" for case in HOSTILE]
    return "\n".join(lines)


# ---- fixtures ---------------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def no_fetching(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Certificate downloads fail and are recorded: nothing here leaves this machine."""
    return refuse_certificate_downloads(monkeypatch)


def rows(path: Path) -> list[tuple[Any, ...]]:
    with closing(sqlite3.connect(path)) as conn:
        return conn.execute("SELECT * FROM progress ORDER BY user_id").fetchall()


def seeded_app(make_app: Callable[..., Flask], config: dict[str, Any]) -> Flask:
    app = make_app(**config)
    save_record(sqlite_store_of(app), USER_ID, {"progress": SEEDED.to_dict()})
    return app


# ---- tests ------------------------------------------------------------------------------------


@pytest.mark.parametrize("case", HOSTILE, ids=[case.id for case in HOSTILE])
def test_hostile_request_is_a_short_json_4xx_and_writes_nothing(
    make_app: Callable[..., Flask],
    dev_identity: DevIdentity,
    monkeypatch: pytest.MonkeyPatch,
    no_fetching: list[str],
    case: Hostile,
) -> None:
    attempt = case.build(dev_identity)
    app = seeded_app(make_app, attempt.config)
    path = sqlite_store_of(app).path
    before = rows(path)
    assert len(before) == 1
    dispatched = count_dispatches(app, monkeypatch)

    response = app.test_client().open(
        "/alexa", method=attempt.method, data=attempt.body, headers=attempt.headers
    )

    text = response.get_data(as_text=True)
    assert response.status_code == case.status, text
    assert response.content_type == "application/json"
    assert len(response.get_data()) <= MAX_ERROR_BODY
    assert json.loads(text) == {"error": case.error}
    assert "Traceback" not in text and 'File "' not in text
    assert dispatched == []
    assert rows(path) == before  # not even updated_at moved
    assert bool(no_fetching) == case.fetches


def test_the_same_request_properly_signed_does_move_the_runner(
    make_app: Callable[..., Flask], dev_identity: DevIdentity
) -> None:
    """The control: the oracle above would see a write, had a hostile request got through."""
    app = seeded_app(make_app, {})
    path = sqlite_store_of(app).path
    before = rows(path)
    attempt = signed(dev_identity)
    response = app.test_client().post("/alexa", data=attempt.body, headers=attempt.headers)
    assert response.status_code == 200
    assert "Set 3 of 4" in output_speech(response.get_json())
    assert rows(path) != before
    progress = load_record(sqlite_store_of(app))["progress"]
    assert isinstance(progress, dict) and progress["set_number"] == 3


def test_percent_encoded_dot_segments_fail_the_url_rule(
    make_app: Callable[..., Flask], dev_identity: DevIdentity, monkeypatch: pytest.MonkeyPatch
) -> None:
    attempt = cert_url("https://s3.amazonaws.com/echo.api/%2e%2e/evil/dev.pem")(dev_identity)
    app = seeded_app(make_app, attempt.config)
    dispatched = count_dispatches(app, monkeypatch)
    response = app.test_client().post("/alexa", data=attempt.body, headers=attempt.headers)
    assert (response.status_code, dispatched) == (400, [])


def test_docs_show_this_table() -> None:
    assert hostile_table() in DOCS.read_text(encoding="utf-8")


if __name__ == "__main__":
    print(hostile_table())
