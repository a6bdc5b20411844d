"""Build each locale's interaction model, `interaction_model/<locale>.json`, from its templates.

Alexa is given every sample utterance spelled out, and most of this skill's thousand samples are
a few phrasings with a word swapped ("ok next set", "okay next set", "alright next set", ...).
Kept one per line they drift: a new opener gets added to three phrasings and forgotten in the
fourth. So they are written as templates in `interaction_model/templates/en-US.yaml`, in
hassil's syntax, and expanded here:

    (start|begin) [the] {workout} workout    alternatives, optional words, the slot kept as is
    <please>                                 a rule from the file's `rules`, shared by intents

The JSON stays checked in: the skill package copies it unchanged, and the harness and the tests
read it. tests/skill/test_model_templates.py fails when it is not exactly what the templates
build, so neither is edited without the other. Everything else in the JSON (invocation name,
slots, slot types) is written in the templates file too, so the JSON has a single source.

A locale close to another (en-GB) writes only what it adds, `based_on` the other (en-US): its
own samples per intent and synonyms per slot value, in the same syntax.

    python -m publishing.interaction_model           # write every interaction_model/<locale>.json
    python -m publishing.interaction_model --check   # exit 1 if one is not what its templates build
    python -m publishing.interaction_model --locale en-GB
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import yaml
from hassil.errors import HassilError
from hassil.expression import Sentence
from hassil.parse_expression import parse_sentence
from hassil.parser import ParseError
from hassil.sample import sample_expression

REPO_ROOT = Path(__file__).resolve().parents[1]
MODEL_DIR = REPO_ROOT / "interaction_model"
TEMPLATES_DIR = MODEL_DIR / "templates"
TEMPLATES_PATH = TEMPLATES_DIR / "en-US.yaml"
MODEL_PATH = MODEL_DIR / "en-US.json"
OVERLAY_KEYS = ("based_on", "invocationName", "rules", "samples", "synonyms")

INTENT_KEYS = ("name", "slots", "samples")
VALUE_KEYS = ("id", "value", "synonyms")
_SLOT_REFERENCE = re.compile(r"\{([^{}]*)\}")


class ModelTemplateError(ValueError):
    """The templates cannot be built into a model Alexa accepts; the message names the field."""


def display_path(path: Path) -> str:
    """`path` relative to the checkout where it is inside it, for messages."""
    return str(path.relative_to(REPO_ROOT)) if path.is_relative_to(REPO_ROOT) else str(path)


def load_templates(path: Path = TEMPLATES_PATH) -> dict[str, Any]:
    """A locale's templates; one `based_on` another locale's (en-GB on en-US) is that locale's
    with its own `samples` added to the named intents and `synonyms` to the named values."""
    try:
        templates = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as error:
        raise ModelTemplateError(f"{display_path(path)}: cannot be read: {error}") from error
    if not isinstance(templates, dict):
        raise ModelTemplateError(
            f"{display_path(path)}: not a mapping of invocationName, rules, intents and types"
        )
    if "based_on" not in templates:
        return templates
    base_name = _expect(templates["based_on"], str, f"{display_path(path)}: based_on")
    if base_name == path.stem:
        raise ModelTemplateError(f"{display_path(path)}: based_on: names itself")
    return _overlaid(load_templates(path.with_name(f"{base_name}.yaml")), templates, path)


def _overlaid(base: dict[str, Any], overlay: dict[str, Any], path: Path) -> dict[str, Any]:
    where = display_path(path)
    unknown = sorted(set(overlay) - set(OVERLAY_KEYS))
    if unknown:
        raise ModelTemplateError(f"{where}: {unknown[0]}: an overlay has only {OVERLAY_KEYS}")
    merged = dict(base)
    merged["invocationName"] = overlay.get("invocationName", base["invocationName"])
    merged["rules"] = {**base.get("rules", {}), **_expect(overlay.get("rules", {}), dict, where)}
    intents = {intent["name"]: dict(intent) for intent in base["intents"]}
    for name, samples in _expect(overlay.get("samples", {}), dict, f"{where}: samples").items():
        if name not in intents:
            raise ModelTemplateError(f"{where}: samples.{name}: no such intent in the base")
        added = _expect(samples, list, f"{where}: samples.{name}")
        intents[name]["samples"] = [*intents[name].get("samples", []), *added]
    merged["intents"] = list(intents.values())
    types = {slot_type["name"]: slot_type for slot_type in base.get("types", [])}
    for name, by_id in _expect(overlay.get("synonyms", {}), dict, f"{where}: synonyms").items():
        if name not in types:
            raise ModelTemplateError(f"{where}: synonyms.{name}: no such slot type in the base")
        values = {value.get("id"): dict(value) for value in types[name]["values"]}
        for value_id, extra in _expect(by_id, dict, f"{where}: synonyms.{name}").items():
            if value_id not in values:
                raise ModelTemplateError(f"{where}: synonyms.{name}.{value_id}: no such value")
            added = _expect(extra, list, f"{where}: synonyms.{name}.{value_id}")
            values[value_id]["synonyms"] = [*values[value_id].get("synonyms", []), *added]
        types[name] = {**types[name], "values": list(values.values())}
    merged["types"] = list(types.values())
    return merged


def template_locales(folder: Path = TEMPLATES_DIR) -> list[str]:
    """Every locale with templates: each has its model, interaction_model/<locale>.json."""
    return sorted(path.stem for path in folder.glob("*.yaml"))


def _expect(value: Any, kind: type, where: str) -> Any:
    if not isinstance(value, kind):
        raise ModelTemplateError(f"{where}: expected a {kind.__name__}, got {value!r}")
    return value


def _quoted(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)


def _parse(template: Any, where: str) -> Sentence:
    if not isinstance(template, str) or not template.strip():
        raise ModelTemplateError(f"{where}: expected a non-empty template, got {template!r}")
    try:
        return parse_sentence(template)
    except (ParseError, AssertionError) as error:  # hassil asserts on an empty (), [], <>, {}
        raise ModelTemplateError(f"{where} {_quoted(template)}: does not parse: {error}") from error


def parse_rules(rules: Any, where: str) -> dict[str, Sentence]:
    """The expansion rules, each used in templates as <name>."""
    return {
        name: _parse(body, f"{where}.{name}") for name, body in _expect(rules, dict, where).items()
    }


def expand(sentence: Sentence, rules: Mapping[str, Sentence]) -> list[str]:
    """Every text `sentence` stands for, in hassil's order, whitespace normalised, no empty one,
    each once. Slots stay as `{name}`. Raises HassilError for an unknown <rule>."""
    texts = (
        " ".join(text.split())
        for text in sample_expression(
            sentence.expression, expansion_rules=dict(rules), expand_lists=False
        )
    )
    return list(dict.fromkeys(text for text in texts if text))


def build_slots(slots: Any, type_names: set[str], where: str) -> list[dict[str, str]]:
    """`{name: type}` as Alexa's slot list; a type is AMAZON.* or one of the file's types."""
    built = []
    for name, slot_type in _expect(slots, dict, where).items():
        known = isinstance(slot_type, str) and (
            slot_type.startswith("AMAZON.") or slot_type in type_names
        )
        if not known:
            raise ModelTemplateError(
                f"{where}.{name}: the type {slot_type!r} is neither AMAZON.* nor in types"
            )
        built.append({"name": name, "type": slot_type})
    return built


def build_samples(
    templates: Any,
    slot_names: set[str],
    rules: Mapping[str, Sentence],
    where: str,
    claimed: dict[str, str],
) -> list[str]:
    """The expansions of `templates` in order, each sample once (the first kept). `claimed`
    maps every sample of the intents built before to its template (as a message names it):
    Alexa refuses a model where one sample belongs to two intents."""
    samples: dict[str, str] = {}
    for i, template in enumerate(_expect(templates, list, f"{where} samples")):
        sentence = _parse(template, f"{where} samples[{i}]")
        at = f"{where} samples[{i}] {_quoted(template)}"
        try:
            texts = expand(sentence, rules)
        except HassilError as error:
            raise ModelTemplateError(f"{at}: {error}") from error
        for text in texts:
            undeclared = sorted(set(_SLOT_REFERENCE.findall(text)) - slot_names)
            if undeclared:
                raise ModelTemplateError(f"{at}: {{{undeclared[0]}}} is not in the intent's slots")
            if not _SLOT_REFERENCE.sub("", text).strip():
                raise ModelTemplateError(
                    f"{at}: {_quoted(text)} is only a slot: it would take any words at all "
                    "as that slot's value; give it words of its own"
                )
            if text in claimed:
                raise ModelTemplateError(
                    f"{at}: {_quoted(text)} is also a sample of {claimed[text]}; "
                    "Alexa allows a sample in one intent only"
                )
            samples.setdefault(text, at)
    claimed.update(samples)
    return list(samples)


def build_intent(
    intent: Any,
    rules: Mapping[str, Sentence],
    type_names: set[str],
    where: str,
    claimed: dict[str, str],
) -> dict[str, Any]:
    """One intent, its keys in the order the templates give them: the JSON mirrors it."""
    _expect(intent, dict, where)
    if set(intent) - set(INTENT_KEYS) or "name" not in intent:
        raise ModelTemplateError(f"{where}: needs a name, and no keys but {', '.join(INTENT_KEYS)}")
    name = _expect(intent["name"], str, f"{where}.name")
    where = f"{where} ({name})"
    slots = build_slots(intent.get("slots", {}), type_names, f"{where} slots")
    slot_names = {slot["name"] for slot in slots}
    built: dict[str, Any] = {}
    for key in intent:
        if key == "name":
            built[key] = name
        elif key == "slots":
            built[key] = slots
        else:
            built[key] = build_samples(intent[key], slot_names, rules, where, claimed)
    return built


def build_value(value: Any, where: str) -> dict[str, Any]:
    """`{id, value, synonyms}` (id and synonyms where given) as Alexa's slot type value."""
    _expect(value, dict, where)
    if set(value) - set(VALUE_KEYS) or "value" not in value:
        raise ModelTemplateError(f"{where}: needs a value, and no keys but {', '.join(VALUE_KEYS)}")
    name: dict[str, Any] = {"value": _expect(value["value"], str, f"{where}.value")}
    if "synonyms" in value:
        synonyms = _expect(value["synonyms"], list, f"{where}.synonyms")
        name["synonyms"] = [
            _expect(s, str, f"{where}.synonyms[{i}]") for i, s in enumerate(synonyms)
        ]
    if "id" not in value:
        return {"name": name}
    return {"id": _expect(value["id"], str, f"{where}.id"), "name": name}


