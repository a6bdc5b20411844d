"""The device's understanding of speech, checked against every sample of the skill's model."""

from __future__ import annotations

import dataclasses
import itertools
import json
import re
from pathlib import Path

import pytest

from harness.interaction_model import (
    InteractionModel,
    ModelError,
    default_model_path,
    load_model,
    parse_model,
)
from harness.utterances import (
    BUILTIN_PHRASES,
    FALLBACK_INTENT,
    NUMBER_TYPE,
    SlotMatch,
    clock_time,
    match,
    normalize,
    parse_number,
    resolve_slot,
)
from tests.support import REPO_ROOT

MODEL = load_model()
SLOT_REF = re.compile(r"\{(\w+)\}")
# Numbers as a person says them, and what Alexa fills in.
SPOKEN_NUMBERS = (
    ("forty five", "45"),
    ("ninety", "90"),
    ("a hundred and twenty", "120"),
    ("two", "2"),
    ("one hundred fifty", "150"),
)


def _fillings(model: InteractionModel, type_name: str) -> list[tuple[str, str]]:
    """(what is said, the id or digits expected back) for every way to fill a slot type."""
    if type_name == NUMBER_TYPE:
        return list(SPOKEN_NUMBERS)
    if type_name == "AMAZON.TIME":  # sent as Alexa fills it: "HH:MM"
        return [("7 am", "07:00"), ("six thirty pm", "18:30")]
    slot_type = model.slot_type(type_name)
    assert slot_type is not None, f"no values to fill {type_name} with"
    return [(phrase, value.id) for value in slot_type.values for phrase in value.phrases]


def _sample_cases(model: InteractionModel) -> list[tuple[str, str, dict[str, str]]]:
    """(utterance, intent, {slot: id}) for every sample, every slot filled every possible way."""
    cases: list[tuple[str, str, dict[str, str]]] = []
    for intent in model.intents:
        for sample in intent.samples:
            names = SLOT_REF.findall(sample)
            options = [_fillings(model, intent.slot(name).type) for name in names]
            for combo in itertools.product(*options):
                text = sample
                for name, (said, _) in zip(names, combo, strict=True):
                    text = text.replace("{" + name + "}", said)
                expected = {name: ident for name, (_, ident) in zip(names, combo, strict=True)}
                cases.append((text, intent.name, expected))
    return cases


SAMPLE_CASES = _sample_cases(MODEL)
# A sample filled with a synonym that another intent's sample, with more words of its own, says
# word for word: Alexa hears the other intent, as the exact matcher does. Each leads the runner
# the same way (dialogs/no_weights_today_offers_the_bodyweight_workout.yaml).
SHARED_WORD_FOR_WORD = {
    # "{workout} today" with "no weights" (bodyweight) is "no {kit} today" with "weights": at
    # the choice, lacking dumbbells offers the bodyweight workout.
    "no weights today": "MissingKitIntent",
}


def test_every_sample_resolves_to_its_own_intent() -> None:
    """Every sample, each slot filled every way it can be: one test, naming each miss."""
    misses = []
    for utterance, intent, slots in SAMPLE_CASES:
        heard = match(utterance, MODEL)
        got = {
            name: slot.id if slot.id is not None else slot.value
            for name, slot in heard.slots.items()
        }
        if SHARED_WORD_FOR_WORD.get(utterance) == heard.intent:
            continue
        if (heard.kind, heard.new_session, heard.intent, got) != ("intent", False, intent, slots):
            misses.append(
                f"{utterance!r}: expected {intent} {slots}, matched {heard.sample!r} of"
                f" {heard.intent} {got}"
            )
    assert not misses, f"{len(misses)} of {len(SAMPLE_CASES)} samples missed:\n" + "\n".join(
        misses[:20]
    )


def test_sample_cases_cover_every_sample() -> None:
    samples = sum(len(intent.samples) for intent in MODEL.intents)
    assert samples > 100  # the model is the real one, not an empty stand-in
    assert len(SAMPLE_CASES) >= samples


# A built-in phrase that the model makes a sample of a custom intent ("skip" to skip the
# exercise) belongs to that intent: the skill's own sample decides.
CLAIMED_BY_SAMPLES = {
    s for i in MODEL.intents if not i.name.startswith("AMAZON.") for s in i.samples
}


@pytest.mark.parametrize(
    ("intent", "phrase"),
    [
        (intent, phrase)
        for intent, phrases in BUILTIN_PHRASES.items()
        if MODEL.has_intent(intent)
        for phrase in phrases
        if phrase not in CLAIMED_BY_SAMPLES
    ],
)
def test_alexa_standard_phrases_for_built_in_intents(intent: str, phrase: str) -> None:
    assert match(phrase, MODEL).intent == intent


def test_a_sample_of_the_skill_wins_over_a_built_in_phrase() -> None:
    assert "skip" in BUILTIN_PHRASES["AMAZON.NextIntent"] and "skip" in CLAIMED_BY_SAMPLES
    assert match("skip", MODEL).intent == "SkipExerciseIntent"


