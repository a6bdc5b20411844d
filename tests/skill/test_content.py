"""The two workouts as validated data: the facts from the sources, and a loader that refuses
broken files with a message naming the file and the field."""

from __future__ import annotations

import copy
import dataclasses
import re
from collections.abc import Callable, Iterator
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import yaml

from skill.content.loader import (
    FIGURES_PATH,
    KIT_PATH,
    WORKOUTS_DIR,
    ContentError,
    default_library,
    load_kit,
    load_library,
    load_workout,
)
from skill.content.models import REPS_MARK, Exercise, Library, Move, Reps, Substitute, WorkoutPlan
from skill.speech.phrasebook import default_phrasebook
from skill.speech.wording import said_mid_sentence
from tests.support import REPO_ROOT

REPO_ROOT = REPO_ROOT
# CI checks out shared/ beside the clone, so the articles sit at ../shared/sources.
SOURCES_DIR = REPO_ROOT.parent / "shared" / "sources"
ARTICLES = ("000_76e862a7f8a2e781.txt", "002_768d3749aeaaaf02.txt")


@pytest.fixture(scope="module")
def library() -> Library:
    return load_library()


def exercise(library: Library, exercise_id: str) -> Exercise:
    found = library.find_exercise(exercise_id)
    assert found is not None, exercise_id
    workout, index = found
    return workout.exercises[index]


def workout(library: Library, workout_id: str) -> WorkoutPlan:
    plan = library.get(workout_id)
    assert plan is not None, workout_id
    return plan


# --- the facts ------------------------------------------------------------------------------


def test_workouts_are_offered_bodyweight_then_dumbbell(library: Library) -> None:
    assert [w.id for w in library.workouts] == ["bodyweight", "dumbbell"]
    assert [w.name for w in library.workouts] == ["bodyweight workout", "dumbbell workout"]


def test_default_library_is_loaded_once() -> None:
    assert default_library() is default_library()
    assert [w.id for w in default_library().workouts] == ["bodyweight", "dumbbell"]


@pytest.mark.parametrize(
    ("workout_id", "exercise_ids"),
    [
        (
            "bodyweight",
            [
                "t_push_up",
                "l_sit_chin_up",
                "suspension_row",
                "ytwl_raise",
                "overhead_carry",
                "stir_the_pot",
            ],
        ),
        (
            "dumbbell",
            [
                "shoulder_press",
                "bent_over_row",
                "chest_press",
                "lateral_raise",
                "plank_row",
                "curl_to_press",
            ],
        ),
    ],
)
def test_exercises_come_in_the_articles_order(
    library: Library, workout_id: str, exercise_ids: list[str]
) -> None:
    assert [e.id for e in workout(library, workout_id).exercises] == exercise_ids


# The interaction model's slot values are written from these names and aliases.
NAMES_AND_ALIASES = {
    "bodyweight": (
        "bodyweight workout",
        ["bodyweight", "body weight", "runners", "runner", "runners workout", "gym", "first one"],
    ),
    "dumbbell": (
        "dumbbell workout",
        ["dumbbell", "dumbbells", "weights", "weight training", "free weights", "second one"],
    ),
    "t_push_up": (
        "T push-up",
        ["t push up", "t push ups", "push up", "push ups", "pushups", "rotating push up"],
    ),
    "l_sit_chin_up": (
        "L-sit chin-up",
        [
            "chin up",
            "chin ups",
            "chinups",
            "l sit chin up",
            "l sit chin ups",
            "pull up",
            "pull ups",
        ],
    ),
    "suspension_row": (
        "suspension row",
        ["trx row", "trx rows", "suspension rows", "ring row", "inverted row"],
    ),
    "ytwl_raise": (
        "Y-T-W-L raise",
        ["y t w l", "ytwl", "y t w l raise", "y t w l raises", "letter raises"],
    ),
    "overhead_carry": (
        "overhead kettlebell carry",
        [
            "kettlebell carry",
            "overhead carry",
            "overhead walk",
            "waiter carry",
            "waiters walk",
            "carry",
            "dumbbell carry",
            "overhead dumbbell carry",
        ],
    ),
    "stir_the_pot": (
        "stir the pot",
        ["stability ball stir", "ball circles", "plank circles", "stir the pot on the ball"],
    ),
    "shoulder_press": (
        "dumbbell shoulder press",
        ["shoulder press", "overhead press", "military press"],
    ),
    "bent_over_row": (
        "bent-over row",
        ["bent over row", "bent over rows", "dumbbell row", "dumbbell rows"],
    ),
    "chest_press": ("chest press", ["dumbbell chest press", "bench press", "floor press"]),
    "lateral_raise": (
        "lateral raise",
        ["lateral raises", "side raise", "side raises", "lat raise"],
    ),
    "plank_row": ("plank row", ["renegade row", "renegade rows", "plank rows"]),
    "curl_to_press": (
        "biceps curl to shoulder press",
        ["curl to press", "curl and press", "bicep curl to shoulder press", "curls"],
    ),
}


