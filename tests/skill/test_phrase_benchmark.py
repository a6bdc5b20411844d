"""The phrase benchmark (harness/phrase_benchmark.py) as tests: hundreds of things runners and
the people near them say, each in its place in a workout, with the statistical stand-in for
Alexa's NLU and with the exact matcher. The floors and ceilings below are today's figures: a
change that understands less, or does more harm unasked, fails here.
`python -m bench.phrases` prints every figure and every miss.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from functools import cache

import pytest

from harness.interaction_model import load_model
from harness.phrase_benchmark import (
    FILES,
    HELD_OUT,
    HELD_OUT_2,
    HELD_OUT_FILES,
    LOCAL,
    MAIN,
    NOT_FOR_THE_COACH,
    OFF_SCRIPT,
    OFF_SCRIPT_2,
    Context,
    Place,
    Result,
    by_kind_of_intent,
    destructive,
    judge,
    load_file,
    locale_files,
    misheard,
    outcome,
    report,
    run,
    share,
)
from harness.understanding.recognisers import EXACT, STATISTICAL
from harness.utterances import SlotMatch, normalize

# Per recogniser and file: (share understood at least, harm at most: misheard, mishandled).
# Misheard: the recogniser heard a command that asks for the change; mishandled: the skill made
# a change the heard intent does not ask for. Today's mishandled ones are the skill's, listed
# for the off-script issue: the warm-up is lost to a pause, a rest change, "easier" or a closed
# session. Each floor is today's figure rounded down; why each moved: docs/phrases.md, "How the
# floors came to be".
FIGURES: Mapping[tuple[str, str], tuple[float, int, int]] = {
    (STATISTICAL, MAIN): (0.91, 0, 0),
    (STATISTICAL, HELD_OUT): (0.78, 0, 0),
    (STATISTICAL, HELD_OUT_2): (0.75, 0, 0),
    (STATISTICAL, OFF_SCRIPT): (0.74, 0, 0),
    (STATISTICAL, OFF_SCRIPT_2): (0.79, 0, 0),
    (STATISTICAL, NOT_FOR_THE_COACH): (0.88, 0, 0),
    (EXACT, MAIN): (0.75, 0, 0),
    (EXACT, HELD_OUT): (0.09, 0, 0),
    (EXACT, HELD_OUT_2): (0.19, 0, 0),
    (EXACT, OFF_SCRIPT): (0.22, 0, 0),
    (EXACT, OFF_SCRIPT_2): (0.15, 0, 0),
    (EXACT, NOT_FOR_THE_COACH): (0.98, 0, 0),
}


@cache
def results_of(recogniser: str) -> dict[tuple[str, str], list[Result]]:
    """Every file with `recogniser`, played once a test process."""
    return run(recognisers=(recogniser,))


@pytest.mark.parametrize("recogniser", [STATISTICAL, EXACT])
def test_runners_are_understood_and_nothing_harmful_happens_unasked(recogniser: str) -> None:
    """Every phrase file with one recogniser (one run each, so each test process that gets one
    plays the files once), every file's failures in one message."""
    results = results_of(recogniser)
    failures = []
    for (name, file), (floor, misheard_at_most, mishandled_at_most) in FIGURES.items():
        if name != recogniser:
            continue
        mine = results[recogniser, file]
        mishandled = len(destructive(mine)) - len(misheard(mine))
        if (
            len(misheard(mine)) > misheard_at_most
            or mishandled > mishandled_at_most
            or share(mine) < floor
        ):
            failures.append(
                f"{recogniser}, {file} (at least {floor:.0%} understood, at most"
                f" {misheard_at_most} misheard and {mishandled_at_most} mishandled):\n"
                f"{report(mine)}"
            )
    assert failures == [], "\n\n".join(failures)


# Each other locale: its own development phrases (German: its own places too) and held-out
# sets written blind on December 7 (never read to write samples; en-CA, en-AU and en-IN got a
# second, larger one, and a third after a third round of local words and the wider en-US
# samples), with the stand-in trained on its model. The floor of each file; harm is 0
# everywhere. The aim is 85% held out: together, en-AU meets it without the phrases that are
# samples word for word; en-GB, en-CA, en-IN and de-DE only counting them (docs/locales.md
# gives both). en-CA's third set lost one phrase (80% to 78%) to the night's fourth round, which
# gained its first and second sets four; the fifth (December 8) gained it two (82%). en-IN's
# fifth moved one phrase from its second set (88% to 86%) to its third (88% to 91%).
LOCALE_FLOORS: Mapping[str, Mapping[str, float]] = {
    "en-GB": {LOCAL: 1.0, HELD_OUT: 0.88},
    "en-CA": {LOCAL: 0.99, HELD_OUT: 0.90, "held_out_2.yaml": 0.90, "held_out_3.yaml": 0.82},
    "en-AU": {LOCAL: 0.98, HELD_OUT: 0.93, "held_out_2.yaml": 0.88, "held_out_3.yaml": 0.84},
    "en-IN": {LOCAL: 1.0, HELD_OUT: 0.83, "held_out_2.yaml": 0.86, "held_out_3.yaml": 0.90},
    "de-DE": {MAIN: 0.99, HELD_OUT: 0.87},
}


