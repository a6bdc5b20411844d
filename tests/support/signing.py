"""Sign test requests with a dev identity (see harness.signing)."""

from __future__ import annotations

from typing import Any
from urllib.error import URLError

import pytest

from harness.signing import DEV_CERT_URL, DevIdentity
from skill.web import verification


def signed_headers(
    identity: DevIdentity, body: bytes, *, cert_url: str = DEV_CERT_URL
) -> dict[str, str]:
    """The headers Alexa sends with `body`: content type, cert chain URL and Signature-256."""
    return {
        "Content-Type": "application/json; charset=utf-8",
        "SignatureCertChainUrl": cert_url,
        "Signature-256": identity.sign(body),
    }


def refuse_certificate_downloads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Make every certificate download fail, and record the URLs tried: tests never reach the
    network, and can tell whether a refusal involved a download."""
    fetched: list[str] = []

    def refuse(url: str, timeout: float) -> Any:
        fetched.append(url)
        raise URLError("network disabled in tests")

    monkeypatch.setattr(verification, "urlopen", refuse)
    return fetched
