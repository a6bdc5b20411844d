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
from skill.coaching import events as ev
from skill.coaching.coach import Coach, Transition
from skill.coaching.history import History
from skill.coaching.progress import MAX_SPOKEN_REST_SECONDS, MIN_REST_SECONDS, Progress
from skill.content.models import Move, WorkoutPlan
from skill.speech.replies import Composer, Reply
from skill.speech.sounds import REST_OVER, WORKOUT_DONE
from skill.speech.ssml import Speech
from skill.speech.timing import speech_seconds

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
    """A runner's progress moved by the coach, every reply put into words and checked.

    The runner's clock starts at START; each move comes `after` seconds (a minute unless told)
    after the one before."""

    def __init__(self, progress: Progress | None = None) -> None:
        self.progress = progress or Progress()
        self.replies: list[Reply] = []
        self.clock = START

    def later(self, after: float) -> float:
        self.clock += after
        return self.clock

    def hear(self, reply: Reply) -> Reply:
        self.replies.append(checked(reply))
        return reply

    def move(self, step: Callable[[Progress], Transition]) -> Reply:
        before = self.progress
        moved = step(before)
        self.progress = moved.progress
        return self.hear(COMPOSER.transition(before, moved))

    def start(self, workout_id: str) -> Reply:
        return self.move(lambda p: COACH.start(p, workout_id, self.clock))

    def next_set(self, after: float = 60.0) -> Reply:
        return self.move(lambda p: COACH.finish_set(p, self.later(after)))

    def skip(self, after: float = 60.0) -> Reply:
        return self.move(lambda p: COACH.skip_exercise(p, self.later(after)))

    def back(self, after: float = 60.0) -> Reply:
        return self.move(lambda p: COACH.back_one_set(p, self.later(after)))

    def pause(self, after: float = 60.0) -> Reply:
        return self.move(lambda p: COACH.pause(p, self.later(after)))

    def resume(self, after: float = 60.0) -> Reply:
        return self.move(lambda p: COACH.resume(p, self.later(after)))

    def go_to(self, exercise_id: str, after: float = 60.0) -> Reply:
        def step(progress: Progress) -> Transition:
            moved = COACH.go_to(progress, exercise_id, self.later(after))
            assert moved is not None, exercise_id
            return moved

        return self.move(step)

    def finish_workout(self, after: float = 60.0) -> Reply:
        """Every set left, each `after` seconds after the move before: the summary."""
        reply = self.next_set(after)
        while self.progress.active:
            reply = self.next_set(after)
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


def test_the_set_reprompt_is_short_and_the_first_set_s_tells_the_way_back() -> None:
    """A reprompt cuts into the set about 8 s in: at most 4 s, "say done". Once a workout, on
    its first set, it also tells the way back that works on every Alexa: "Alexa, open ..."."""
    runner = Runner()
    first = runner.start("bodyweight")
    first = runner.hear(COMPOSER.transition(runner.progress, COACH.skip_warm_up(runner.progress)))
    assert first.reprompt is not None
    told = commands_told(spoken(first.reprompt))
    assert ("intent", "NextSetIntent") in told  # in the open session
    assert ("launch", None) in told  # "Alexa, open Upper Body Coach" once closed
    later = runner.next_set()
    assert later.reprompt is not None
    assert commands_told(spoken(later.reprompt)) == [("intent", "NextSetIntent")]
    assert estimated_seconds(read_ssml(later.reprompt)) <= 4


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
    paused = runner.pause()
    assert paused.end_session is False and "resume" in spoken(paused.reprompt or "")
    assert exercise.name in spoken(paused.speech)
    told = commands_told(spoken(paused.speech))
    assert told == [("intent", "AMAZON.ResumeIntent"), ("launch", None)]
    if back == "resume":
        reply = runner.resume()
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


# ---- brief first, full on request -------------------------------------------------------------


