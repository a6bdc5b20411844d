"""Handlers for what Alexa's player sends in hands-free mode: its events, and the device's
buttons (PlaybackController). Replies carry player directives only, never speech (Alexa's rule);
PlaybackFinished and PlaybackStopped need none (SilentRequestHandler answers them).

A button moves the runner as the words would ("next" ends the set, "previous" goes back, "play"
resumes); "pause" stops the player and pauses the workout, keeping the exact place.
"""

from __future__ import annotations

import logging

from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_core.utils import is_request_type
from ask_sdk_model import Response

from skill.alexa.handlers import CoachHandler
from skill.alexa.player import current_token, following, play, stop, supports_player
from skill.alexa.turn import progress_of, respond
from skill.persistence import record_key_of

log = logging.getLogger(__name__)


class QueueNextHandler(CoachHandler):
    """Queue the next track of the coach's queue as soon as a track starts, and again when it
    nearly finishes (REPLACE_ENQUEUED: the same one track, however often): the sooner the
    device has it, the less a short lead-in risks ending before the rest is queued. A track
    that failed to play is skipped for the next one, so the runner is not left in silence."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return any(
            is_request_type(f"AudioPlayer.{event}")(handler_input)
            for event in ("PlaybackStarted", "PlaybackNearlyFinished", "PlaybackFailed")
        )

    def handle(self, handler_input: HandlerInput) -> Response:
        hands_free = self.service.hands_free
        token = current_token(handler_input)
        nothing = handler_input.response_builder.response
        error = getattr(handler_input.request_envelope.request, "error", None)
        if error is not None:
            log.error("a track failed to play: %s", getattr(error, "message", error))
        if hands_free is None or token is None:
            return nothing
        if not token.belongs_to(record_key_of(handler_input.request_envelope)):
            log.warning("a player token of another runner: %s", token.encode())
            return nothing
        if not token.leads_to(progress_of(handler_input)):
            return nothing  # stale: the runner moved on by voice since this queue began
        after = following(token, hands_free.catalog)
        if after is None:
            return nothing
        track, next_token = after
        failed = is_request_type("AudioPlayer.PlaybackFailed")(handler_input)
        directive = play(track, next_token, hands_free, queued=not failed)
        return respond(handler_input, None, directives=[directive])


class NextButtonHandler(CoachHandler):
    def can_handle(self, handler_input: HandlerInput) -> bool:
        return bool(is_request_type("PlaybackController.NextCommandIssued")(handler_input))

    def handle(self, handler_input: HandlerInput) -> Response:
        by_player = self.next_by_player(handler_input)
        if by_player is not None:
            return by_player
        return self.move(handler_input, lambda p: self.coach.finish_set(p, self.now()))


class PreviousButtonHandler(CoachHandler):
    def can_handle(self, handler_input: HandlerInput) -> bool:
        return bool(is_request_type("PlaybackController.PreviousCommandIssued")(handler_input))

    def handle(self, handler_input: HandlerInput) -> Response:
        return self.move(handler_input, lambda p: self.coach.back_one_set(p, self.now()))


class PlayButtonHandler(CoachHandler):
    def can_handle(self, handler_input: HandlerInput) -> bool:
        return bool(is_request_type("PlaybackController.PlayCommandIssued")(handler_input))

    def handle(self, handler_input: HandlerInput) -> Response:
        return self.resume(handler_input)


class PauseButtonHandler(CoachHandler):
    def can_handle(self, handler_input: HandlerInput) -> bool:
        return bool(is_request_type("PlaybackController.PauseCommandIssued")(handler_input))

    def handle(self, handler_input: HandlerInput) -> Response:
        return pause_playing(self, handler_input)


def pause_playing(handler: CoachHandler, handler_input: HandlerInput) -> Response:
    """Stop the player and pause the workout at the exact place, saying nothing."""
    paused = handler.coach.pause(progress_of(handler_input), handler.now())
    directives = [stop()] if supports_player(handler_input) else []
    return respond(handler_input, None, paused.progress, directives=directives)


PLAYER_HANDLERS: tuple[type[CoachHandler], ...] = (
    QueueNextHandler,
    NextButtonHandler,
    PreviousButtonHandler,
    PlayButtonHandler,
    PauseButtonHandler,
)
