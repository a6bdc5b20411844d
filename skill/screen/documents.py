"""The APL documents, as data files in documents/: the code names them and never builds them."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

DOCUMENTS = Path(__file__).with_name("documents")
COACH = "coach"  # the coach's screen: set, rest countdown, touch controls


@cache
def document(name: str) -> dict[str, Any]:
    """The document `name` (documents/<name>.json), read once."""
    loaded: dict[str, Any] = json.loads((DOCUMENTS / f"{name}.json").read_text(encoding="utf-8"))
    return loaded