@pytest.mark.parametrize("item_id", sorted(NAMES_AND_ALIASES))
def test_names_and_aliases_match_the_interaction_model(library: Library, item_id: str) -> None:
    item: WorkoutPlan | Exercise | None = library.get(item_id)
    if item is None:
        item = exercise(library, item_id)
    name, aliases = NAMES_AND_ALIASES[item_id]
    assert (item.name, list(item.aliases)) == (name, aliases)


@pytest.mark.parametrize(
    ("exercise_id", "sets", "reps"),
    [
        ("t_push_up", 4, Reps(4, "reps", "side")),
        ("l_sit_chin_up", 4, Reps(5)),
        ("suspension_row", 3, Reps(10)),
        ("ytwl_raise", 3, Reps(8, "reps", "letter")),
        ("overhead_carry", 3, Reps(15, "yards", "hand")),  # the article: each side, one hand
        ("stir_the_pot", 3, Reps(8, "circles", "direction")),
    ],
)
def test_bodyweight_figures_match_the_article(
    library: Library, exercise_id: str, sets: int, reps: Reps
) -> None:
    move = exercise(library, exercise_id)
    assert (move.sets, move.reps, move.rest_seconds) == (sets, reps, 30)
    assert move.source.startswith("article:")


def test_t_push_up_gets_harder_with_dumbbells(library: Library) -> None:
    harder = exercise(library, "t_push_up").harder
    assert harder is not None and "dumbbell" in harder


def test_ytwl_raise_walks_through_the_four_letters_in_order(library: Library) -> None:
    move = exercise(library, "ytwl_raise")
    assert [step.name for step in move.steps] == ["Y", "T", "W", "L"]
    assert all(step.reps == Reps(8) for step in move.steps)
    for step in move.steps:
        assert "squeeze your shoulder blades" in step.cue.lower(), step.name
    assert "incline bench" in move.setup
    assert "90 degrees" in move.steps[3].cue


def test_only_the_ytwl_raise_has_steps(library: Library) -> None:
    with_steps = [e.id for w in library.workouts for e in w.exercises if e.steps]
    assert with_steps == ["ytwl_raise"]


def reps_per_set(reps: Reps) -> int:
    return reps.count * (2 if reps.per == "side" else 1)


def test_dumbbell_exercises_use_the_articles_rep_range(library: Library) -> None:
    for move in workout(library, "dumbbell").exercises:
        assert 10 <= reps_per_set(move.reps) <= 15, move.id
        assert (move.sets, move.rest_seconds) == (3, 45), move.id


def test_dumbbell_sources_say_which_figures_are_the_articles_and_which_are_ours(
    library: Library,
) -> None:
    for move in workout(library, "dumbbell").exercises:
        source = move.source.lower()
        assert "article says 10 to 15 reps" in source, move.id
        assert "our default is 3 sets" in source, move.id
        assert "45 s rest" in source and "no sets or rest" in source, move.id


def test_plank_row_is_6_each_side(library: Library) -> None:
    assert exercise(library, "plank_row").reps == Reps(6, "reps", "side")


def test_dumbbell_tips_are_said_before_and_after(library: Library) -> None:
    plan = workout(library, "dumbbell")
    before, after = " ".join(plan.before).lower(), " ".join(plan.after).lower()
    # The article's two sessions a week is said after every workout, with the runner's own
    # count (skill.coaching.history and week.* in the locale), so not here as well.
    assert "light to moderate" in before and "stamina" in after and "week" not in after
    cues = " ".join(cue for move in plan.exercises for cue in move.cues)
    assert "90 degrees" in cues and "tailbone" in cues


def moves(parts: tuple[tuple[Move, ...], ...]) -> list[Move]:
    return [move for part in parts for move in part]


@pytest.mark.parametrize("workout_id", ["bodyweight", "dumbbell"])
def test_each_workout_leads_a_5_minute_warm_up_and_cool_down_in_parts(
    library: Library, workout_id: str
) -> None:
    plan = workout(library, workout_id)
    for routine in (plan.warm_up, plan.cool_down):
        assert 270 <= sum(move.seconds for move in moves(routine)) <= 330
        assert len(routine) >= 2  # too long for one response: led in parts
        assert all(sum(move.seconds for move in part) <= 180 for part in routine)
    warm_up = " ".join(move.name.lower() for move in moves(plan.warm_up))
    assert "arm circles" in warm_up  # both articles' advice
    if workout_id == "bodyweight":
        assert "shoulder" in warm_up and "jumping jacks" in warm_up
    else:
        assert "march" in warm_up
        cool_down = " ".join(move.name.lower() for move in moves(plan.cool_down))
        assert "arm swings" in cool_down and "shoulder rolls" in cool_down


def test_every_exercise_names_two_or_three_key_cues(library: Library) -> None:
    for plan in library.workouts:
        for move in plan.exercises:
            assert 2 <= len(move.first_cues) <= 3, move.id
            assert set(move.first_cues) <= set(move.cues), move.id


def test_moves_that_swap_sides_every_rep_say_so(library: Library) -> None:
    alternating = {e.id for w in library.workouts for e in w.exercises if e.alternating}
    assert alternating == {"t_push_up", "plank_row"}


