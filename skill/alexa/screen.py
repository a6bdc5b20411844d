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
from skill.screen.datasources import screen_data
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
) -> RenderDocumentDirective:
    """The coach's screen for `progress` after a move with `events`, answered with `speech`:
    when a rest it paces begins and when each step it leads is called come from the speech's
    own record (skill.speech.ssml)."""
    from ask_sdk_model.interfaces.alexa.presentation.apl import RenderDocumentDirective

    composer = service.composer
    said = speech or Speech()
    here = service.coach.position(progress)
    steps = here.exercise.steps if here is not None else ()
    led = said.starts_ms([composer.step_call(step) for step in steps]) if steps else None
    data = screen_data(composer, progress, events, said.first_break_ms(), led)
    return RenderDocumentDirective(token=SCREEN_TOKEN, document=document(COACH), datasources=data)
