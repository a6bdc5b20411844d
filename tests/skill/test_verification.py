"""Request verification through the real SDK verifier, with a local CA and preloaded chains."""

from __future__ import annotations

import ast
import base64
import datetime as dt
import http.client
import importlib
import logging
import re
import sys
import urllib.request
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any
from urllib.error import URLError

import pytest
from ask_sdk_model import RequestEnvelope
from flask import Flask
from flask.testing import FlaskClient

from harness.signing import (
    SIGNING_KEY_FILE,
    DevIdentity,
    cert_pem,
    chain_pem,
    load_or_create_dev_identity,
    make_dev_ca,
    make_signing_cert,
    save_dev_identity,
    sign_body,
)
from skill.web import openssl_compat, verification
from tests.support import (
    SKILL_ID,
    RecordingStore,
    count_dispatches,
    envelope_body,
    output_speech,
    request_envelope,
)
from tests.support.signing import refuse_certificate_downloads, signed_headers

# --- the OpenSSL version fix -------------------------------------------------------------------


def _oscrypto_parse(pattern: str, version_string: str) -> tuple[int | str, ...] | None:
    """oscrypto's own version parsing (_libcrypto_cffi.py), with the given regex."""
    match = re.search(pattern, version_string)
    if match is None:
        return None
    parts = re.sub("(\\d)([a-z]+)", "\\1.\\2", match.group(1)).split(".")
    return tuple(int(part) if part.isdigit() else part for part in parts)


def test_fixed_regex_reads_two_digit_version_parts() -> None:
    broken = ast.literal_eval(openssl_compat.BROKEN_LITERAL)
    fixed = ast.literal_eval(openssl_compat.FIXED_LITERAL)
    assert fixed == openssl_compat.FIXED_PATTERN
    assert _oscrypto_parse(broken, "OpenSSL 3.0.19 27 Jan 2026") is None  # the bug
    assert _oscrypto_parse(fixed, "OpenSSL 3.0.19 27 Jan 2026") == (3, 0, 19)
    assert _oscrypto_parse(fixed, "OpenSSL 1.1.1w  11 Sep 2023") == (1, 1, 1, "w")


def test_verifier_imports_and_oscrypto_reads_the_real_libcrypto_version() -> None:
    importlib.import_module("ask_sdk_webservice_support.verifier")
    libcrypto = sys.modules.get("oscrypto._openssl._libcrypto_cffi") or sys.modules.get(
        "oscrypto._openssl._libcrypto_ctypes"
    )
    assert libcrypto is not None
    expected = _oscrypto_parse(openssl_compat.FIXED_PATTERN, libcrypto.version_string)
    assert libcrypto.version_info == expected
    assert isinstance(libcrypto.version_info[0], int) and libcrypto.version_info[0] >= 1


def test_install_twice_adds_one_finder() -> None:
    openssl_compat.install()
    openssl_compat.install()
    finders = [f for f in sys.meta_path if isinstance(f, openssl_compat.OscryptoVersionFinder)]
    assert len(finders) == 1


def _fake_oscrypto(tmp_path: Path, regex_literal: str) -> list[str]:
    folder = tmp_path / "oscrypto" / "_openssl"
    folder.mkdir(parents=True)
    (folder / "_libcrypto_cffi.py").write_text(
        f"import re\nversion_match = re.search({regex_literal}, 'OpenSSL 3.0.19 27 Jan 2026')\n"
    )
    return [str(folder)]


def test_finder_patches_only_the_broken_literal(tmp_path: Path) -> None:
    path = _fake_oscrypto(tmp_path, openssl_compat.BROKEN_LITERAL)
    finder = openssl_compat.OscryptoVersionFinder()
    spec = finder.find_spec("oscrypto._openssl._libcrypto_cffi", path)
    assert spec is not None and spec.loader is not None
    source = spec.loader.get_source(spec.name)  # type: ignore[attr-defined]  # our loader has it
    assert openssl_compat.FIXED_LITERAL in source
    assert openssl_compat.BROKEN_LITERAL not in source
    assert finder.find_spec("oscrypto._openssl._libssl_cffi", path) is None


