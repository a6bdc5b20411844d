"""The speech composer on its own: what a runner hears for each move and question.

The composer is built as the skill builds it (real workouts, real phrasebook). Speech is read
back the way the harness hears it (harness.ssml_reader), so these tests check what is said and
for how long, not how the SSML happens to be spelt; wording is asserted only where it is the
behaviour (a number, a name, a command the runner must say).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

import pytest

from harness.interaction_model import load_model
from harness.ssml_reader import Clip, Segment, Silence, Text, estimated_seconds, read_ssml
from harness.ssml_rules import speech_problems
from harness.utterances import match
from skill.alexa.skill_builder import build_service
from skill.coaching.coach import Coach, Transition
from skill.coaching.progress import MAX_REST_SECONDS, MIN_REST_SECONDS, Progress
from skill.content.models import WorkoutPlan
from skill.speech.replies import Composer, Reply
from skill.speech.sounds import REST_OVER, WORKOUT_DONE
from skill.speech.ssml import Speech

SERVICE = build_service()
COACH: Coach = SERVICE.coach
COMPOSER: Composer = SERVICE.composer
WORKOUT_IDS = [plan.id for plan in COACH.library.workouts]
START = 1_000.0
QUESTIONS: tuple[Callable[[Progress], Speech], ...] = (
    COMPOSER.reps_answer,
    COMPOSER.sets_answer,
    COMPOSER.next_answer,
    COMPOSER.muscles_answer,
    COMPOSER.rest_answer,
    COMPOSER.status_answer,
    lambda p: COMPOSER.remaining_answer(p, None),
    lambda p: COMPOSER.equipment_answer(p, None),
)
# "say next set", "say: Alexa, tell Upper Body Coach next set": the words after "say", up to an
# optional "when ..." and the end of the sentence.
SAY = re.compile(r"\bsay:?\s+(?P<words>[^.?!]+?)(?:\s+when\b[^.?!]*)?[.?!]", re.IGNORECASE)


# ---- hearing a reply ------------------------------------------------------------------------


def checked(reply: Reply) -> Reply:
    """Every reply must be SSML Alexa accepts, and the microphone never stays open in silence."""
    assert speech_problems(reply.speech) == []
    if reply.end_session:
        assert reply.reprompt is None
    else:
        assert reply.reprompt is not None
        assert speech_problems(reply.reprompt, reprompt=True) == []
    return reply


def spoken(ssml: str) -> str:
    return " ".join(seg.text for seg in read_ssml(ssml) if isinstance(seg, Text))


def last_sentence(ssml: str) -> str:
    return re.split(r"(?<=[.?!])\s+", spoken(ssml).strip())[-1]


def commands_told(text: str) -> list[tuple[str, str | None]]:
    """(kind, intent) of each "say ..." instruction, as the interaction model hears it: kind is
    intent (in the open session), one_shot ("Alexa, tell ...") or launch ("Alexa, open ...")."""
    heard = [match(found["words"], load_model()) for found in SAY.finditer(text)]
    return [(m.kind, m.intent) for m in heard]


def plan(workout_id: str) -> WorkoutPlan:
    found = COACH.library.get(workout_id)
    assert found is not None
    return found


def set_of(number: int, sets: int) -> re.Pattern[str]:
    return re.compile(rf"\bset {number} of {sets}\b", re.IGNORECASE)


class Runner:
    """A runner's progress moved by the coach, every reply put into words and checked."""

    def __init__(self, progress: Progress | None = None) -> None:
        self.progress = progress or Progress()
        self.replies: list[Reply] = []

    def hear(self, reply: Reply) -> Reply:
        self.replies.append(checked(reply))
        return reply

    def move(self, step: Callable[[Progress], Transition]) -> Reply:
        before = self.progress
        moved = step(before)
        self.progress = moved.progress
        return self.hear(COMPOSER.transition(before, moved))

    def start(self, workout_id: str) -> Reply:
        return self.move(lambda p: COACH.start(p, workout_id, START))

    def next_set(self, at: float = START) -> Reply:
        return self.move(lambda p: COACH.finish_set(p, at))

    def skip(self) -> Reply:
        return self.move(lambda p: COACH.skip_exercise(p, START))

    def finish_workout(self, at: float) -> Reply:
        reply = self.next_set(at)
        while self.progress.active:
            reply = self.next_set(at)
        return reply


