"""What the coach's screen shows after a turn, as the `coach` datasource of documents/coach.json.

A pure function of the runner's place (Progress), the content and the move just made: the move
says whether a rest has begun (the document counts it down on the device) or which part of a
warm-up or cool-down is being led. Every string is from the phrasebook's `screen` section.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from skill.coaching import events as ev
from skill.coaching.progress import Progress
from skill.content.models import Move
from skill.speech.places import place_labels
from skill.speech.replies import Composer

BUTTONS = ("next_set", "pause", "resume", "repeat", "how_to")


def screen_data(
    composer: Composer,
    progress: Progress,
    events: Sequence[ev.Event] = (),
    rest_starts_ms: int = 0,
    step_starts_ms: Sequence[int] | None = None,
) -> dict[str, Any]:
    """The datasources of the coach's screen for `progress`, after a move with `events` (none
    for a turn that only answered). A rest begun by the move counts down on the device from
    `rest_starts_ms` after the screen appears (when the words leading into it are said). When
    the answer leads the set step by step, `step_starts_ms` says when each step is called: the
    document highlights the step being done."""
    say = composer.phrases.say
    coach = composer.coach
    data: dict[str, Any] = {
        "workout": "",
        "title": "",
        "setLabel": "",
        "reps": "",
        "load": "",
        "message": "",
        "cues": [],
        "steps": [],
        "rest": {
            "seconds": 0,
            "startMs": 0,
            "label": say("screen.rest"),
            "doneLabel": say("screen.rest_done"),
        },
        "paused": progress.paused,
        "controls": False,
        "labels": {name: say(f"screen.buttons.{name}") for name in BUTTONS},
    }
    plan = coach.library.get(progress.workout_id or "")
    routine = _routine(events)
    if plan is not None:
        data["workout"] = plan.name.capitalize()
    if plan is not None and routine is not None:
        kind, part, parts = routine
        moves = (plan.warm_up if kind == "warm_up" else plan.cool_down)[part]
        data["title"] = say(f"screen.{kind}")
        data["setLabel"] = say("screen.part", part=part + 1, parts=parts)
        data["steps"] = [_move(composer, move) for move in moves]
        return {"coach": data}
    if plan is not None and progress.finished:
        data["title"] = say("screen.finished")
        data["message"] = say("screen.finished_sets", count=progress.sets_done)
        return {"coach": data}
    here = coach.position(progress)
    if here is None:
        data["message"] = say("screen.idle", options=composer.workout_names())
        return {"coach": data}
    exercise = here.exercise
    labels = place_labels(
        composer.phrases, coach.library, here.workout.id, here.exercise_index, here.set_number
    )
    assert labels is not None  # a position is a real place
    _, data["title"], data["setLabel"] = labels
    data["reps"] = composer.reps(exercise.reps)
    load = progress.load_of(exercise.id)
    option = {"easier": exercise.easier, "harder": exercise.harder}.get(load or "")
    stand_in = coach.stand_in(progress, exercise)
    if stand_in is not None:  # done another way for missing kit: its way, not the plan's cues
        data["load"] = say("screen.stand_in", way=stand_in.name)
        data["cues"] = [stand_in.instead]
    else:
        if load is not None and option:
            data["load"] = say(f"screen.{load}", option=option)
        data["cues"] = list(exercise.first_cues)
    starts = list(step_starts_ms or [])
    if len(starts) != len(exercise.steps):
        starts = [-1] * len(exercise.steps)  # not led in this answer: nothing highlighted
    # Each step is current until the next is called; the last stays current.
    ends = [*starts[1:], -1][: len(starts)]
    data["steps"] = [
        {
            "name": step.name,
            "cue": step.cue,
            "reps": composer.reps(step.reps),
            "startMs": start,
            "endMs": end,
        }
        for step, start, end in zip(exercise.steps, starts, ends, strict=True)
    ]
    if progress.paused:
        data["message"] = say("screen.paused")
    rest = next((e for e in events if isinstance(e, ev.RestStarted)), None)
    if rest is not None and not progress.paused:
        data["rest"]["seconds"] = rest.seconds
        data["rest"]["startMs"] = max(0, rest_starts_ms)
    data["controls"] = True
    return {"coach": data}


def _routine(events: Sequence[ev.Event]) -> tuple[str, int, int] | None:
    """("warm_up" or "cool_down", part, parts) when the move led one; the exercise's first set
    after the warm-up's last part wins (the screen shows where the runner is going)."""
    if any(isinstance(e, ev.SetAnnounced) for e in events):
        return None
    for event in events:
        if isinstance(event, ev.WarmUpPart):
            return "warm_up", event.part, event.parts
        if isinstance(event, ev.CoolDownPart):
            return "cool_down", event.part, event.parts
    return None


def _move(composer: Composer, move: Move) -> dict[str, object]:
    seconds = composer.phrases.say("screen.move", seconds=move.seconds)
    return {"name": move.name, "cue": "", "reps": seconds, "startMs": -1, "endMs": -1}