def test_every_exercise_has_three_to_five_one_sentence_cues(library: Library) -> None:
    for plan in library.workouts:
        for move in plan.exercises:
            assert 3 <= len(move.cues) <= 5, move.id
            for cue in move.cues:
                assert cue.endswith(".") and cue.count(".") == 1, cue


def test_objects_are_frozen(library: Library) -> None:
    plan = library.workouts[0]
    move = plan.exercises[0]
    with pytest.raises(dataclasses.FrozenInstanceError):
        plan.name = "changed"  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        move.reps.count = 99  # type: ignore[misc]
    assert isinstance(plan.exercises, tuple) and isinstance(move.cues, tuple)
    assert isinstance(move.aliases, tuple) and isinstance(plan.before, tuple)


# --- the spoken text --------------------------------------------------------------------------


# Fields that hold ids (keys, never spoken): an exercise's own, the kit it needs, and the figure
# a warm-up or cool-down move is drawn with.
ID_FIELDS = frozenset({"id", "kit", "uses", "figure"})


def texts(value: object, where: str) -> Iterator[tuple[str, str]]:
    """(where, text) for every string inside the content objects."""
    if isinstance(value, str):
        yield where, value
    elif isinstance(value, tuple):
        for index, item in enumerate(value):
            yield from texts(item, f"{where}[{index}]")
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        for field in dataclasses.fields(value):
            if field.name not in ID_FIELDS:
                yield from texts(getattr(value, field.name), f"{where}.{field.name}")


def all_texts(library: Library) -> list[tuple[str, str]]:
    kit = [item for piece in library.kit for item in texts(piece, piece.id)]
    return kit + [item for plan in library.workouts for item in texts(plan, plan.id)]


def test_spoken_text_is_plain_words(library: Library) -> None:
    # Alexa reads these aloud: no symbols, parentheses or emoji.
    plain = re.compile(r"[A-Za-z0-9 .,'?!:-]+")
    for where, text in all_texts(library):
        # a way's own reps are said in words where it marks them ("5 reps each letter")
        said = text.replace(REPS_MARK, "5 reps each letter")
        assert plain.fullmatch(said), f"{where}: {text!r}"


def words(text: str) -> list[str]:
    text = re.sub(r"['\u2019]", "", text.lower())  # "you'll" and "you’ll" -> "youll"
    return re.sub(r"[^a-z0-9]+", " ", text).split()


def runs(text: str, length: int = 8) -> set[tuple[str, ...]]:
    tokens = words(text)
    return {tuple(tokens[i : i + length]) for i in range(len(tokens) - length + 1)}


def test_no_sentence_is_copied_from_the_articles(library: Library) -> None:
    if not SOURCES_DIR.is_dir():
        pytest.skip(f"source articles not found at {SOURCES_DIR} (shared/ beside the repo)")
    article_runs: set[tuple[str, ...]] = set()
    for name in ARTICLES:
        article_runs |= runs((SOURCES_DIR / name).read_text(encoding="utf-8"))
    copied = [
        (where, " ".join(run))
        for where, text in all_texts(library)
        for run in runs(text) & article_runs
    ]
    assert copied == []


def test_the_copy_check_would_catch_a_pasted_sentence() -> None:
    pasted = "Grab a heavy kettlebell in one hand and hold it overhead."
    source = "Grab a heavy kettlebell in one hand and hold it overhead. Keep going."
    assert runs(pasted) & runs(source)


# --- broken files -----------------------------------------------------------------------------

Edit = Callable[[dict[str, Any]], None]


# libyaml's loader and dumper where PyYAML has them: the broken-file cases parse and write a
# workout each.
FAST_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
FAST_DUMPER = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


def shipped(workout_id: str) -> dict[str, Any]:
    """A copy of the shipped workout's data, free to break (parsed once a test process)."""
    return copy.deepcopy(_parsed(WORKOUTS_DIR / f"{workout_id}.yaml"))


@cache
def _parsed(path: Path) -> dict[str, Any]:
    data = yaml.load(path.read_text(encoding="utf-8"), Loader=FAST_LOADER)
    assert isinstance(data, dict)
    return data


def write(folder: Path, data: dict[str, Any], name: str | None = None) -> Path:
    path = folder / (name or f"{data['id']}.yaml")
    path.write_text(yaml.dump(data, Dumper=FAST_DUMPER, sort_keys=False), encoding="utf-8")
    return path


def delete_sets(data: dict[str, Any]) -> None:
    del data["exercises"][1]["sets"]


def count_as_word(data: dict[str, Any]) -> None:
    data["exercises"][3]["steps"][0]["reps"]["count"] = "eight"


def misspelt_key(data: dict[str, Any]) -> None:
    data["exercises"][0]["cue"] = data["exercises"][0].pop("cues")


def negative_sets(data: dict[str, Any]) -> None:
    data["exercises"][2]["sets"] = -3


def boolean_sets(data: dict[str, Any]) -> None:
    data["exercises"][2]["sets"] = True


def bad_unit(data: dict[str, Any]) -> None:
    data["exercises"][4]["reps"]["unit"] = "furlongs"


