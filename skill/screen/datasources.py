"""What the coach's screen shows after a turn, as the `coach` datasource of documents/coach.json.

A pure function of the runner's place (Progress, and the warm-up or cool-down part under way),
the content and the move just made. The screen shows one view: the set, a warm-up or cool-down
part, the finished workout, or the choice of workouts. When one answer leads something first (a
rest, or the warm-up's last part) and then goes on to a set, that comes first as the `lead` view,
shown until the speech reaches the set (`lead.untilMs`; the document switches on the device), so
the screen never names a set the coach is not yet on. Every string is from the phrasebook's
`screen` section.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from skill.coaching import events as ev
from skill.coaching.progress import Progress
from skill.content.loader import default_figures, default_move_figures
from skill.content.models import Exercise, Figure, Move, Reps, WorkoutPlan
from skill.screen.figures import NO_FIGURE, Sweep, figure_data
from skill.screen.figures import moves as drawn
from skill.speech.phrasebook import with_capital
from skill.speech.places import place_labels
from skill.speech.replies import Composer
from skill.speech.set_pacing import work_seconds

BUTTONS = ("next_set", "pause", "resume", "repeat", "how_to")  # a set's controls, as touched
# "next" labels a warm-up or cool-down part's one control: it sends next_set, as "next" does.
LABELS = (*BUTTONS, "next")

View = dict[str, Any]


@dataclass(frozen=True)
class Timings:
    """When the answer the screen comes with says what the screen follows, in ms after the
    screen appears (skill.speech.ssml's record): where the rest's silence begins, and when each
    step of a led set and each move of a warm-up or cool-down part is called (None: not said)."""

    rest_starts_ms: int = 0
    step_starts_ms: Sequence[int] | None = None
    move_starts_ms: Sequence[int] | None = None


def screen_data(
    composer: Composer,
    progress: Progress,
    events: Sequence[ev.Event] = (),
    timings: Timings = Timings(),
    routine: tuple[str, int] | None = None,
    rest_left: float | None = None,
) -> dict[str, Any]:
    """The datasources of the coach's screen for `progress` after a move with `events` (none for
    a turn that only answered), with `routine` the warm-up or cool-down part "next" leads now,
    and `rest_left` the seconds of a rest an answer was given over, which it leaves running."""
    say = composer.phrases.say
    plan = composer.coach.library.get(progress.workout_id or "")
    view, lead = _views(composer, progress, plan, events, timings, routine, rest_left)
    return {
        "coach": {
            "workout": with_capital(plan.name) if plan is not None else "",
            "paused": progress.paused,
            "labels": {name: say(f"screen.buttons.{name}") for name in LABELS},
            **view,
            "progress": workout_progress(composer, progress, plan),
            "lead": lead if lead is not None else {**_view(), "untilMs": 0},  # never shown
        }
    }


def workout_progress(
    composer: Composer, progress: Progress, plan: WorkoutPlan | None
) -> dict[str, Any]:
    """The workout's progress bar: the planned sets counted done (only ever sets the coach has
    counted: a set under way is not done) of all the plan's sets; an extra set is beyond the
    plan and changes neither. A total of 0 (no workout) shows no bar."""
    if plan is None:
        return {"done": 0, "total": 0, "label": ""}
    total = sum(exercise.sets for exercise in plan.exercises)
    done = min(progress.sets_done, total)
    label = composer.phrases.say("screen.progress", done=done, total=total)
    return {"done": done, "total": total, "label": label}


def part_led(events: Sequence[ev.Event]) -> tuple[str, int, int] | None:
    """("warm_up" or "cool_down", part, parts) when the move led one."""
    for event in events:
        if isinstance(event, ev.WarmUpPart):
            return "warm_up", event.part, event.parts
        if isinstance(event, ev.CoolDownPart):
            return "cool_down", event.part, event.parts
    return None


def part_moves(plan: WorkoutPlan, kind: str, part: int) -> tuple[Move, ...]:
    """The moves of part `part` of the plan's warm-up or cool-down; none for no such part."""
    parts = plan.warm_up if kind == "warm_up" else plan.cool_down
    return parts[part] if 0 <= part < len(parts) else ()