def rest_parts(reply: Reply) -> tuple[list[Segment], list[Segment], list[Segment]]:
    """What comes before the rest, the rest itself (first silence to the beep), what follows."""
    segments = read_ssml(reply.speech)
    start = next(i for i, seg in enumerate(segments) if isinstance(seg, Silence))
    beep = next(
        i for i, seg in enumerate(segments) if isinstance(seg, Clip) and seg.src == REST_OVER.src
    )
    return segments[:start], segments[start : beep + 1], segments[beep + 1 :]


def cue_starts(rest: list[Segment]) -> Iterator[tuple[str, float]]:
    """Each cue said during a rest, in words, with the second into the rest it begins."""
    clock = 0.0
    for seg in rest:
        if isinstance(seg, Text):
            yield " ".join(re.findall(r"[a-z']+", seg.text.lower())), clock
        clock += estimated_seconds([seg])


def text_of(segments: list[Segment]) -> str:
    return " ".join(seg.text for seg in segments if isinstance(seg, Text))


# ---- announcing sets ------------------------------------------------------------------------


@pytest.mark.parametrize("workout_id", WORKOUT_IDS)
def test_starting_names_the_first_exercise_and_set_and_ends_with_what_to_say(
    workout_id: str,
) -> None:
    first = plan(workout_id).exercises[0]
    reply = Runner().start(workout_id)
    text = spoken(reply.speech)
    assert first.name in text
    assert set_of(1, first.sets).search(text)
    assert commands_told(last_sentence(reply.speech)) == [("intent", "NextSetIntent")]
    assert reply.end_session is False and reply.pending is None


def test_the_set_reprompt_tells_both_ways_to_say_next_set() -> None:
    reply = Runner().start("bodyweight")
    assert reply.reprompt is not None
    told = commands_told(spoken(reply.reprompt))
    assert ("intent", "NextSetIntent") in told  # in the open session
    assert ("one_shot", "NextSetIntent") in told  # "Alexa, tell Upper Body Coach ..." once closed


def test_the_next_set_is_announced_after_the_rest_with_its_number() -> None:
    runner = Runner()
    runner.start("bodyweight")
    first = plan("bodyweight").exercises[0]
    reply = runner.next_set()
    before, _, after = rest_parts(reply)
    assert set_of(2, first.sets).search(text_of(after))
    assert not set_of(2, first.sets).search(text_of(before))
    assert reply.end_session is False and reply.reprompt is not None


def test_after_an_exercise_the_next_is_named_before_the_rest_and_explained_after_it() -> None:
    runner = Runner()
    runner.start("dumbbell")
    first, second = plan("dumbbell").exercises[:2]
    for _ in range(first.sets - 1):
        runner.next_set()
    before, _, after = rest_parts(runner.next_set())
    assert second.name in text_of(before)  # so the runner can set up during the rest
    assert second.name in text_of(after) and second.setup.split(".")[0] in text_of(after)
    assert set_of(1, second.sets).search(text_of(after))


@pytest.mark.parametrize("back", ["resume", "repeat"])
def test_a_resumed_or_repeated_set_names_the_exercise_and_the_set(back: str) -> None:
    runner = Runner()
    runner.start("bodyweight")
    runner.next_set()
    exercise = plan("bodyweight").exercises[0]
    paused = runner.move(COACH.pause)
    assert paused.end_session is False and "resume" in spoken(paused.reprompt or "")
    assert exercise.name in spoken(paused.speech)
    told = commands_told(spoken(paused.speech))
    assert told == [("intent", "AMAZON.ResumeIntent"), ("one_shot", "AMAZON.ResumeIntent")]
    if back == "resume":
        reply = runner.move(COACH.resume)
    else:
        reply = runner.hear(COMPOSER.repeat(runner.progress))
    text = spoken(reply.speech)
    assert exercise.name in text and set_of(2, exercise.sets).search(text)
    assert reply.end_session is False and reply.reprompt is not None


