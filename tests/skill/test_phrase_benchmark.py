"""The phrase benchmark: hundreds of things runners say, each in the place of the workout where
they say it, played on a simulated device against the real app.

A phrase is understood when the intent and slots the device resolved mean the outcome the runner
expects (read through OUTCOMES, the one table from intent to outcome) and the coach answered it
without an error and without falling back to "I didn't catch that". It is destructive-unasked
when it resolved to a destructive outcome (ending, skipping, starting over, switching, going
back) that the runner did not ask for, while a workout was under way.
`python -m tests.skill.test_phrase_benchmark` prints the share and every miss.
"""

from __future__ import annotations

import itertools
import re
import sys
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, replace
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from harness.device import Device, FlaskTransport
from harness.interaction_model import InteractionModel, load_model
from harness.utterances import FALLBACK_INTENT, SlotMatch
from skill.app import create_app

PHRASES = Path(__file__).parent / "phrases" / "runner_phrases.yaml"
HELD_OUT = Path(__file__).parent / "phrases" / "held_out.yaml"
COMMITTED_SHARE = 0.95  # make test fails below this share of PHRASES understood
HELD_OUT_FLOOR = 0.18  # and below this share of HELD_OUT, phrases no sample was written for

# What each intent does for the runner. `{slot}` is the slot's resolved id; a filled slot that
# resolved to nothing makes the outcome "clarify" (the coach asks), an empty one drops the suffix.
OUTCOMES: Mapping[str, str] = {
    "StartWorkoutIntent": "choose_workout:{workout}",
    "SwitchWorkoutIntent": "switch_workout",
    "NextSetIntent": "next_set",
    "AMAZON.NextIntent": "next_set",
    "SkipExerciseIntent": "skip_exercise",
    "GoToExerciseIntent": "go_to:{exercise}",
    "AMAZON.PreviousIntent": "previous",
    "AMAZON.RepeatIntent": "say_again",
    "AMAZON.PauseIntent": "pause",
    "AMAZON.ResumeIntent": "resume",
    "AMAZON.StartOverIntent": "start_over",
    "AMAZON.HelpIntent": "help",
    "AMAZON.StopIntent": "end_workout",
    "AMAZON.CancelIntent": "end_workout",
    "AMAZON.NavigateHomeIntent": "end_workout",
    "HowToIntent": "how_to",
    "StatusIntent": "question:where",
    "WhatsNextIntent": "question:next",
    "SetsLeftIntent": "question:sets",
    "RepsIntent": "question:reps",
    "RemainingIntent": "question:remaining",
    "RestLengthIntent": "question:rest",
    "MusclesIntent": "question:muscles",
    "EquipmentIntent": "question:equipment",
    "SetRestIntent": "rest:{seconds}",
    "LongerRestIntent": "rest:longer",
    "ShorterRestIntent": "rest:shorter",
    "EasierIntent": "easier",
    "HarderIntent": "harder",
    "ReadyIntent": "ready",
    "AMAZON.YesIntent": "yes",
    "AMAZON.NoIntent": "no",
    FALLBACK_INTENT: "none",
}
HARMLESS = {"none", "clarify"}  # the coach asks rather than acts
ERROR_SPEECH = "something went wrong"  # the coach failed the turn
FALLBACK_SPEECH = "didn't catch that"  # the coach did not act on it


def rest_seconds(slots: Mapping[str, SlotMatch]) -> str | None:
    """SetRestIntent's slots as seconds: {seconds}, {minutes} or a spoken {length}."""
    for name, scale in (("seconds", 1), ("minutes", 60)):
        if name in slots and slots[name].value.isdigit():
            return str(int(slots[name].value) * scale)
    if "length" in slots:
        return slots["length"].id or "?"
    return None


def outcome(intent: str | None, slots: Mapping[str, SlotMatch], context: Context) -> str:
    if intent is None:
        return "none"
    template = OUTCOMES.get(intent, "none")
    if template == "yes":
        return context.yes
    if template == "no":
        return context.no
    if template == "ready":
        return context.ready
    if "{seconds}" in template:
        seconds = rest_seconds(slots)
        if seconds is None:
            return "rest:ask"
        return "clarify" if seconds == "?" else f"rest:{seconds}"
    head, _, slot = template.partition(":{")
    if not slot:
        return template
    filled = slots.get(slot.rstrip("}"))
    if filled is None:
        return head
    return f"{head}:{filled.id}" if filled.id is not None else "clarify"


@dataclass(frozen=True)
class Context:
    name: str
    setup: tuple[str, ...]
    workout_active: bool
    yes: str
    no: str
    ready: str
    phrases: Mapping[str, str]


@dataclass(frozen=True)
class Result:
    context: str
    phrase: str
    expected: str
    got: str
    intent: str | None
    understood: bool
    destructive_unasked: bool


class _Loader(yaml.SafeLoader):
    """YAML 1.2 booleans, so a phrase such as `yes` or `no` stays a word."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, regex) for tag, regex in resolvers if tag != "tag:yaml.org,2002:bool"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_Loader.add_implicit_resolver("tag:yaml.org,2002:bool", re.compile(r"^(?:true|false)$"), list("tf"))


def _load(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = yaml.load(path.read_text(encoding="utf-8"), Loader=_Loader)
    return data


@cache
def load_held_out() -> tuple[Context, ...]:
    """The held-out phrases, each in the main file's context of the same name."""
    phrases = _load(HELD_OUT)
    _, contexts = load_benchmark()
    return tuple(
        replace(c, phrases={str(p): str(o) for p, o in phrases[c.name].items()})
        for c in contexts
        if c.name in phrases
    )


