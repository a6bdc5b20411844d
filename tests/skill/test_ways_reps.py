"""The easier and harder ways against the sets they are done in: a way that changes the count
("do only 5 of each letter", "walk farther") says its own reps as the set call says them, and
the set is called and led at them, in speech and in the hands-free recorded calls; a way without
its own reps says no count of its own. Over every exercise of every workout, in English and
German."""

from __future__ import annotations

import re

import pytest

from skill.audio.catalog import AudioCatalog
from skill.coaching.coach import Coach
from skill.coaching.progress import Progress
from skill.coaching.progression import counted
from skill.content.loader import default_library
from skill.content.models import REPS_MARK, Exercise, WorkoutPlan
from skill.speech.phrasebook import default_phrasebook
from skill.speech.replies import Composer
from skill.speech.wording import reps_words

LOCALES = ("en-US", "de-DE")
# Words of a way that does another count than the plan's (fewer reps, a longer walk) or
# another move than the one led (a still hold in place of the led circles): such a way needs
# reps of its own, or other words.
COUNT_WORDS = re.compile(
    r"\b(fewer|farther|further|still|weniger|längere strecke|ruhig\w*)\b", re.IGNORECASE
)
# A count said in words or digits (not "one hand"), and a tempo, which is no count of reps
# ("three to five seconds to lower yourself").
NUMBERS = re.compile(
    r"\b(\d+|two|three|four|five|six|seven|eight|nine|ten|twelve|fifteen|twenty"
    r"|zwei|drei|vier|fünf|sechs|sieben|acht|neun|zehn|zwölf|fünfzehn|zwanzig)\b",
    re.IGNORECASE,
)
TEMPO = re.compile(r"\b(\w+ (to|bis) )?\w+ (seconds?|Sekunden?)\b", re.IGNORECASE)


def ways(locale: str) -> list[tuple[WorkoutPlan, int, Exercise, str]]:
    return [
        (plan, index, exercise, load)
        for plan in default_library(locale).workouts
        for index, exercise in enumerate(plan.exercises)
        for load in ("easier", "harder")
        if (exercise.easier if load == "easier" else exercise.harder) is not None
    ]


def said(speech: object) -> str:
    return " ".join(piece.words for piece in speech.pieces if piece.words)  # type: ignore[attr-defined]


@pytest.mark.parametrize("locale", LOCALES)
def test_every_way_says_the_reps_its_sets_are_called_and_led_at(locale: str) -> None:
    library = default_library(locale)
    phrases = default_phrasebook(locale)
    coach = Coach(library)
    composer = Composer(coach, phrases)
    catalog = AudioCatalog(phrases, library, locale)
    own = 0
    for plan, index, exercise, load in ways(locale):
        at_way = Progress(plan.id, index, 2, loads=((exercise.id, load),))
        where = f"{locale} {exercise.id} {load}"
        here = coach.position(at_way)
        assert here is not None
        words = composer.way_words(at_way, exercise, load) or ""
        assert REPS_MARK not in words, where
        reps = exercise.load_reps(load)
        if reps is None:
            assert here.exercise == exercise, where  # called and led as planned
            assert not COUNT_WORDS.search(words), f"{where}: {words!r} changes the count"
            counts = NUMBERS.search(TEMPO.sub("", words))
            assert counts is None, f"{where}: {words!r} says a count of its own"
            continue
        own += 1
        told = reps_words(phrases, here.exercise.reps)
        assert here.exercise.reps.count == reps, where
        assert told in words, f"{where}: {words!r} does not say {told!r}"
        called = said(composer.announce_set(here.exercise, 2, named=True))
        assert told in called, where
        for step in here.exercise.steps:  # each letter led at the way's count
            assert step.reps.count == reps, where
        planned = reps_words(phrases, exercise.reps)
        assert planned not in called, where
        recorded = catalog.set_call(plan.id, index, 2, reps).words
        assert told in recorded and planned not in recorded, where
        if here.exercise.steps:
            step_told = reps_words(phrases, here.exercise.steps[0].reps)
            assert recorded.count(step_told) >= len(here.exercise.steps), where
    assert own >= 2  # the Y-T-W-L raise's fewer reps, the carry's longer walk


def test_a_way_with_its_own_reps_is_done_as_planned_without_its_kit() -> None:
    # Without the incline bench the letters are done on the floor, as planned: the easier way's
    # options need the kit, so neither its words nor its reps apply.
    coach = Coach(default_library())
    plan = default_library().get("bodyweight")
    assert plan is not None
    index = plan.exercise_index("ytwl_raise")
    assert index is not None
    lacking = Progress(
        "bodyweight", index, loads=(("ytwl_raise", "easier"),), missing_kit=("incline_bench",)
    )
    here = coach.position(lacking)
    assert here is not None and here.exercise.reps.count == 8


def test_whole_sets_the_easier_way_count_its_own_reps_as_the_best() -> None:
    # "What's my best on the Y-T-W-L raise" after the easier way: 5 of each letter, not the 8
    # never done.
    library = default_library()
    plan = library.get("bodyweight")
    assert plan is not None
    index = plan.exercise_index("ytwl_raise")
    assert index is not None
    sets = tuple(3 if i == index else 0 for i in range(len(plan.exercises)))
    done = Progress(
        "bodyweight",
        index,
        3,
        started_at=1.0,
        sets_by_exercise=sets,
        loads=(("ytwl_raise", "easier"),),
    )
    records, _ = counted({}, plan, done, {})
    assert records["ytwl_raise"].best_reps == 5
    assert records["ytwl_raise"].hardest == "easier"