def test_stopping_mid_workout_says_where_the_runner_is_and_how_to_come_back() -> None:
    exercise = plan("dumbbell").exercises[1]
    progress = Progress(workout_id="dumbbell", exercise_index=1, set_number=2, started_at=START)
    reply = checked(COMPOSER.goodbye(progress))
    text = spoken(reply.speech)
    assert exercise.name in text and set_of(2, exercise.sets).search(text)
    assert commands_told(text) == [("launch", None)]
    assert reply.end_session is True


def test_where_am_i_counts_the_sets_left() -> None:
    exercise = plan("bodyweight").exercises[0]
    near_end = Progress(workout_id="bodyweight", set_number=exercise.sets - 1, started_at=START)
    text = spoken(checked(COMPOSER.status(near_end)).speech)
    assert exercise.name in text and set_of(exercise.sets - 1, exercise.sets).search(text)
    assert re.search(r"\b1 more set\b", text)
    assert plan("bodyweight").exercises[1].name in text  # what comes next


# ---- rests ----------------------------------------------------------------------------------


@pytest.mark.parametrize("seconds", range(MIN_REST_SECONDS, MAX_REST_SECONDS + 1, 5))
def test_a_rest_lasts_the_seconds_it_announces(seconds: int) -> None:
    runner = Runner()
    runner.move(lambda p: COACH.set_rest(p, seconds))
    runner.start("bodyweight")
    reply = runner.next_set()
    before, rest, _ = rest_parts(reply)
    assert re.search(rf"\b{seconds} seconds\b", text_of(before))
    # From the end of "Rest N seconds." to the end of the beep: silences, cues and the beep.
    assert estimated_seconds(rest) == pytest.approx(seconds, abs=0.01)


@pytest.mark.parametrize("seconds", [30, 45, 60, 90, 120])
def test_a_rest_says_halfway_ten_seconds_and_counts_down_to_the_beep(seconds: int) -> None:
    runner = Runner()
    runner.move(lambda p: COACH.set_rest(p, seconds))
    runner.start("dumbbell")
    _, rest, _ = rest_parts(runner.next_set())
    cues = list(cue_starts(rest))
    starts = dict(cues)
    assert starts["halfway"] == pytest.approx(seconds / 2, abs=0.01)
    assert starts["ten seconds"] == pytest.approx(seconds - 10, abs=0.01)
    assert [cue for cue, _ in cues[-3:]] == ["three", "two", "one"]
    assert isinstance(rest[-1], Clip)  # the beep ends the rest


# ---- the end of a workout --------------------------------------------------------------------


@pytest.mark.parametrize("workout_id", WORKOUT_IDS)
def test_the_summary_counts_every_exercise_and_set_of_a_whole_workout(workout_id: str) -> None:
    workout = plan(workout_id)
    runner = Runner()
    runner.start(workout_id)
    reply = runner.finish_workout(at=START + 25 * 60)
    text = spoken(reply.speech)
    assert f"{len(workout.exercises)} exercises" in text
    assert f"{sum(e.sets for e in workout.exercises)} sets" in text
    assert "25 minutes" in text
    assert "skipped" not in text.lower()
    assert reply.end_session is True
    assert Clip(WORKOUT_DONE.src, WORKOUT_DONE.seconds) in read_ssml(reply.speech)


@pytest.mark.parametrize("sets_before_skip", [0, 1])
def test_the_summary_counts_what_was_done_and_names_what_was_skipped(
    sets_before_skip: int,
) -> None:
    workout = plan("bodyweight")
    skipped = workout.exercises[1]
    runner = Runner()
    runner.start("bodyweight")
    for _ in range(workout.exercises[0].sets + sets_before_skip):
        runner.next_set()
    runner.skip()
    text = spoken(runner.finish_workout(at=START + 40 * 60).speech)
    done_sets = sum(e.sets for e in workout.exercises) - skipped.sets + sets_before_skip
    assert f"{len(workout.exercises) - 1} exercises" in text
    assert f"{done_sets} sets" in text
    assert skipped.name in text
    others = [e.name for e in workout.exercises if e is not skipped]
    assert not [name for name in others if name in text]


def test_the_summary_says_one_exercise_not_one_exercises() -> None:
    workout = plan("bodyweight")
    runner = Runner()
    runner.start("bodyweight")
    for _ in workout.exercises[:-1]:
        runner.skip()
    text = spoken(runner.finish_workout(at=START + 30).speech)
    assert re.search(rf"\b1 exercise and {workout.exercises[-1].sets} sets\b", text)
    assert "under a minute" in text