@pytest.mark.parametrize("workout_id", WORKOUT_IDS)
def test_a_first_introduction_gives_the_key_cues_and_how_to_gives_them_all(
    workout_id: str,
) -> None:
    workout = plan(workout_id)
    for index, exercise in enumerate(workout.exercises):
        progress = Progress(workout_id=workout_id, exercise_index=index, started_at=START)
        first = spoken(COMPOSER.introduce_first(workout, index).ssml())
        assert exercise.name in first and exercise.setup in first
        said = [cue for cue in exercise.cues if cue in first]
        assert said == list(exercise.first_cues) and len(said) < len(exercise.cues)
        full = spoken(checked(COMPOSER.how_to(progress)).speech)
        assert all(cue in full for cue in exercise.cues), exercise.id
        assert exercise.works in full


# ---- sets led step by step --------------------------------------------------------------------


def calls(reply: Reply) -> list[tuple[str, float]]:
    """After the rest (if any): each sentence spoken, with the seconds of silence before it."""
    segments = read_ssml(reply.speech)
    beeps = [i for i, s in enumerate(segments) if isinstance(s, Clip) and s.src == REST_OVER.src]
    found: list[tuple[str, float]] = []
    silence = 0.0
    for segment in segments[beeps[-1] + 1 if beeps else 0 :]:
        if isinstance(segment, Silence):
            silence += segment.seconds
        elif isinstance(segment, Text):
            found.append((segment.text, round(silence, 3)))
            silence = 0.0
    return found


def at_set(workout_id: str, exercise_id: str, set_number: int) -> Runner:
    index = plan(workout_id).exercise_index(exercise_id)
    assert index is not None
    return Runner(
        Progress(workout_id=workout_id, exercise_index=index, set_number=set_number, started_at=1)
    )


@pytest.mark.parametrize("set_number", [1, 2, 3])
def test_every_set_of_the_ytwl_raise_calls_each_letter_in_turn_at_a_steady_tempo(
    set_number: int,
) -> None:
    exercise = plan("bodyweight").exercises[3]
    runner = at_set("bodyweight", "ytwl_raise", set_number - 1 if set_number > 1 else 1)
    if set_number == 1:  # the set that follows the introduction
        runner = at_set("bodyweight", "suspension_row", 3)
    reply = runner.next_set()
    heard = calls(reply)
    letters = [text for text, _ in heard if re.match(r"^[YTWL]: ", text)]
    assert [text[0] for text in letters] == ["Y", "T", "W", "L"]
    for text, step in zip(letters, exercise.steps, strict=True):
        assert step.cue in text and "8 reps" in text
    # Each letter gets the same time to do its 8 reps, then the next is called.
    gaps = [silence for text, silence in heard if re.match(r"^[TWL]: ", text)]
    assert len(set(gaps)) == 1 and gaps[0] >= 8 * 2
    assert commands_told(last_sentence(reply.speech)) == [("intent", "NextSetIntent")]
    assert speech_problems(reply.speech) == []


def test_after_a_long_rest_the_letters_are_led_on_repeat_so_no_answer_runs_over_alexas_limit() -> (
    None
):
    runner = at_set("bodyweight", "ytwl_raise", 1)
    runner.move(lambda p: COACH.set_rest(p, MAX_SPOKEN_REST_SECONDS))
    reply = runner.next_set()
    assert estimated_seconds(read_ssml(reply.speech)) <= 240
    assert not [text for text, _ in calls(reply) if text.startswith("Y: ")]
    assert commands_told(last_sentence(reply.speech)) == [("intent", "AMAZON.RepeatIntent")]
    repeated = runner.hear(COMPOSER.repeat(runner.progress))
    assert [text[0] for text, _ in calls(repeated) if re.match(r"^[YTWL]: ", text)] == list("YTWL")


