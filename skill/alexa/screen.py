"""The coach's screen on devices with one (supportedInterfaces `Alexa.Presentation.APL`).

Every launch, intent or touch the coach answers carries `Alexa.Presentation.APL.RenderDocument`
with the screen for the runner's place after the turn (skill.screen); devices without a screen
get none, and neither do player events or buttons (Alexa allows them player directives only).
A touch on one of the screen's controls arrives as `Alexa.Presentation.APL.UserEvent` and is the
spoken command's (skill.alexa.commands).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from skill.alexa.service import CoachService
from skill.alexa.turn import SCREEN_TOKEN, Asked
from skill.coaching.events import Event
from skill.coaching.progress import Progress
from skill.screen.datasources import Timings, part_led, part_moves, screen_data
from skill.screen.documents import COACH, document
from skill.speech.ssml import Speech

if TYPE_CHECKING:  # imported with the first screen: a skill for speakers never needs it
    from ask_sdk_model.interfaces.alexa.presentation.apl import RenderDocumentDirective


def shows_screen(asked: Asked) -> bool:
    """The answer to `asked` carries the screen: a device with one, and an answer that may."""
    return asked.may_speak and asked.has_screen


def render(
    service: CoachService,
    progress: Progress,
    events: Sequence[Event] = (),
    speech: Speech | None = None,
    routine: tuple[str, int] | None = None,
    rest_left: float | None = None,
) -> RenderDocumentDirective:
    """The coach's screen for `progress` (and `routine`, the warm-up or cool-down part "next"
    leads) after a move with `events`, answered with `speech`: when a rest it paces begins and
    when each step or move it leads is called come from the speech's own record
    (skill.speech.ssml). `rest_left`: seconds of a rest the answer was given over."""
    from ask_sdk_model.interfaces.alexa.presentation.apl import RenderDocumentDirective

    said = speech or Speech()
    data = screen_data(
        service.composer,
        progress,
        events,
        timings(service, progress, events, said),
        routine,
        rest_left,
    )
    return RenderDocumentDirective(token=SCREEN_TOKEN, document=document(COACH), datasources=data)


def timings(
    service: CoachService, progress: Progress, events: Sequence[Event], said: Speech
) -> Timings:
    """When `said` begins the rest, calls each step of the set at `progress`, and calls each move
    of the warm-up or cool-down part the move led."""
    composer = service.composer
    here = service.coach.position(progress)
    steps = here.exercise.steps if here is not None else ()
    plan = service.coach.library.get(progress.workout_id or "")
    led = part_led(events)
    moves = part_moves(plan, *led[:2]) if plan is not None and led is not None else ()
    return Timings(
        rest_starts_ms=said.first_break_ms(),
        step_starts_ms=said.starts_ms([composer.step_call(s) for s in steps]) if steps else None,
        move_starts_ms=said.starts_ms([composer.move_call(m) for m in moves]) if moves else None,
    )