@pytest.mark.parametrize(
    ("utterance", "kind", "intent", "slots"),
    [
        ("open upper body coach", "launch", None, {}),
        ("Alexa, open Upper Body Coach.", "launch", None, {}),
        ("launch upper body coach", "launch", None, {}),
        ("start upper body coach", "launch", None, {}),
        ("talk to upper body coach", "launch", None, {}),
        ("ask upper body coach", "launch", None, {}),
        ("Alexa, tell upper body coach next set", "one_shot", "NextSetIntent", {}),
        ("ask upper body coach how many sets left", "one_shot", "SetsLeftIntent", {}),
        (
            "tell upper body coach to start the dumbbell workout",
            "one_shot",
            "StartWorkoutIntent",
            {"workout": "dumbbell"},
        ),
        (
            "ask upper body coach for the bodyweight workout",
            "one_shot",
            "StartWorkoutIntent",
            {"workout": "bodyweight"},
        ),
        ("tell upper body coach that set is done", "one_shot", "NextSetIntent", {}),
        (
            "start the dumbbell workout with upper body coach",
            "one_shot",
            "StartWorkoutIntent",
            {"workout": "dumbbell"},
        ),
        (
            "tell upper body coach to make my rests ninety seconds",
            "one_shot",
            "SetRestIntent",
            {"seconds": "90"},
        ),
        # No sample is a bare "{workout}" that would take any words as a workout name.
        (
            "tell upper body coach flibber flabber",
            "one_shot",
            "AMAZON.FallbackIntent",
            {},
        ),
        ("tell upper body coach", "launch", None, {}),
    ],
)
def test_invocation_forms(
    utterance: str, kind: str, intent: str | None, slots: dict[str, str]
) -> None:
    heard = match(utterance, MODEL)
    assert heard.kind == kind
    assert heard.new_session is True
    assert heard.one_shot is (kind == "one_shot")
    assert heard.intent == intent
    assert {n: s.id or s.value for n, s in heard.slots.items()} == slots


@pytest.mark.parametrize(
    "nonsense", ["purple monkey dishwasher", "", "alexa", "what is the weather"]
)
def test_nonsense_falls_back_or_names_nothing(nonsense: str) -> None:
    """Nonsense reaches the fallback, or the bare "{workout}" sample with a value that resolved
    to no workout (the skill answers that as it answers the fallback)."""
    heard = match(nonsense, MODEL)
    assert (heard.kind, heard.new_session) == ("intent", False)
    bare_slot = heard.sample == "{workout}" and heard.slots["workout"].id is None
    assert heard.intent == FALLBACK_INTENT or bare_slot


def test_unresolved_slot_words_keep_the_spoken_value_without_an_id() -> None:
    heard = match("start the banana workout", MODEL)
    assert heard.intent == "StartWorkoutIntent"
    assert heard.slots["workout"].value == "banana"
    assert heard.slots["workout"].id is None


def test_resolved_slot_reports_spoken_value_id_and_canonical_name() -> None:
    slot = match("go to the pull ups", MODEL).slots["exercise"]
    assert (slot.value, slot.id, slot.name) == ("pull ups", "l_sit_chin_up", "l sit chin up")


@pytest.mark.parametrize(
    ("utterance", "intent"),
    [
        ("start over", "AMAZON.StartOverIntent"),  # exact sample beats "start {workout}"
        ("start push ups", "GoToExerciseIntent"),  # resolved beats free words
        ("start the workout", "StartWorkoutIntent"),
        ("i'm done for today", "EndWorkoutIntent"),
        ("I'm done!", "NextSetIntent"),
        ("What's next?", "WhatsNextIntent"),
        ("skip to the bench press", "GoToExerciseIntent"),
    ],
)
def test_precedence(utterance: str, intent: str) -> None:
    assert match(utterance, MODEL).intent == intent


def test_fewer_free_words_win_between_unresolved_samples() -> None:
    heard = match("start the kettle workout", MODEL)
    assert heard.sample == "start the {workout} workout"
    assert heard.slots["workout"].value == "kettle"


def test_matching_is_deterministic() -> None:
    first = [match(u, MODEL) for u, _, _ in SAMPLE_CASES[:50]]
    again = [match(u, MODEL) for u, _, _ in SAMPLE_CASES[:50]]
    assert first == again


@pytest.mark.parametrize(
    ("words", "number"),
    [
        ("forty five", 45),
        ("a hundred and twenty", 120),
        ("ninety", 90),
        ("zero", 0),
        ("nineteen", 19),
        ("one hundred", 100),
        ("two hundred and five", 205),
        ("a thousand", 1000),
        ("one thousand two hundred", 1200),
        ("75", 75),
        # German, as Alexa's de-DE recogniser writes a number it hears in words
        ("fünfundvierzig", 45),
        ("neunzig", 90),
        ("zwölf", 12),
        ("hundertzwanzig", 120),
        ("hundert zwanzig", 120),
        ("einhundertfünf", 105),
        ("dreißig", 30),
    ],
)
def test_number_words(words: str, number: int) -> None:
    assert parse_number(words) == number