@pytest.mark.parametrize("seconds", [MIN_REST_SECONDS, 30, 45, 60, 90, MAX_SPOKEN_REST_SECONDS])
@pytest.mark.parametrize("workout_id", WORKOUT_IDS)
def test_every_answer_of_a_workout_stays_within_240_seconds(workout_id: str, seconds: int) -> None:
    runner = Runner()
    runner.move(lambda p: COACH.set_rest(p, seconds))
    replies = [runner.move(lambda p: COACH.start(p, workout_id, START, warm_up=True))]
    replies.append(runner.move(lambda p: COACH.warm_up(p, 1)))
    while runner.progress.active:
        replies.append(runner.next_set())
        replies.append(runner.hear(COMPOSER.how_to(runner.progress)))
    assert max(estimated_seconds(read_ssml(reply.speech)) for reply in replies) <= 240


@pytest.mark.parametrize(
    ("workout_id", "exercise_id", "switch"),
    [("bodyweight", "overhead_carry", "Switch hands."), ("bodyweight", "stir_the_pot", "Change")],
)
def test_a_move_done_one_half_then_the_other_gets_the_switch_called_halfway(
    workout_id: str, exercise_id: str, switch: str
) -> None:
    reply = at_set(workout_id, exercise_id, 1).next_set()
    heard = calls(reply)
    switched = [i for i, (text, _) in enumerate(heard) if text.startswith(switch)]
    assert len(switched) == 1
    # The first half takes as long as the second: the switch comes at the halfway point.
    first_half = heard[switched[0]][1]
    second_half = heard[switched[0] + 1][1]
    assert first_half == pytest.approx(second_half, abs=0.5) and first_half >= 10
    assert commands_told(last_sentence(reply.speech)) == [("intent", "NextSetIntent")]


@pytest.mark.parametrize("exercise_id", ["t_push_up", "plank_row"])
def test_a_move_that_swaps_sides_every_rep_is_not_told_to_switch(exercise_id: str) -> None:
    workout_id = "bodyweight" if exercise_id == "t_push_up" else "dumbbell"
    text = spoken(at_set(workout_id, exercise_id, 1).next_set().speech).lower()
    assert "switch sides" not in text and "switch hands" not in text


@pytest.mark.parametrize("workout_id", WORKOUT_IDS)
def test_set_announcements_end_with_what_to_say_and_vary_from_set_to_set(
    workout_id: str,
) -> None:
    runner = Runner()
    runner.start(workout_id)
    endings = []
    while runner.progress.active:
        reply = runner.next_set()
        if runner.progress.active:
            endings.append(last_sentence(reply.speech))
            assert commands_told(endings[-1]) == [("intent", "NextSetIntent")], endings[-1]
    assert len(set(endings)) >= 3
    assert all(a != b for a, b in zip(endings, endings[1:], strict=False))


# ---- warm-up and cool-down ----------------------------------------------------------------------


def paced_seconds(reply: Reply) -> float:
    """From the first break to the end of the beep."""
    segments = read_ssml(reply.speech)
    first = next(i for i, s in enumerate(segments) if isinstance(s, Silence))
    beep = max(i for i, s in enumerate(segments) if isinstance(s, Clip) and s.src == REST_OVER.src)
    return estimated_seconds(segments[first : beep + 1])


@pytest.mark.parametrize("workout_id", WORKOUT_IDS)
def test_the_warm_up_is_led_move_by_move_in_parts_then_the_first_set_begins(
    workout_id: str,
) -> None:
    workout = plan(workout_id)
    runner = Runner()
    first = runner.move(lambda p: COACH.start(p, workout_id, START, warm_up=True))
    text = spoken(first.speech)
    assert "skip the warm-up" in text and workout.exercises[0].name not in text
    ending = last_sentence(first.speech).lower()
    assert "say next" in ending and "say skip the warm-up" in ending
    assert match("next", load_model()).intent == "AMAZON.NextIntent"
    assert match("skip the warm up", load_model()).intent == "SkipWarmUpIntent"
    assert first.routine == "warm_up:1" and not first.end_session
    parts = [first, runner.move(lambda p: COACH.warm_up(p, 1))]
    for reply, moves in zip(parts, workout.warm_up, strict=True):
        said = spoken(reply.speech)
        assert all(move.name in said for move in moves)
        # Each move held for its seconds, its call included, up to the beep that ends the part.
        held = sum(move.seconds for move in moves) - call_seconds(moves[0])
        assert paced_seconds(reply) == pytest.approx(held + REST_OVER.seconds, abs=0.05)
    last = spoken(parts[-1].speech)
    assert workout.exercises[0].name in last and set_of(1, workout.exercises[0].sets).search(last)
    assert parts[-1].routine is None


