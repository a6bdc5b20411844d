"""How long the coach talks, turn by turn, at Alexa's pace (skill.speech.timing's model).

Plays each workout start to finish on a simulated device against the app in process (with its
led warm-up, and the cool-down it offers at the end) and measures the turns a runner sits
through most: the launch (new and returning runner), starting a workout (everything said
before the warm-up or the first set begins), the first introduction of each exercise, and each
later set. It also finds every response that leaves the microphone open without ending in a
question or a prompt of what to say (Amazon's certification test 4.1).

Paced time is not talk, and is found by the response's structure, not its wording:
- a rest: from the end of its announcement ("Rest 30 seconds.") to the end of its beep;
- a set led step by step (the letters of the Y-T-W-L raise, "switch hands" halfway): after
  the last beep of the response (or from its start when it has none), from its first break to
  its last break. The words before (the set's announcement) and after (what to say when done)
  are talk; the calls between the breaks lead the set at its tempo, and are pacing;
- a warm-up part: everything from the response's first break on, when it is paced before the
  first set begins ("starting a workout" counts the words before the first break).

    .venv/bin/python -m harness.turn_lengths     # the table docs/turn-lengths.md shows

tests/skill/test_turn_lengths.py holds the aims and keeps docs/turn-lengths.md's table current.
"""

from __future__ import annotations

import re
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from harness.device import Device, FlaskTransport, Turn
from harness.session_render import rest_announcement
from harness.ssml_reader import Clip, Segment, Silence, Text, read_ssml
from skill.app import create_app
from skill.content.loader import default_library
from skill.speech.sounds import REST_OVER
from skill.speech.timing import speech_seconds

WORKOUTS = ("bodyweight", "dumbbell")

# A prompt tells the runner what to say or asks something; a question ends in "?".
_PROMPT = re.compile(r"\b(say|tell me|ask me|just say)\b", re.IGNORECASE)
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")


@dataclass(frozen=True)
class Aim:
    kind: str
    seconds: float
    question: bool = False  # must also end in a question


AIMS = (
    Aim("launch, new runner", 20.0, question=True),
    Aim("launch, returning runner", 12.0, question=True),
    Aim("starting a workout, before the warm-up or first set", 30.0),
    Aim("introducing an exercise the first time", 30.0),
    Aim("a later set, besides the paced rest", 6.0),
)


@dataclass(frozen=True)
class Measured:
    kind: str
    workout: str
    seconds: float  # the longest of its kind in this workout
    where: str  # which turn that was (an exercise name, say)
    ends_in_question: bool


@dataclass(frozen=True)
class Unprompted:
    workout: str
    said: str
    last_sentence: str


def speech_seconds_besides_rest(ssml: str) -> float:
    """The response's length less the paced rest in it (announcement end to the beep's end)."""
    return _seconds_besides_rest(read_ssml(ssml))


def talk_seconds(ssml: str) -> float:
    """The response's length less its paced rest and the pacing of a set led step by step."""
    segments = read_ssml(ssml)
    return round(_seconds_besides_rest(segments) - _led_set_seconds(segments), 1)


def talk_before_pacing(ssml: str) -> float:
    """What is said before the response's first break: all of it when it has none."""
    segments = read_ssml(ssml)
    first = next((i for i, s in enumerate(segments) if isinstance(s, Silence)), len(segments))
    return round(sum(_seconds(segment) for segment in segments[:first]), 1)


def _after_last_beep(segments: list[Segment]) -> int:
    start = 0
    for index, segment in enumerate(segments):
        if isinstance(segment, Clip) and segment.src == REST_OVER.src:
            start = index + 1
    return start


def _led_set_seconds(segments: list[Segment]) -> float:
    """After the last beep: from the first break to the last one (a set led step by step)."""
    start = _after_last_beep(segments)
    breaks = [i for i in range(start, len(segments)) if isinstance(segments[i], Silence)]
    if not breaks:
        return 0.0
    return sum(_seconds(segment) for segment in segments[breaks[0] : breaks[-1] + 1])


def _seconds_besides_rest(segments: list[Segment]) -> float:
    times = [_seconds(segment) for segment in segments]
    total = sum(times)
    announcement = rest_announcement()
    clock = 0.0
    rest_from: float | None = None
    for segment, seconds in zip(segments, times, strict=True):
        clock += seconds
        if isinstance(segment, Text) and announcement.search(segment.text):
            rest_from = clock
        elif rest_from is not None and isinstance(segment, Clip) and segment.src == REST_OVER.src:
            total -= clock - rest_from
            rest_from = None
    return round(total, 1)


def _seconds(segment: Segment) -> float:
    if isinstance(segment, Text):
        return speech_seconds(segment.text) / segment.rate
    return segment.seconds


def last_sentence(text: str) -> str:
    sentences = [s for s in _SENTENCE_END.split(text.strip()) if s]
    return sentences[-1] if sentences else ""


def ends_with_prompt(text: str) -> bool:
    """The last sentence asks something or says what to say."""
    final = last_sentence(text)
    return final.endswith("?") or bool(_PROMPT.search(final))


@contextmanager
def _device(folder: Path, user_id: str) -> Iterator[Device]:
    config = {"COACH_VERIFY_REQUESTS": "0", "COACH_DB_PATH": str(folder / "coach.sqlite3")}
    yield Device(FlaskTransport(create_app(config)), user_id=user_id)


