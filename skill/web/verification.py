"""Alexa request verification, built on ask-sdk-webservice-support's own checks.

The SDK's `RequestVerifier` checks the cert URL (https, s3.amazonaws.com, /echo.api/, port 443),
the chain, the SAN `echo-api.amazon.com` and the `Signature-256` SHA256withRSA signature over the
raw body; its `TimestampVerifier` allows 150 s. `AlexaSignatureVerifier` changes only what the
SDK gets wrong or cannot do here: fetch failures other than ValueError escaped as crashes, the
fetch had no timeout, any number of requests could each hold a thread on a download from a
certificate host that never answers (`chain_downloads` bounds them), a local dev CA cannot be
trusted, chains cannot be preloaded, and the certificate date check uses attributes that
cryptography deprecates.
"""

from __future__ import annotations

from skill.web import openssl_compat

openssl_compat.install()  # before the SDK pulls in oscrypto
openssl_compat.use_ctypes()  # a faster start than oscrypto's default cffi backend

import datetime as dt  # noqa: E402
import posixpath  # noqa: E402
from collections.abc import Callable, Mapping  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402
from urllib.parse import unquote, urlsplit  # noqa: E402
from urllib.request import urlopen  # noqa: E402

from ask_sdk_model.request_envelope import RequestEnvelope  # noqa: E402
from ask_sdk_webservice_support.verifier import (  # noqa: E402
    AbstractVerifier,
    RequestVerifier,
    TimestampVerifier,
    VerificationException,
)
from ask_sdk_webservice_support.verifier_constants import (  # noqa: E402
    CERT_CHAIN_DOMAIN,
    CERT_CHAIN_URL_STARTPATH,
    SIGNATURE_CERT_CHAIN_URL_HEADER,
    SIGNATURE_HEADER,
)
from asn1crypto import pem  # noqa: E402
from certvalidator import CertificateValidator, ValidationContext  # noqa: E402
from certvalidator.errors import PathError, ValidationError  # noqa: E402
from cryptography import x509  # noqa: E402

from skill.config import DEV_CA_FILE, Settings, SettingsError  # noqa: E402
from skill.web import RequestCheck, RequestRefused  # noqa: E402
from skill.web.chain_downloads import ChainDownloads, DownloadRefused, Fetch  # noqa: E402

__all__ = [
    "AlexaSignatureVerifier",
    "AbstractVerifier",
    "VerificationException",
    "make_request_check",
    "make_verifiers",
    "read_trust_roots",
]

FETCH_TIMEOUT_SECONDS = 5.0
MAX_CHAIN_BYTES = 64 * 1024  # Amazon's chain is a few kilobytes
_MAX_CACHED_CHAINS = 32  # validated chains kept; bounded


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _pem_blocks(data: bytes) -> list[bytes]:
    """The DER bytes of every PEM block in `data`; ValueError if it is not PEM."""
    return [der for _, _, der in pem.unarmor(data, multiple=True)]


def download_chain(url: str, timeout: float) -> bytes:
    """At most MAX_CHAIN_BYTES + 1 bytes from `url`, so that a larger body shows as one."""
    with urlopen(url, timeout=timeout) as response:
        data: bytes = response.read(MAX_CHAIN_BYTES + 1)
    return data


def read_trust_roots(path: Path) -> bytes:
    """PEM bytes of the dev CA at `path` (a PEM file, or a folder holding ca.pem)."""
    if path.is_dir():
        path = path / DEV_CA_FILE
    try:
        data = path.read_bytes()
        if not _pem_blocks(data):
            raise ValueError("no certificate")
    except (OSError, ValueError) as exc:
        raise SettingsError(f"COACH_DEV_CA_PATH: cannot read a PEM CA from {path}: {exc}") from exc
    return data