def call_seconds(move: Move) -> float:
    """The first move's call is spoken before the first break."""
    return speech_seconds(f"{move.name}, {move.seconds} seconds.")


def test_skipping_the_warm_up_goes_straight_to_the_first_exercise() -> None:
    runner = Runner()
    runner.move(lambda p: COACH.start(p, "dumbbell", START, warm_up=True))
    text = spoken(runner.move(COACH.skip_warm_up).speech)
    assert plan("dumbbell").exercises[0].name in text and "Set 1 of 3" in text


@pytest.mark.parametrize("workout_id", WORKOUT_IDS)
def test_the_cool_down_is_led_in_parts_and_then_says_goodbye(workout_id: str) -> None:
    workout = plan(workout_id)
    finished = Progress(workout_id=workout_id, finished=True, started_at=START)
    first_move = COACH.cool_down(finished, 0)
    assert first_move is not None
    first = checked(COMPOSER.transition(finished, first_move))
    assert all(move.name in spoken(first.speech) for move in workout.cool_down[0])
    assert first.routine == "cool_down:1" and "say next" in last_sentence(first.speech).lower()
    last_move = COACH.cool_down(finished, 1)
    assert last_move is not None
    last = checked(COMPOSER.transition(finished, last_move))
    assert last.end_session is True and last.routine is None


@pytest.mark.parametrize(
    "progress",
    [
        Progress(),
        Progress(workout_id="bodyweight", started_at=START),
        Progress(workout_id="dumbbell", exercise_index=4, set_number=2, paused=True),
        Progress(workout_id="dumbbell", finished=True),
    ],
)
def test_help_ends_with_a_question_in_every_state(progress: Progress) -> None:
    reply = checked(COMPOSER.help(progress))
    assert last_sentence(reply.speech).endswith("?") and reply.end_session is False


# ---- rests ----------------------------------------------------------------------------------


@pytest.mark.parametrize("seconds", range(MIN_REST_SECONDS, MAX_SPOKEN_REST_SECONDS + 1, 5))
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
    total_sets = sum(e.sets for e in workout.exercises)
    runner = Runner()
    runner.start(workout_id)
    reply = runner.finish_workout()  # a set a minute
    text = spoken(reply.speech)
    assert f"{len(workout.exercises)} exercises" in text
    assert f"{total_sets} sets" in text
    assert f"{total_sets} minutes" in text
    assert "skipped" not in text.lower()
    assert Clip(WORKOUT_DONE.src, WORKOUT_DONE.seconds) in read_ssml(reply.speech)
    # The cool-down is offered: a yes or no question, with the microphone open for the answer.
    assert "cool-down" in last_sentence(reply.speech) and text.endswith("?")
    assert reply.end_session is False and reply.pending == "cool_down"


def test_the_summary_names_an_exercise_skipped_with_nothing_done() -> None:
    workout = plan("bodyweight")
    skipped = workout.exercises[1]
    runner = Runner()
    runner.start("bodyweight")
    for _ in range(workout.exercises[0].sets):
        runner.next_set()
    runner.skip()
    text = spoken(runner.finish_workout().speech)
    done_sets = sum(e.sets for e in workout.exercises) - skipped.sets
    assert f"{len(workout.exercises) - 1} exercises and {done_sets} sets" in text
    assert f"You skipped {skipped.name}." in text
    others = [e.name for e in workout.exercises if e is not skipped]
    assert not [name for name in others if name in text]


