"""Hands-free, every answer at a set ends with the hands-free way on ("Alexa, next"), never with
"say done" or "say next set": the microphone is closed while the runner works, and only the
name-free command reaches the coach then. Each command is said by one-shot ("Alexa, tell upper
body coach ...") at set 2 of the dumbbell shoulder press, whose call the player has just
played, in English and in German (December 8: "this is too hard" ended "Say done when you
finish.", "make my rests a minute" and "I have no dumbbells" the same, in German "Sag fertig").
"""

from __future__ import annotations

from pathlib import Path

import pytest

from harness.device import Device, Turn
from harness.dialog_stage import Stage
from skill.speech.phrasebook import default_phrasebook
from skill.speech.wording import HANDS_FREE_WAYS

NAME_FREE_NEXT = {"en-US": "alexa, next", "de-DE": "alexa, weiter"}

NO_DUMBBELLS = {"kit": "dumbbells"}
# (what the runner asks, the intent and its slots, said before it if anything)
COMMANDS: list[tuple[str, str, dict[str, str], tuple[tuple[str, dict[str, str]], ...]]] = [
    ("too hard", "EasierIntent", {}, ()),
    ("too easy", "HarderIntent", {}, ()),
    ("slow down", "PaceIntent", {"pace": "slower"}, ()),
    ("rests a minute", "SetRestIntent", {"length": "60"}, ()),
    ("no dumbbells", "MissingKitIntent", NO_DUMBBELLS, ()),
    ("one more time", "LeadAgainIntent", {}, ()),
    ("repeat", "AMAZON.RepeatIntent", {}, ()),
    ("I have my kit", "HaveKitIntent", {"kit": "all"}, (("MissingKitIntent", NO_DUMBBELLS),)),
    ("one more set", "ExtraSetIntent", {}, ()),
    ("where am I", "StatusIntent", {}, ()),
    ("how many reps", "RepsIntent", {}, ()),
    ("what's next", "WhatsNextIntent", {}, ()),
    ("how long is my rest", "RestLengthIntent", {}, ()),
    ("something else", "AMAZON.FallbackIntent", {}, ()),
]


@pytest.fixture
def stage(tmp_path: Path, coach_env: pytest.MonkeyPatch) -> Stage:
    return Stage(tmp_path / "coach.sqlite3")


def after_set_one_hands_free(stage: Stage, locale: str, user: str) -> Device:
    """A runner who has said "Alexa, next" after set 1: the player plays the rest to set 2."""
    device = stage.device(user)
    device.use_locale(locale)
    device.enable_audio_player()
    device.launch()
    device.intent("StartWorkoutIntent", {"workout": "dumbbell"})
    device.intent("SkipWarmUpIntent")
    device.mic_timeout()
    device.wait(40)
    device.say(NAME_FREE_NEXT[locale])
    return device


def at_set_two_hands_free(stage: Stage, locale: str, user: str) -> Device:
    """A runner at set 2, which the coach's player has called, the microphone closed."""
    device = after_set_one_hands_free(stage, locale, user)
    device.wait(90)  # the rest and the call of set 2 have played
    return device


def spoken_ways(locale: str) -> list[str]:
    """Every wording of every way on that only an open microphone hears."""
    phrases = default_phrasebook(locale)
    return [variant for key in HANDS_FREE_WAYS for variant in phrases.variants(key)]


def heard(turn: Turn) -> str:
    return f"{turn.speech_text} | {turn.reprompt_text}"


@pytest.mark.parametrize("locale", ["en-US", "de-DE"])
@pytest.mark.parametrize(
    ("asked", "intent", "slots", "before"), COMMANDS, ids=[c[0] for c in COMMANDS]
)
def test_every_answer_at_a_set_hands_free_ends_with_the_hands_free_way_on(
    stage: Stage,
    locale: str,
    asked: str,
    intent: str,
    slots: dict[str, str],
    before: tuple[tuple[str, dict[str, str]], ...],
) -> None:
    device = at_set_two_hands_free(stage, locale, f"runner-{locale}-{intent}")
    for earlier, earlier_slots in before:
        device.intent(earlier, earlier_slots, one_shot=True)
        device.mic_timeout()
    turn = device.intent(intent, slots, one_shot=True)
    phrases = default_phrasebook(locale)
    assert turn.speech_text, f"{asked}: no answer"
    for way in spoken_ways(locale):
        assert way not in heard(turn), f"{asked}: {way!r} in {heard(turn)!r}"
    if turn.session_open:  # Alexa listens on, then the way on (or what they'd like) once more
        reprompts = (phrases.say("set.reprompt_hands_free"), phrases.say("help.reprompt"))
        assert turn.reprompt_text in reprompts, heard(turn)


@pytest.mark.parametrize("locale", ["en-US", "de-DE"])
@pytest.mark.parametrize("intent", ["StatusIntent", "SetsLeftIntent", "LastWorkoutIntent"])
def test_a_question_over_the_rest_the_player_plays_says_the_runner_is_resting(
    stage: Stage, locale: str, intent: str
) -> None:
    """Not "you're on set 2 ... when you're done, say: Alexa, next": set 2 is not called yet.
    The session ends, so the rest plays on."""
    device = after_set_one_hands_free(stage, locale, f"runner-{locale}-{intent}-resting")
    device.wait(15)  # into the rest before set 2
    turn = device.intent(intent, one_shot=True)
    phrases = default_phrasebook(locale)
    resting = phrases.variants(
        "audio.rest_up_next" if intent == "StatusIntent" else "audio.rest_then"
    )
    assert resting[0].split("{")[0] in turn.speech_text, turn.speech_text
    assert phrases.say("audio.go") not in turn.speech_text
    assert not turn.session_open


@pytest.mark.parametrize("locale", ["en-US", "de-DE"])
def test_help_at_a_set_hands_free_gives_the_name_free_way_on_only(
    stage: Stage, locale: str
) -> None:
    """Not "When you finish a set, say next set and I'll time your rest" after "just say Alexa,
    next": the closed microphone never hears "next set" (December 8)."""
    device = at_set_two_hands_free(stage, locale, f"runner-{locale}-help")
    turn = device.intent("AMAZON.HelpIntent", one_shot=True)
    phrases = default_phrasebook(locale)
    spoken_help = phrases.say("help.active", name="x", set=2, sets=3).split(". ", 2)[1]
    assert phrases.say("help.hands_free").split(":")[0] in turn.speech_text
    assert spoken_help not in turn.speech_text