def bad_per(data: dict[str, Any]) -> None:
    data["exercises"][4]["reps"]["per"] = "arm"


def long_rest(data: dict[str, Any]) -> None:
    data["exercises"][5]["rest_seconds"] = 300


def ampersand(data: dict[str, Any]) -> None:
    data["exercises"][0]["cues"][1] = "Turn & reach up."


def angle_bracket(data: dict[str, Any]) -> None:
    data["after"][0] = "<break time='1s'/> Done."


def empty_text(data: dict[str, Any]) -> None:
    data["exercises"][1]["why"] = "  "


def cues_not_a_list(data: dict[str, Any]) -> None:
    data["exercises"][1]["cues"] = "Pull up."


def too_few_cues(data: dict[str, Any]) -> None:
    data["exercises"][1]["cues"] = ["Pull up."]


def shouting_alias(data: dict[str, Any]) -> None:
    data["exercises"][0]["aliases"][2] = "Push-Up"


def repeated_alias(data: dict[str, Any]) -> None:
    data["aliases"].append("gym")


def duplicate_exercise_id(data: dict[str, Any]) -> None:
    data["exercises"][1]["id"] = "t_push_up"


def alias_of_another_exercise(data: dict[str, Any]) -> None:
    data["exercises"][1]["aliases"].append("push ups")


def step_without_cue(data: dict[str, Any]) -> None:
    del data["exercises"][3]["steps"][2]["cue"]


def no_exercises(data: dict[str, Any]) -> None:
    data["exercises"] = []


def renamed_id(data: dict[str, Any]) -> None:
    data["id"] = "bodyweights"


def key_cue_out_of_range(data: dict[str, Any]) -> None:
    data["exercises"][0]["key_cues"] = [2, 7]


def key_cue_repeated(data: dict[str, Any]) -> None:
    data["exercises"][2]["key_cues"] = [1, 1]


def too_many_key_cues(data: dict[str, Any]) -> None:
    data["exercises"][0]["key_cues"] = [1, 2, 3, 4]


def no_key_cues(data: dict[str, Any]) -> None:
    del data["exercises"][4]["key_cues"]


def alternating_as_word(data: dict[str, Any]) -> None:
    data["exercises"][0]["alternating"] = "yes"


def short_warm_up(data: dict[str, Any]) -> None:
    data["warm_up"] = data["warm_up"][:2]


def long_warm_up_move(data: dict[str, Any]) -> None:
    data["warm_up"][3]["seconds"] = 200


def cool_down_move_without_name(data: dict[str, Any]) -> None:
    del data["cool_down"][1]["move"]


def warm_up_move_drawn_by_no_figure(data: dict[str, Any]) -> None:
    data["warm_up"][2]["figure"] = "arm_circle"


def cool_down_move_drawn_by_an_exercises_figure(data: dict[str, Any]) -> None:
    data["cool_down"][0]["figure"] = "t_push_up"  # an exercise's, not a move's


def unknown_kit(data: dict[str, Any]) -> None:
    data["exercises"][1]["kit"] = ["chin_bar"]


def kit_twice(data: dict[str, Any]) -> None:
    data["exercises"][1]["kit"] = ["pull_up_bar", "pull_up_bar"]


def substitute_for_kit_not_needed(data: dict[str, Any]) -> None:
    data["exercises"][1]["substitutes"][0]["kit"] = "kettlebell"


def no_substitutes(data: dict[str, Any]) -> None:
    del data["exercises"][4]["substitutes"]


def only_a_substitute_that_needs_kit(data: dict[str, Any]) -> None:
    del data["exercises"][1]["substitutes"][1]  # the floor pull: left, a row with dumbbells


def substitute_needing_its_own_kit(data: dict[str, Any]) -> None:
    data["exercises"][4]["substitutes"][0]["uses"] = ["kettlebell"]


def substitute_without_instead(data: dict[str, Any]) -> None:
    del data["exercises"][5]["substitutes"][0]["instead"]


def substitute_without_source(data: dict[str, Any]) -> None:
    del data["exercises"][3]["substitutes"][0]["source"]


def substitute_with_empty_works(data: dict[str, Any]) -> None:
    data["exercises"][1]["substitutes"][0]["works"] = " "


def harder_kit_with_no_way_without_it(data: dict[str, Any]) -> None:
    del data["exercises"][0]["harder_without_kit"]  # the T push-up's dumbbells


def harder_way_without_kit_it_needs(data: dict[str, Any]) -> None:
    del data["exercises"][3]["harder_kit"]  # the Y-T-W-L raise's


def harder_needs_without_harder_kit(data: dict[str, Any]) -> None:
    data["exercises"][1]["harder_needs"] = "a weight belt"  # the chin-up's harder way has none


def harder_kit_not_in_the_kit_list(data: dict[str, Any]) -> None:
    data["exercises"][0]["harder_kit"] = ["dumbells"]


def easier_reps_not_said(data: dict[str, Any]) -> None:
    # the bug: "say five" in words while the set is led at the way's own count
    data["exercises"][3]["easier"] = "Do fewer reps of each letter, say five."


