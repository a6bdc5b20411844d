"""What a runner without some kit hears, sees and is played: the other way to do the exercise,
never the kit they lack, in a short turn; and the kit they lack kept in their preferences."""

from __future__ import annotations

import pytest

from harness.ssml_reader import read_ssml
from harness.turn_lengths import talk_seconds
from skill.alexa.skill_builder import build_service
from skill.alexa.turn import Preferences
from skill.audio.catalog import AudioCatalog, default_catalog
from skill.audio.plans import plan_for
from skill.coaching import events as ev
from skill.coaching.coach import Coach, Transition
from skill.coaching.progress import Progress
from skill.content.models import Exercise
from skill.screen.datasources import screen_data
from skill.speech.replies import Composer

SERVICE = build_service()
COACH: Coach = SERVICE.coach
COMPOSER: Composer = SERVICE.composer
START = 1_000.0
# Every exercise that needs kit, with its workout.
NEEDING_KIT = [
    (plan.id, index, exercise)
    for plan in COACH.library.workouts
    for index, exercise in enumerate(plan.exercises)
    if exercise.kit
]


def at(exercise_id: str, missing: tuple[str, ...] = ()) -> Progress:
    move = COACH.go_to(Progress(), exercise_id, START)
    assert move is not None
    return COACH.kit_missing(move.progress, missing).progress if missing else move.progress


def said(speech_ssml: str) -> str:
    return " ".join(segment.text for segment in read_ssml(speech_ssml) if hasattr(segment, "text"))


def kit_words(exercise: Exercise) -> list[str]:
    """What runners call the kit the exercise needs: none of it may be heard without it."""
    return [
        alias
        for piece in COACH.library.kit
        if piece.id in exercise.kit
        for alias in piece.aliases
        if len(alias) > 3  # "bar", "mat", "trx" sit inside other words ("barely", "format")
    ]


@pytest.mark.parametrize(
    ("workout_id", "index", "exercise"), NEEDING_KIT, ids=[e.id for _, _, e in NEEDING_KIT]
)
def test_each_exercise_is_introduced_its_other_way_briefly_and_without_the_kit_it_needs(
    workout_id: str, index: int, exercise: Exercise
) -> None:
    # Without its own kit (the other workout's may stand in), and without any kit at all.
    for missing in (exercise.kit, tuple(sorted(COACH.library.kit_ids))):
        started = COACH.start(Progress(), workout_id, START, missing_kit=missing).progress
        move = COACH.go_to(started, exercise.id, START)
        assert move is not None
        reply = COMPOSER.transition(started, Transition(move.progress, move.events[1:]))
        stand_in = COACH.stand_in(move.progress, exercise)
        assert stand_in is not None
        text = said(reply.speech)
        assert stand_in.instead in text and exercise.setup not in text
        # Named only as what the runner lacks, and in the exercise's own name.
        lacking = COMPOSER.kit_names((stand_in.kit,))
        told = text.replace(f"Without {lacking},", "").replace(exercise.name, "").lower()
        assert not [w for w in kit_words(exercise) if f" {w} " in f" {told} "], text
        # A first introduction's aim (docs/turn-lengths.md), the set's announcement included.
        assert talk_seconds(reply.speech) <= 30, text


def test_the_way_is_given_at_the_set_and_the_set_called_again_without_a_reminder_of_it() -> None:
    before = at("l_sit_chin_up")
    move = COACH.kit_missing(before, ["pull_up_bar"])
    text = said(COMPOSER.transition(before, move).speech)
    assert text.startswith("Without a pull-up bar, do the slow dumbbell row instead.")
    assert "Set 1 of 4: 5 reps." in text and "Instead, the" not in text


def test_the_set_called_again_later_reminds_the_runner_of_the_other_way() -> None:
    progress = at("stir_the_pot", ("stability_ball",))
    text = said(COMPOSER.repeat(progress).speech)
    assert text.startswith("Instead, the plank circles on the floor.")


def test_kit_the_exercise_does_not_need_is_said_so_and_noted() -> None:
    before = at("t_push_up")
    move = COACH.kit_missing(before, ["kettlebell"])
    text = said(COMPOSER.transition(before, move).speech)
    assert "T push-up doesn't need a kettlebell." in text
    assert "another way for each exercise that needs a kettlebell." in text
    later = at("stir_the_pot")
    move = COACH.kit_missing(later, ["kettlebell"])  # the carry came before
    text = said(COMPOSER.transition(later, move).speech)
    assert "Nothing left in this workout needs a kettlebell," in text


def test_with_no_kit_at_all_it_is_said_as_any_kit() -> None:
    before = at("t_push_up")
    move = COACH.kit_missing(before, COACH.library.kit_ids)
    assert "T push-up doesn't need any kit." in said(COMPOSER.transition(before, move).speech)


