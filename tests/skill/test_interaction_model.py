"""The interaction model and the handlers agree, and every sample is one Alexa accepts."""

from __future__ import annotations

import json
import re
from collections import Counter
from typing import Any

import pytest
from ask_sdk_model import RequestEnvelope
from ask_sdk_model_runtime.serializer import DefaultSerializer
from ask_smapi_model.v1.skill.interaction_model.interaction_model_data import (
    InteractionModelData,
)

from harness.envelopes import intent_json
from publishing.interaction_model import template_locales
from skill.alexa import commands
from skill.alexa.handlers.fitting import ALL_KIT
from skill.alexa.turn import read_request
from skill.content.loader import default_library
from skill.locales import SPOKEN, language_of
from tests.support import REPO_ROOT, request_envelope

ROOT = REPO_ROOT
MODEL_PATH = ROOT / "interaction_model" / "en-US.json"
LOCALES = template_locales()  # every locale with templates has its model beside them
INVOCATION_NAMES = {"de": "oberkörper trainer", "en": "upper body coach"}
# Letters, spaces, possessive or contracting apostrophes, periods of spelled initialisms,
# hyphens; slot references in braces. No digits: Alexa wants numbers spelled out.
_WORD = r"[a-zäöüß]+(?:['.-][a-zäöüß]*)*"  # German's letters too
LEGAL_SAMPLE = re.compile(rf"^(?:{_WORD}|\{{[A-Za-z_]+\}})(?: (?:{_WORD}|\{{[A-Za-z_]+\}}))*$")
LEGAL_NAME = re.compile(r"^(?:AMAZON\.)?[A-Za-z_]+$")


def language_model(locale: str = "en-US") -> dict[str, Any]:
    path = MODEL_PATH.with_name(f"{locale}.json")
    model: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return model["interactionModel"]["languageModel"]  # type: ignore[no-any-return]


def model_intents() -> list[str]:
    return [intent["name"] for intent in language_model()["intents"]]


def handled_intent_names() -> set[str]:
    return {intent for command in commands.COMMANDS for intent in command.intents}


@pytest.mark.parametrize("locale", LOCALES)
def test_invocation_name_is_legal(locale: str) -> None:
    assert language_model(locale)["invocationName"] == INVOCATION_NAMES[language_of(locale)]


@pytest.mark.parametrize("locale", LOCALES)
def test_every_handled_intent_is_in_the_model(locale: str) -> None:
    assert handled_intent_names() <= {i["name"] for i in language_model(locale)["intents"]}


@pytest.mark.parametrize("locale", LOCALES)
def test_every_locale_has_en_uss_intents_with_the_same_slots(locale: str) -> None:
    """The handlers serve every locale: an intent or slot only one locale has would be heard
    there and fall through."""

    def shape(language: dict[str, Any]) -> dict[str, list[tuple[str, str]]]:
        return {
            intent["name"]: [(slot["name"], slot["type"]) for slot in intent.get("slots", [])]
            for intent in language["intents"]
        }

    assert shape(language_model(locale)) == shape(language_model())


def test_every_locale_the_skill_speaks_has_a_model() -> None:
    assert sorted(LOCALES) == sorted(SPOKEN)


@pytest.mark.parametrize("intent_name", model_intents())
def test_every_model_intent_reaches_its_own_command(intent_name: str) -> None:
    body = request_envelope("IntentRequest", intent=intent_json(intent_name))
    envelope = DefaultSerializer().deserialize(json.dumps(body), RequestEnvelope)
    command = commands.command_for(read_request(envelope))
    if intent_name == "AMAZON.FallbackIntent":
        assert command is commands.FALLBACK
    else:
        assert command is not commands.FALLBACK, f"{intent_name} falls through"
        assert intent_name in command.intents