def measure_workout(workout_id: str, folder: Path) -> tuple[list[Measured], list[Unprompted]]:
    """Every measured kind for one workout, and the open-microphone turns without a prompt."""
    plan = default_library().get(workout_id)
    assert plan is not None, workout_id
    names = [exercise.name for exercise in plan.exercises]
    turns: list[tuple[str, str, Turn]] = []  # (kind, where, turn)
    history: list[Turn] = []
    sets = sum(exercise.sets for exercise in plan.exercises)
    warm_up_parts = len(plan.warm_up)
    with _device(folder, f"lengths.{workout_id}") as device:
        turns.append(("launch, new runner", "", device.say("open upper body coach")))
        start = device.say(f"start the {workout_id} workout")
        turns.append(("starting a workout, before the warm-up or first set", "", start))
        turn = start
        for _ in range(warm_up_parts - 1):  # the rest of the warm-up, one part a turn
            turn = device.say("next")
        introduced = 0
        if names[0] in turn.speech_text:  # the first exercise came with the warm-up's end
            turns.append(("introducing an exercise the first time", names[0], turn))
            introduced = 1
        for _ in range(sets - 1):  # every set but the last ends in the next one's announcement
            turn = device.say("next set")
            if introduced < len(names) and names[introduced] in turn.speech_text:
                turns.append(("introducing an exercise the first time", names[introduced], turn))
                introduced += 1
            else:
                turns.append(("a later set, besides the paced rest", "", turn))
        turn = device.say("next set")  # the last set: the summary
        if turn.session_open:  # the cool-down offered at the end: taken, part by part
            turn = device.say("yes")
            for _ in range(len(plan.cool_down) - 1):
                if turn.session_open:
                    turn = device.say("next")
        history += device.history
    with _device(folder, f"lengths.{workout_id}.returning") as device:
        device.say("open upper body coach")
        device.say(f"start the {workout_id} workout")
        device.say("next set")
        device.mic_timeout()  # the runner walked off mid-workout; later they come back
        turns.append(("launch, returning runner", "", device.say("open upper body coach")))
        history += device.history
    unprompted = [
        Unprompted(workout_id, turn.said or "", last_sentence(turn.speech_text))
        for turn in history
        if turn.session_open and turn.speech_text and not ends_with_prompt(turn.speech_text)
    ]
    measured: dict[str, Measured] = {}
    for kind, where, turn in turns:
        if kind == "introducing an exercise the first time":
            seconds = _intro_seconds(turn, where)
        elif kind == "starting a workout, before the warm-up or first set":
            seconds = talk_before_pacing(turn.speech_ssml)
        elif kind == "a later set, besides the paced rest":
            seconds = talk_seconds(turn.speech_ssml)
        else:
            seconds = speech_seconds_besides_rest(turn.speech_ssml)
        question = last_sentence(turn.speech_text).endswith("?")
        best = measured.get(kind)
        if best is None or seconds > best.seconds:
            measured[kind] = Measured(kind, workout_id, seconds, where, question)
    return [measured[aim.kind] for aim in AIMS if aim.kind in measured], unprompted


def _intro_seconds(turn: Turn, name: str) -> float:
    """From the sentence naming the exercise, after any paced rest or warm-up, to the end of the
    turn: its introduction and the first set's announcement, less the set's own pacing when
    the coach leads it step by step."""
    segments = read_ssml(turn.speech_ssml)
    start = _after_last_beep(segments)
    breaks = [i for i in range(start, len(segments)) if isinstance(segments[i], Silence)]
    if breaks:  # the words between the set's first and last break lead the set: pacing
        segments = segments[: breaks[0]] + segments[breaks[-1] + 1 :]
    text = " ".join(seg.text for seg in segments[start:] if isinstance(seg, Text))
    named = text.find(name)
    if named > 0:
        sentence_start = max(text.rfind(". ", 0, named), text.rfind("? ", 0, named))
        text = text[sentence_start + 2 :] if sentence_start >= 0 else text
    return round(speech_seconds(text), 1)


def measure_all() -> tuple[list[Measured], list[Unprompted]]:
    rows: list[Measured] = []
    unprompted: list[Unprompted] = []
    with tempfile.TemporaryDirectory() as tmp:
        for workout_id in WORKOUTS:
            folder = Path(tmp) / workout_id
            folder.mkdir()
            found, missing = measure_workout(workout_id, folder)
            rows += found
            unprompted += missing
    return rows, unprompted


def table(rows: list[Measured], unprompted: list[Unprompted]) -> str:
    """The table in docs/turn-lengths.md: one line per kind, both workouts, the aim, met or not."""
    lines = [
        "| turn | bodyweight | dumbbell | aim |",
        "| --- | --- | --- | --- |",
    ]
    for aim in AIMS:
        cells = []
        met = True
        for workout_id in WORKOUTS:
            row = next((r for r in rows if r.kind == aim.kind and r.workout == workout_id), None)
            if row is None:
                cells.append("-")
                continue
            ok = row.seconds <= aim.seconds and (row.ends_in_question or not aim.question)
            met = met and ok
            where = f" ({row.where})" if row.where else ""
            question = ""
            if aim.question:
                question = ", a question" if row.ends_in_question else ", no question"
            cells.append(f"{row.seconds:.1f} s{where}{question}")
        wanted = f"at most {aim.seconds:.0f} s" + (", ending in a question" if aim.question else "")
        lines.append(
            f"| {aim.kind} | {cells[0]} | {cells[1]} | {wanted}: {'met' if met else 'missed'} |"
        )
    counts = [sum(1 for u in unprompted if u.workout == w) for w in WORKOUTS]
    lines.append(
        f"| open-microphone responses without a question or prompt | {counts[0]} | {counts[1]} |"
        f" none: {'met' if not any(counts) else 'missed'} |"
    )
    return "\n".join(lines)


def main() -> int:
    rows, unprompted = measure_all()
    print(table(rows, unprompted))
    return 0


if __name__ == "__main__":
    sys.exit(main())