@pytest.mark.xfail(
    strict=True,
    reason="bug in Coach._finish: exercises jumped over with 'go to' count as done",
)
def test_the_summary_does_not_count_exercises_jumped_over() -> None:
    workout = plan("bodyweight")
    last = workout.exercises[-1]
    runner = Runner()
    runner.start("bodyweight")
    runner.move(go_to(last.id))
    text = spoken(runner.finish_workout(at=START + 600).speech)
    assert re.search(rf"\b1 exercise and {last.sets} sets\b", text)


@pytest.mark.xfail(
    strict=True,
    reason="bug in the coach: an exercise skipped, then gone back to and done, stays skipped",
)
def test_an_exercise_skipped_then_done_after_all_counts_as_done() -> None:
    workout = plan("bodyweight")
    runner = Runner()
    runner.start("bodyweight")
    runner.skip()
    runner.move(COACH.previous_exercise)
    text = spoken(runner.finish_workout(at=START + 3000).speech)
    assert f"{len(workout.exercises)} exercises" in text
    assert "skipped" not in text.lower()


# ---- questions ------------------------------------------------------------------------------


def test_a_new_runner_is_welcomed_and_asked_to_choose_a_workout() -> None:
    reply = checked(COMPOSER.launch(Progress()))
    text = spoken(reply.speech)
    assert all(workout.name in text for workout in COACH.library.workouts)
    assert text.endswith("?")
    assert reply.reprompt is not None and spoken(reply.reprompt).endswith("?")
    assert reply.pending is None and reply.end_session is False


def test_a_runner_who_finished_is_welcomed_back_not_as_new() -> None:
    first_time = spoken(COMPOSER.launch(Progress()).speech)
    reply = checked(COMPOSER.launch(Progress(workout_id="bodyweight", finished=True)))
    text = spoken(reply.speech)
    assert text.endswith("?")
    assert all(workout.name in text for workout in COACH.library.workouts)
    assert text.split(". ")[0] != first_time.split(". ")[0]  # another greeting
    assert len(text) < len(first_time)  # without the introduction to the skill
    assert reply.pending is None and reply.reprompt is not None


@pytest.mark.parametrize("paused", [False, True])
def test_a_runner_mid_workout_is_offered_their_place(paused: bool) -> None:
    exercise = plan("dumbbell").exercises[2]
    progress = Progress(workout_id="dumbbell", exercise_index=2, set_number=3, paused=paused)
    reply = checked(COMPOSER.launch(progress))
    text = spoken(reply.speech)
    assert exercise.name in text and set_of(3, exercise.sets).search(text)
    assert text.endswith("?")
    assert reply.pending == "continue"  # so a bare "yes" carries on
    assert reply.reprompt is not None and "?" in spoken(reply.reprompt)


@pytest.mark.parametrize("heard", ["banana", "leg workout", "upper body"])
def test_an_unknown_workout_is_not_spoken_of_as_a_workout(heard: str) -> None:
    reply = checked(COMPOSER.which_workout(heard))
    text = spoken(reply.speech)
    assert f"{heard} workout" not in text.lower()
    assert "workout workout" not in text.lower()
    assert all(workout.name in text for workout in COACH.library.workouts)
    assert text.endswith("?") and reply.end_session is False


def test_which_workout_without_a_heard_value_just_asks() -> None:
    reply = checked(COMPOSER.which_workout(None))
    text = spoken(reply.speech)
    assert text.endswith("?")
    assert all(workout.name in text for workout in COACH.library.workouts)


def test_words_that_named_nothing_are_not_read_back_as_a_name() -> None:
    heard = 'rock & roll <loud> "now"'
    for reply in (
        COMPOSER.which_workout(heard),
        COMPOSER.which_exercise(Progress(), heard),
        COMPOSER.which_exercise(Progress(workout_id="bodyweight"), heard),
    ):
        text = spoken(checked(reply).speech)
        assert "rock" not in text and "didn't catch which" in text and text.endswith("?")


def test_an_unknown_exercise_lists_the_current_workout_only() -> None:
    progress = Progress(workout_id="dumbbell", started_at=START)
    text = spoken(checked(COMPOSER.which_exercise(progress, "moon walk")).speech)
    assert all(e.name in text for e in plan("dumbbell").exercises)
    assert not [e.name for e in plan("bodyweight").exercises if e.name in text]


