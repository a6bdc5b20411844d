"""Assemble the skill package that the ASK CLI (`ask deploy`) and SMAPI upload.

`skill-package/` is a build product, ignored by git, in the ASK CLI v2 layout:

    skill-package/skill.json                            manifest/skill.json, endpoint filled in
    skill-package/interactionModels/custom/<locale>.json  interaction_model/<locale>.json, as is

The interaction model has one source, `interaction_model/`, which the harness and the tests read.
Copying it byte for byte at every build means the model Alexa gets is the model that was tested;
a second copy kept by hand could drift. The endpoint is the one field that differs between
deployments (a host, a stage, a Lambda function), so it is given at build time rather than
edited into the committed manifest.

    python -m publishing.skill_package --endpoint https://coach.example.org/alexa
    python -m publishing.skill_package --endpoint \
        arn:aws:lambda:us-east-1:123456789012:function:upper-body-coach-prod-skill:snapstart

A Lambda endpoint names the function's SnapStart alias: serverless.yml lets Alexa invoke that
alias only, and the function unqualified would run without the snapshot.
"""

from __future__ import annotations

import argparse
import copy
import json
import re
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parents[1]
MANIFEST_PATH = REPO_ROOT / "manifest" / "skill.json"
MODEL_DIR = REPO_ROOT / "interaction_model"
PACKAGE_DIR = REPO_ROOT / "skill-package"
MODELS_IN_PACKAGE = Path("interactionModels") / "custom"

# Every value a developer must replace contains this marker, and nothing else does.
PLACEHOLDER = "FILL-IN"

# Trusted: a certificate from a trusted authority (required for certification); Wildcard: a
# subdomain of a domain with a trusted wildcard certificate; SelfSigned: development only,
# with the certificate uploaded in the developer console.
SSL_CERTIFICATE_TYPES = ("Trusted", "Wildcard", "SelfSigned")
_LAMBDA_ARN = re.compile(
    r"^(?P<function>arn:aws:lambda:[a-z]{2}(?:-[a-z]+)+-\d:\d{12}:function:[A-Za-z0-9_-]{1,64})"
    r"(?::(?P<qualifier>[A-Za-z0-9_$-]+))?$"
)
LAMBDA_ALIAS = "snapstart"  # serverless.yml's snapStart: the alias Serverless makes and allows
_HTTPS_URL = re.compile(r"^https://[A-Za-z0-9.-]+(?::443)?(?:/\S*)?$")


class PackageError(ValueError):
    """The package cannot be built as asked (a malformed endpoint, a missing source)."""


def endpoint_for(value: str, ssl_certificate_type: str = "Trusted") -> dict[str, str]:
    """The manifest's `apis.custom.endpoint` for an HTTPS URL or a Lambda function ARN."""
    if PLACEHOLDER in value:
        raise PackageError(f"the endpoint {value!r} is still a placeholder")
    lambda_arn = _LAMBDA_ARN.match(value)
    if lambda_arn is not None:
        if lambda_arn["qualifier"] != LAMBDA_ALIAS:
            raise PackageError(
                f"the endpoint {value!r} does not name the function's SnapStart alias, the only "
                f"one Alexa may invoke: use {lambda_arn['function']}:{LAMBDA_ALIAS}"
            )
        return {"uri": value}  # Lambda takes no certificate type
    if not _HTTPS_URL.match(value):
        raise PackageError(
            f"the endpoint {value!r} is neither an https:// URL (port 443) nor a Lambda "
            f"function's SnapStart alias (arn:aws:lambda:<region>:<account>:function:<name>:"
            f"{LAMBDA_ALIAS})"
        )
    if ssl_certificate_type not in SSL_CERTIFICATE_TYPES:
        raise PackageError(
            f"sslCertificateType {ssl_certificate_type!r} is not one of "
            + ", ".join(SSL_CERTIFICATE_TYPES)
        )
    return {"uri": value, "sslCertificateType": ssl_certificate_type}