class AlexaSignatureVerifier(RequestVerifier):
    """The SDK's signature check with bounded downloads, preloaded chains, a dev CA, and a chain
    validated once until its first certificate expires rather than on every request (the
    SDK's pure-Python path validation costs milliseconds a request)."""

    def __init__(
        self,
        *,
        extra_trust_roots: bytes | None = None,
        cert_chains: Mapping[str, bytes] | None = None,
        fetch_timeout: float = FETCH_TIMEOUT_SECONDS,
        fetch: Fetch | None = None,
        clock: Callable[[], dt.datetime] = utc_now,
    ) -> None:
        super().__init__(
            signature_cert_chain_url_key=SIGNATURE_CERT_CHAIN_URL_HEADER,
            signature_key=SIGNATURE_HEADER,
        )
        self._extra_trust_roots = _pem_blocks(extra_trust_roots) if extra_trust_roots else []
        self._preloaded = dict(cert_chains or {})
        # Chains not preloaded, downloaded with `fetch` (tests give their own) under limits that
        # keep a dead certificate host from holding the server's threads (chain_downloads.py).
        self._downloads = ChainDownloads(
            fetch or download_chain, timeout=fetch_timeout, max_bytes=MAX_CHAIN_BYTES
        )
        self._clock = clock
        self._validated: dict[bytes, dt.datetime] = {}  # chain -> when its first cert expires

    def verify(
        self,
        headers: dict[str, Any],
        serialized_request_env: str,
        deserialized_request_env: RequestEnvelope,
    ) -> None:
        try:
            super().verify(headers, serialized_request_env, deserialized_request_env)
        except VerificationException:
            raise
        except (ValueError, TypeError) as exc:
            # e.g. a Signature-256 that is not base64, or a non-RSA leaf key: refuse, not crash
            raise VerificationException(f"Malformed signature or certificate: {exc!r}") from exc

    def _validate_certificate_url(self, cert_url: str) -> None:
        # The SDK normalises the path without percent-decoding it, so "/echo.api/%2e%2e/x"
        # passed its check although URL normalisation (RFC 3986) makes it "/x". Decode first.
        super()._validate_certificate_url(cert_url)
        parts = urlsplit(cert_url)
        # The SDK's rule reads the host after any "user@", while urllib then connects with the
        # whole of it; and a query makes the same chain a new URL to download and keep.
        if "@" in parts.netloc:
            raise VerificationException("Signature Certificate URL has a user or password")
        if parts.query or parts.fragment:
            raise VerificationException("Signature Certificate URL has a query or fragment")
        path = posixpath.normpath(unquote(parts.path))
        if not path.startswith(CERT_CHAIN_URL_STARTPATH):
            raise VerificationException(
                f"Signature Certificate URL has invalid path once decoded: {path}"
            )

    def _load_cert_chain(self, cert_url: str) -> bytes:
        # Called only after the SDK has accepted the URL itself.
        if cert_url in self._preloaded:
            return self._preloaded[cert_url]
        try:
            return self._downloads.get(cert_url)
        except DownloadRefused as exc:
            raise VerificationException(str(exc)) from exc

    def _validate_cert_chain(self, cert_chain: bytes) -> None:
        # As the SDK's, plus the dev CA as an extra trust root and garbage PEM as a refusal.
        # A chain that passed stays valid until one of its certificates expires: the same
        # bytes, the same trust roots, no revocation checks (neither here nor in the SDK).
        now = self._clock()
        good_until = self._validated.get(cert_chain)
        if good_until is not None and now < good_until:
            return
        try:
            blocks = _pem_blocks(cert_chain)
            if not blocks:
                raise VerificationException("Certificate chain is empty")
            context = ValidationContext(extra_trust_roots=self._extra_trust_roots, moment=now)
            validator = CertificateValidator(blocks[0], blocks[1:], validation_context=context)
            validator.validate_usage(key_usage={"digital_signature"})
            expiries = [x509.load_der_x509_certificate(der).not_valid_after_utc for der in blocks]
        except (PathError, ValidationError, ValueError, TypeError) as exc:
            raise VerificationException(f"Certificate chain is not valid: {exc}") from exc
        if len(self._validated) >= _MAX_CACHED_CHAINS:
            self._validated.clear()
        self._validated[cert_chain] = min(expiries)

    def _validate_end_certificate(self, x509_cert: x509.Certificate) -> None:
        # The SDK's check, with the timezone-aware attributes (the naive ones are deprecated).
        now = self._clock()
        if not x509_cert.not_valid_before_utc <= now <= x509_cert.not_valid_after_utc:
            raise VerificationException("Signing certificate is not valid now")
        try:
            san = x509_cert.extensions.get_extension_for_class(x509.SubjectAlternativeName)
        except x509.ExtensionNotFound as exc:
            raise VerificationException("Signing certificate has no SAN") from exc
        if CERT_CHAIN_DOMAIN not in san.value.get_values_for_type(x509.DNSName):
            raise VerificationException(f"{CERT_CHAIN_DOMAIN} missing in signing certificate")


def make_verifiers(
    settings: Settings, *, cert_chains: Mapping[str, bytes] | None = None
) -> list[AbstractVerifier]:
    """Signature, then timestamp; none when `settings.verify_requests` is off.

    `cert_chains` ({cert URL: PEM chain}) is served instead of fetching those URLs.
    """
    if not settings.verify_requests:
        return []
    extra = read_trust_roots(settings.dev_ca_path) if settings.dev_ca_path else None
    return [
        AlexaSignatureVerifier(extra_trust_roots=extra, cert_chains=cert_chains),
        TimestampVerifier(),
    ]


def make_request_check(
    settings: Settings, *, cert_chains: Mapping[str, bytes] | None = None
) -> RequestCheck:
    """Every verifier of `make_verifiers`, in order, as one check raising RequestRefused."""
    verifiers = make_verifiers(settings, cert_chains=cert_chains)

    def check(headers: dict[str, str], body: str, envelope: RequestEnvelope) -> None:
        try:
            for verifier in verifiers:
                verifier.verify(
                    headers=headers, serialized_request_env=body, deserialized_request_env=envelope
                )
        except VerificationException as exc:
            raise RequestRefused(str(exc)) from exc

    return check