@pytest.mark.parametrize(
    ("built_in", "twin"),
    [
        ("AMAZON.PauseIntent", "HoldOnIntent"),
        ("AMAZON.ResumeIntent", "CarryOnIntent"),
        ("AMAZON.StartOverIntent", "StartAgainIntent"),
        ("AMAZON.PreviousIntent", "GoBackIntent"),
    ],
)
def test_everyday_words_for_a_built_in_reach_its_command_through_a_custom_twin(
    built_in: str, twin: str
) -> None:
    """Alexa hears a built-in only word for word: "hang on a moment" comes as the custom twin,
    and the runner gets what "pause" gives. The built-in stays for the player and certification."""

    def command(intent_name: str) -> commands.Command:
        body = request_envelope("IntentRequest", intent=intent_json(intent_name))
        envelope = DefaultSerializer().deserialize(json.dumps(body), RequestEnvelope)
        return commands.command_for(read_request(envelope))

    assert {built_in, twin} <= set(model_intents())
    assert command(twin) is command(built_in) is not commands.FALLBACK


@pytest.mark.parametrize("locale", LOCALES)
def test_samples_are_legal_and_unique_across_intents(locale: str) -> None:
    seen: Counter[str] = Counter()
    for intent in language_model(locale)["intents"]:
        assert LEGAL_NAME.match(intent["name"]), intent["name"]
        slot_names = {slot["name"] for slot in intent.get("slots", [])}
        for sample in intent["samples"]:
            assert LEGAL_SAMPLE.match(sample), f"{intent['name']}: illegal sample {sample!r}"
            used = set(re.findall(r"\{(\w+)\}", sample))
            assert used <= slot_names, f"{intent['name']}: {sample!r} uses undeclared slots"
            seen[sample] += 1
        for slot in intent.get("slots", []):
            assert any("{" + slot["name"] + "}" in s for s in intent["samples"]), slot["name"]
    assert [s for s, n in seen.items() if n > 1] == []


@pytest.mark.parametrize("locale", LOCALES)
def test_slot_types_cover_every_workout_and_exercise_with_their_aliases(locale: str) -> None:
    types = {t["name"]: t["values"] for t in language_model(locale)["types"]}
    library = default_library(locale)

    def spoken(values: list[dict[str, Any]]) -> dict[str, set[str]]:
        return {v["id"]: {v["name"]["value"], *v["name"].get("synonyms", [])} for v in values}

    workouts = spoken(types["WORKOUT_NAME"])
    assert set(workouts) == {w.id for w in library.workouts}
    exercises = spoken(types["EXERCISE_NAME"])
    assert set(exercises) == {e.id for w in library.workouts for e in w.exercises}
    for workout in library.workouts:
        assert set(workout.aliases) <= workouts[workout.id]
        for exercise in workout.exercises:
            assert set(exercise.aliases) <= exercises[exercise.id], exercise.id


@pytest.mark.parametrize("locale", LOCALES)
def test_the_kit_slot_type_holds_every_piece_of_kit_and_what_runners_call_it(locale: str) -> None:
    values = {t["name"]: t["values"] for t in language_model(locale)["types"]}["KIT"]
    said = {v["id"]: {v["name"]["value"], *v["name"].get("synonyms", [])} for v in values}
    library = default_library(locale)
    assert set(said) == {piece.id for piece in library.kit} | {ALL_KIT}
    for piece in library.kit:
        assert set(piece.aliases) <= said[piece.id], piece.id
    everything = {"en": {"equipment", "kit", "everything"}, "de": {"ausrüstung", "geräte"}}
    assert everything[language_of(locale)] <= said[ALL_KIT]  # "no equipment": all of it


@pytest.mark.parametrize("locale", LOCALES)
def test_model_round_trips_through_ask_smapi_model(locale: str) -> None:
    serializer = DefaultSerializer()
    raw = MODEL_PATH.with_name(f"{locale}.json").read_text(encoding="utf-8")
    data = serializer.deserialize(raw, InteractionModelData)
    assert isinstance(data, InteractionModelData)
    assert serializer.serialize(data) == json.loads(raw)