def test_an_exercise_left_partway_counts_as_done_and_says_how_far() -> None:
    workout = plan("bodyweight")
    left = workout.exercises[1]
    runner = Runner()
    runner.start("bodyweight")
    for _ in range(workout.exercises[0].sets + 1):
        runner.next_set()
    runner.skip()
    text = spoken(runner.finish_workout().speech)
    done_sets = sum(e.sets for e in workout.exercises) - left.sets + 1
    assert f"{len(workout.exercises)} exercises and {done_sets} sets" in text
    assert f"{left.name} after 1 of its {left.sets} sets" in text
    assert "skipped" not in text.lower()


def test_next_exercise_on_the_last_set_counts_it_and_is_not_a_skip() -> None:
    workout = plan("dumbbell")
    first = workout.exercises[0]
    runner = Runner()
    runner.start("dumbbell")
    for _ in range(first.sets - 1):
        runner.next_set()
    reply = runner.skip()
    assert "skipping" not in spoken(reply.speech).lower()
    assert workout.exercises[1].name in spoken(reply.speech)
    text = spoken(runner.finish_workout().speech)
    assert f"6 exercises and {sum(e.sets for e in workout.exercises)} sets" in text
    assert "skipped" not in text.lower()


def test_the_summary_says_one_exercise_not_one_exercises() -> None:
    workout = plan("bodyweight")
    runner = Runner()
    runner.start("bodyweight")
    for _ in workout.exercises[:-1]:
        runner.skip(after=2)
    text = spoken(runner.finish_workout(after=2).speech)
    assert re.search(rf"\b1 exercise and {workout.exercises[-1].sets} sets\b", text)
    assert "under a minute" in text


def test_the_summary_does_not_count_exercises_jumped_over() -> None:
    workout = plan("bodyweight")
    last = workout.exercises[-1]
    runner = Runner()
    runner.start("bodyweight")
    runner.go_to(last.id)
    text = spoken(runner.finish_workout().speech)
    assert re.search(rf"\b1 exercise and {last.sets} sets\b", text)


def test_an_exercise_skipped_then_done_after_all_counts_as_done() -> None:
    workout = plan("bodyweight")
    runner = Runner()
    runner.start("bodyweight")
    runner.skip()
    runner.back()
    text = spoken(runner.finish_workout().speech)
    assert f"{len(workout.exercises)} exercises" in text
    assert "skipped" not in text.lower()


def test_a_workout_picked_up_two_days_later_is_timed_without_the_days_away() -> None:
    workout = plan("dumbbell")
    total_sets = sum(e.sets for e in workout.exercises)
    runner = Runner()
    runner.start("dumbbell")
    runner.next_set()
    runner.next_set(after=2 * 24 * 3600)  # counts as the longest rest and a set: 45 + 180 s
    text = spoken(runner.finish_workout().speech)
    assert f"{total_sets - 2 + 1 + 4} minutes" in text  # 3.75 rounds to 4


def test_a_pause_is_not_timed() -> None:
    runner = Runner()
    runner.start("bodyweight")
    runner.next_set()
    runner.pause()
    runner.resume(after=3 * 3600)
    text = spoken(runner.finish_workout().speech)
    assert f"{20 + 1} minutes" in text  # a minute for each of 20 sets, and one before the pause


# ---- going back ---------------------------------------------------------------------------


def test_go_back_mid_exercise_goes_back_one_set_and_takes_it_off_the_count() -> None:
    workout = plan("bodyweight")
    first = workout.exercises[0]
    runner = Runner()
    runner.start("bodyweight")
    runner.next_set()
    runner.next_set()
    reply = runner.back()
    text = spoken(reply.speech)
    assert set_of(2, first.sets).search(text)
    assert "To set up" not in text  # no second introduction
    assert reply.end_session is False
    summary = spoken(runner.finish_workout().speech)
    assert f"{sum(e.sets for e in workout.exercises)} sets" in summary