def build_type(slot_type: Any, where: str) -> dict[str, Any]:
    _expect(slot_type, dict, where)
    name = _expect(slot_type.get("name"), str, f"{where}.name")
    values = _expect(slot_type.get("values"), list, f"{where} ({name}).values")
    return {
        "name": name,
        "values": [build_value(v, f"{where} ({name}).values[{i}]") for i, v in enumerate(values)],
    }


def build_language_model(templates: Mapping[str, Any]) -> dict[str, Any]:
    """The languageModel object; errors name the field (`intents[3] (NextSetIntent) ...`)."""
    rules = parse_rules(templates.get("rules", {}), "rules")
    types = [
        build_type(slot_type, f"types[{i}]")
        for i, slot_type in enumerate(_expect(templates.get("types", []), list, "types"))
    ]
    type_names = {slot_type["name"] for slot_type in types}
    claimed: dict[str, str] = {}
    intents = [
        build_intent(intent, rules, type_names, f"intents[{i}]", claimed)
        for i, intent in enumerate(_expect(templates.get("intents"), list, "intents"))
    ]
    invocation = _expect(templates.get("invocationName"), str, "invocationName")
    language_model: dict[str, Any] = {"invocationName": invocation, "intents": intents}
    if "types" in templates:
        language_model["types"] = types
    return language_model