def _views(
    composer: Composer,
    progress: Progress,
    plan: WorkoutPlan | None,
    events: Sequence[ev.Event],
    timings: Timings,
    routine: tuple[str, int] | None,
    rest_left: float | None,
) -> tuple[View, View | None]:
    """The view the screen settles on, and the one it leads with (None: none)."""
    say = composer.phrases.say
    led = part_led(events)
    if plan is not None and led is not None:
        kind, part, parts = led
        shown = _part(composer, plan, kind, part, parts, timings.move_starts_ms)
        here = composer.coach.position(progress)
        if here is None or not any(isinstance(e, ev.SetAnnounced) for e in events):
            return {**shown, "next": part + 1 < parts}, None
        # The warm-up's last part, then the first set: the part while it is led, with Next,
        # which starts the set ("start_set": being ready, never a set counted, however late
        # the touch is judged to come).
        until = _part_ends_ms(part_moves(plan, kind, part), timings.move_starts_ms)
        up_next = say("screen.up_next", name=here.exercise.name)
        lead = {**shown, "upNext": up_next, "untilMs": until, "next": True}
        lead["nextCommand"] = "start_set"
        return _set(composer, progress, timings), lead
    if plan is not None and routine is not None and part_moves(plan, *routine):
        kind, part = routine
        parts = len(plan.warm_up if kind == "warm_up" else plan.cool_down)
        return {**_part(composer, plan, kind, part, parts, None), "next": True}, None
    if plan is not None and progress.finished:
        done = progress.sets_done
        message = say("screen.finished_sets", count=done, set_word=composer.unit("sets", done))
        return _view(title=say("screen.finished"), message=message), None
    if composer.coach.position(progress) is None:
        return _view(message=say("screen.idle", options=composer.workout_names())), None
    rest = next((e for e in events if isinstance(e, ev.RestStarted)), None)
    shown = _set(composer, progress, timings)
    if progress.paused:
        return shown, None
    if rest is not None:
        return shown, _rest(composer, progress, events, rest.seconds, timings.rest_starts_ms)
    if rest_left is not None:  # an answer over a rest that runs on, from now
        return shown, _rest(composer, progress, events, math.ceil(rest_left), 0)
    return shown, None


def _view(**fields: Any) -> View:
    """A view with nothing shown but `fields`."""
    blank: View = {
        "title": "",
        "setLabel": "",
        "upNext": "",
        "reps": "",
        "load": "",
        "message": "",
        "cues": [],
        "steps": [],
        "rest": {"seconds": 0, "startMs": 0},
        "controls": False,  # the set's controls
        "next": False,  # a warm-up or cool-down part's Next
        "nextCommand": "next_set",  # what that Next sends
        "figure": NO_FIGURE,  # the exercise or move drawn, moving (skill.screen.figures)
    }
    return {**blank, **fields}


def _set(composer: Composer, progress: Progress, timings: Timings) -> View:
    """The set the runner is on: its reps, load, cues, and its steps highlighted as called."""
    say = composer.phrases.say
    here = composer.coach.position(progress)
    assert here is not None  # only asked for a place in a workout
    exercise = here.exercise
    labels = place_labels(
        composer.phrases,
        composer.coach.library,
        here.workout.id,
        here.exercise_index,
        here.set_number,
    )
    assert labels is not None  # a position is a real place
    _, title, set_label = labels
    if progress.extra_of is not None:  # one more set than planned, of an exercise done
        exercise = composer.coach.tuned(progress, here.workout.exercises[progress.extra_of])
        title, set_label = exercise.name, say("screen.extra_set")
    load = progress.load_of(exercise.id)
    option = composer.way_words(progress, exercise, load) if load is not None else None
    load_label = say(f"screen.{load}", option=option) if load is not None and option else ""
    cues = list(exercise.first_cues)
    stand_in = composer.coach.stand_in(progress, exercise)
    if stand_in is not None:  # done another way for missing kit: its way, not the plan's cues
        load_label, cues = say("screen.stand_in", way=stand_in.name), [stand_in.instead]
    starts = list(timings.step_starts_ms or [])
    if len(starts) != len(exercise.steps):
        starts = [-1] * len(exercise.steps)  # not led in this answer: nothing highlighted
    # Each step is current until the next is called; the last stays current.
    ends = [*starts[1:], -1][: len(starts)]
    steps = [
        {"name": s.name, "cue": s.cue, "reps": composer.reps(s.reps), "startMs": a, "endMs": b}
        for s, a, b in zip(exercise.steps, starts, ends, strict=True)
    ]
    moving = None if progress.paused else starts
    figure = NO_FIGURE if stand_in is not None else _figure(exercise, progress.pace, moving)
    return _view(
        title=title,
        setLabel=set_label,
        figure=figure,
        reps=composer.reps(exercise.reps),
        load=load_label,
        message=say("screen.paused") if progress.paused else "",
        cues=cues,
        steps=steps,
        controls=True,
    )


def _rest(
    composer: Composer,
    progress: Progress,
    events: Sequence[ev.Event],
    seconds: int,
    starts_ms: int,
) -> View:
    """A rest counting down on the device from `starts_ms`, and what comes after it: the next set
    of the same exercise, or the next exercise by name."""
    say = composer.phrases.say
    here = composer.coach.position(progress)
    assert here is not None  # a rest leads to a set
    if any(isinstance(e, ev.ExerciseIntroduced) for e in events):
        up_next = say("screen.up_next", name=here.exercise.name)
    else:
        up_next = say("screen.up_next_set", set=here.set_number, sets=here.exercise.sets)
    start = max(0, starts_ms)
    coming = here.exercise
    stand_in = composer.coach.stand_in(progress, coming)
    return _view(
        title=say("screen.rest"),
        figure=NO_FIGURE if stand_in is not None else _figure(coming, progress.pace, None),
        upNext=up_next,
        rest={"seconds": seconds, "startMs": start},
        controls=True,
        untilMs=start + seconds * 1000,
    )


