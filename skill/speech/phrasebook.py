"""The coach's wording, by key, from the locale file. Code names keys; wording lives in data."""

from __future__ import annotations

import string
from functools import cache
from pathlib import Path
from typing import Any

import yaml

LOCALE_DIR = Path(__file__).parent / "locale"
# libyaml's parser when PyYAML was built with it (its wheels are), else the pure-Python one.
try:
    from yaml import CSafeLoader as _SafeLoader
except ImportError:  # pragma: no cover - a PyYAML built without libyaml
    from yaml import SafeLoader as _SafeLoader  # type: ignore[assignment]


class PhrasebookError(ValueError):
    """A key the code asks for is missing, or a placeholder is not supplied."""


def _flatten(tree: dict[str, Any], prefix: str = "") -> dict[str, tuple[str, ...]]:
    flat: dict[str, tuple[str, ...]] = {}
    for key, value in tree.items():
        path = f"{prefix}{key}"
        if isinstance(value, dict):
            flat.update(_flatten(value, path + "."))
        elif isinstance(value, list):
            flat[path] = tuple(str(v) for v in value)
        else:
            flat[path] = (str(value),)
    return flat


def placeholders(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


class Phrasebook:
    def __init__(self, phrases: dict[str, tuple[str, ...]]) -> None:
        self.phrases = phrases

    @classmethod
    def load(cls, locale: str = "en-US") -> Phrasebook:
        path = LOCALE_DIR / f"{locale}.yaml"
        with path.open(encoding="utf-8") as handle:
            tree = yaml.load(handle, Loader=_SafeLoader)  # noqa: S506
        if not isinstance(tree, dict):
            raise PhrasebookError(f"{path.name}: expected a mapping of keys to phrases")
        return cls(_flatten(tree))

    def variants(self, key: str) -> tuple[str, ...]:
        """Every wording of `key`, unfilled."""
        try:
            return self.phrases[key]
        except KeyError:
            raise PhrasebookError(f"no phrase for key {key!r}") from None

    def say(self, key: str, variant: int = 0, **params: object) -> str:
        """The phrase for `key` with its placeholders filled; `variant` picks among variants."""
        variants = self.variants(key)
        template = variants[variant % len(variants)]
        try:
            text = template.format(**params)
        except KeyError as missing:
            raise PhrasebookError(f"{key}: placeholder {missing} not supplied") from None
        # A whole sentence that opens with a value ("{name} needs no kit.") begins with a capital
        # whatever the value's case; a fragment ("{count} minutes") is left for its sentence.
        if template.startswith("{") and text.endswith((".", "?", "!")):
            return text[:1].upper() + text[1:]
        return text


@cache
def default_phrasebook() -> Phrasebook:
    return Phrasebook.load()