def build_model(templates: Mapping[str, Any], source: str) -> dict[str, Any]:
    """The interaction model as Alexa takes it; `source` names the templates file in messages."""
    try:
        return {"interactionModel": {"languageModel": build_language_model(templates)}}
    except ModelTemplateError as error:
        raise ModelTemplateError(f"{source}: {error}") from error


def render(model: Mapping[str, Any]) -> str:
    """The model as the checked-in file holds it: two-space indent, a final newline."""
    return json.dumps(model, indent=2, ensure_ascii=False) + "\n"


def _intent_difference(built: Mapping[str, Any], current: Mapping[str, Any]) -> str:
    new, old = set(built.get("samples", [])), set(current.get("samples", []))
    changes = [f"+ {sample!r}" for sample in sorted(new - old)]
    changes += [f"- {sample!r}" for sample in sorted(old - new)]
    if built.get("slots") != current.get("slots"):
        changes.append("other slots")
    if list(built) != list(current):
        changes.append("its keys in another order")
    return ", ".join(changes) or "the same samples in another order"


def differences(built: Mapping[str, Any], current: Mapping[str, Any]) -> list[str]:
    """What differs between two models, a line each: an intent by name (+ a sample only `built`
    has, - one only `current` has), or another field."""
    new = built["interactionModel"]["languageModel"]
    old = current["interactionModel"]["languageModel"]
    lines = [
        f"{key}: differs"
        for key in dict.fromkeys([*new, *old])
        if key != "intents" and new.get(key) != old.get(key)
    ]
    new_intents = {intent["name"]: intent for intent in new.get("intents", [])}
    old_intents = {intent["name"]: intent for intent in old.get("intents", [])}
    for name in dict.fromkeys([*new_intents, *old_intents]):
        if name not in old_intents:
            lines.append(f"{name}: only in the templates")
        elif name not in new_intents:
            lines.append(f"{name}: only in the checked-in model")
        elif new_intents[name] != old_intents[name]:
            lines.append(f"{name}: {_intent_difference(new_intents[name], old_intents[name])}")
    if not lines and list(new_intents) != list(old_intents):
        lines.append("intents: in another order")
    return lines