def reps_said_of_a_way_without_its_own(data: dict[str, Any]) -> None:
    del data["exercises"][3]["easier_reps"]


def way_reps_as_the_plans(data: dict[str, Any]) -> None:
    data["exercises"][4]["harder_reps"] = 15  # the carry's planned 15 yards


def way_reps_with_no_way(data: dict[str, Any]) -> None:
    data["exercises"][2]["easier_reps"] = 6
    del data["exercises"][2]["easier"]


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (delete_sets, "bodyweight.yaml: exercises[1].sets: is required"),
        (
            count_as_word,
            "bodyweight.yaml: exercises[3].steps[0].reps.count: "
            "must be a whole number of at least 1 (got 'eight')",
        ),
        (misspelt_key, "bodyweight.yaml: exercises[0].cue: is not a known key"),
        (
            negative_sets,
            "bodyweight.yaml: exercises[2].sets: must be a whole number of at least 1 (got -3)",
        ),
        (boolean_sets, "bodyweight.yaml: exercises[2].sets: must be a whole number"),
        (bad_unit, "bodyweight.yaml: exercises[4].reps.unit: must be one of reps, yards, metres"),
        (bad_per, "bodyweight.yaml: exercises[4].reps.per: must be one of side, direction"),
        (
            long_rest,
            "bodyweight.yaml: exercises[5].rest_seconds: must be a whole number from 10 to 180",
        ),
        (ampersand, "bodyweight.yaml: exercises[0].cues[1]: must not contain '&'"),
        (angle_bracket, "bodyweight.yaml: after[0]: must not contain '<' or '>'"),
        (empty_text, "bodyweight.yaml: exercises[1].why: must be non-empty text"),
        (cues_not_a_list, "bodyweight.yaml: exercises[1].cues: must be a list"),
        (too_few_cues, "bodyweight.yaml: exercises[1].cues: must have 3 to 5 items (got 1)"),
        (shouting_alias, "bodyweight.yaml: exercises[0].aliases[2]: must be lowercase letters"),
        (repeated_alias, "bodyweight.yaml: aliases[7]: repeats 'gym'"),
        (
            duplicate_exercise_id,
            "bodyweight.yaml: exercises[1].id: id 't_push_up' is already used by "
            "bodyweight.yaml: exercises[0].id",
        ),
        (
            alias_of_another_exercise,
            "bodyweight.yaml: exercises[1].aliases[7]: phrase 'push ups' is already used by "
            "bodyweight.yaml: exercises[0].aliases[3]",
        ),
        (step_without_cue, "bodyweight.yaml: exercises[3].steps[2].cue: is required"),
        (no_exercises, "bodyweight.yaml: exercises: must have at least 1 items (got 0)"),
        (renamed_id, "bodyweight.yaml: id: must match the file name 'bodyweight'"),
        (
            key_cue_out_of_range,
            "bodyweight.yaml: exercises[0].key_cues[1]: must be a whole number from 1 to 5 (got 7)",
        ),
        (key_cue_repeated, "bodyweight.yaml: exercises[2].key_cues[1]: repeats cue 1"),
        (too_many_key_cues, "bodyweight.yaml: exercises[0].key_cues: must have 2 to 3 items"),
        (no_key_cues, "bodyweight.yaml: exercises[4].key_cues: is required"),
        (
            alternating_as_word,
            "bodyweight.yaml: exercises[0].alternating: must be true or false (got 'yes')",
        ),
        (
            short_warm_up,
            "bodyweight.yaml: warm_up: must last from 120 to 600 seconds in all (got 70)",
        ),
        (
            long_warm_up_move,
            "bodyweight.yaml: warm_up[3].seconds: must be a whole number from 10 to 120",
        ),
        (cool_down_move_without_name, "bodyweight.yaml: cool_down[1].move: is required"),
        (
            warm_up_move_drawn_by_no_figure,
            "bodyweight.yaml: warm_up[2].figure: must be a figure that figures.yaml lists under"
            " moves: arm_circles_backward, arm_circles_forward, arm_swings, breathe,"
            " chest_stretch, cross_body_stretch, jumping_jacks, march, open_and_hug, reach_up,"
            " shake_out, shoulder_rolls, side_step_reach, triceps_stretch, upper_back_round,"
            " walk, wall_push_up (got 'arm_circle')",
        ),
        (
            cool_down_move_drawn_by_an_exercises_figure,
            "bodyweight.yaml: cool_down[0].figure: must be a figure that figures.yaml lists",
        ),
        (
            unknown_kit,
            "bodyweight.yaml: exercises[1].kit[0]: must be kit that kit_list.yaml lists: bench,"
            " dumbbells, incline_bench, kettlebell, mat, pull_up_bar, stability_ball,"
            " suspension_straps (got 'chin_bar')",
        ),
        (kit_twice, "bodyweight.yaml: exercises[1].kit[1]: repeats 'pull_up_bar'"),
        (
            substitute_for_kit_not_needed,
            "bodyweight.yaml: exercises[1].substitutes[0].kit: must be kit the exercise needs"
            " (pull_up_bar) (got 'kettlebell')",
        ),
        (no_substitutes, "bodyweight.yaml: exercises[4].substitutes: has none for 'kettlebell'"),
        (
            only_a_substitute_that_needs_kit,
            "bodyweight.yaml: exercises[1].substitutes: has none without pull_up_bar that needs"
            " no other kit",
        ),
        (
            substitute_needing_its_own_kit,
            "bodyweight.yaml: exercises[4].substitutes[0].uses: cannot need 'kettlebell', the"
            " kit it stands in for",
        ),
        (
            substitute_without_instead,
            "bodyweight.yaml: exercises[5].substitutes[0].instead: is required",
        ),
        (
            substitute_without_source,
            "bodyweight.yaml: exercises[3].substitutes[0].source: is required",
        ),
        (
            substitute_with_empty_works,
            "bodyweight.yaml: exercises[1].substitutes[0].works: must be non-empty text",
        ),
        (
            harder_kit_with_no_way_without_it,
            "bodyweight.yaml: exercises[0].harder_kit: needs harder and harder_without_kit too",
        ),
        (
            harder_way_without_kit_it_needs,
            "bodyweight.yaml: exercises[3].harder_without_kit: needs harder_kit: the kit it is"
            " without",
        ),
        (
            harder_needs_without_harder_kit,
            "bodyweight.yaml: exercises[1].harder_needs: needs harder_kit too",
        ),
        (
            harder_kit_not_in_the_kit_list,
            "bodyweight.yaml: exercises[0].harder_kit[0]: must be kit that kit_list.yaml lists",
        ),
        (
            easier_reps_not_said,
            "bodyweight.yaml: exercises[3].easier: must say its reps once, as {reps}",
        ),
        (
            reps_said_of_a_way_without_its_own,
            "bodyweight.yaml: exercises[3].easier: says {reps} but has no reps of its own",
        ),
        (
            way_reps_as_the_plans,
            "bodyweight.yaml: exercises[4].harder_reps: must differ from the plan's reps",
        ),
        (
            way_reps_with_no_way,
            "bodyweight.yaml: exercises[2].easier_reps: needs easier: the way itself",
        ),
    ],
    ids=lambda value: getattr(value, "__name__", ""),
)
def test_a_broken_file_names_the_file_and_field(tmp_path: Path, edit: Edit, message: str) -> None:
    data = shipped("bodyweight")
    edit(data)
    path = write(tmp_path, data, "bodyweight.yaml")
    with pytest.raises(ContentError, match=f"^{re.escape(message)}"):
        load_workout(path)