@pytest.mark.parametrize("locale", sorted(LOCALE_FLOORS))
def test_each_locales_runners_are_understood_and_nothing_harmful_happens(locale: str) -> None:
    floors = {f"{locale}/{name}": floor for name, floor in LOCALE_FLOORS[locale].items()}
    assert sorted(locale_files(locale)) == sorted(floors)  # every file measured, none left out
    results = run(locale_files(locale), recognisers=(STATISTICAL,), locale=locale)
    failures = []
    for file, floor in floors.items():
        mine = results[STATISTICAL, file]
        if destructive(mine) or share(mine) < floor:
            failures.append(f"{file} (at least {floor:.0%}, no harm):\n{report(mine)}")
    assert failures == [], "\n\n".join(failures)


# What is still heard as a command that moves the workout: nothing. ReadyIntent is heard from
# any "... ready"; "dinner's ready" started the cool-down until being ready stopped answering
# its offer.
STILL_MISHEARD_NEAR_AN_ECHO: set[tuple[str, str, str]] = set()


@pytest.mark.parametrize("recogniser", [STATISTICAL, EXACT])
def test_nothing_said_near_an_echo_is_heard_as_a_command_that_moves_the_workout(
    recogniser: str,
) -> None:
    heard = {
        (recogniser, r.context, r.phrase)
        for r in misheard(results_of(recogniser)[recogniser, NOT_FOR_THE_COACH])
    }
    assert heard == {m for m in STILL_MISHEARD_NEAR_AN_ECHO if m[0] == recogniser}


def test_the_files_are_large_enough_to_mean_something() -> None:
    sizes = {file: sum(len(c.phrases) for c in load_file(file)) for file in FILES}
    assert sizes[MAIN] >= 300 and sizes[HELD_OUT] >= 80
    assert sizes[OFF_SCRIPT] >= 150 and sizes[NOT_FOR_THE_COACH] >= 150
    for file in (OFF_SCRIPT, NOT_FOR_THE_COACH):
        assert len(load_file(file)) == len(load_file(MAIN)), f"{file} misses a place"


def test_the_outcome_table_reads_slots_as_the_runner_meant_them() -> None:
    context = Context("c", (), "resume", "choose_workout", "none", {})
    dumbbell = {"workout": SlotMatch("weights", "dumbbell", "dumbbell")}
    assert outcome("StartWorkoutIntent", dumbbell, context) == "choose_workout:dumbbell"
    assert outcome("StartWorkoutIntent", {"workout": SlotMatch("blue")}, context) == "clarify"
    assert outcome("StartWorkoutIntent", {}, context) == "choose_workout"
    assert outcome("SetRestIntent", {"minutes": SlotMatch("2")}, context) == "rest:120"
    assert outcome("SetRestIntent", {}, context) == "rest:ask"
    assert outcome("AMAZON.YesIntent", {}, context) == "resume"
    assert outcome("AMAZON.NextIntent", {}, context) == "next_set"
    warm_up = Context("warm_up", (), "", "", "", {})
    assert outcome("AMAZON.NextIntent", {}, warm_up) == "next"
    assert outcome("NextSetIntent", {}, warm_up) == "next"  # one command: the next part
    assert outcome("WhatsNextIntent", {}, warm_up) == "question:warm_up"
    offer = Context("cool_down_offer", (), "cool_down", "end_workout", "none", {})
    assert outcome("RemainingIntent", {}, offer) == "question:cool_down"
    dumbbell = {"workout": SlotMatch("dumbbell", "dumbbell", "dumbbell")}  # that one, answered
    assert outcome("RemainingIntent", dumbbell, offer).startswith("question:remaining")
    assert outcome("SkipExerciseIntent", {}, offer) == "end_workout"  # no to the cool-down
    assert outcome("RemainingIntent", {}, context) == "question:remaining"
    choose = Context("choose", (), "", "", "", {})  # "what do i do": how the coach works
    assert outcome("HowToIntent", {}, choose) == "help"
    assert outcome("HowToIntent", {"exercise": SlotMatch("this thing")}, choose) == "help"
    push_up = {"exercise": SlotMatch("push ups", "t_push_up", "t_push_up")}
    assert outcome("HowToIntent", push_up, choose) == "how_to"  # that exercise explained
    assert outcome("HowToIntent", {}, context) == "how_to"