def test_with_no_workout_an_unknown_exercise_is_not_said_to_be_in_this_workout() -> None:
    text = spoken(checked(COMPOSER.which_exercise(Progress(), "moon walk")).speech)
    assert "this workout" not in text.lower()
    assert all(e.name in text for w in COACH.library.workouts for e in w.exercises)


# ---- every reply --------------------------------------------------------------------------


def go_to(exercise_id: str) -> Callable[[Progress], Transition]:
    def step(progress: Progress) -> Transition:
        moved = COACH.go_to(progress, exercise_id, START)
        assert moved is not None, exercise_id
        return moved

    return step


def every_reply(workout_id: str) -> Iterator[Reply]:
    """A workout from start to finish with every command on the way, and the idle replies."""
    idle = Progress()
    other = next(w for w in COACH.library.workouts if w.id != workout_id)
    workout = plan(workout_id)
    yield from (COMPOSER.launch(idle), COMPOSER.help(idle), COMPOSER.fallback(idle))
    yield from (COMPOSER.goodbye(idle), COMPOSER.nothing_to_confirm(idle), COMPOSER.ask_rest())
    yield from (COMPOSER.error(), COMPOSER.error("notice.storage_down", end_session=True))
    yield from (COMPOSER.status(idle), COMPOSER.how_to(idle), COMPOSER.repeat(idle))
    yield from (COMPOSER.answer(idle, answer(idle)) for answer in QUESTIONS)
    yield COMPOSER.load_option(idle, True)
    yield from (COMPOSER.which_exercise(idle, None), COMPOSER.which_exercise(idle, "moon walk"))
    runner = Runner()
    yield runner.next_set()  # no workout yet
    yield runner.move(lambda p: COACH.set_rest(p, MAX_REST_SECONDS + 1))
    yield runner.move(lambda p: COACH.set_rest(p, MAX_REST_SECONDS))
    yield runner.move(go_to(other.exercises[-1].id))  # starts the other workout there
    yield runner.start(workout_id)
    yield runner.move(COACH.previous_exercise)  # already on the first
    detoured = False
    while runner.progress.active:
        progress = runner.progress
        for ask in (COMPOSER.status, COMPOSER.how_to, COMPOSER.repeat, COMPOSER.help):
            yield ask(progress)
        for answer in QUESTIONS:
            yield COMPOSER.answer(progress, answer(progress))
        yield from (COMPOSER.load_option(progress, False), COMPOSER.load_option(progress, True))
        yield from (
            COMPOSER.confirm_start_over(progress),
            COMPOSER.confirm_switch(progress, other.id),
        )
        yield from (COMPOSER.kept_place(progress), COMPOSER.already_on(progress))
        yield from (COMPOSER.launch(progress), COMPOSER.goodbye(progress))
        yield from (COMPOSER.fallback(progress), COMPOSER.nothing_to_confirm(progress))
        yield from (COMPOSER.which_exercise(progress, None), COMPOSER.which_workout("yoga"))
        if progress.exercise_index == 1 and not detoured:
            detoured = True
            yield runner.skip()
            yield runner.move(COACH.previous_exercise)
            yield runner.move(go_to(workout.exercises[3].id))
            yield runner.move(go_to(workout.exercises[1].id))
            yield runner.move(COACH.pause)
            yield runner.next_set()  # resumes
            yield runner.move(lambda p: COACH.start_over(p, START))
            yield runner.move(lambda p: COACH.set_rest(p, MIN_REST_SECONDS))
        yield runner.next_set(START + 1800)
    yield from (COMPOSER.launch(runner.progress), COMPOSER.goodbye(runner.progress))
    yield runner.next_set()  # after the finish
    yield runner.move(lambda p: COACH.start_over(p, START))


@pytest.mark.parametrize("workout_id", WORKOUT_IDS)
def test_every_reply_is_ssml_alexa_accepts_and_never_leaves_the_mic_open_silently(
    workout_id: str,
) -> None:
    replies = [checked(reply) for reply in every_reply(workout_id)]
    assert len(replies) > 100
    assert any(reply.end_session for reply in replies)
