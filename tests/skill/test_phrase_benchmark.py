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
# session.
FIGURES: Mapping[tuple[str, str], tuple[float, int, int]] = {
    # runner_phrases.yaml took in the first held-out set on December 7 (its misses had been read
    # to write samples), most of which the exact matcher misses: 92% before, 82.9% after.
    # 96.6% of 672 until 127 phrases came in for the two places runners were least understood,
    # the warm-up and the cool-down offer (December 7; a third of them never made samples).
    (STATISTICAL, MAIN): (0.90, 0, 0),
    # The off-script issue's aim is 85% held out. The first held-out set reached 84.5%, but only
    # after its misses had been read; the set written blind on December 7 is 74.4% with the same
    # samples (docs/phrases.md). 80.2% of 86 after two rounds widened the samples (630 more,
    # written from neither held-out file; four phrases they matched word for word moved to
    # MAIN); the second blind set, written between the rounds, 74.7% (73.4% after the first).
    # "Alright" as a yes (it counted a set as the set was called) took one phrase of the first
    # everyday set and two of the second, and gave three to the off-script ones (en-US 73.5% to
    # 73.8% together): 80.2% to 79.1% here. ThanksIntent ("You're welcome" rather than "Sorry,
    # I didn't catch that") took one more here and two off-script, gave one to the second set
    # and one to en-IN (en-US 73.3% together): 77.9%. 79.1% after the explore round, 77.9%
    # with FaintIntent (dizzy or faint met as chest pain is; en-US 73.5% together), 79.1% once
    # feeling good was a FallbackIntent sample (en-US 73.1% together).
    (STATISTICAL, HELD_OUT): (0.79, 0, 0),
    # 77.2% once "without weights" named the bodyweight workout ("the one without weights
    # please" started the dumbbell one) and "i think so" / "i don't think so" were yes and no;
    # 74.7% with "alright" a yes, 75.9% with ThanksIntent. 72.2% after the explore round
    # (December 7, later: "that's fine" and "sounds good" a yes, "not done" and "i can't
    # remember" FallbackIntent samples, "skip the explanation" going ahead with the set, "the
    # one with no weights"), which gave one to the first set and two to not_for_the_coach.yaml
    # and two to four to each other English locale's held-out sets together. 74.7% with
    # FaintIntent; 73.4% with BreathlessIntent ("i can't breathe" met as chest pain is) and
    # being winded a wait, 72.2% with lacking kit said more ways (dumbbells lacked at the choice
    # started the dumbbell workout).
    (STATISTICAL, HELD_OUT_2): (0.72, 0, 0),
    # 65.2% until "i only got {reps} reps" left PartialSetIntent: it counted "i only got five
    # hours sleep" as a partial set.
    # 63.5%: 64.3% until "done" said of food, laundry or coffee became AMAZON.FallbackIntent
    # samples (a set counted on "the cake is done"; docs/phrases.md).
    # 67.1% after both rounds (eight phrases they matched moved to MAIN, and "feels good to
    # move", which a warm-up sample with "move" in it heard as ready); the second blind set
    # 75.6%.
    # 68.9% with "i think so" and "i don't think so" as yes and no (December 7), 69.8% with
    # "alright" a yes, 68.9% with ThanksIntent; the second set 75.6% to 78.2%.
    # 69.2% of 221 with FaintIntent, whose samples matched "i feel a bit dizzy" word for word
    # (moved to MAIN).
    (STATISTICAL, OFF_SCRIPT): (0.68, 0, 0),
    # 79.5% with FaintIntent, 76.9% once feeling good was a FallbackIntent sample (it ended
    # the workout as feeling faint)
    (STATISTICAL, OFF_SCRIPT_2): (0.76, 0, 0),
    # "dinner's ready" started the cool-down until being ready stopped answering its offer. Eight
    # phrases a review found heard as a partial set or as ending came in on December 7 (90.0%
    # of 200 before them).
    # 88.9% of 208 before those samples and five phrases of "done" said of something else.
    # 88.1% after the first round of wider samples, 87.2% after the second.
    # 86.8% of 212 once its six "thank you" lines, a ThanksIntent sample, moved to MAIN;
    # 87.7% after the explore round. Its PartialSetIntent samples first had "i just got {reps}"
    # too, which counted a set on "i just got a text" and "just got back" (only "only" now).
    (STATISTICAL, NOT_FOR_THE_COACH): (0.87, 0, 0),
    (EXACT, MAIN): (0.74, 0, 0),  # 86.0% of 672 before those 127, none a sample word for word
    (EXACT, HELD_OUT): (0.09, 0, 0),
    (EXACT, HELD_OUT_2): (0.16, 0, 0),
    (EXACT, OFF_SCRIPT): (0.16, 0, 0),
    (EXACT, OFF_SCRIPT_2): (0.12, 0, 0),
    (EXACT, NOT_FOR_THE_COACH): (0.97, 0, 0),
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
# everywhere. The aim is 85% held out: en-GB meets it only counting the phrases that are
# samples word for word (80.6% without them, docs/locales.md), and de-DE too (85.8%; 81.6%).
LOCALE_FLOORS: Mapping[str, Mapping[str, float]] = {
    # 96.6% locally after the explore round ("i only got to six" heard as only kit, "not today
    # cheers" at "Continue?" as nothing), 90.0% held out (88.3% before)
    "en-GB": {LOCAL: 0.96, HELD_OUT: 0.90},
    # "i'm gonna call it" no longer ends (it ended on "i'm gonna call mum"): 80.0% before.
    # A fourth round of local words (December 7: 121 templates over en-CA, en-AU and en-IN,
    # written without the held-out files) took one held-out phrase in each of the three
    # together: the third sets 78.4% to 76.5%, 75.6% to 73.3% and 84.1% to 83.7% (of 43).
    # The explore round (December 7, later) gave two: 80.0% and 78.4%. BreathlessIntent took
    # one of the third set (76.5%).
    "en-CA": {LOCAL: 0.98, HELD_OUT: 0.80, "held_out_2.yaml": 0.86, "held_out_3.yaml": 0.76},
    # 73.3% and 70.0% held out before a second, wider round of local words
    # The explore round gave four: 90.0% and 77.8%; BreathlessIntent took one (75.6%).
    "en-AU": {LOCAL: 0.97, HELD_OUT: 0.90, "held_out_2.yaml": 0.85, "held_out_3.yaml": 0.75},
    # the third round took the second set from 81.7% to 78.3%; 80.0% of 60 once "without
    # weights" named the bodyweight workout and "i think so" was a yes, 79.7% of 59 once the
    # phrase that synonym made a sample word for word moved to LOCAL; 81.4% with ThanksIntent,
    # 79.7% after the fourth round, whose samples made one phrase of the third set a sample
    # word for word (moved to LOCAL); 81.4% after the explore round (79.7% and 81.4% again as
    # FaintIntent came in); the third set 79.1% with BreathlessIntent and lacking kit said more
    # ways (83.7% before)
    "en-IN": {LOCAL: 1.0, HELD_OUT: 0.80, "held_out_2.yaml": 0.81, "held_out_3.yaml": 0.79},
    # 85.0% until a workout's muscles and kit could be asked by name (December 7), 84.2% until
    # a blind round of everyday German samples (484, December 7, later): 85.8%, of which six
    # phrases are samples word for word written apart from them (81.6% of the 87 that are not)
    "de-DE": {MAIN: 0.99, HELD_OUT: 0.85},
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
    for file in (HELD_OUT, HELD_OUT_2, OFF_SCRIPT, OFF_SCRIPT_2, NOT_FOR_THE_COACH):
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
    results = run(files=(HELD_OUT,))  # both recognisers, on the held-out file only
    _, built_in = by_kind_of_intent(results[STATISTICAL, HELD_OUT])
    assert built_in, "no held-out phrase is meant for a built-in intent: the rule is untested"
    # A built-in intent fires only on its own phrases and the model's samples: on phrases meant
    # for one, the stand-in understands exactly what the exact matcher does.
    _, built_in_exact = by_kind_of_intent(results[EXACT, HELD_OUT])
    assert [r.understood for r in built_in] == [r.understood for r in built_in_exact]
