"""The interaction model is built from its templates: the checked-in JSON is exactly what they
build, a template Alexa could not take is refused with the file, intent and template named, and
a template stands for exactly the sentences a runner would say."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from publishing import interaction_model
from publishing.interaction_model import (
    MODEL_DIR,
    MODEL_PATH,
    TEMPLATES_DIR,
    TEMPLATES_PATH,
    ModelTemplateError,
    build_model,
    display_path,
    load_templates,
    render,
    stale,
    template_locales,
)

SOURCE = display_path(TEMPLATES_PATH)


def templates(*intents: dict[str, Any], **fields: Any) -> dict[str, Any]:
    """A small templates file: these intents, and any of rules or types."""
    return {"invocationName": "upper body coach", "intents": list(intents), **fields}


def samples_of(template: str, **rules: str) -> list[str]:
    built = build_model(templates({"name": "TestIntent", "samples": [template]}, rules=rules), "t")
    samples: list[str] = built["interactionModel"]["languageModel"]["intents"][0]["samples"]
    return samples


# ---- the checked-in model is the built one ----------------------------------------------------


@pytest.mark.parametrize("locale", template_locales())
def test_the_checked_in_model_is_what_the_templates_build(locale: str) -> None:
    templates, model = TEMPLATES_DIR / f"{locale}.yaml", MODEL_DIR / f"{locale}.json"
    source = display_path(templates)
    built = render(build_model(load_templates(templates), source))
    differs = stale(built, model.read_text(encoding="utf-8"))
    if differs is not None:
        pytest.fail(
            f"{display_path(model)} is not what {source} builds (+ a sample only the "
            "templates have, - one only the JSON has). Edit the templates, not the JSON, then run "
            "`make model` and commit both:\n  " + "\n  ".join(differs)
        )


def test_check_names_the_intent_that_was_edited_by_hand(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    model = json.loads(MODEL_PATH.read_text(encoding="utf-8"))
    intents = model["interactionModel"]["languageModel"]["intents"]
    [ready] = [intent for intent in intents if intent["name"] == "ReadyIntent"]
    ready["samples"].append("ready steady")
    edited = tmp_path / "en-US.json"
    edited.write_text(render(model), encoding="utf-8")

    assert interaction_model.main(["--check", "--model", str(edited)]) == 1
    err = capsys.readouterr().err
    assert "make model" in err
    assert "ReadyIntent: - 'ready steady'" in err
    assert "NextSetIntent" not in err
    assert interaction_model.main(["--check"]) == 0


def test_build_writes_the_model(tmp_path: Path) -> None:
    out = tmp_path / "en-US.json"
    assert interaction_model.main(["--model", str(out)]) == 0
    assert out.read_bytes() == MODEL_PATH.read_bytes()


def test_every_rule_is_used() -> None:
    source = load_templates()
    used = set(re.findall(r"<(\w+)>", json.dumps([source["rules"], source["intents"]])))
    assert set(source["rules"]) - used == set()


# ---- what a template stands for -----------------------------------------------------------------


def test_alternatives_and_optional_words_expand_as_a_runner_says_them() -> None:
    assert samples_of("[ok|okay] (i'm|i am) done <please>", please="[please]") == [
        "ok i'm done please",
        "ok i'm done",
        "ok i am done please",
        "ok i am done",
        "okay i'm done please",
        "okay i'm done",
        "okay i am done please",
        "okay i am done",
        "i'm done please",
        "i'm done",
        "i am done please",
        "i am done",
    ]


def test_slots_are_kept_and_no_sample_has_stray_spaces() -> None:
    built = build_model(
        templates(
            {
                "name": "StartWorkoutIntent",
                "slots": {"workout": "WORKOUT_NAME"},
                "samples": ["[start] [the] {workout} (one|please)"],
            },
            types=[{"name": "WORKOUT_NAME", "values": [{"value": "dumbbell"}]}],
        ),
        "t",
    )
    [intent] = built["interactionModel"]["languageModel"]["intents"]
    assert intent["samples"] == [
        "start the {workout} one",
        "start the {workout} please",
        "start {workout} one",
        "start {workout} please",
        "the {workout} one",
        "the {workout} please",
        "{workout} one",
        "{workout} please",
    ]


def test_an_intents_samples_are_its_templates_in_order_each_once() -> None:
    built = build_model(
        templates({"name": "NextSetIntent", "samples": ["next [set]", "next set please", "next"]}),
        "t",
    )
    [intent] = built["interactionModel"]["languageModel"]["intents"]
    assert intent["samples"] == ["next set", "next", "next set please"]


def test_the_json_keeps_the_templates_key_order_and_ids_only_where_given() -> None:
    built = build_model(
        templates(
            {"name": "A", "slots": {}, "samples": ["a"]},
            {"name": "B", "samples": [], "slots": {"n": "AMAZON.NUMBER"}},
            types=[{"name": "T", "values": [{"id": "x", "value": "ex"}, {"value": "why"}]}],
        ),
        "t",
    )
    language_model = built["interactionModel"]["languageModel"]
    assert language_model["intents"] == [
        {"name": "A", "slots": [], "samples": ["a"]},
        {"name": "B", "samples": [], "slots": [{"name": "n", "type": "AMAZON.NUMBER"}]},
    ]
    assert [list(intent) for intent in language_model["intents"]] == [
        ["name", "slots", "samples"],
        ["name", "samples", "slots"],
    ]
    assert language_model["types"] == [
        {"name": "T", "values": [{"id": "x", "name": {"value": "ex"}}, {"name": {"value": "why"}}]}
    ]


# ---- what is refused ----------------------------------------------------------------------------

REFUSED = {
    "unparsable": (
        templates({"name": "StartWorkoutIntent", "samples": ["(start|begin [the] workout"]}),
        'intents[0] (StartWorkoutIntent) samples[0] "(start|begin [the] workout"',
        "does not parse",
    ),
    "an undeclared slot": (
        templates({"name": "HowToIntent", "samples": ["how", "how do i do the {exercise}"]}),
        'intents[0] (HowToIntent) samples[1] "how do i do the {exercise}"',
        "{exercise} is not in the intent's slots",
    ),
    "a slot type nowhere declared": (
        templates(
            {"name": "StartWorkoutIntent", "slots": {"workout": "WORKOUT"}, "samples": ["go"]}
        ),
        "intents[0] (StartWorkoutIntent) slots.workout",
        "'WORKOUT' is neither AMAZON.* nor in types",
    ),
    "an unknown rule": (
        templates(
            {"name": "NextSetIntent", "samples": ["next set <pleese>"]},
            rules={"please": "[please]"},
        ),
        'intents[0] (NextSetIntent) samples[0] "next set <pleese>"',
        "<pleese>",
    ),
    "a sample that is only a slot": (
        templates(
            {
                "name": "StartWorkoutIntent",
                "slots": {"workout": "AMAZON.NUMBER"},
                "samples": ["start [the] {workout}", "[the] {workout}"],
            }
        ),
        'intents[0] (StartWorkoutIntent) samples[1] "[the] {workout}"',
        '"{workout}" is only a slot',
    ),
    "a sample in two intents": (
        templates(
            {"name": "NextSetIntent", "samples": ["done", "next [set]"]},
            {"name": "SkipExerciseIntent", "samples": ["skip", "(next|skip) (set|exercise)"]},
        ),
        'intents[1] (SkipExerciseIntent) samples[1] "(next|skip) (set|exercise)"',
        '"next set" is also a sample of intents[0] (NextSetIntent) samples[1] "next [set]"',
    ),
}


@pytest.mark.parametrize(("source", "field", "reason"), REFUSED.values(), ids=list(REFUSED))
def test_a_template_alexa_could_not_take_is_refused_naming_file_intent_and_template(
    source: dict[str, Any], field: str, reason: str
) -> None:
    with pytest.raises(ModelTemplateError) as refused:
        build_model(source, SOURCE)
    message = str(refused.value)
    assert message.startswith(f"{SOURCE}: {field}"), message
    assert reason in message


def test_a_refused_template_builds_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "en-US.yaml"
    source.write_text(
        "invocationName: upper body coach\n"
        "intents:\n  - name: NextSetIntent\n    samples: ['next {set}']\n",
        encoding="utf-8",
    )
    out = tmp_path / "en-US.json"
    assert interaction_model.main(["--templates", str(source), "--model", str(out)]) == 2
    assert "NextSetIntent" in capsys.readouterr().err
    assert not out.exists()


def test_a_locale_based_on_another_adds_its_samples_and_synonyms(tmp_path: Path) -> None:
    base = {
        "invocationName": "upper body coach",
        "intents": [{"name": "NextSetIntent", "samples": ["next set"]}],
        "types": [{"name": "KIT", "values": [{"id": "mat", "value": "mat"}]}],
    }
    (tmp_path / "en-US.yaml").write_text(json.dumps(base), encoding="utf-8")
    overlay = {
        "based_on": "en-US",
        "samples": {"NextSetIntent": ["that's me (done|finished)"]},
        "synonyms": {"KIT": {"mat": ["yoga mat"]}},
    }
    (tmp_path / "en-GB.yaml").write_text(json.dumps(overlay), encoding="utf-8")
    built = build_model(load_templates(tmp_path / "en-GB.yaml"), "en-GB.yaml")
    language = built["interactionModel"]["languageModel"]
    assert language["intents"][0]["samples"] == ["next set", "that's me done", "that's me finished"]
    assert language["types"][0]["values"][0]["name"]["synonyms"] == ["yoga mat"]
    overlay["samples"] = {"NoSuchIntent": ["hello"]}
    (tmp_path / "en-GB.yaml").write_text(json.dumps(overlay), encoding="utf-8")
    with pytest.raises(ModelTemplateError, match=r"en-GB\.yaml: samples\.NoSuchIntent"):
        load_templates(tmp_path / "en-GB.yaml")
