"""Each request is answered in its own locale's words, or the closest the skill has; each
locale's files hold every key the code speaks, with the same placeholders."""

from __future__ import annotations

from pathlib import Path

import pytest

from skill.alexa import skill_builder
from skill.app import create_app
from skill.audio.catalog import default_catalog, track_of_file
from skill.locales import DEFAULT, SPOKEN, closest
from skill.speech import phrasebook
from skill.speech.phrasebook import LOCALE_DIR, Phrasebook, PhrasebookError, placeholders
from tests.support import RecordingStore, alexa_answer, output_speech, resolved_intent
from tracks.engines import pick_voice


@pytest.mark.parametrize(
    ("asked", "answered"),
    [
        ("en-GB", "en-GB"),
        ("en-IN", "en-IN"),
        ("en-NZ", "en-GB"),  # English outside North America spells the British way
        ("en-ie", "en-GB"),
        ("en_US", "en-US"),
        ("en", "en-US"),
        ("fr-FR", DEFAULT),
        ("de-AT", "de-DE"),
        ("de-DE", "de-DE"),
        ("", DEFAULT),
        (None, DEFAULT),
        (42, DEFAULT),
    ],
)
def test_a_request_is_answered_in_the_closest_locale_the_skill_speaks(
    asked: object, answered: str
) -> None:
    assert closest(asked) == answered


def test_each_request_is_answered_in_its_own_locales_words(
    coach_env: pytest.MonkeyPatch, monkeypatch: pytest.MonkeyPatch
) -> None:
    """One skill, runners in three places: each request in its own locale's words, and a
    locale the skill does not speak in the closest it does, never an error."""
    shipped = phrasebook.default_phrasebook

    def marked(locale: str = DEFAULT) -> Phrasebook:
        phrases = dict(shipped(locale).phrases)
        phrases["help.idle"] = (f"Help in {locale}.",)
        return Phrasebook(phrases)

    monkeypatch.setattr(phrasebook, "default_phrasebook", marked)
    monkeypatch.setattr(skill_builder, "default_phrasebook", marked)
    app = create_app({"COACH_VERIFY_REQUESTS": "0", "COACH_STORE_OBJECT": RecordingStore()})
    client = app.test_client()
    for locale, answered in [
        ("en-GB", "en-GB"),
        ("en-US", "en-US"),
        ("fr-FR", "en-US"),
        ("en-NZ", "en-GB"),
        ("en-IN", "en-IN"),
    ]:
        envelope = resolved_intent("AMAZON.HelpIntent")
        envelope["request"]["locale"] = locale
        said = output_speech(alexa_answer(client, envelope))
        assert said == f"<speak>Help in {answered}.</speak>", locale


# Values the code supplies that en-US's wording leaves out: the 24-hour clock's hour; the kit
# back, which German names rather than point to with a pronoun of the wrong gender.
SUPPLIED_TOO = {
    "clock.hour": {"hour"},
    "clock.hour_minute": {"hour"},
    "kit.back_noted": {"kit"},
}


def phrase_tree(locale: str) -> dict[str, tuple[str, ...]]:
    return Phrasebook.load(locale).phrases


@pytest.mark.parametrize("locale", SPOKEN)
def test_every_locale_has_every_key_with_the_same_placeholders(locale: str) -> None:
    """What the code speaks is en-US's keys; a locale without one would fail mid-workout."""
    american = phrase_tree(DEFAULT)
    local = phrase_tree(locale)
    missing = sorted(set(american) - set(local))
    assert not missing, f"{locale}.yaml lacks {missing[:5]}"
    extra = sorted(set(local) - set(american))
    assert not extra, f"{locale}.yaml has keys en-US.yaml lacks: {extra[:5]}"
    for key, variants in american.items():
        # The code fills what en-US's wording asks for; a language may leave a value out
        # (German's 24-hour clock has no am or pm), never ask for one it does not give.
        given = set().union(*(placeholders(v) for v in variants), SUPPLIED_TOO.get(key, set()))
        for variant in local[key]:
            asked = placeholders(variant)
            assert asked <= given, f"{locale}.yaml: {key}: asks for {asked - given}"
        assert len(local[key]) == len(variants), f"{locale}.yaml: {key}: another count of variants"


def test_a_key_missing_from_a_locale_names_the_key_and_the_file(tmp_path: Path) -> None:
    (tmp_path / "en-US.yaml").write_text("help:\n  start: Say next.\n", encoding="utf-8")
    (tmp_path / "en-GB.yaml").write_text("based_on: en-US\nhelp:\n  begin: Hi\n", encoding="utf-8")
    with pytest.raises(PhrasebookError, match=r"en-GB\.yaml: help\.begin: no such key"):
        Phrasebook.load("en-GB", tmp_path)


def test_an_overlay_may_not_ask_for_a_value_the_code_does_not_give(tmp_path: Path) -> None:
    (tmp_path / "en-US.yaml").write_text("rest:\n  start: Rest {seconds}.\n", encoding="utf-8")
    overlay = "based_on: en-US\nrest:\n  start: Rest {secs}.\n"
    (tmp_path / "en-GB.yaml").write_text(overlay, encoding="utf-8")
    with pytest.raises(PhrasebookError, match=r"en-GB\.yaml: rest\.start: placeholders"):
        Phrasebook.load("en-GB", tmp_path)


def test_overlays_that_go_round_in_a_circle_are_refused(tmp_path: Path) -> None:
    (tmp_path / "en-GB.yaml").write_text("based_on: en-AU\n", encoding="utf-8")
    (tmp_path / "en-AU.yaml").write_text("based_on: en-GB\n", encoding="utf-8")
    with pytest.raises(PhrasebookError, match="circle"):
        Phrasebook.load("en-GB", tmp_path)


def test_every_locale_file_in_the_folder_is_one_the_skill_speaks() -> None:
    assert sorted(path.stem for path in LOCALE_DIR.glob("*.yaml")) == sorted(SPOKEN)


def test_each_locales_tracks_are_named_by_locale_and_served_from_their_own_catalog() -> None:
    digests: dict[str, str] = {}
    for locale in SPOKEN:
        track = default_catalog(locale).rest(45)
        assert track.file.startswith(f"{locale}-rest-045-")
        assert track_of_file(track.file) == track
        digests[locale] = track.digest
    # en-CA says a rest as en-US does, word for word, in another voice: another recipe.
    assert default_catalog("en-CA").rest(45).words == default_catalog().rest(45).words
    assert len(set(digests.values())) == len(SPOKEN)
    assert track_of_file("rest-045-0123456789.mp3") is None
    assert track_of_file("fr-FR-rest-045-0123456789.mp3") is None


def test_the_harness_speaks_each_locale_in_its_own_accent() -> None:
    google = {locale: pick_voice("gtts", locale).fingerprint.split("/", 1)[1] for locale in SPOKEN}
    assert google["en-US"] == "en/com" and google["en-GB"] == "en/co.uk"
    assert google["en-AU"] == "en/com.au" and google["en-IN"] == "en/co.in"
    assert len(set(google.values())) == len(SPOKEN)
    said = {
        locale: pick_voice("espeak", locale).synthesize("Rest 45 seconds.").samples
        for locale in SPOKEN
    }  # every voice speaks (espeak-ng refuses a voice name it lacks)
    assert said["en-GB"] != said["en-US"] and said["en-AU"] != said["en-US"]
