"""The coach's wording, by key, from the locale file. Code names keys; wording lives in data."""

from __future__ import annotations

import string
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from skill.locales import DEFAULT

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


def _load_flat(locale: str, folder: Path, seen: tuple[str, ...]) -> dict[str, tuple[str, ...]]:
    path = folder / f"{locale}.yaml"
    if locale in seen:
        raise PhrasebookError(f"{path.name}: based_on goes round in a circle: {seen}")
    try:
        with path.open(encoding="utf-8") as handle:
            tree = yaml.load(handle, Loader=_SafeLoader)  # noqa: S506
    except OSError as error:
        raise PhrasebookError(f"{path.name}: cannot be read: {error.strerror}") from None
    if not isinstance(tree, dict):
        raise PhrasebookError(f"{path.name}: expected a mapping of keys to phrases")
    base_locale = tree.pop("based_on", None)
    own = _flatten(tree)
    if base_locale is None:
        return own
    if not isinstance(base_locale, str):
        raise PhrasebookError(f"{path.name}: based_on: expected a locale, got {base_locale!r}")
    base = _load_flat(base_locale, folder, (*seen, locale))
    for key, variants in own.items():
        if key not in base:
            raise PhrasebookError(f"{path.name}: {key}: no such key in {base_locale}.yaml")
        wanted = set().union(*(placeholders(v) for v in base[key]))
        for variant in variants:
            if not placeholders(variant) <= wanted:  # a value the code does not supply there
                raise PhrasebookError(
                    f"{path.name}: {key}: placeholders {sorted(placeholders(variant))}, "
                    f"but {base_locale}.yaml has {sorted(wanted)}"
                )
    return base | own


def with_capital(text: str) -> str:
    """`text` with its first letter a capital and the rest as written ("Y-T-W-L raise";
    str.capitalize would lower the rest)."""
    return text[:1].upper() + text[1:]


def placeholders(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


class Phrasebook:
    def __init__(self, phrases: dict[str, tuple[str, ...]]) -> None:
        self.phrases = phrases

    @classmethod
    def load(cls, locale: str = DEFAULT, folder: Path = LOCALE_DIR) -> Phrasebook:
        """The locale's file; a file `based_on` another locale holds only the keys whose
        wording differs (en-GB's spelling), each with its base's placeholders."""
        return cls(_load_flat(locale, folder, ()))

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
            return with_capital(text)
        return text


@cache
def default_phrasebook(locale: str = DEFAULT) -> Phrasebook:
    """The shipped wording of `locale` (one the skill speaks: skill.locales.closest)."""
    return Phrasebook.load(locale)