def test_the_shipped_files_round_trip_through_the_test_writer(tmp_path: Path) -> None:
    # Guards the broken-file tests: only the edit may differ from a good file.
    for workout_id in ("bodyweight", "dumbbell"):
        assert load_workout(write(tmp_path, shipped(workout_id))) == load_workout(
            WORKOUTS_DIR / f"{workout_id}.yaml"
        )


def test_a_yaml_syntax_error_names_the_file(tmp_path: Path) -> None:
    path = tmp_path / "bodyweight.yaml"
    path.write_text("id: bodyweight\nexercises: [\n  - id: t_push_up\n", encoding="utf-8")
    with pytest.raises(ContentError, match=r"^bodyweight\.yaml: not valid YAML: line \d+"):
        load_workout(path)


def test_an_empty_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "bodyweight.yaml"
    path.write_text("# nothing yet\n", encoding="utf-8")
    with pytest.raises(ContentError, match=r"^bodyweight\.yaml: the file is empty"):
        load_workout(path)


def test_a_file_that_is_not_a_mapping_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "bodyweight.yaml"
    path.write_text("- just\n- a list\n", encoding="utf-8")
    with pytest.raises(ContentError, match=r"^bodyweight\.yaml: must be a mapping"):
        load_workout(path)


def test_an_id_used_in_two_workouts_is_refused(tmp_path: Path) -> None:
    write(tmp_path, shipped("bodyweight"))
    dumbbell = shipped("dumbbell")
    dumbbell["exercises"][0]["id"] = "t_push_up"
    write(tmp_path, dumbbell)
    expected = (
        "dumbbell.yaml: exercises[0].id: id 't_push_up' is already used by "
        "bodyweight.yaml: exercises[0].id"
    )
    with pytest.raises(ContentError, match=f"^{re.escape(expected)}$"):
        load_library(tmp_path)


def test_an_alias_used_in_two_workouts_is_refused(tmp_path: Path) -> None:
    write(tmp_path, shipped("bodyweight"))
    dumbbell = shipped("dumbbell")
    dumbbell["aliases"].append("gym")
    write(tmp_path, dumbbell)
    expected = "dumbbell.yaml: aliases[6]: phrase 'gym' is already used by bodyweight.yaml"
    with pytest.raises(ContentError, match=f"^{re.escape(expected)}"):
        load_library(tmp_path)


def test_two_workouts_in_the_same_place_are_refused(tmp_path: Path) -> None:
    write(tmp_path, shipped("bodyweight"))
    dumbbell = shipped("dumbbell")
    dumbbell["order"] = 1
    write(tmp_path, dumbbell)
    with pytest.raises(ContentError, match=r"^dumbbell\.yaml: order: 1 is already used"):
        load_library(tmp_path)