def stale(built: str, current: str) -> list[str] | None:
    """None when the checked-in model `current` is the `built` text, else what differs."""
    if built == current:
        return None
    try:
        lines = differences(json.loads(built), json.loads(current))
    except (json.JSONDecodeError, KeyError, TypeError, AttributeError):
        return ["not an interaction model"]
    return lines or ["the same model, written differently"]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m publishing.interaction_model",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--check",
        action="store_true",
        help="write nothing; exit 1, saying which intents differ, if the model is not what the "
        "templates build",
    )
    parser.add_argument(
        "--locale",
        action="append",
        help=f"only this locale (repeatable; default: every file in {display_path(TEMPLATES_DIR)})",
    )
    parser.add_argument(
        "--templates",
        type=Path,
        help=f"one templates file (default {display_path(TEMPLATES_PATH)})",
    )
    parser.add_argument(
        "--model", type=Path, help=f"its model (default {display_path(MODEL_PATH)})"
    )
    args = parser.parse_args(argv)
    if args.templates is not None or args.model is not None:
        return _build_one(args.templates or TEMPLATES_PATH, args.model or MODEL_PATH, args.check)
    worst = 0
    for locale in args.locale or template_locales():
        path = TEMPLATES_DIR / f"{locale}.yaml"
        worst = max(worst, _build_one(path, MODEL_DIR / f"{locale}.json", args.check))
    return worst


def _build_one(templates: Path, model: Path, check: bool) -> int:
    """Build one locale's model: 0 written or up to date, 1 stale (with --check), 2 broken."""
    source, target = display_path(templates), display_path(model)
    try:
        text = render(build_model(load_templates(templates), source))
    except ModelTemplateError as error:
        print(f"interaction model not built: {error}", file=sys.stderr)
        return 2
    if not check:
        model.write_text(text, encoding="utf-8")
        print(f"wrote {target} from {source}")
        return 0
    try:
        current = model.read_text(encoding="utf-8")
    except OSError as error:
        current = ""
        print(f"cannot read {target}: {error}", file=sys.stderr)
    lines = stale(text, current)
    if lines is None:
        return 0
    print(
        f"{target} is not what {source} builds (+ a sample only the templates have, - one only "
        f"{target} has); run `make model`:",
        file=sys.stderr,
    )
    for line in lines:
        print(f"  {line}", file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main())
