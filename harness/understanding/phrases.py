"""The data tables the recognisers share: Alexa's own phrases for its built-in intents, and the
everyday speech that stands in for Alexa's out-of-domain model."""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from pathlib import Path

import yaml

HERE = Path(__file__).parent
BUILTIN_PHRASES_FILE = HERE / "builtin_phrases.yaml"
OUT_OF_DOMAIN_FILE = HERE / "out_of_domain.yaml"


@cache
def builtin_phrases() -> Mapping[str, tuple[str, ...]]:
    """Each built-in intent's own phrases: Amazon's documented ones, then the assumed ones."""
    data = yaml.safe_load(BUILTIN_PHRASES_FILE.read_text(encoding="utf-8"))
    phrases: dict[str, tuple[str, ...]] = {}
    for part in ("documented", "assumed"):
        for intent, listed in data[part].items():
            phrases[intent] = (*phrases.get(intent, ()), *(str(p) for p in listed))
    return phrases


@cache
def out_of_domain() -> tuple[str, ...]:
    return tuple(str(line) for line in yaml.safe_load(OUT_OF_DOMAIN_FILE.read_text("utf-8")))