def test_go_back_from_a_first_set_returns_to_the_last_set_of_the_exercise_before() -> None:
    workout = plan("dumbbell")
    first = workout.exercises[0]
    runner = Runner()
    runner.start("dumbbell")
    for _ in range(first.sets):
        runner.next_set()
    text = spoken(runner.back().speech)
    assert first.name in text and set_of(first.sets, first.sets).search(text)
    summary = spoken(runner.finish_workout().speech)
    assert f"{sum(e.sets for e in workout.exercises)} sets" in summary


# ---- rests said and paced -----------------------------------------------------------------


def test_a_rest_chosen_before_starting_is_said_at_the_start_and_paced() -> None:
    runner = Runner()
    told = spoken(runner.move(lambda p: COACH.set_rest(p, 60)).speech)
    assert "60 seconds in the next workout" in told
    start = spoken(runner.start("dumbbell").speech)
    assert "your rests in this workout will be 60 seconds" in start
    reply = runner.next_set()
    before, rest, _ = rest_parts(reply)
    assert "Rest 60 seconds" in text_of(before)
    assert estimated_seconds(rest) == pytest.approx(60, abs=0.01)


def test_a_rest_changed_in_one_workout_is_not_used_in_the_next() -> None:
    runner = Runner()
    runner.start("bodyweight")
    told = spoken(runner.move(lambda p: COACH.set_rest(p, 90)).speech)
    assert "90 seconds, until the end of this workout" in told
    runner.finish_workout()
    start = spoken(runner.start("dumbbell").speech)
    assert "as you asked" not in start.lower()
    before, rest, _ = rest_parts(runner.next_set())
    assert "Rest 45 seconds" in text_of(before)
    assert estimated_seconds(rest) == pytest.approx(45, abs=0.01)


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
    yield COMPOSER.transition(idle, COACH.change_load(idle, harder=True))
    yield from (COMPOSER.which_exercise(idle, None), COMPOSER.which_exercise(idle, "moon walk"))
    runner = Runner()
    yield runner.next_set()  # no workout yet
    yield runner.move(lambda p: COACH.set_rest(p, MAX_SPOKEN_REST_SECONDS + 1))
    yield runner.move(lambda p: COACH.set_rest(p, MAX_SPOKEN_REST_SECONDS))
    yield runner.go_to(other.exercises[-1].id)  # starts the other workout there
    yield runner.start(workout_id)
    yield runner.back()  # already on the first
    detoured = False
    while runner.progress.active:
        progress = runner.progress
        for ask in (COMPOSER.status, COMPOSER.how_to, COMPOSER.repeat, COMPOSER.help):
            yield ask(progress)
        for answer in QUESTIONS:
            yield COMPOSER.answer(progress, answer(progress))
        for harder in (False, True):
            yield COMPOSER.transition(progress, COACH.change_load(progress, harder))
        yield from (
            COMPOSER.confirm_start_over(progress, None),
            COMPOSER.confirm_start_over(progress, "warm_up"),
            COMPOSER.confirm_switch(progress, other.id),
        )
        yield from (COMPOSER.kept_place(progress), COMPOSER.already_on(progress))
        yield from (COMPOSER.launch(progress), COMPOSER.goodbye(progress))
        yield from (COMPOSER.fallback(progress), COMPOSER.nothing_to_confirm(progress))
        yield from (COMPOSER.which_exercise(progress, None), COMPOSER.which_workout("yoga"))
        if progress.exercise_index == 1 and not detoured:
            detoured = True
            yield runner.skip()
            yield runner.back()
            yield runner.next_set()
            yield runner.back()  # a set back within the exercise
            yield runner.go_to(workout.exercises[3].id)
            yield runner.go_to(workout.exercises[1].id)
            yield runner.pause()
            yield runner.next_set()  # resumes
            yield runner.move(lambda p: COACH.start_over(p, START))
            yield runner.move(lambda p: COACH.set_rest(p, MIN_REST_SECONDS))
        yield runner.next_set()
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