def test_how_to_and_what_do_i_need_describe_the_other_way() -> None:
    progress = at("ytwl_raise", ("incline_bench",))
    how = said(COMPOSER.how_to(progress).speech)
    assert "Without an incline bench, do the letter raises on the floor instead." in how
    assert "Keep your chest resting on the bench" not in how
    assert "Y: Lift your arms overhead" in how  # the letters are the same on the floor
    needs = said(COMPOSER.answer(progress, COMPOSER.equipment_answer(progress, None)).speech)
    assert "Without an incline bench, you're doing the letter raises on the floor instead." in needs


def test_too_hard_on_a_stand_in_is_its_own_advice() -> None:
    progress = at("overhead_carry", ("kettlebell", "dumbbells"))
    move = COACH.change_load(progress, harder=True)
    text = said(COMPOSER.transition(progress, move).speech)
    assert text.startswith("For the overhead jug carry, slow down")
    assert "kettlebell" not in text


def test_before_a_workout_the_workout_that_suits_the_kit_is_offered() -> None:
    lacking = tuple(sorted(COACH.library.kit_ids - {"dumbbells"}))
    reply = COMPOSER.kit_idle(COMPOSER.kit_only("dumbbells"), lacking)
    text = said(reply.speech)
    assert text.startswith("Got it: just dumbbells. The dumbbell workout suits that best")
    assert text.endswith("Shall we start it?") and reply.pending == "start:dumbbell"
    bar = COMPOSER.kit_idle(COMPOSER.kit_lacking(("pull_up_bar",)), ("pull_up_bar",))
    assert "The dumbbell workout suits that best, and it needs none of it." in said(bar.speech)


def test_a_workout_started_without_kit_says_how_many_exercises_are_done_another_way() -> None:
    move = COACH.start(Progress(), "bodyweight", START, missing_kit=("pull_up_bar",))
    text = said(COMPOSER.transition(Progress(), move).speech)
    assert "As you told me, one of these exercises is done another way" in text
    assert "say I have my kit" in text
    plain = COACH.start(Progress(), "bodyweight", START)
    assert "As you told me" not in said(COMPOSER.transition(Progress(), plain).speech)


def test_the_screen_shows_the_other_way_not_the_plans_cues() -> None:
    progress = at("l_sit_chin_up", ("pull_up_bar", "dumbbells"))
    shown = screen_data(COMPOSER, progress)["coach"]
    assert shown["load"] == "Instead: floor pull"
    stand_in = COACH.stand_in(progress, progress_exercise(progress))
    assert stand_in is not None and shown["cues"] == [stand_in.instead]
    plain = screen_data(COMPOSER, at("l_sit_chin_up"))["coach"]
    assert plain["load"] == "" and "Squeeze your shoulder blades" in plain["cues"][0]


def progress_exercise(progress: Progress) -> Exercise:
    here = COACH.position(progress)
    assert here is not None
    return here.exercise


def test_hands_free_plays_no_recorded_introduction_of_an_exercise_done_another_way() -> None:
    catalog: AudioCatalog = default_catalog()
    before = at("t_push_up", ("pull_up_bar",))
    for _ in range(3):
        before = COACH.finish_set(before, START).progress
    move = COACH.finish_set(before, START)  # the last push-up set: on to the chin-up
    assert ev.ExerciseIntroduced(1) in move.events
    # A button (no words possible): the rest and the set's call, no introduction that needs a bar.
    played = plan_for(before, move, COACH, catalog, can_speak=False)
    assert played is not None
    assert catalog.introduction("bodyweight", 1) not in played.tracks
    assert catalog.set_call("bodyweight", 1, 1) in played.tracks
    with_bar = plan_for(
        COACH.kit_back(before, ["pull_up_bar"]).progress,
        COACH.finish_set(COACH.kit_back(before, ["pull_up_bar"]).progress, START),
        COACH,
        catalog,
        can_speak=False,
    )
    assert with_bar is not None and catalog.introduction("bodyweight", 1) in with_bar.tracks


def test_hands_free_speaks_the_other_way_given_at_the_set() -> None:
    before = at("l_sit_chin_up")
    move = COACH.kit_missing(before, ["pull_up_bar"])
    played = plan_for(before, move, COACH, default_catalog(), can_speak=True)
    assert played is not None and played.spoken  # said in words, then the ready tone


def test_preferences_keep_the_kit_a_runner_lacks_and_read_old_or_odd_values() -> None:
    chosen = Preferences(keep_music=True, missing_kit=("mat", "pull_up_bar"))
    stored = chosen.to_dict()
    assert stored == {"keep_music": True, "missing_kit": ["mat", "pull_up_bar"]}
    assert Preferences.from_dict(stored) == chosen
    assert Preferences().to_dict() == {"keep_music": False}  # as a version without kit wrote it
    assert Preferences.from_dict({"keep_music": False}) == Preferences()
    odd = Preferences.from_dict({"missing_kit": ["mat", 3, "mat", None]})
    assert odd.missing_kit == ("mat",)
    assert Preferences.from_dict({"missing_kit": "mat"}).missing_kit == ()
