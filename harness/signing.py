"""Sign requests the way Alexa does, with a local CA, for tests and the local harness.

Alexa signs each request body with SHA256withRSA and names, in `SignatureCertChainUrl`, a PEM
chain whose leaf carries the SAN `echo-api.amazon.com`. Here a throwaway CA issues such a leaf;
the verifier trusts that CA only when `Settings.dev_ca_path` points at it, and the chain is
preloaded for `DEV_CERT_URL`, so nothing touches the network.
"""

from __future__ import annotations

import base64
import datetime as dt
import os
from dataclasses import dataclass, replace
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.x509.oid import NameOID

from skill.config import DEV_CA_FILE

DEV_CERT_URL = "https://s3.amazonaws.com/echo.api/upper-body-coach-dev.pem"
ALEXA_SAN = "echo-api.amazon.com"

# File names inside a dev identity folder.
CA_CERT_FILE = DEV_CA_FILE  # the file COACH_DEV_CA_PATH finds in a folder
CA_KEY_FILE = "ca-key.pem"
SIGNING_CERT_FILE = "signing.pem"
SIGNING_KEY_FILE = "signing-key.pem"

_KEY_SIZE = 2048


def _new_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=_KEY_SIZE)


def _name(common_name: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])


def make_dev_ca(
    common_name: str = "Upper Body Coach dev CA",
) -> tuple[rsa.RSAPrivateKey, x509.Certificate]:
    """A self-signed CA, valid for ten years, that may only sign end-entity certificates."""
    key = _new_key()
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(_name(common_name))
        .issuer_name(_name(common_name))
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(hours=1))
        .not_valid_after(now + dt.timedelta(days=3650))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=False,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    return key, cert


def make_signing_cert(
    ca_key: rsa.RSAPrivateKey,
    ca_cert: x509.Certificate,
    *,
    san: str = ALEXA_SAN,
    not_before: dt.datetime | None = None,
    not_after: dt.datetime | None = None,
) -> tuple[rsa.RSAPrivateKey, x509.Certificate]:
    """A leaf like Alexa's: SAN `san`, key usage digital_signature (the SDK checks it)."""
    key = _new_key()
    now = dt.datetime.now(dt.UTC)
    not_before = now - dt.timedelta(hours=1) if not_before is None else not_before
    not_after = now + dt.timedelta(days=365) if not_after is None else not_after
    cert = (
        x509.CertificateBuilder()
        .subject_name(_name(san))
        .issuer_name(ca_cert.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before)
        .not_valid_after(not_after)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(san)]), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()),
            critical=False,
        )
        .sign(ca_key, hashes.SHA256())
    )
    return key, cert


def cert_pem(cert: x509.Certificate) -> bytes:
    return cert.public_bytes(serialization.Encoding.PEM)


def chain_pem(cert: x509.Certificate, ca_cert: x509.Certificate) -> bytes:
    """Leaf first, then the CA: the SDK reads the first PEM as the end entity."""
    return cert_pem(cert) + cert_pem(ca_cert)


def sign_body(key: rsa.RSAPrivateKey, body: bytes) -> str:
    """The `Signature-256` header value for `body`: base64 of SHA256withRSA (PKCS#1 v1.5)."""
    signature = key.sign(body, padding.PKCS1v15(), hashes.SHA256())
    return base64.b64encode(signature).decode("ascii")


@dataclass(frozen=True)
class DevIdentity:
    """A dev CA and the signing certificate it issued."""

    ca_key: rsa.RSAPrivateKey
    ca_cert: x509.Certificate
    key: rsa.RSAPrivateKey
    cert: x509.Certificate

    def chain_pem(self) -> bytes:
        return chain_pem(self.cert, self.ca_cert)

    def sign(self, body: bytes) -> str:
        return sign_body(self.key, body)


def make_dev_identity() -> DevIdentity:
    ca_key, ca_cert = make_dev_ca()
    key, cert = make_signing_cert(ca_key, ca_cert)
    return DevIdentity(ca_key, ca_cert, key, cert)


def _key_pem(key: rsa.RSAPrivateKey) -> bytes:
    # Unencrypted on purpose: a throwaway identity that only a local CA trusts.
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


def _write_private(path: Path, data: bytes) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)


def save_dev_identity(identity: DevIdentity, folder: Path) -> None:
    """Write the four PEM files into `folder` (created if needed); keys are owner-only."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / CA_CERT_FILE).write_bytes(cert_pem(identity.ca_cert))
    (folder / SIGNING_CERT_FILE).write_bytes(cert_pem(identity.cert))
    _write_private(folder / CA_KEY_FILE, _key_pem(identity.ca_key))
    _write_private(folder / SIGNING_KEY_FILE, _key_pem(identity.key))


def _load_rsa_key(path: Path) -> rsa.RSAPrivateKey:
    # Our own key, written by save_dev_identity: re-checking its RSA maths costs 70 ms a load
    # (every signed `coach chat`), and a damaged file still fails to parse.
    key = serialization.load_pem_private_key(
        path.read_bytes(), password=None, unsafe_skip_rsa_key_validation=True
    )
    if not isinstance(key, rsa.RSAPrivateKey):
        raise ValueError(f"{path} does not hold an RSA private key")
    return key


def load_dev_identity(folder: Path) -> DevIdentity:
    """Read what `save_dev_identity` wrote; OSError or ValueError if it is missing or broken."""
    return DevIdentity(
        ca_key=_load_rsa_key(folder / CA_KEY_FILE),
        ca_cert=x509.load_pem_x509_certificate((folder / CA_CERT_FILE).read_bytes()),
        key=_load_rsa_key(folder / SIGNING_KEY_FILE),
        cert=x509.load_pem_x509_certificate((folder / SIGNING_CERT_FILE).read_bytes()),
    )


def load_or_create_dev_identity(folder: Path) -> DevIdentity:
    """Reuse the identity saved in `folder`, or make and save one.

    A leaf within a day of its end is reissued by the same CA, so a configured
    `COACH_DEV_CA_PATH` keeps working across runs.
    """
    try:
        identity = load_dev_identity(folder)
    except FileNotFoundError:
        identity = make_dev_identity()
        save_dev_identity(identity, folder)
        return identity
    if identity.cert.not_valid_after_utc <= dt.datetime.now(dt.UTC) + dt.timedelta(days=1):
        key, cert = make_signing_cert(identity.ca_key, identity.ca_cert)
        identity = replace(identity, key=key, cert=cert)
        save_dev_identity(identity, folder)
    return identity
