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
def builtin_phrases(language: str = "en") -> Mapping[str, tuple[str, ...]]:
    """Each built-in intent's own phrases: Amazon's documented ones, then the assumed ones.
    Amazon documents them in English only; a German model lists its plain words as samples."""
    if language != "en":
        return {}
    data = yaml.safe_load(BUILTIN_PHRASES_FILE.read_text(encoding="utf-8"))
    phrases: dict[str, tuple[str, ...]] = {}
    for part in ("documented", "assumed"):
        for intent, listed in data[part].items():
            phrases[intent] = (*phrases.get(intent, ()), *(str(p) for p in listed))
    return phrases


@cache
def out_of_domain(language: str = "en") -> tuple[str, ...]:
    """Everyday speech in `language` that is for no workout coach (out_of_domain.<lang>.yaml)."""
    path = OUT_OF_DOMAIN_FILE if language == "en" else HERE / f"out_of_domain.{language}.yaml"
    return tuple(str(line) for line in yaml.safe_load(path.read_text("utf-8")))