def test_finder_steps_aside_when_oscrypto_is_fixed(tmp_path: Path) -> None:
    path = _fake_oscrypto(tmp_path, openssl_compat.FIXED_LITERAL)
    finder = openssl_compat.OscryptoVersionFinder()
    assert finder.find_spec("oscrypto._openssl._libcrypto_cffi", path) is None


# --- dev signing -------------------------------------------------------------------------------


def test_dev_chain_validates_with_the_dev_ca_as_extra_trust_root(dev_identity: DevIdentity) -> None:
    trusted = verification.AlexaSignatureVerifier(extra_trust_roots=cert_pem(dev_identity.ca_cert))
    trusted._validate_cert_chain(dev_identity.chain_pem())  # no exception
    with pytest.raises(verification.VerificationException):
        verification.AlexaSignatureVerifier()._validate_cert_chain(dev_identity.chain_pem())


def test_dev_identity_is_saved_reused_and_its_leaf_renewed(tmp_path: Path) -> None:
    first = load_or_create_dev_identity(tmp_path)
    assert (tmp_path / SIGNING_KEY_FILE).stat().st_mode & 0o777 == 0o600
    again = load_or_create_dev_identity(tmp_path)
    assert again.cert == first.cert and again.ca_cert == first.ca_cert

    now = dt.datetime.now(dt.UTC)
    key, old_leaf = make_signing_cert(
        first.ca_key, first.ca_cert, not_before=now - dt.timedelta(days=9), not_after=now
    )
    save_dev_identity(replace(first, key=key, cert=old_leaf), tmp_path)
    renewed = load_or_create_dev_identity(tmp_path)
    assert renewed.ca_cert == first.ca_cert  # a configured COACH_DEV_CA_PATH stays valid
    assert renewed.cert.not_valid_after_utc > now + dt.timedelta(days=300)


# --- through the web app -----------------------------------------------------------------------

OTHER_URL = "https://s3.amazonaws.com/echo.api/other.pem"