@cache
def load_benchmark() -> tuple[frozenset[str], tuple[Context, ...]]:
    data = _load(PHRASES)
    contexts = tuple(
        Context(
            name,
            tuple(spec["setup"]),
            bool(spec["workout_active"]),
            str(spec["yes"]),
            str(spec["no"]),
            str(spec["ready"]),
            {str(phrase): str(expected) for phrase, expected in spec["phrases"].items()},
        )
        for name, spec in data["contexts"].items()
    )
    return frozenset(data["destructive"]), contexts


def is_destructive(result_outcome: str, destructive: frozenset[str]) -> bool:
    return result_outcome.partition(":")[0] in destructive


def judge(
    context: Context, phrase: str, expected: str, intent: str | None, got: str, speech: str
) -> Result:
    destructive, _ = load_benchmark()
    matches = got == expected or (expected == "none" and got in HARMLESS)
    spoken = speech.lower()
    acted = expected in HARMLESS or FALLBACK_SPEECH not in spoken
    understood = matches and acted and ERROR_SPEECH not in spoken
    unasked = (
        context.workout_active
        and got != expected
        and is_destructive(got, destructive)
        and not (is_destructive(expected, destructive) and expected.startswith(got))
    )
    return Result(context.name, phrase, expected, got, intent, understood, unasked)


def run_benchmark(database: Path, contexts: tuple[Context, ...] | None = None) -> list[Result]:
    """Every phrase, each on a fresh runner put in its context first."""
    app = create_app({"COACH_VERIFY_REQUESTS": "0", "COACH_DB_PATH": str(database)})
    model: InteractionModel = load_model()
    results: list[Result] = []
    runners = itertools.count()
    if contexts is None:
        _, contexts = load_benchmark()
    for context in contexts:
        for phrase, expected in context.phrases.items():
            device = Device(FlaskTransport(app), model, user_id=f"runner-{next(runners)}")
            for line in context.setup:
                device.say(line)
            assert device.session_open, f"{context.name}: the set-up closed the session"
            turn = device.say(phrase)
            got = outcome(turn.intent, turn.slots, context)
            results.append(judge(context, phrase, expected, turn.intent, got, turn.speech_text))
    return results


def share(results: list[Result]) -> float:
    return sum(r.understood for r in results) / len(results)


def report(results: list[Result]) -> str:
    lines = [f"understood: {share(results):.1%} of {len(results)} phrases"]
    for name in dict.fromkeys(r.context for r in results):
        mine = [r for r in results if r.context == name]
        lines.append(f"  {name}: {share(mine):.1%} of {len(mine)}")
    unasked = [r for r in results if r.destructive_unasked]
    lines.append(f"destructive and unasked: {len(unasked)}")
    for r in results:
        if not r.understood or r.destructive_unasked:
            flag = "DESTRUCTIVE " if r.destructive_unasked else ""
            lines.append(
                f"  {flag}[{r.context}] {r.phrase!r}: expected {r.expected}, got {r.got}"
                f" ({r.intent})"
            )
    return "\n".join(lines)


def test_the_benchmark_has_enough_phrases_with_known_outcomes() -> None:
    destructive, contexts = load_benchmark()
    phrases = [p for c in contexts for p in c.phrases]
    assert len(phrases) >= 300
    known = {o.partition(":")[0] for o in OUTCOMES.values()} | {"question", "rest", "none"}
    known |= {"resume", "choose_workout"}
    for context in contexts:
        for phrase, expected in context.phrases.items():
            assert expected.partition(":")[0] in known, (context.name, phrase, expected)
    assert destructive <= known
    assert all(c.workout_active is (c.name != "choose" and c.name != "resume") for c in contexts)


def test_runners_are_understood_and_nothing_destructive_happens_unasked(tmp_path: Path) -> None:
    results = run_benchmark(tmp_path / "coach.sqlite3")
    summary = report(results)
    assert not any(r.destructive_unasked for r in results), summary
    assert share(results) >= COMMITTED_SHARE, summary


def test_held_out_phrases_do_nothing_destructive_and_do_not_lose_ground(tmp_path: Path) -> None:
    results = run_benchmark(tmp_path / "coach.sqlite3", load_held_out())
    summary = report(results)
    assert len(results) >= 80
    assert not any(r.destructive_unasked for r in results), summary
    assert share(results) >= HELD_OUT_FLOOR, summary


def test_the_outcome_table_reads_slots_as_the_runner_meant_them() -> None:
    context = Context("c", (), True, "resume", "choose_workout", "next_set", {})
    dumbbell = {"workout": SlotMatch("weights", "dumbbell", "dumbbell")}
    assert outcome("StartWorkoutIntent", dumbbell, context) == "choose_workout:dumbbell"
    assert outcome("StartWorkoutIntent", {"workout": SlotMatch("blue")}, context) == "clarify"
    assert outcome("StartWorkoutIntent", {}, context) == "choose_workout"
    assert outcome("SetRestIntent", {"minutes": SlotMatch("2")}, context) == "rest:120"
    assert outcome("SetRestIntent", {}, context) == "rest:ask"
    assert outcome("AMAZON.YesIntent", {}, context) == "resume"
    result = judge(context, "ouch", "none", "AMAZON.StopIntent", "end_workout", "")
    assert result.destructive_unasked and not result.understood


if __name__ == "__main__":
    with tempfile.TemporaryDirectory() as scratch:
        main = report(run_benchmark(Path(scratch) / "main.sqlite3"))
        held_out = report(run_benchmark(Path(scratch) / "held_out.sqlite3", load_held_out()))
    sys.stdout.write(f"{PHRASES.name}\n{main}\n\n{HELD_OUT.name}\n{held_out}\n")