def test_workouts_are_ordered_by_their_order_key(tmp_path: Path) -> None:
    bodyweight, dumbbell = shipped("bodyweight"), shipped("dumbbell")
    bodyweight["order"], dumbbell["order"] = 2, 1
    write(tmp_path, bodyweight)
    write(tmp_path, dumbbell)
    assert [w.id for w in load_library(tmp_path).workouts] == ["dumbbell", "bodyweight"]


def test_an_empty_folder_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ContentError, match="no workout files"):
        load_library(tmp_path)


def test_a_missing_file_names_the_file(tmp_path: Path) -> None:
    with pytest.raises(ContentError, match=r"^bodyweight\.yaml: cannot read the file"):
        load_workout(tmp_path / "bodyweight.yaml")


def test_a_key_given_twice_is_refused_naming_the_file_and_key(tmp_path: Path) -> None:
    source = (WORKOUTS_DIR / "bodyweight.yaml").read_text(encoding="utf-8")
    broken = source.replace("sets: 4\n", "sets: 4\n    sets: 40\n", 1)
    assert broken != source
    path = tmp_path / "bodyweight.yaml"
    path.write_text(broken, encoding="utf-8")
    with pytest.raises(ContentError, match=r"bodyweight\.yaml: .*'sets' appears twice"):
        load_workout(path)


def test_every_exercise_says_what_it_needs_and_has_easier_and_harder_options(
    library: Library,
) -> None:
    for plan in library.workouts:
        for move in plan.exercises:
            assert move.easier and move.harder and move.needs, move.id
            assert move.easier != move.harder, move.id
            assert move.load_source, f"{move.id}: say where the options come from"


# --- missing kit ------------------------------------------------------------------------------


def test_every_exercise_has_a_substitute_for_each_piece_of_kit_it_needs(library: Library) -> None:
    known = library.kit_ids
    for plan in library.workouts:
        for move in plan.exercises:
            assert set(move.kit) <= known, move.id
            for piece in move.kit:
                standing_in = [s for s in move.substitutes if s.kit == piece]
                assert standing_in, f"{move.id}: nothing stands in for {piece}"
                # Whatever else is missing too, the move can still be done without this piece.
                assert move.stand_in(known) is not None, move.id
                assert all(s.name and s.instead and s.source for s in standing_in), move.id


def test_every_exercise_that_needs_kit_says_so(library: Library) -> None:
    kit_free = {"t_push_up"}  # the floor is enough; the dumbbells only make it harder
    for plan in library.workouts:
        for move in plan.exercises:
            assert bool(move.kit) == (move.id not in kit_free), move.id


def test_no_substitute_needs_the_kit_it_stands_in_for_nor_names_it(library: Library) -> None:
    names = {piece.id: piece.aliases for piece in library.kit}
    for plan in library.workouts:
        for move in plan.exercises:
            for substitute in move.substitutes:
                assert substitute.kit not in substitute.uses
                said = " ".join(words(f"{substitute.name} {substitute.instead}"))
                for alias in names[substitute.kit]:
                    assert f" {alias} " not in f" {said} ", (move.id, alias)


def test_the_stand_in_is_the_first_substitute_that_needs_nothing_missing(
    library: Library,
) -> None:
    chin_up = exercise(library, "l_sit_chin_up")
    assert chin_up.stand_in(frozenset()) is None
    assert chin_up.stand_in(frozenset({"kettlebell"})) is None  # not what it needs
    with_dumbbells = chin_up.stand_in(frozenset({"pull_up_bar"}))
    assert with_dumbbells is not None and with_dumbbells.uses == ("dumbbells",)
    without = chin_up.stand_in(frozenset({"pull_up_bar", "dumbbells"}))
    assert without is not None and without.uses == () and without.name == "floor pull"
    chest_press = exercise(library, "chest_press")
    floor = chest_press.stand_in(frozenset({"bench"}))
    assert floor is not None and floor.name == "floor press"
    both = chest_press.stand_in(frozenset({"bench", "dumbbells"}))
    assert both is not None and both.name == "push-ups"


def test_kit_has_a_spoken_name_and_what_runners_call_it(library: Library) -> None:
    assert [piece.id for piece in library.kit] == [
        "pull_up_bar",
        "suspension_straps",
        "incline_bench",
        "kettlebell",
        "stability_ball",
        "dumbbells",
        "bench",
        "mat",
    ]
    for piece in library.kit:
        assert piece.name and piece.aliases, piece.id
    bar = library.kit_named("pull_up_bar")
    assert bar is not None and bar.name == "a pull-up bar" and "chin up bar" in bar.aliases
    assert library.kit_named("rowing_machine") is None


def test_a_substitute_is_frozen(library: Library) -> None:
    substitute = exercise(library, "l_sit_chin_up").substitutes[0]
    assert isinstance(substitute, Substitute)
    with pytest.raises(dataclasses.FrozenInstanceError):
        substitute.name = "changed"  # type: ignore[misc]