@pytest.fixture(autouse=True)
def no_fetching(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Any certificate download fails and is recorded: these tests never touch the network."""
    return refuse_certificate_downloads(monkeypatch)


@pytest.fixture
def store() -> RecordingStore:
    return RecordingStore()


@pytest.fixture
def make_app(make_app: Callable[..., Flask], store: RecordingStore) -> Callable[..., Flask]:
    """conftest's factory, with a store that records whether a request touched it."""

    def make(**config: Any) -> Flask:
        return make_app(**({"COACH_STORE_OBJECT": store} | config))

    return make


def _post(client: FlaskClient, body: bytes, headers: dict[str, str]) -> tuple[int, dict[str, Any]]:
    response = client.post("/alexa", data=body, headers=headers)
    assert response.content_type == "application/json"
    return response.status_code, response.get_json()


def _assert_refused(
    app: Flask,
    monkeypatch: pytest.MonkeyPatch,
    store: RecordingStore,
    body: bytes,
    headers: dict[str, str],
    error: str = "request verification failed",
) -> None:
    dispatched = count_dispatches(app, monkeypatch)
    status, payload = _post(app.test_client(), body, headers)
    assert (status, payload) == (400, {"error": error})
    assert dispatched == [] and store.calls == [] and store.rows == {}


def _launch() -> bytes:
    return envelope_body(request_envelope("LaunchRequest"))


def test_signed_launch_request_is_answered(
    make_app: Callable[..., Flask],
    dev_identity: DevIdentity,
    monkeypatch: pytest.MonkeyPatch,
    no_fetching: list[str],
) -> None:
    app = make_app()
    dispatched = count_dispatches(app, monkeypatch)
    body = _launch()
    status, payload = _post(app.test_client(), body, signed_headers(dev_identity, body))
    assert status == 200
    assert "Welcome" in output_speech(payload)
    assert dispatched == ["LaunchRequest"]
    assert no_fetching == []


@pytest.mark.parametrize(
    "drop",
    [("SignatureCertChainUrl", "Signature-256"), ("Signature-256",), ("SignatureCertChainUrl",)],
)
def test_missing_signature_headers_are_refused(
    make_app: Callable[..., Flask],
    dev_identity: DevIdentity,
    monkeypatch: pytest.MonkeyPatch,
    store: RecordingStore,
    drop: tuple[str, ...],
) -> None:
    body = _launch()
    headers = {k: v for k, v in signed_headers(dev_identity, body).items() if k not in drop}
    _assert_refused(make_app(), monkeypatch, store, body, headers)


@pytest.mark.parametrize(
    "signature",
    [
        base64.b64encode(b"\0" * 256).decode(),  # well-formed, wrong
        "not base64 at all!",  # the SDK's b64decode would raise binascii.Error: still a 400
        "",
    ],
)
def test_bad_signature_is_refused(
    make_app: Callable[..., Flask],
    dev_identity: DevIdentity,
    monkeypatch: pytest.MonkeyPatch,
    store: RecordingStore,
    signature: str,
) -> None:
    body = _launch()
    headers = signed_headers(dev_identity, body) | {"Signature-256": signature}
    _assert_refused(make_app(), monkeypatch, store, body, headers)


def test_body_signed_with_another_key_is_refused(
    make_app: Callable[..., Flask],
    dev_identity: DevIdentity,
    monkeypatch: pytest.MonkeyPatch,
    store: RecordingStore,
) -> None:
    other_key, _ = make_signing_cert(dev_identity.ca_key, dev_identity.ca_cert)
    body = _launch()
    headers = signed_headers(dev_identity, body) | {"Signature-256": sign_body(other_key, body)}
    _assert_refused(make_app(), monkeypatch, store, body, headers)


def test_body_tampered_after_signing_is_refused(
    make_app: Callable[..., Flask],
    dev_identity: DevIdentity,
    monkeypatch: pytest.MonkeyPatch,
    store: RecordingStore,
) -> None:
    body = _launch()
    headers = signed_headers(dev_identity, body)
    tampered = body.replace(b'"en-US"', b'"en-GB"')
    assert tampered != body
    _assert_refused(make_app(), monkeypatch, store, tampered, headers)


@pytest.mark.parametrize(
    ("cert_url", "reason"),
    [
        ("http://s3.amazonaws.com/echo.api/dev.pem", "invalid protocol"),
        ("https://evil.example.com/echo.api/dev.pem", "invalid hostname"),
        ("https://s3.amazonaws.com.evil.example.com/echo.api/dev.pem", "invalid hostname"),
        ("https://s3.amazonaws.com/other.api/dev.pem", "invalid path"),
        ("https://s3.amazonaws.com/EcHo.aPi/dev.pem", "invalid path"),
        ("https://s3.amazonaws.com/echo.api/../evil/dev.pem", "invalid path"),
        ("https://s3.amazonaws.com:563/echo.api/dev.pem", "invalid port"),
        # Userinfo passes the SDK's rule, and urllib would look up "x@s3.amazonaws.com": a
        # failure that marked Amazon's host down for every genuine first download.
        ("https://x@s3.amazonaws.com/echo.api/dev.pem", "user or password"),
        ("https://x:y@s3.amazonaws.com/echo.api/dev.pem", "user or password"),
        # Amazon's chain URLs carry neither; each variant would be downloaded and held apart.
        ("https://s3.amazonaws.com/echo.api/dev.pem?n=1", "query or fragment"),
        ("https://s3.amazonaws.com/echo.api/dev.pem#n", "query or fragment"),
    ],
)
def test_bad_cert_urls_are_refused(
    make_app: Callable[..., Flask],
    dev_identity: DevIdentity,
    monkeypatch: pytest.MonkeyPatch,
    store: RecordingStore,
    caplog: pytest.LogCaptureFixture,
    no_fetching: list[str],
    cert_url: str,
    reason: str,
) -> None:
    # The real chain is preloaded for the bad URL, so only the URL rule can refuse it.
    app = make_app(COACH_CERT_CHAINS={cert_url: dev_identity.chain_pem()})
    body = _launch()
    _assert_refused(
        app, monkeypatch, store, body, signed_headers(dev_identity, body, cert_url=cert_url)
    )
    assert reason in caplog.text
    assert no_fetching == []


@pytest.mark.parametrize(
    "cert_url",
    [
        "https://s3.amazonaws.com:443/echo.api/dev.pem",
        "HTTPS://S3.AMAZONAWS.COM/echo.api/dev.pem",
        "https://s3.amazonaws.com/echo.api/../echo.api/dev.pem",
    ],
)
def test_equivalent_cert_urls_are_accepted(
    make_app: Callable[..., Flask], dev_identity: DevIdentity, cert_url: str
) -> None:
    app = make_app(COACH_CERT_CHAINS={cert_url: dev_identity.chain_pem()})
    body = _launch()
    status, payload = _post(
        app.test_client(), body, signed_headers(dev_identity, body, cert_url=cert_url)
    )
    assert status == 200 and "Welcome" in output_speech(payload)


def _leaf_chain(identity: DevIdentity, **leaf: Any) -> tuple[Any, bytes]:
    key, cert = make_signing_cert(identity.ca_key, identity.ca_cert, **leaf)
    return key, chain_pem(cert, identity.ca_cert)


@pytest.mark.parametrize(
    ("leaf", "reason"),
    [
        (
            {
                "not_before": dt.datetime.now(dt.UTC) - dt.timedelta(days=10),
                "not_after": dt.datetime.now(dt.UTC) - dt.timedelta(days=1),
            },
            "expired",
        ),
        (
            {
                "not_before": dt.datetime.now(dt.UTC) + dt.timedelta(days=1),
                "not_after": dt.datetime.now(dt.UTC) + dt.timedelta(days=10),
            },
            "not valid until",
        ),
        ({"san": "evil.example.com"}, "echo-api.amazon.com missing"),
    ],
    ids=["expired", "not-yet-valid", "wrong-san"],
)
def test_bad_signing_certificates_are_refused(
    make_app: Callable[..., Flask],
    dev_identity: DevIdentity,
    monkeypatch: pytest.MonkeyPatch,
    store: RecordingStore,
    caplog: pytest.LogCaptureFixture,
    leaf: dict[str, Any],
    reason: str,
) -> None:
    key, chain = _leaf_chain(dev_identity, **leaf)
    app = make_app(COACH_CERT_CHAINS={OTHER_URL: chain})
    body = _launch()
    headers = signed_headers(dev_identity, body, cert_url=OTHER_URL)
    headers["Signature-256"] = sign_body(key, body)
    _assert_refused(app, monkeypatch, store, body, headers)
    assert reason in caplog.text


def test_leaf_from_an_untrusted_ca_is_refused(
    make_app: Callable[..., Flask],
    dev_identity: DevIdentity,
    monkeypatch: pytest.MonkeyPatch,
    store: RecordingStore,
) -> None:
    rogue_ca_key, rogue_ca = make_dev_ca("Rogue CA")
    key, cert = make_signing_cert(rogue_ca_key, rogue_ca)
    app = make_app(COACH_CERT_CHAINS={OTHER_URL: chain_pem(cert, rogue_ca)})
    body = _launch()
    headers = signed_headers(dev_identity, body, cert_url=OTHER_URL)
    headers["Signature-256"] = sign_body(key, body)
    _assert_refused(app, monkeypatch, store, body, headers)


def test_dev_chain_without_the_dev_ca_as_trust_root_is_refused(
    make_app: Callable[..., Flask],
    dev_identity: DevIdentity,
    monkeypatch: pytest.MonkeyPatch,
    store: RecordingStore,
) -> None:
    app = make_app(COACH_DEV_CA_PATH=None)  # only the system's roots
    body = _launch()
    _assert_refused(app, monkeypatch, store, body, signed_headers(dev_identity, body))


@pytest.mark.parametrize("age", [dt.timedelta(seconds=200), dt.timedelta(seconds=-200)])
def test_stale_or_future_timestamp_is_refused(
    make_app: Callable[..., Flask],
    dev_identity: DevIdentity,
    monkeypatch: pytest.MonkeyPatch,
    store: RecordingStore,
    age: dt.timedelta,
) -> None:
    when = dt.datetime.now(dt.UTC) - age
    body = envelope_body(request_envelope("LaunchRequest", timestamp=when))
    _assert_refused(make_app(), monkeypatch, store, body, signed_headers(dev_identity, body))


@pytest.mark.parametrize(
    "failure",
    [
        URLError("no route"),
        TimeoutError("timed out"),
        ConnectionResetError("reset"),
        http.client.IncompleteRead(b""),
        ValueError("bad url"),
    ],
    ids=lambda e: type(e).__name__,
)
def test_unreachable_cert_url_is_a_400_not_a_500(
    make_app: Callable[..., Flask],
    dev_identity: DevIdentity,
    monkeypatch: pytest.MonkeyPatch,
    store: RecordingStore,
    failure: Exception,
) -> None:
    fetched: list[tuple[str, float]] = []

    def fail(url: str, timeout: float) -> Any:
        fetched.append((url, timeout))
        raise failure

    monkeypatch.setattr(verification, "urlopen", fail)
    url = "https://s3.amazonaws.com/echo.api/not-preloaded.pem"
    body = _launch()
    _assert_refused(
        make_app(), monkeypatch, store, body, signed_headers(dev_identity, body, cert_url=url)
    )
    assert fetched == [(url, verification.FETCH_TIMEOUT_SECONDS)]


def test_refused_local_port_becomes_a_verification_exception(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # A real connection attempt, to the discard port on this machine (nothing listens there).
    monkeypatch.setattr(verification, "urlopen", urllib.request.urlopen)
    verifier = verification.AlexaSignatureVerifier(fetch_timeout=2.0)
    with pytest.raises(verification.VerificationException):
        verifier._load_cert_chain("https://127.0.0.1:9/echo.api/dev.pem")


def test_fetched_chain_is_cached(
    dev_identity: DevIdentity, monkeypatch: pytest.MonkeyPatch
) -> None:
    class FakeResponse:
        def __enter__(self) -> FakeResponse:
            return self

        def __exit__(self, *exc: object) -> None:
            return None

        def read(self, limit: int) -> bytes:
            return dev_identity.chain_pem()

    fetched: list[str] = []

    def fetch(url: str, timeout: float) -> FakeResponse:
        fetched.append(url)
        return FakeResponse()

    monkeypatch.setattr(verification, "urlopen", fetch)
    verifier = verification.AlexaSignatureVerifier()
    assert verifier._load_cert_chain(OTHER_URL) == dev_identity.chain_pem()
    assert verifier._load_cert_chain(OTHER_URL) == dev_identity.chain_pem()
    assert fetched == [OTHER_URL]


def test_wrong_skill_id_is_refused(
    make_app: Callable[..., Flask],
    dev_identity: DevIdentity,
    monkeypatch: pytest.MonkeyPatch,
    store: RecordingStore,
) -> None:
    app = make_app(COACH_SKILL_ID="amzn1.ask.skill.the-real-one")
    body = envelope_body(request_envelope("LaunchRequest", skill_id=SKILL_ID))
    headers = signed_headers(dev_identity, body)
    _assert_refused(app, monkeypatch, store, body, headers, error="request is for another skill")


def test_matching_skill_id_is_answered(
    make_app: Callable[..., Flask], dev_identity: DevIdentity
) -> None:
    app = make_app(COACH_SKILL_ID=SKILL_ID)
    body = envelope_body(request_envelope("LaunchRequest", skill_id=SKILL_ID))
    status, payload = _post(app.test_client(), body, signed_headers(dev_identity, body))
    assert status == 200 and "Welcome" in output_speech(payload)


def test_refusals_are_logged_with_their_reason(
    make_app: Callable[..., Flask], dev_identity: DevIdentity, caplog: pytest.LogCaptureFixture
) -> None:
    body = _launch()
    with caplog.at_level(logging.WARNING, logger="skill.app"):
        _post(make_app().test_client(), body, {"Content-Type": "application/json"})
    assert "Missing Signature" in caplog.text


def test_end_certificate_check_uses_aware_dates_and_needs_the_alexa_san(
    dev_identity: DevIdentity,
) -> None:
    # Reached directly: certvalidator already refuses expired chains before this check runs.
    verifier = verification.AlexaSignatureVerifier()
    verifier._validate_end_certificate(dev_identity.cert)  # no deprecation warning either
    _, expired = make_signing_cert(
        dev_identity.ca_key,
        dev_identity.ca_cert,
        not_before=dt.datetime.now(dt.UTC) - dt.timedelta(days=2),
        not_after=dt.datetime.now(dt.UTC) - dt.timedelta(days=1),
    )
    with pytest.raises(verification.VerificationException, match="not valid now"):
        verifier._validate_end_certificate(expired)
    _, wrong_san = make_signing_cert(dev_identity.ca_key, dev_identity.ca_cert, san="x.example")
    with pytest.raises(verification.VerificationException, match="missing"):
        verifier._validate_end_certificate(wrong_san)
    with pytest.raises(verification.VerificationException, match="no SAN"):
        verifier._validate_end_certificate(dev_identity.ca_cert)


# --- a validated chain is reused until it expires ----------------------------------------------

NO_ENVELOPE = RequestEnvelope()  # the signature check reads only the headers and the raw body


from certvalidator import CertificateValidator  # noqa: E402  (after the OpenSSL fix above)


class CountingValidator(CertificateValidator):  # type: ignore[misc]
    made = 0

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        type(self).made += 1
        super().__init__(*args, **kwargs)


def test_a_chain_is_validated_once_until_its_first_certificate_expires(
    dev_identity: DevIdentity, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(CountingValidator, "made", 0)
    monkeypatch.setattr(verification, "CertificateValidator", CountingValidator)
    now = dt.datetime.now(dt.UTC)
    key, cert = make_signing_cert(
        dev_identity.ca_key,
        dev_identity.ca_cert,
        not_before=now - dt.timedelta(hours=1),
        not_after=now + dt.timedelta(hours=1),
    )
    clock = [now]
    verifier = verification.AlexaSignatureVerifier(
        extra_trust_roots=cert_pem(dev_identity.ca_cert),
        cert_chains={OTHER_URL: chain_pem(cert, dev_identity.ca_cert)},
        clock=lambda: clock[0],
    )
    body = _launch()
    headers = signed_headers(dev_identity, body, cert_url=OTHER_URL)
    headers["Signature-256"] = sign_body(key, body)

    def verify() -> None:
        verifier.verify(headers, body.decode(), NO_ENVELOPE)

    verify()
    clock[0] = now + dt.timedelta(minutes=30)
    verify()  # the same chain, still valid: not validated again
    assert CountingValidator.made == 1

    clock[0] = now + dt.timedelta(hours=2)  # the leaf has expired since it was validated
    with pytest.raises(verification.VerificationException):
        verify()
    assert CountingValidator.made == 2


def test_a_tampered_body_is_refused_even_with_its_chain_already_validated(
    dev_identity: DevIdentity,
) -> None:
    verifier = verification.AlexaSignatureVerifier(
        extra_trust_roots=cert_pem(dev_identity.ca_cert),
        cert_chains={OTHER_URL: dev_identity.chain_pem()},
    )
    body = _launch()
    headers = signed_headers(dev_identity, body, cert_url=OTHER_URL)
    verifier.verify(headers, body.decode(), NO_ENVELOPE)
    with pytest.raises(verification.VerificationException):
        tampered = body.decode().replace("LaunchRequest", "IntentRequest")
        verifier.verify(headers, tampered, NO_ENVELOPE)
