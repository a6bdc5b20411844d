"""The coach's screen on devices with one (supportedInterfaces `Alexa.Presentation.APL`).

Every launch, intent or touch the coach answers carries `Alexa.Presentation.APL.RenderDocument`
with the screen for the runner's place after the turn (skill.screen); devices without a screen
get none, and neither do player events or buttons (Alexa allows them player directives only).
A touch on one of the screen's controls arrives as `Alexa.Presentation.APL.UserEvent` and is
answered by the handler of the spoken command, through the same coach move.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from ask_sdk_core.dispatch_components import AbstractResponseInterceptor
from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_core.utils import is_request_type
from ask_sdk_model import Response
from ask_sdk_model.interfaces.alexa.presentation.apl import RenderDocumentDirective

from skill.alexa import handlers
from skill.alexa.turn import (
    MOVE_EVENTS,
    PROGRESS,
    CoachService,
    may_speak,
    supported_interfaces,
)
from skill.coaching.events import Event
from skill.coaching.progress import Progress
from skill.screen.datasources import screen_data
from skill.screen.documents import COACH, document
from skill.speech.sounds import CLIPS_BY_SRC
from skill.speech.ssml import escape
from skill.speech.timing import speech_seconds

SCREEN_TOKEN = "ubc-screen"  # names the coach's screen in RenderDocument and its UserEvents
USER_EVENT = "Alexa.Presentation.APL.UserEvent"
_TAG = re.compile(r"<[^>]+>")
_PIECE = re.compile(
    r'<break time="(?:(?P<ms>\d+)ms|(?P<s>[\d.]+)s)"\s*/>'
    r'|<audio src="(?P<src>[^"]+)"\s*/>'
    r"|<[^>]+>"
    r"|(?P<text>[^<]+)"
)

# What each control sends (SendEvent's first argument) -> the handler of the spoken command.
TOUCH_COMMANDS: dict[str, type[handlers.CoachHandler]] = {
    "next_set": handlers.NextSetHandler,
    "pause": handlers.PauseHandler,
    "resume": handlers.ResumeHandler,
    "repeat": handlers.RepeatHandler,
    "how_to": handlers.HowToHandler,
}


def supports_screen(handler_input: HandlerInput) -> bool:
    interfaces = supported_interfaces(handler_input)
    return getattr(interfaces, "alexa_presentation_apl", None) is not None


def render(
    service: CoachService, progress: Progress, events: Sequence[Event] = (), speech: str = ""
) -> RenderDocumentDirective:
    """The coach's screen for `progress` after a move with `events`, answered with `speech`."""
    composer = service.composer
    here = service.coach.position(progress)
    steps = here.exercise.steps if here is not None else ()
    led = said_at_ms(speech, [composer.step_call(step) for step in steps]) if steps else None
    data = screen_data(composer, progress, events, rest_starts_ms(speech), led)
    return RenderDocumentDirective(token=SCREEN_TOKEN, document=document(COACH), datasources=data)


def rest_starts_ms(ssml: str) -> int:
    """When a rest paced in `ssml` begins, by the timing model: its first <break> follows the
    praise and "Rest N seconds." (0 when the speech paces no rest)."""
    lead, found, _ = ssml.partition("<break")
    if not found:
        return 0
    return round(speech_seconds(_TAG.sub(" ", lead)) * 1000)


def said_at_ms(ssml: str, texts: Sequence[str]) -> list[int] | None:
    """When each of `texts` begins in `ssml`, in order, by the timing model (words at its pace,
    breaks at their length, clips at theirs); None unless every one is said, in that order."""
    starts: list[int] = []
    seconds, at = 0.0, 0
    for text in texts:
        found = ssml.find(escape(text), at)
        if found < 0:
            return None
        seconds += _ssml_seconds(ssml[at:found])
        starts.append(round(seconds * 1000))
        at = found
    return starts


def _ssml_seconds(ssml: str) -> float:
    seconds = 0.0
    for piece in _PIECE.finditer(ssml):
        if piece["ms"] is not None:
            seconds += int(piece["ms"]) / 1000
        elif piece["s"] is not None:
            seconds += float(piece["s"])
        elif piece["src"] is not None:
            clip = CLIPS_BY_SRC.get(piece["src"])
            seconds += clip.seconds if clip is not None else 0.0
        elif piece["text"] is not None:
            seconds += speech_seconds(piece["text"])
    return seconds


class ShowScreen(AbstractResponseInterceptor):
    """Adds the screen to every answer that may carry it, on a device with one."""

    def __init__(self, service: CoachService) -> None:
        self.service = service

    def process(self, handler_input: HandlerInput, response: Response) -> None:
        if response is None or not may_speak(handler_input):
            return
        if not supports_screen(handler_input):
            return
        attributes = handler_input.attributes_manager.request_attributes
        progress = attributes.get(PROGRESS)
        if not isinstance(progress, Progress):
            return
        events = attributes.get(MOVE_EVENTS)
        moved: tuple[Event, ...] = events if isinstance(events, tuple) else ()
        speech = getattr(response.output_speech, "ssml", None) or ""
        directive = render(self.service, progress, moved, speech)
        response.directives = [*(response.directives or []), directive]


class TouchHandler(handlers.CoachHandler):
    """A touch on the coach's screen: the spoken command's own handler answers it."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return bool(is_request_type(USER_EVENT)(handler_input))

    def handle(self, handler_input: HandlerInput) -> Response:
        request = handler_input.request_envelope.request
        arguments = getattr(request, "arguments", None) or []
        command = arguments[0] if arguments else None
        ours = getattr(request, "token", None) == SCREEN_TOKEN
        handler = TOUCH_COMMANDS.get(command) if ours and isinstance(command, str) else None
        if handler is None:
            return handler_input.response_builder.response  # not one of our controls
        answer = handler(self.service).handle(handler_input)
        assert answer is not None  # every coach handler answers
        return answer
