"""The skill package: the manifest Amazon is given is one SMAPI accepts field for field, what it
shows a runner holds up, and the package `ask deploy` uploads carries the tested model."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from ask_sdk_model_runtime.serializer import DefaultSerializer
from ask_smapi_model.v1.skill.manifest.skill_manifest_envelope import SkillManifestEnvelope

from harness.device import Device, FlaskTransport
from harness.interaction_model import load_model
from harness.utterances import match
from publishing import skill_package
from publishing.skill_package import PackageError, build, endpoint_for, placeholders
from skill.app import create_app
from skill.locales import SPOKEN, language_of
from tests.support import REPO_ROOT

MANIFEST_PATH = REPO_ROOT / "manifest" / "skill.json"
LAMBDA_ARN = "arn:aws:lambda:us-east-1:123456789012:function:upper-body-coach-prod-skill:snapstart"

# Exactly what a developer must fill in before submitting; docs/publishing.md lists the same.
DEVELOPER_FIELDS = [
    "manifest.publishingInformation.locales.en-US.smallIconUri",
    "manifest.publishingInformation.locales.en-US.largeIconUri",
    "manifest.privacyAndCompliance.locales.en-US.privacyPolicyUrl",
    "manifest.apis.custom.endpoint.uri",
]

# What each example phrase does: a launch, or a one-shot with its intent and resolved slots.
CLAIMS: dict[str, tuple[str, str | None, dict[str, str]]] = {
    "Alexa, open upper body coach": ("launch", None, {}),
    "Alexa, ask upper body coach to start the dumbbell workout": (
        "one_shot",
        "StartWorkoutIntent",
        {"workout": "dumbbell"},
    ),
    "Alexa, tell upper body coach next set": ("one_shot", "NextSetIntent", {}),
}

# The German store's phrases: the same three kinds, in German.
CLAIMS_DE: dict[str, tuple[str, str | None, dict[str, str]]] = {
    "Alexa, öffne oberkörper trainer": ("launch", None, {}),
    "Alexa, sag oberkörper trainer nächster satz": ("one_shot", "NextSetIntent", {}),
    "Alexa, frag oberkörper trainer wie viele trainings diese woche": (
        "one_shot",
        "WorkoutsThisWeekIntent",
        {},
    ),
}
CLAIMS_BY_LANGUAGE = {"en": CLAIMS, "de": CLAIMS_DE}

# Amazon's limits for the store text (Skill Manifest Schema and the developer console).
LIMITS = {"name": (2, 50), "summary": (1, 160), "description": (1, 4000)}
MAX_EXAMPLE_PHRASES = 3
MAX_KEYWORDS = 30
MAX_TESTING_INSTRUCTIONS = 4000


def manifest() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(MANIFEST_PATH.read_text(encoding="utf-8"))
    return data


def store_text(locale: str = "en-US") -> dict[str, Any]:
    return manifest()["manifest"]["publishingInformation"]["locales"][locale]  # type: ignore[no-any-return]


ENGLISH_STORES = [locale for locale in SPOKEN if locale.startswith("en-")]


def test_every_locale_the_skill_speaks_has_its_store_and_gets_icons_and_a_policy(
    tmp_path: Path,
) -> None:
    stores = manifest()["manifest"]["publishingInformation"]["locales"]
    assert sorted(stores) == sorted(SPOKEN)
    build(tmp_path, LAMBDA_ARN)
    built = json.loads((tmp_path / "skill.json").read_text(encoding="utf-8"))["manifest"]
    first = built["publishingInformation"]["locales"]["en-US"]
    for locale in SPOKEN:
        store = built["publishingInformation"]["locales"][locale]
        assert store["smallIconUri"] == first["smallIconUri"], locale
        assert built["privacyAndCompliance"]["locales"][locale]["privacyPolicyUrl"], locale
        country = locale.split("-")[1]
        assert country in built["publishingInformation"]["distributionCountries"], locale
    assert round_trip({"manifest": built}) == {"manifest": built}


def round_trip(data: dict[str, Any]) -> dict[str, Any]:
    """Through ask-smapi-model's classes and back: a misspelled or unknown field is dropped (so
    the result differs), a bad enum value or interface type raises."""
    serializer = DefaultSerializer()
    envelope = serializer.deserialize(json.dumps(data), SkillManifestEnvelope)
    assert isinstance(envelope, SkillManifestEnvelope)
    back = serializer.serialize(envelope)
    assert isinstance(back, dict)
    return back


# ---- the manifest is one SMAPI accepts ---------------------------------------------------------


def test_the_manifest_round_trips_through_ask_smapi_model_with_nothing_dropped() -> None:
    assert round_trip(manifest()) == manifest()


def test_a_misspelled_field_would_be_caught_by_the_round_trip() -> None:
    data = manifest()
    data["manifest"]["publishingInformation"]["locales"]["en-US"]["examplesPhrases"] = ["x"]
    assert round_trip(data) != data


@pytest.mark.parametrize("endpoint", ["https://coach.example.org/alexa", LAMBDA_ARN])
def test_the_built_manifest_round_trips_for_either_endpoint(tmp_path: Path, endpoint: str) -> None:
    build(tmp_path, endpoint)
    built = json.loads((tmp_path / "skill.json").read_text(encoding="utf-8"))
    assert round_trip(built) == built
    assert built["manifest"]["apis"]["custom"]["endpoint"]["uri"] == endpoint


def test_the_screen_is_declared_for_every_echo_show() -> None:
    interfaces = manifest()["manifest"]["apis"]["custom"]["interfaces"]
    [apl] = [i for i in interfaces if i["type"] == "ALEXA_PRESENTATION_APL"]
    # Without the interface Alexa never declares Alexa.Presentation.APL to the skill. The Echo
    # Show 5 is 960 x 480, the 8 and 10 are 1280 x 800, the 15 and 21 are 1920 x 1080; small
    # round hubs are 480 x 480.
    for shape, width, height in [
        ("ROUND", 480, 480),
        ("RECTANGLE", 960, 480),
        ("RECTANGLE", 1280, 800),
        ("RECTANGLE", 1920, 1080),
    ]:
        assert any(
            v["mode"] == "HUB"
            and v["shape"] == shape
            and v["minWidth"] <= width <= v["maxWidth"]
            and v["minHeight"] <= height <= v["maxHeight"]
            for v in apl["supportedViewports"]
        ), (shape, width, height)


def test_audio_player_is_declared_and_the_model_has_the_intents_it_requires() -> None:
    interfaces = manifest()["manifest"]["apis"]["custom"]["interfaces"]
    assert {"type": "AUDIO_PLAYER"} in interfaces
    model = load_model()
    # Alexa refuses to build a model for an AUDIO_PLAYER skill without these two.
    assert model.has_intent("AMAZON.PauseIntent")
    assert model.has_intent("AMAZON.ResumeIntent")


def test_the_reminders_permission_is_declared_and_survives_the_round_trip() -> None:
    """Without it Alexa refuses the AskFor and every Reminders API call answers 401."""
    data = manifest()
    assert {"name": "alexa::alerts:reminders:skill:readwrite"} in data["manifest"]["permissions"]
    assert round_trip(data)["manifest"]["permissions"] == data["manifest"]["permissions"]
    # Certification reads the testing instructions: they say how the permission is asked for.
    assert (
        "alexa::alerts:reminders"
        in data["manifest"]["publishingInformation"]["testingInstructions"]
    )


# ---- example phrases ---------------------------------------------------------------------------


@pytest.mark.parametrize("locale", SPOKEN)
def test_every_example_phrase_resolves_to_what_it_claims(locale: str) -> None:
    phrases = store_text(locale)["examplePhrases"]
    claims = CLAIMS_BY_LANGUAGE[language_of(locale)]
    assert set(phrases) == set(claims), "a new example phrase needs its claim here"
    model = load_model(locale=locale)
    for phrase in phrases:
        kind, intent, slots = claims[phrase]
        heard = match(phrase, model)
        assert (heard.kind, heard.intent) == (kind, intent), phrase
        assert {name: slot.id for name, slot in heard.slots.items()} == slots, phrase
        if intent is not None:
            assert heard.sample is not None, f"{phrase}: no sample of the model says this"


@pytest.mark.parametrize("locale", SPOKEN)
def test_example_phrases_follow_amazons_rules(locale: str) -> None:
    phrases = store_text(locale)["examplePhrases"]
    invocation = load_model(locale=locale).invocation_name
    assert 1 <= len(phrases) <= MAX_EXAMPLE_PHRASES
    for phrase in phrases:
        assert phrase.startswith("Alexa, "), phrase
        assert f" {invocation} " in f"{phrase} ", f"{phrase}: not the invocation name {invocation}"
    # The first phrase is the one shown in the skill list: it opens the skill.
    assert match(phrases[0], load_model(locale=locale)).kind == "launch"


def test_example_phrases_get_the_coach_on_a_device(tmp_path: Path, coach_env: Any) -> None:
    app = create_app({"COACH_VERIFY_REQUESTS": "0", "COACH_DB_PATH": str(tmp_path / "c.db")})
    opening, start, next_set = store_text()["examplePhrases"]

    launch = Device(FlaskTransport(app), user_id="store-card-1").say(opening)
    assert launch.request_type == "LaunchRequest"
    assert launch.speech_text.endswith("Which one would you like?")

    started = Device(FlaskTransport(app), user_id="store-card-2").say(start)
    assert "dumbbell workout" in started.speech_text
    assert started.session_open

    # A runner mid-set whose microphone has closed: the one-shot moves them on.
    runner = Device(FlaskTransport(app), user_id="store-card-3")
    runner.say(start)
    assert "Set 1 of 3" in runner.say("skip the warm up").speech_text
    runner.mic_timeout()
    assert "Set 2 of 3" in runner.say(next_set).speech_text


# ---- what a runner reads in the store ----------------------------------------------------------


@pytest.mark.parametrize("locale", SPOKEN)
def test_the_store_text_is_within_amazons_limits(locale: str) -> None:
    text = store_text(locale)
    for field, (shortest, longest) in LIMITS.items():
        assert shortest <= len(text[field]) <= longest, f"{field}: {len(text[field])} characters"
    assert 1 <= len(text["keywords"]) <= MAX_KEYWORDS
    assert len(set(text["keywords"])) == len(text["keywords"])
    instructions = manifest()["manifest"]["publishingInformation"]["testingInstructions"]
    assert len(instructions) <= MAX_TESTING_INSTRUCTIONS


@pytest.mark.parametrize("locale", ENGLISH_STORES)
def test_the_store_text_names_the_skill_and_both_workouts(locale: str) -> None:
    text = store_text(locale)
    assert text["name"] == "Upper Body Coach"
    for word in ("runner", "bodyweight", "dumbbell", "next set"):
        assert word in text["description"].lower(), word
    # Only URLs are placeholders: a runner never reads the marker.
    for field in ("name", "summary", "description", "keywords", "examplePhrases"):
        assert placeholders(text[field]) == [], field


# ---- what a developer fills in -----------------------------------------------------------------


def test_exactly_these_fields_are_left_for_the_developer(tmp_path: Path) -> None:
    assert placeholders(manifest()) == DEVELOPER_FIELDS
    left = build(tmp_path, LAMBDA_ARN)
    assert left == DEVELOPER_FIELDS[:-1]  # the endpoint is given at build time


def test_the_publishing_guide_lists_the_fields_to_fill_in() -> None:
    readme = (REPO_ROOT / "docs" / "publishing.md").read_text(encoding="utf-8")
    for field in DEVELOPER_FIELDS:
        assert f"`{field}`" in readme, field


def test_the_build_says_what_is_still_to_fill_in(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert skill_package.main(["--out", str(tmp_path), "--endpoint", LAMBDA_ARN]) == 0
    err = capsys.readouterr().err
    assert "Not ready to submit" in err
    assert [line.strip() for line in err.splitlines()[1:]] == DEVELOPER_FIELDS[:-1]


def test_a_bad_endpoint_builds_nothing(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert skill_package.main(["--out", str(tmp_path), "--endpoint", "http://coach.example"]) == 2
    assert "neither an https:// URL" in capsys.readouterr().err
    assert not (tmp_path / "skill.json").exists()


# ---- endpoints ---------------------------------------------------------------------------------


def test_an_https_endpoint_carries_its_certificate_type() -> None:
    url = "https://coach.example.org/alexa"
    assert endpoint_for(url) == {"uri": url, "sslCertificateType": "Trusted"}
    assert endpoint_for(url, "Wildcard") == {"uri": url, "sslCertificateType": "Wildcard"}
    assert endpoint_for(url, "SelfSigned") == {"uri": url, "sslCertificateType": "SelfSigned"}


def test_a_lambda_endpoint_is_the_snapstart_alias_of_the_function() -> None:
    assert endpoint_for(LAMBDA_ARN) == {"uri": LAMBDA_ARN}
    # the function itself, or another alias: not one Alexa may invoke (serverless.yml)
    function = LAMBDA_ARN.removesuffix(":snapstart")
    for refused in (function, function + ":live", function + ":$LATEST"):
        with pytest.raises(PackageError, match=f"use {re.escape(LAMBDA_ARN)}$"):
            endpoint_for(refused)


@pytest.mark.parametrize(
    ("endpoint", "ssl_type"),
    [
        ("http://coach.example.org/alexa", "Trusted"),  # Alexa calls https only
        ("https://coach.example.org:8443/alexa", "Trusted"),  # and on port 443
        ("https://coach.example.org/alexa", "trusted"),
        ("https://FILL-IN.example.com/alexa", "Trusted"),
        ("arn:aws:lambda:us-east-1:FILL-IN:function:upper-body-coach-prod-skill", "Trusted"),
        ("arn:aws:s3:::a-bucket", "Trusted"),
        ("upper-body-coach-prod-skill", "Trusted"),
    ],
)
def test_a_malformed_endpoint_is_refused(endpoint: str, ssl_type: str) -> None:
    with pytest.raises(PackageError):
        endpoint_for(endpoint, ssl_type)


# ---- one source for the model ------------------------------------------------------------------


def test_the_package_carries_the_repository_model_byte_for_byte(tmp_path: Path) -> None:
    stale = tmp_path / "interactionModels" / "custom" / "xx-XX.json"
    stale.parent.mkdir(parents=True)
    stale.write_text("{}", encoding="utf-8")
    build(tmp_path)
    # The models, not their templates (interaction_model/templates), go to Alexa.
    models = sorted((REPO_ROOT / "interaction_model").glob("*.json"))
    packaged = tmp_path / "interactionModels" / "custom"
    assert sorted(p.name for p in packaged.iterdir()) == [m.name for m in models]
    for model in models:
        assert (packaged / model.name).read_bytes() == model.read_bytes()


def test_the_package_is_built_not_kept_and_ask_deploy_uploads_it() -> None:
    assert "/skill-package/" in (REPO_ROOT / ".gitignore").read_text(encoding="utf-8").split()
    resources = json.loads((REPO_ROOT / "ask-resources.json").read_text(encoding="utf-8"))
    src = resources["profiles"]["default"]["skillMetadata"]["src"]
    assert (REPO_ROOT / src).resolve() == skill_package.PACKAGE_DIR