def placeholders(data: Any, path: str = "") -> list[str]:
    """Dotted paths (list items as [i]) of every string that still holds the placeholder."""
    if isinstance(data, dict):
        return [
            found
            for key, value in data.items()
            for found in placeholders(value, f"{path}.{key}" if path else str(key))
        ]
    if isinstance(data, list):
        return [
            found for i, value in enumerate(data) for found in placeholders(value, f"{path}[{i}]")
        ]
    if isinstance(data, str) and PLACEHOLDER in data:
        return [path]
    return []


def read_manifest(path: Path = MANIFEST_PATH) -> dict[str, Any]:
    try:
        manifest: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as error:
        raise PackageError(f"cannot read the manifest {path}: {error}") from error
    return manifest


def build_manifest(
    source: dict[str, Any], endpoint: str | None = None, ssl_certificate_type: str = "Trusted"
) -> dict[str, Any]:
    """The manifest with the endpoint given, or the source's placeholder endpoint if none, and
    every locale's icons and privacy policy those of the first locale (see share_first_locale)."""
    manifest = copy.deepcopy(source)
    if endpoint:
        manifest["manifest"]["apis"]["custom"]["endpoint"] = endpoint_for(
            endpoint, ssl_certificate_type
        )
    share_first_locale(manifest["manifest"])
    return manifest


SHARED_STORE_FIELDS = ("smallIconUri", "largeIconUri")


def share_first_locale(manifest: dict[str, Any]) -> None:
    """Every store shows the same icons and links the same privacy policy: they are written once,
    in the first locale (en-US), and each other locale gets them here unless it has its own."""
    stores = manifest["publishingInformation"]["locales"]
    first = next(iter(stores.values()))
    privacy = manifest.get("privacyAndCompliance", {}).get("locales")
    first_privacy = next(iter(privacy.values())) if privacy else None
    for locale, store in stores.items():
        for field in SHARED_STORE_FIELDS:
            store.setdefault(field, first[field])
        if privacy is not None and first_privacy is not None:
            privacy.setdefault(locale, dict(first_privacy))


def build(
    out_dir: Path = PACKAGE_DIR,
    endpoint: str | None = None,
    ssl_certificate_type: str = "Trusted",
    manifest_path: Path = MANIFEST_PATH,
    model_dir: Path = MODEL_DIR,
) -> list[str]:
    """Write the package into `out_dir`; return the placeholders still left in it (each once:
    a placeholder shared with every locale is named where it is written)."""
    source = read_manifest(manifest_path)
    manifest = build_manifest(source, endpoint, ssl_certificate_type)
    models = sorted(model_dir.glob("*.json"))
    if not models:
        raise PackageError(f"no interaction models in {model_dir}")
    models_out = out_dir / MODELS_IN_PACKAGE
    models_out.mkdir(parents=True, exist_ok=True)
    # Only files this build writes are removed: a locale dropped from the sources must not
    # linger in the package, and nothing else in out_dir is touched.
    for stale in models_out.glob("*.json"):
        stale.unlink()
    for model in models:
        (models_out / model.name).write_bytes(model.read_bytes())
    (out_dir / "skill.json").write_text(
        json.dumps(manifest, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    if endpoint:
        source["manifest"]["apis"]["custom"]["endpoint"] = manifest["manifest"]["apis"]["custom"][
            "endpoint"
        ]
    return placeholders(source)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m publishing.skill_package",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--out", type=Path, default=PACKAGE_DIR, help="default: skill-package/")
    parser.add_argument(
        "--endpoint",
        default="",
        help="https://host/alexa or a Lambda function ARN; empty keeps the placeholder",
    )
    parser.add_argument("--ssl-certificate-type", default="Trusted", choices=SSL_CERTIFICATE_TYPES)
    args = parser.parse_args(argv)
    try:
        left = build(args.out, args.endpoint or None, args.ssl_certificate_type)
    except PackageError as error:
        print(f"skill package not built: {error}", file=sys.stderr)
        return 2
    print(f"wrote {args.out}")
    if left:
        print(
            f"Not ready to submit: replace every {PLACEHOLDER} value in manifest/skill.json "
            "(the endpoint: SKILL_ENDPOINT=... make skill-package):",
            file=sys.stderr,
        )
        for path in left:
            print(f"  {path}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
