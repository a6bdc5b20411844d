"""Amazon's APL validator, apl-suggester (npm, pinned in package-lock.json beside this file), run
offline on the documents the skill sends: each finding is a path in the document, a message and
a level (ERROR or WARNING).

Node and `make apl-validator` (npm ci here) are needed; `missing()` says what is not there, so
tests can skip with that reason."""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
SCRIPT = HERE / "validate.js"
PACKAGE = HERE / "node_modules" / "apl-suggester"
TIMEOUT_SECONDS = 120  # loading the validator takes about a second; a bound, not a speed claim


@dataclass(frozen=True)
class Finding:
    path: str
    message: str
    level: str

    def __str__(self) -> str:
        return f"{self.level} at {self.path}: {self.message}"


def missing() -> str | None:
    """Why the validator cannot run here, or None when it can."""
    if shutil.which("node") is None:
        return "node not installed"
    if not PACKAGE.is_dir():
        return "apl-suggester not installed: `make apl-validator` installs it"
    return None


def validate(documents: Sequence[dict[str, Any]]) -> list[list[Finding]]:
    """The findings for each of `documents`, in order: an empty list for a document it passes."""
    reason = missing()
    if reason is not None:
        raise RuntimeError(reason)
    node = shutil.which("node") or "node"
    done = subprocess.run(
        [node, str(SCRIPT)],
        input=json.dumps(list(documents)),
        capture_output=True,
        text=True,
        timeout=TIMEOUT_SECONDS,
        check=False,
        cwd=HERE,
    )
    if done.returncode != 0:
        raise RuntimeError(f"the APL validator failed: {done.stderr.strip()}")
    return [
        [Finding(str(f["path"]), str(f["errorMessage"]), str(f["level"])) for f in findings]
        for findings in json.loads(done.stdout)
    ]