def test_some_kit_missing_is_met_by_any_kit_named_missing_or_by_none_at_all() -> None:
    context = Context("mid_set", (), "none", "none", "none", {})
    bar = {"kit": SlotMatch("chin up bar", "pull_up_bar", "pull_up_bar")}
    assert outcome("MissingKitIntent", bar, context) == "missing_kit:pull_up_bar"
    assert outcome("OnlyKitIntent", {}, context) == "only_kit"

    def understood(got: str) -> bool:
        return judge("f", context, "p", "missing_kit", None, got, "", None, False).understood

    assert understood("missing_kit:pull_up_bar") and understood("missing_kit")
    assert understood("only_kit") and understood("only_kit:all")  # no kit at all
    assert not understood("only_kit:dumbbells") and not understood("easier")


def test_harm_is_read_from_what_the_turn_did_to_the_runners_place() -> None:
    context = Context("mid_set", (), "none", "none", "none", {})
    before = Place("dumbbell", 1.0, 0, 1, 0, False)
    counted = before.changes_to(Place("dumbbell", 1.0, 0, 2, 0, False))
    said_ready = judge("f", context, "i'm ready", "none", "ReadyIntent", "none", "", counted, False)
    assert said_ready.understood and said_ready.destructive == "counted a set"
    assert said_ready.mishandled  # "none" asks for no set to be counted: the skill's doing
    said_right = judge(
        "f", context, "right", "none", "NextSetIntent", "next_set", "", counted, False
    )
    assert said_right.misheard and not said_right.understood
    said_done = judge(
        "f", context, "done", "next_set", "NextSetIntent", "next_set", "", counted, False
    )
    assert said_done.destructive is None
    ended = before.changes_to(Place(None, None, 0, 0, 0, False))
    assert ended == "ended"
    assert before.changes_to(Place("bodyweight", 2.0, 0, 0, 0, False)) == "switched"
    assert before.changes_to(before) is None
    never_mind = judge(
        "f", context, "never mind", "none", "AMAZON.CancelIntent", "end_workout", "", None, True
    )
    assert never_mind.closed and never_mind.destructive is None
    choose = Context("choose", (), "none", "none", "choose_workout", {})
    started = Place(None, None, 0, 0, 0, False).changes_to(before)
    go = "go_to:lateral_raise"
    went = judge(
        "f", choose, "go to lateral raises", go, "GoToExerciseIntent", go, "", started, False
    )
    assert went.destructive is None  # going to a move from the choice starts its workout
    chatter = judge(
        "f", choose, "lateral thinking", "none", "GoToExerciseIntent", go, "", started, False
    )
    assert chatter.destructive == started and chatter.misheard  # the recogniser's doing


def test_no_held_out_or_stray_phrase_is_a_sample_word_for_word() -> None:
    """A held-out phrase measures how far the samples reach only while no sample is it: one
    that must become a sample moves to runner_phrases.yaml and is replaced."""
    model = load_model()
    samples = {normalize(sample) for intent in model.intents for sample in intent.samples}
    for file in (*HELD_OUT_FILES, NOT_FOR_THE_COACH):
        for context in load_file(file):
            found = [p for p in context.phrases if normalize(p) in samples]
            assert not found, f"{file}, {context.name}: samples now: {found}"


def test_the_warm_up_and_cool_down_are_part_of_the_runners_place() -> None:
    warming = Place("bodyweight", 1.0, 0, 0, 0, False, "warm_up:2")
    assert warming.changes_to(replace(warming, routine="warm_up:3")) == "moved"
    assert warming.changes_to(replace(warming, routine=None)) == "skipped"  # lost or skipped
    done = Place("dumbbell", 1.0, 5, 18, 0, True)
    assert done.changes_to(replace(done, routine="cool_down:1")) == "started"
    context = Context("warm_up", (), "none", "none", "next", {})
    paused = judge(
        "f", context, "pause", "pause", "AMAZON.PauseIntent", "pause", "", "skipped", False
    )
    assert paused.mishandled  # a pause asks for no change: losing the warm-up is the skill's


def test_held_out_phrases_meant_for_built_ins_keep_alexas_rule() -> None:
    results = run(files=HELD_OUT_FILES)  # both recognisers, on the held-out files
    built_in = [r for f in HELD_OUT_FILES for r in by_kind_of_intent(results[STATISTICAL, f])[1]]
    assert built_in, "no held-out phrase is meant for a built-in intent: the rule is untested"
    # A built-in intent fires only on its own phrases and the model's samples: on phrases meant
    # for one, the stand-in understands exactly what the exact matcher does.
    built_in_exact = [r for f in HELD_OUT_FILES for r in by_kind_of_intent(results[EXACT, f])[1]]
    assert [r.understood for r in built_in] == [r.understood for r in built_in_exact]