def test_already_on_the_workout_says_what_to_say_once() -> None:
    runner = Runner()
    runner.start("dumbbell")
    runner.hear(COMPOSER.transition(runner.progress, COACH.skip_warm_up(runner.progress)))
    reply = COMPOSER.already_on(runner.progress)
    assert "already doing the dumbbell workout" in spoken(reply.speech)
    assert commands_told(spoken(reply.speech)) == [("intent", "NextSetIntent")]


# ---- what the coach remembers -----------------------------------------------------------------

DAY = 24 * 3600.0


def sentences(text: str) -> list[str]:
    return re.split(r"(?<=[.?!])\s+", text.strip())


def test_stopping_with_sets_done_sums_them_up_in_one_sentence_then_says_how_to_come_back() -> None:
    runner = Runner()
    runner.start("dumbbell")
    runner.hear(COMPOSER.transition(runner.progress, COACH.skip_warm_up(runner.progress)))
    for _ in range(4):
        runner.next_set()
    stopped = COACH.stop(runner.progress, runner.later(30))
    (so_far,) = stopped.events
    assert isinstance(so_far, ev.WorkoutStopped)
    reply = checked(COMPOSER.goodbye(runner.progress, None, so_far))
    summary, *rest = sentences(spoken(reply.speech))
    assert re.search(r"\b4 sets of 2 exercises in 4 minutes\b.*\bpartial workout\b", summary)
    assert "I've saved your place" in rest[0]
    assert commands_told(" ".join(rest)) == [("launch", None)]
    assert reply.end_session is True


def test_the_week_counts_full_and_partial_workouts_apart_and_the_aim_counts_full_ones() -> None:
    partial = History().stopped("dumbbell", START, 12, started_at=START - 900)
    text = spoken(COMPOSER.week_answer(partial, START + 60).ssml())
    assert "one partial workout in the last seven days, and no full one yet" in text
    assert "haven't finished" not in text
    assert "Your last one was the dumbbell workout, today, stopped partway." in text
    both = partial.finished("bodyweight", START + DAY, 20, START + DAY - 1500)
    text = spoken(COMPOSER.week_answer(both, START + DAY).ssml())
    assert "one full workout and one partial in the last seven days" in text
    assert "so one more to go" in text
    after = COMPOSER.week_so_far(both.finished("dumbbell", START + 2 * DAY, 18), START + 2 * DAY)
    assert after.startswith("That's two full workouts and one partial")
    assert "the two a week that's advised" in after


def test_how_did_i_do_tells_the_last_workout_full_or_partial_with_its_sets_and_minutes() -> None:
    assert "haven't done a workout" in spoken(COMPOSER.last_workout_answer(History(), START).ssml())
    stopped = History().stopped("bodyweight", START, 9, started_at=START - 700, seconds=600.0)
    text = spoken(COMPOSER.last_workout_answer(stopped, START + DAY).ssml())
    assert "bodyweight workout, yesterday: you stopped partway, after 9 sets in 10 minutes" in text
    finished = History().finished("dumbbell", START, 18, START - 1500, 1440.0)
    text = spoken(COMPOSER.last_workout_answer(finished, START + 3 * DAY).ssml())
    assert "dumbbell workout, 3 days ago: all of it, 18 sets in 24 minutes" in text
    # Kept before the time was, and of a workout the content no longer has.
    old = History().finished("yoga", START, 1)
    text = spoken(COMPOSER.last_workout_answer(old, START).ssml())
    assert "the workout I no longer offer, today: all of it, 1 set." in text


