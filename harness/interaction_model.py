"""The skill's interaction model (interaction_model/en-US.json) as frozen dataclasses.

The harness reads the same JSON that is uploaded to Alexa, so what the local "device" understands
is exactly what the skill declares: there is no second list of phrases to keep in step.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from skill.locales import DEFAULT

MODEL_DIR = "interaction_model"
DEFAULT_LOCALE = DEFAULT  # the skill's first locale (skill.locales)


class ModelError(ValueError):
    """The interaction model file is missing or not shaped like an Alexa language model."""


@dataclass(frozen=True)
class SlotValue:
    id: str
    value: str
    synonyms: tuple[str, ...] = ()

    @property
    def phrases(self) -> tuple[str, ...]:
        """The canonical value and every synonym: what a person may say for this value."""
        return (self.value, *self.synonyms)


@dataclass(frozen=True)
class SlotType:
    name: str
    values: tuple[SlotValue, ...]


@dataclass(frozen=True)
class Slot:
    name: str
    type: str


@dataclass(frozen=True)
class Intent:
    name: str
    samples: tuple[str, ...] = ()
    slots: tuple[Slot, ...] = ()

    def slot(self, name: str) -> Slot:
        for slot in self.slots:
            if slot.name == name:
                return slot
        raise KeyError(f"intent {self.name} has no slot {name!r}")


@dataclass(frozen=True)
class InteractionModel:
    invocation_name: str
    intents: tuple[Intent, ...]
    types: tuple[SlotType, ...] = ()
    fallback_sensitivity: str | None = None  # modelConfiguration's LOW, MEDIUM or HIGH
    language: str = "en"  # of its locale ("de" for de-DE.json): how its numbers and chatter sound

    def intent(self, name: str) -> Intent:
        for intent in self.intents:
            if intent.name == name:
                return intent
        raise KeyError(f"the interaction model has no intent {name!r}")

    def has_intent(self, name: str) -> bool:
        return any(intent.name == name for intent in self.intents)

    def slot_type(self, name: str) -> SlotType | None:
        """The custom type `name`, or None for built-in types such as AMAZON.NUMBER."""
        for slot_type in self.types:
            if slot_type.name == name:
                return slot_type
        return None


def default_model_path(locale: str = DEFAULT_LOCALE) -> Path:
    """The model file of the checkout this package was imported from.

    The JSON lives beside the package, not inside it, so walk up from this file: that works from
    a plain checkout and from an editable install (whose modules are the checkout's files).
    """
    name = f"{locale}.json"
    for folder in Path(__file__).resolve().parents:
        candidate = folder / MODEL_DIR / name
        if candidate.is_file():
            return candidate
    raise ModelError(f"cannot find {MODEL_DIR}/{name} above {Path(__file__).resolve().parent}")


def _require(data: Mapping[str, Any], key: str, where: str) -> Any:
    if key not in data:
        raise ModelError(f"{where}: missing {key!r}")
    return data[key]


def _slot_value(data: Mapping[str, Any], where: str) -> SlotValue:
    name = _require(data, "name", where)
    value = str(_require(name, "value", where))
    return SlotValue(
        id=str(data.get("id") or value),  # Alexa reports the value itself when no id is set
        value=value,
        synonyms=tuple(str(s) for s in name.get("synonyms", ())),
    )


def _slot_type(data: Mapping[str, Any]) -> SlotType:
    name = str(_require(data, "name", "slot type"))
    values = _require(data, "values", f"slot type {name}")
    return SlotType(name, tuple(_slot_value(v, f"slot type {name}") for v in values))


def _intent(data: Mapping[str, Any]) -> Intent:
    name = str(_require(data, "name", "intent"))
    slots = tuple(
        Slot(str(_require(s, "name", name)), str(_require(s, "type", name)))
        for s in data.get("slots", ())
    )
    return Intent(name, tuple(str(s) for s in data.get("samples", ())), slots)


def parse_model(data: Mapping[str, Any], spoken: str = "en") -> InteractionModel:
    """Build the model from the parsed JSON (the `interactionModel` wrapper is optional), of a
    locale in the language `spoken`."""
    root = data.get("interactionModel", data)
    language = _require(root, "languageModel", "interactionModel")
    return InteractionModel(
        invocation_name=str(_require(language, "invocationName", "languageModel")),
        intents=tuple(_intent(i) for i in _require(language, "intents", "languageModel")),
        types=tuple(_slot_type(t) for t in language.get("types", ())),
        fallback_sensitivity=_fallback_sensitivity(language),
        language=spoken,
    )


def _fallback_sensitivity(language: Mapping[str, Any]) -> str | None:
    configuration = language.get("modelConfiguration", {})
    level = configuration.get("fallbackIntentSensitivity", {}).get("level")
    if level is not None and level not in ("LOW", "MEDIUM", "HIGH"):
        raise ModelError(f"fallbackIntentSensitivity.level: {level!r} is not LOW, MEDIUM or HIGH")
    return None if level is None else str(level)


def load_model(path: Path | str | None = None, locale: str = DEFAULT_LOCALE) -> InteractionModel:
    """Read a model file; by default the checkout's model of `locale` (cached: it never
    changes)."""
    if path is None:
        return _default_model(locale)
    return _load(Path(path))


def _load(path: Path) -> InteractionModel:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as error:
        raise ModelError(f"cannot read interaction model {path}: {error}") from error
    # A model file is named by its locale (de-DE.json); any other name is taken as English.
    named = re.fullmatch(r"([a-z]{2})-[A-Z]{2}", path.stem)
    return parse_model(data, named.group(1) if named else "en")


@lru_cache(maxsize=8)
def _default_model(locale: str) -> InteractionModel:
    return _load(default_model_path(locale))
