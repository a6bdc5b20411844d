"""Sign test requests with a dev identity (see skill.web.dev_signing)."""

from __future__ import annotations

from skill.web.dev_signing import DEV_CERT_URL, DevIdentity


def signed_headers(
    identity: DevIdentity, body: bytes, *, cert_url: str = DEV_CERT_URL
) -> dict[str, str]:
    """The headers Alexa sends with `body`: content type, cert chain URL and Signature-256."""
    return {
        "Content-Type": "application/json; charset=utf-8",
        "SignatureCertChainUrl": cert_url,
        "Signature-256": identity.sign(body),
    }