def _figure(exercise: Exercise, pace: int, starts: Sequence[int] | None) -> dict[str, Any]:
    """The exercise's figure moving at the coach's tempo at `pace`: led step by step when
    `starts` says when each step is called (each step's position while it is called, from the
    call for as long as its reps take); start and end otherwise, for as long as it is shown.
    Still in its start position when `starts` is None (a rest: the set to come; a pause), and
    for a move led step by step that this answer does not lead: which step the runner is on
    is not known, and a step drawn would be a guess."""
    figure = default_figures().get(exercise.id)
    if figure is None:
        return NO_FIGURE
    steps = exercise.steps
    if starts is None or (steps and (not starts or min(starts) < 0)):  # or not led now
        return _still(figure)
    if not steps:
        period = round(work_seconds(Reps(1, exercise.reps.unit), pace) * 1000)
        return figure_data(drawn(figure, [Sweep("start", "end", period_ms=period)]))
    ends = [*starts[1:], -1]
    sweeps = [
        Sweep(
            "start",
            step.name,
            shown_ms=0 if index == 0 else start,  # the start position until the first call
            until_ms=end,
            from_ms=start,
            stop_ms=start + round(work_seconds(step.reps, pace) * 1000),
            period_ms=round(work_seconds(Reps(1, step.reps.unit), pace) * 1000),
        )
        for index, (step, start, end) in enumerate(zip(steps, starts, ends, strict=True))
    ]
    return figure_data(drawn(figure, sweeps))


def _part(
    composer: Composer,
    plan: WorkoutPlan,
    kind: str,
    part: int,
    parts: int,
    starts_ms: Sequence[int] | None,
) -> View:
    """Part `part` of the warm-up or cool-down with its moves, each highlighted and drawn while
    it is held when `starts_ms` says when each is called."""
    say = composer.phrases.say
    moves = part_moves(plan, kind, part)
    starts = list(starts_ms or [])
    if len(starts) != len(moves) or not moves:
        starts = [-1] * len(moves)  # not led in this answer: nothing highlighted
        ends = starts
    else:
        ends = [*starts[1:], _part_ends_ms(moves, starts)]
    steps = [
        {
            "name": move.name,
            "cue": "",
            "reps": say("screen.move", seconds=move.seconds),
            "startMs": start,
            "endMs": end,
        }
        for move, start, end in zip(moves, starts, ends, strict=True)
    ]
    return _view(
        title=say(f"screen.{kind}"),
        setLabel=say("screen.part", part=part + 1, parts=parts),
        steps=steps,
        figure=_moves_figure(moves, starts, ends),
    )


def _moves_figure(
    moves: Sequence[Move], starts: Sequence[int], ends: Sequence[int]
) -> dict[str, Any]:
    """The figure of each move of a part that has one (figures.yaml's `moves`), shown from its
    call until the next move's, going from start to end and back at the move's own easy tempo
    while it is held, then holding its start. The first is shown from the beginning, still
    until it is called. Not led in this answer (no call times): the first move drawn, still."""
    shown = default_move_figures()
    if not moves or min(starts) < 0:  # nothing called: the part waits for "next"
        first = next((shown[m.figure] for m in moves if m.figure in shown), None)
        return NO_FIGURE if first is None else _still(first)
    found = []
    for index, (move, start, end) in enumerate(zip(moves, starts, ends, strict=True)):
        figure = shown.get(move.figure or "")
        if figure is None:  # a move drawn by nothing: no figure while it is held
            continue
        sweep = Sweep(
            "start",
            "end",
            shown_ms=0 if index == 0 else start,
            until_ms=end if index + 1 < len(moves) else -1,  # until the next move's call
            from_ms=start,
            stop_ms=end,
            period_ms=figure.seconds * 1000,
        )
        found.extend(drawn(figure, [sweep]))
    return figure_data(found)


def _still(figure: Figure) -> dict[str, Any]:
    """`figure` in its start position, not moving."""
    return figure_data(drawn(figure, [Sweep("start", "start")]))


def _part_ends_ms(moves: Sequence[Move], starts_ms: Sequence[int] | None) -> int:
    """When a part is over: its last move held for its seconds, its call included
    (skill.speech.wording.lead_moves); from the start when the speech did not say when."""
    if moves and starts_ms is not None and len(starts_ms) == len(moves):
        return starts_ms[-1] + moves[-1].seconds * 1000
    return sum(move.seconds for move in moves) * 1000
