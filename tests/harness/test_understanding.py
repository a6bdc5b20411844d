"""The statistical stand-in for Alexa's NLU, against the literal matcher: what a runner's words
become (intent, slots, resolution) with each."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from harness.interaction_model import load_model, parse_model
from harness.phrase_benchmark import FILES, load_file, locale_files
from harness.understanding import statistical
from harness.understanding.phrases import builtin_phrases, out_of_domain
from harness.understanding.recognisers import EXACT, STATISTICAL, recogniser_for
from harness.understanding.slots import iso_duration
from harness.understanding.statistical import (
    CACHE_ENV,
    CONFIDENCE_FLOORS,
    KEEP_OTHERS,
    StatisticalRecogniser,
)
from harness.understanding.training import examples
from harness.utterances import FALLBACK_INTENT, normalize
from skill.locales import language_of

MODEL = load_model()
STAND_IN = recogniser_for(MODEL, STATISTICAL)
EXACT_MATCHER = recogniser_for(MODEL, EXACT)


@pytest.mark.parametrize(
    ("said", "intent", "slots"),
    [
        ("let's go with the bodyweight one then", "StartWorkoutIntent", {"workout": "bodyweight"}),
        ("could you explain the chin ups", "HowToIntent", {"exercise": "l_sit_chin_up"}),
        ("okay i've finished that set", "NextSetIntent", {}),
    ],
)
def test_the_stand_in_understands_wording_no_sample_has(
    said: str, intent: str, slots: dict[str, str]
) -> None:
    heard = STAND_IN.match(said)
    assert (heard.intent, {k: v.id for k, v in heard.slots.items()}) == (intent, slots)
    assert heard.sample is None and heard.confidence is not None  # classified, not matched
    assert EXACT_MATCHER.match(said).intent != intent or EXACT_MATCHER.match(said).slots != (
        heard.slots
    )


def test_a_custom_slot_value_it_does_not_know_is_sent_as_said_without_a_match() -> None:
    heard = STAND_IN.match("start the banana workout")
    assert heard.intent == "StartWorkoutIntent"
    assert (heard.slots["workout"].value, heard.slots["workout"].id) == ("banana", None)


def test_numbers_arrive_as_digits_in_the_slot_the_words_around_them_name() -> None:
    heard = STAND_IN.match("could i rest for about ninety seconds please")
    assert heard.intent == "SetRestIntent"
    assert {k: v.value for k, v in heard.slots.items()} == {"seconds": "90"}
    heard = STAND_IN.match("make the rests two minutes long")
    assert {k: v.value for k, v in heard.slots.items()} == {"minutes": "2"}


@pytest.mark.parametrize(
    ("said", "iso"),
    [
        ("thirty seconds", "PT30S"),
        ("two minutes", "PT2M"),
        ("a minute and a half", "PT1M30S"),
        ("half a minute", "PT30S"),
        ("one minute forty five seconds", "PT1M45S"),
        ("an hour", "PT1H"),
        ("banana", None),
        ("two", None),
        # German, as Alexa's de-DE recogniser hears them
        ("neunzig sekunden", "PT1M30S"),
        ("anderthalb minuten", "PT1M30S"),
        ("eine halbe minute", "PT30S"),
        ("zwei minuten und dreißig sekunden", "PT2M30S"),
        ("eine banane", None),
    ],
)
def test_durations_are_iso_8601_as_alexa_sends_them(said: str, iso: str | None) -> None:
    assert iso_duration(said) == iso


def test_built_in_intents_fire_only_on_their_own_phrases_and_the_models_samples() -> None:
    assert STAND_IN.match("pause").intent == "AMAZON.PauseIntent"  # documented
    assert STAND_IN.match("pause the workout").intent == "AMAZON.PauseIntent"  # the model's sample
    near = STAND_IN.match("repeat that thing for me now")  # near Repeat, but no phrase of it
    assert near.intent == FALLBACK_INTENT and near.guessed == "AMAZON.RepeatIntent"
    assert EXACT_MATCHER.match("repeat that thing for me now").intent == FALLBACK_INTENT


@pytest.mark.parametrize(
    ("said", "twin"),
    [
        ("hang on a tick", "HoldOnIntent"),
        ("let's carry on with it", "CarryOnIntent"),
        ("let's start the whole workout again", "StartAgainIntent"),
        ("end the workout now", "EndWorkoutIntent"),
    ],
)
def test_everyday_words_for_pause_carry_on_start_again_and_end_reach_their_custom_twins(
    said: str, twin: str
) -> None:
    """No sample says these, so a built-in would never hear them: its custom twin does."""
    assert STAND_IN.match(said).intent == twin


def test_speech_for_no_coach_is_the_fallback_intent() -> None:
    for said in ("what's the weather in leeds today", "put the kettle on would you"):
        assert STAND_IN.match(said).intent == FALLBACK_INTENT, said


def test_one_shots_and_launches_are_understood_like_any_other_words() -> None:
    launch = STAND_IN.match("alexa open upper body coach")
    assert launch.kind == "launch"
    one_shot = STAND_IN.match("tell upper body coach i've finished that set")
    assert (one_shot.kind, one_shot.intent, one_shot.new_session) == (
        "one_shot",
        "NextSetIntent",
        True,
    )


def test_the_models_fallback_sensitivity_sets_how_sure_it_must_be() -> None:
    data = {
        "interactionModel": {
            "languageModel": {
                "invocationName": "colour picker",
                "modelConfiguration": {"fallbackIntentSensitivity": {"level": "HIGH"}},
                "intents": [
                    {"name": "PickIntent", "samples": ["pick red", "choose blue"]},
                    {"name": "AMAZON.FallbackIntent", "samples": []},
                ],
            }
        }
    }
    tiny = parse_model(data)
    recogniser = StatisticalRecogniser(tiny, tiny.fallback_sensitivity or "LOW")
    assert recogniser.floor == CONFIDENCE_FLOORS["HIGH"]
    assert recogniser.match("pick red").intent == "PickIntent"


@pytest.mark.parametrize("locale", ["en-US", "de-DE"])
def test_the_out_of_domain_set_shares_no_phrase_with_the_benchmark(locale: str) -> None:
    trained = {normalize(line) for line in out_of_domain(language_of(locale))}
    files = {*locale_files(locale), *(FILES if locale.startswith("en-") else ())}
    measured = {
        normalize(phrase)
        for file in files
        for context in load_file(file)
        for phrase in context.phrases
    }
    assert trained and not trained & measured


def test_a_german_model_learns_german_chatter_numbers_and_durations() -> None:
    """The stand-in for de-DE learns German: no English filler or numbers in its examples."""
    german = load_model(locale="de-DE")
    assert german.language == "de" and MODEL.language == "en"
    said = " ".join(text for text, _ in examples(german))
    assert "fünfundvierzig" in said and "forty five" not in said
    assert "wie wird das wetter morgen" in said and "what's the weather" not in said
    heard = recogniser_for(german, STATISTICAL).match("stell die pausen auf anderthalb minuten")
    assert heard.intent == "SetRestIntent"


def test_every_built_in_intent_in_the_model_has_its_own_phrases() -> None:
    phrases = builtin_phrases()
    for intent in MODEL.intents:
        if intent.name.startswith("AMAZON.") and intent.name != FALLBACK_INTENT:
            assert phrases.get(intent.name), intent.name


def test_processes_that_need_the_same_classifier_at_once_train_it_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """As the test workers of a fresh clone do: all miss the kept classifier at the same moment;
    one trains it and the others read it back."""
    monkeypatch.setenv(CACHE_ENV, str(tmp_path))
    intents = [{"name": "PickIntent", "samples": ["pick red", "choose blue"]}]
    intents.append({"name": "AMAZON.FallbackIntent", "samples": []})
    data = {"interactionModel": {"languageModel": {"invocationName": "picker", "intents": intents}}}
    model = parse_model(data)
    together = threading.Barrier(3)
    first_look = threading.local()
    kept = statistical._kept

    def missed_by_all_at_once(path: Path) -> Any:
        if not getattr(first_look, "done", False):
            first_look.done = True
            together.wait(timeout=10)  # each has looked and found nothing
        return kept(path)

    monkeypatch.setattr(statistical, "_kept", missed_by_all_at_once)
    recognisers = [StatisticalRecogniser(model) for _ in range(3)]
    with ThreadPoolExecutor(3) as pool:
        list(pool.map(StatisticalRecogniser.train, recognisers))
    assert [r.training_seconds is not None for r in recognisers].count(True) == 1
    assert len({r.guesses("pick green")[0] for r in recognisers}) == 1


def test_the_classifier_is_trained_once_and_read_back_until_what_it_learns_from_changes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(CACHE_ENV, str(tmp_path))

    def trained(samples: list[str], name: str = "colour picker") -> StatisticalRecogniser:
        intents = [{"name": "PickIntent", "samples": samples}]
        intents.append({"name": "AMAZON.FallbackIntent", "samples": []})
        data = {"interactionModel": {"languageModel": {"invocationName": name, "intents": intents}}}
        recogniser = StatisticalRecogniser(parse_model(data))
        recogniser.train()
        return recogniser

    first = trained(["pick red", "choose blue"])
    assert first.training_seconds is not None
    [kept] = tmp_path.glob("stand-in-*.pickle")
    again = trained(["pick red", "choose blue"])
    assert again.training_seconds is None  # read back, not trained
    for said in ("pick the red one", "what's the weather"):
        assert again.guesses(said) == first.guesses(said)

    kept.write_bytes(b"half a file")  # cut short: trained again, written over
    assert trained(["pick red", "choose blue"]).training_seconds is not None
    assert trained(["pick red", "choose blue"]).training_seconds is None

    assert trained(["pick red", "choose blue", "go for green"]).training_seconds is not None
    assert len(list(tmp_path.glob("stand-in-*.pickle"))) == 2
    # Whatever else of the model changes, though no example does (slot values are read with the
    # classifier's features): trained again.
    assert trained(["pick red", "choose blue"], "paint picker").training_seconds is not None
    assert len(list(tmp_path.glob("stand-in-*.pickle"))) == 3
    colours = ("pink", "grey", "gold", "teal", "navy", "plum", "rose", "sand", "lime", "mint")
    for colour in colours[: KEEP_OTHERS + 1]:  # each about 8 MB for the real model
        trained(["pick red", f"choose {colour}"])
    assert len(list(tmp_path.glob("stand-in-*.pickle"))) == KEEP_OTHERS + 1


@pytest.mark.parametrize(
    "said",
    [
        "okay i've finished that set",  # words, characters and a slot-free sample's neighbours
        "start the banana workout",  # a value no slot knows
        "zzzz qqqq",  # nothing the vocabularies hold: the classifier's intercepts alone
        "i only managed eight on the shoulder press",
    ],
)
def test_guesses_are_the_trained_pipelines_own_probabilities(said: str) -> None:
    # The guesses skip scikit-learn's per-call checks (a dialog script's main cost); what the
    # runner is understood to say must not move with it.
    text = normalize(said)
    stand_in = STAND_IN
    assert isinstance(stand_in, StatisticalRecogniser)
    guessed = {g.intent: g.confidence for g in stand_in.guesses(text)}  # trains it
    expected = stand_in._pipeline.predict_proba([text])[0]
    pipeline = dict(zip(stand_in._pipeline.classes_, expected, strict=True))
    assert guessed.keys() == pipeline.keys()
    assert all(abs(guessed[i] - pipeline[i]) < 1e-12 for i in pipeline)


def test_a_two_intent_models_guesses_are_its_pipelines_too(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(CACHE_ENV, str(tmp_path))
    intents = [{"name": "PickIntent", "samples": ["pick red", "choose blue"]}]
    intents.append({"name": "AMAZON.FallbackIntent", "samples": []})
    data = {"interactionModel": {"languageModel": {"invocationName": "picker", "intents": intents}}}
    recogniser = StatisticalRecogniser(parse_model(data))
    for said in ("pick the red one", "what's the weather"):
        guessed = {g.intent: g.confidence for g in recogniser.guesses(said)}
        expected = recogniser._pipeline.predict_proba([said])[0]
        pipeline = dict(zip(recogniser._pipeline.classes_, expected, strict=True))
        assert guessed.keys() == pipeline.keys()
        assert all(abs(guessed[i] - pipeline[i]) < 1e-12 for i in pipeline)
