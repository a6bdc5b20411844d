"""Amazon's APL validator, apl-suggester (npm, pinned in package-lock.json beside this file), run
offline on the documents the skill sends and the datasources sent with them: each finding is a
path in the document (or `Data.<name>` in the datasources), a message and a level (ERROR or
WARNING).

apl-suggester checks a document against APL's schemas, and datasources only by their shape
(`validateDataSources`: each top-level entry an object); it does not bind the data into the
document. What the document reads from the data is checked beside it: `unbound_paths` names each
`${coach.…}` the document reads that a datasource lacks, and the simulator's renderer draws the
document with the data and warns on any value it cannot use (tests/simulator).

Node and `make apl-validator` (npm ci here) are needed; `missing()` says what is not there, so
tests can skip with that reason."""

from __future__ import annotations

import json
import re
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


def validate(
    documents: Sequence[dict[str, Any]],
    datasources: Sequence[dict[str, Any] | None] | None = None,
) -> list[list[Finding]]:
    """The findings for each of `documents`, in order, with the datasources sent beside each
    (`datasources[i]` with `documents[i]`; None: none): an empty list for one it passes."""
    reason = missing()
    if reason is not None:
        raise RuntimeError(reason)
    sent = list(datasources) if datasources is not None else [None] * len(documents)
    if len(sent) != len(documents):
        raise ValueError("one datasources (or None) for each document")
    node = shutil.which("node") or "node"
    items = [{"document": d, "datasources": s} for d, s in zip(documents, sent, strict=True)]
    done = subprocess.run(
        [node, str(SCRIPT)],
        input=json.dumps(items),
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


BINDING = re.compile(r"\$\{[^}]*\}")


def read_paths(node: Any, root: str) -> set[tuple[str, ...]]:
    """Every path `root.a.b` that the data bindings in `node` read, as ("a", "b"); a read
    guarded by a check of the same path (`x.y && x.y.z`) still counts."""
    found: set[tuple[str, ...]] = set()
    pattern = re.compile(rf"(?<![\w.]){re.escape(root)}((?:\.[A-Za-z_]\w*)+)")
    if isinstance(node, dict):
        for value in node.values():
            found |= read_paths(value, root)
    elif isinstance(node, list):
        for value in node:
            found |= read_paths(value, root)
    elif isinstance(node, str):
        for binding in BINDING.findall(node):
            for match in pattern.finditer(binding):
                found.add(tuple(match.group(1)[1:].split(".")))
    return found


def unbound_paths(paths: set[tuple[str, ...]], data: Any) -> list[str]:
    """The paths of `paths` that `data` does not hold (a list's `length` is held)."""
    missing_paths = []
    for path in sorted(paths):
        value = data
        for key in path:
            if isinstance(value, list) and key == "length":
                value = len(value)
            elif isinstance(value, dict) and key in value:
                value = value[key]
            else:
                missing_paths.append(".".join(path))
                break
    return missing_paths