def write_kit(folder: Path, edit: Callable[[dict[str, Any]], None]) -> Path:
    data = yaml.safe_load(KIT_PATH.read_text(encoding="utf-8"))
    edit(data)
    path = folder / "kit_list.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


def _bar_twice(data: dict[str, Any]) -> None:
    data["kit"][2]["aliases"].append("bar")


def _no_name(data: dict[str, Any]) -> None:
    del data["kit"][3]["name"]


def _bad_id(data: dict[str, Any]) -> None:
    data["kit"][0]["id"] = "Pull-up bar"


def _id_twice(data: dict[str, Any]) -> None:
    data["kit"][1]["id"] = data["kit"][0]["id"]


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (
            _bar_twice,
            "kit_list.yaml: kit[2].aliases[4]: name 'bar' is already used by kit[0].aliases[2]",
        ),
        (_no_name, "kit_list.yaml: kit[3].name: is required"),
        (_bad_id, "kit_list.yaml: kit[0].id: must be lowercase letters"),
        (_id_twice, "kit_list.yaml: kit[1].id: id 'pull_up_bar' is already used by kit[0].id"),
    ],
    ids=lambda value: getattr(value, "__name__", ""),
)
def test_a_broken_kit_file_names_the_file_and_field(
    tmp_path: Path, edit: Callable[[dict[str, Any]], None], message: str
) -> None:
    with pytest.raises(ContentError, match=f"^{re.escape(message)}"):
        load_kit(write_kit(tmp_path, edit))


def test_a_workout_is_checked_against_the_figures_file_it_is_loaded_with(tmp_path: Path) -> None:
    """A move's figure is one the figures file draws: without it, the workout naming it is
    refused, naming the workout's file and the move's field."""
    text = FIGURES_PATH.read_text(encoding="utf-8")
    start = text.index("  breathe:")
    end = text.index("  chest_stretch:")
    figures_path = tmp_path / "figures.yaml"
    figures_path.write_text(text[:start] + text[end:], encoding="utf-8")
    workouts = tmp_path / "workouts"
    workouts.mkdir()
    write(workouts, shipped("dumbbell"))
    with pytest.raises(ContentError, match=r"^dumbbell\.yaml: cool_down\[7\]\.figure: must be"):
        load_library(workouts, figures_path=figures_path)
    assert load_library(workouts).get("dumbbell") is not None  # with the shipped figures
    plan = load_library().get("dumbbell")
    assert plan is not None and plan.cool_down[-1][-1].figure == "breathe"


def test_a_workout_is_checked_against_the_kit_file_it_is_loaded_with(tmp_path: Path) -> None:
    def without_mat(data: dict[str, Any]) -> None:
        data["kit"] = [piece for piece in data["kit"] if piece["id"] != "mat"]

    kit_path = write_kit(tmp_path, without_mat)
    workouts = tmp_path / "workouts"  # the kit file is no workout
    workouts.mkdir()
    write(workouts, shipped("dumbbell"))
    with pytest.raises(ContentError, match=r"^dumbbell\.yaml: exercises\[4\]\.kit\[1\]"):
        load_library(workouts, kit_path)


@pytest.mark.parametrize("locale", ["en-US", "de-DE"])
def test_a_harder_way_that_needs_kit_has_one_for_a_runner_without_it(locale: str) -> None:
    library = default_library(locale)
    for workout in library.workouts:
        for exercise in workout.exercises:
            for piece in exercise.harder_kit:  # the runner lacks it: a way without, in words
                without = exercise.harder_with(frozenset({piece}))
                assert without and without != exercise.harder, exercise.id
            assert exercise.harder_with(frozenset()) == exercise.harder  # kit at hand: as planned
    bodyweight = library.get("bodyweight")
    assert bodyweight is not None
    assert bodyweight.exercises[0].harder_kit == ("dumbbells",)  # the T push-up's dumbbells


def test_in_german_every_warm_up_and_cool_down_move_has_its_name_for_a_list() -> None:
    """German lists the moves by `listed`: a led move's own words, an instruction ("Geh langsam
    und lass deinen Atem ruhiger werden") or a capitalised adjective ("Lockeres Armschwingen, vor
    und zurück"), read as no item of "Zuerst: ...". One item each: no comma or colon in it."""
    for plan in default_library("de-DE").workouts:
        for move in moves(plan.warm_up) + moves(plan.cool_down):
            assert move.listed, f"{plan.id}: {move.name}"
            assert not {",", ":"} & set(move.listed), move.listed


@pytest.mark.parametrize("locale", ["en-US", "de-DE"])
def test_every_warm_up_and_cool_down_move_reads_as_one_item_of_a_list(locale: str) -> None:
    """ "It starts with: walk slowly ..., gentle arm swings, forward and back, shoulder stretch:
    pull your left arm ..." read as more items than there are (December 8): a move said in a
    list ("what's in the cool-down", "where am I" in it) has no comma or colon of its own."""
    phrases = default_phrasebook(locale)
    for plan in default_library(locale).workouts:
        for move in moves(plan.warm_up) + moves(plan.cool_down):
            said = said_mid_sentence(move, phrases)
            assert not {",", ":"} & set(said), f"{locale}, {plan.id}: {said!r}"