@pytest.mark.parametrize(
    "words",
    ["five five", "hundred", "forty forty", "and", "a", "twenty and", "und", "zwölfundzwanzig"],
)
def test_not_numbers(words: str) -> None:
    assert parse_number(words) is None


def test_number_slot_in_speech() -> None:
    heard = match("rest for a hundred and twenty seconds", MODEL)
    assert heard.intent == "SetRestIntent"
    assert heard.slots["seconds"] == SlotMatch("120")


def test_a_number_slot_takes_the_numbers_of_the_models_language() -> None:
    german = load_model(locale="de-DE")
    heard = match("pause von hundertzwanzig sekunden", german)
    assert (heard.intent, heard.slots["seconds"]) == ("SetRestIntent", SlotMatch("120"))
    assert match("pause von zwanzig sekunden", german).slots["seconds"] == SlotMatch("20")
    # An English model has no German number words: "elf" is no number to it.
    assert match("rest for eleven seconds", MODEL).slots["seconds"] == SlotMatch("11")
    assert "seconds" not in match("rest for elf seconds", MODEL).slots


def test_normalize() -> None:
    assert normalize("Alexa, tell Upper-Body Coach: I’m DONE!") == "tell upper body coach i'm done"
    assert normalize("  alexa  ") == ""


@pytest.mark.parametrize(
    ("type_name", "said", "value", "ident"),
    [
        ("WORKOUT_NAME", "dumbbells", "dumbbells", "dumbbell"),
        ("EXERCISE_NAME", "t_push_up", "t push up", "t_push_up"),  # an id is accepted too
        ("WORKOUT_NAME", "banana", "banana", None),
        (NUMBER_TYPE, "forty five", "45", None),
        (NUMBER_TYPE, "30", "30", None),
    ],
)
def test_resolve_slot(type_name: str, said: str, value: str, ident: str | None) -> None:
    slot = resolve_slot(MODEL, type_name, said)
    assert (slot.value, slot.id) == (value, ident)


# ---- the model file ----


def test_default_model_is_the_checkout_file() -> None:
    path = default_model_path()
    assert path == REPO_ROOT / "interaction_model" / "en-US.json"
    assert MODEL.invocation_name == "upper body coach"
    assert MODEL.intent("StartWorkoutIntent").slot("workout").type == "WORKOUT_NAME"


def test_model_is_frozen() -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        MODEL.invocation_name = "x"  # type: ignore[misc]


def test_load_model_from_a_path_matches_the_default(tmp_path: Path) -> None:
    copy = tmp_path / "model.json"
    copy.write_text(default_model_path().read_text(encoding="utf-8"), encoding="utf-8")
    assert load_model(copy) == MODEL


def test_malformed_model_names_what_is_missing(tmp_path: Path) -> None:
    with pytest.raises(ModelError, match="invocationName"):
        parse_model({"interactionModel": {"languageModel": {"intents": []}}})
    broken = tmp_path / "broken.json"
    broken.write_text("{not json", encoding="utf-8")
    with pytest.raises(ModelError, match="broken.json"):
        load_model(broken)


def test_model_round_trip_of_a_tiny_model() -> None:
    data = {
        "languageModel": {
            "invocationName": "tiny",
            "intents": [
                {
                    "name": "PickIntent",
                    "samples": ["pick {c}"],
                    "slots": [{"name": "c", "type": "C"}],
                }
            ],
            "types": [
                {"name": "C", "values": [{"name": {"value": "red", "synonyms": ["crimson"]}}]}
            ],
        }
    }
    tiny = parse_model(json.loads(json.dumps(data)))
    heard = match("pick crimson", tiny)
    assert (heard.intent, heard.slots["c"].id) == (
        "PickIntent",
        "red",
    )  # no id: the value is the id


@pytest.mark.parametrize(
    ("said", "time"),
    [
        ("sieben uhr", "07:00"),
        ("um neunzehn uhr dreißig", "19:30"),
        ("halb acht", "07:30"),
        ("viertel vor acht", "07:45"),
        ("sieben uhr abends", "19:00"),
        ("ein uhr nachts", "01:00"),
        ("elf uhr nachts", "23:00"),
        ("zwölf uhr mittags", "12:00"),
        ("halb eins", "12:30"),
        ("null uhr", "00:00"),
        ("mitternacht", "00:00"),
        ("um 19:30", "19:30"),
        ("fünfundzwanzig uhr", None),
        ("sieben uhr sechzig", None),
    ],
)
def test_german_times_as_alexa_fills_amazon_time(said: str, time: str | None) -> None:
    assert clock_time(said) == time