def test_the_streak_is_weeks_in_a_row_with_two_and_the_total_counts_past_the_workouts_kept() -> (
    None
):
    def said(history: History, now: float) -> tuple[str, str]:
        streak = spoken(COMPOSER.streak_answer(history, now).ssml())
        return streak, spoken(COMPOSER.total_answer(history).ssml())

    assert "no streak going" in said(History(), START)[0]
    history = History()
    for week in range(3, -1, -1):  # two a week for four weeks
        history = history.finished("dumbbell", START - week * 7 * DAY - DAY, 18)
        history = history.finished("dumbbell", START - week * 7 * DAY, 18)
    streak, total = said(history, START + 1)
    assert "Your streak is 4 weeks: 4 weeks in a row with two workouts or more." in streak
    assert "at least" not in streak
    assert "In all, you've finished 8 workouts with me." in total
    history = history.stopped("bodyweight", START + 2, 3, started_at=START + 1)
    assert said(history, START + 3)[1].endswith("and stopped one more partway.")
    only_partial = History().stopped("bodyweight", START, 3, started_at=START - 300)
    assert said(only_partial, START)[1].startswith("You haven't finished a workout with me yet")
    one_a_week = History()
    for week in range(4):  # one a week is no streak: two a week is the aim
        one_a_week = one_a_week.finished("dumbbell", START + week * 7 * DAY, 18)
    assert "no streak going" in said(one_a_week, START + 3 * 7 * DAY + 1)[0]


def test_a_streak_of_20_weeks_is_said_in_full_past_the_14_workouts_kept() -> None:
    history = History()
    for n in range(40):  # two a week for 20 weeks: 26 workouts forgotten one by one
        history = history.finished("dumbbell", START + (n // 2 * 7 + n % 2 * 3) * DAY, 18)
    now = START + (19 * 7 + 3) * DAY + 60
    streak = spoken(COMPOSER.streak_answer(history, now).ssml())
    assert "Your streak is 20 weeks: 20 weeks in a row with two workouts or more." in streak
    assert "you've finished 40 workouts" in spoken(COMPOSER.total_answer(history).ssml())


def test_the_workout_that_makes_the_weeks_two_says_the_streak_when_it_is_news() -> None:
    history = History()
    for n in range(6):  # two a week for three weeks
        history = history.finished("dumbbell", START + (n // 2 * 7 + n % 2 * 3) * DAY, 18)
    after = COMPOSER.week_so_far(history, START + (2 * 7 + 3) * DAY)
    assert after == (
        "That's two workouts in the last seven days, the two a week that's advised."
        " That's 3 weeks in a row with two workouts."
    )
    first_week = History().finished("dumbbell", START, 18).finished("dumbbell", START + DAY, 18)
    assert "in a row" not in COMPOSER.week_so_far(first_week, START + DAY)  # no run yet
    third = history.finished("dumbbell", START + (2 * 7 + 4) * DAY, 18)
    assert "in a row" not in COMPOSER.week_so_far(third, START + (2 * 7 + 4) * DAY)  # not news


def test_28_workouts_in_a_week_are_28_in_every_answer_that_counts_them() -> None:
    history = History()
    for n in range(28):  # four a day for a week, twice the workouts kept one by one
        history = history.finished("dumbbell", START + n * 6 * 3600, 18)
    now = START + 27 * 6 * 3600
    week = spoken(COMPOSER.week_answer(history, now).ssml())
    assert "You've done 28 workouts in the last seven days" in week
    assert COMPOSER.week_so_far(history, now).startswith("That's 28 workouts in the last seven")
    assert "Your streak is one week" in spoken(COMPOSER.streak_answer(history, now).ssml())
    total = spoken(COMPOSER.total_answer(history).ssml())
    assert "In all, you've finished 28 workouts with me." in total


def test_a_history_answer_at_the_cool_down_offer_asks_the_offer_again() -> None:
    speech = COMPOSER.total_answer(History())
    reply = checked(COMPOSER.answer_then_ask(speech, "cool_down"))
    assert reply.pending == "cool_down" and last_sentence(reply.speech).endswith("yes or no.")
