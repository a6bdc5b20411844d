"""One turn of the conversation: load the runner's progress and history before the handler,
save them after.

Handlers read and replace both in the request attributes; the response interceptor writes them
back only when one changed, so a refused or failed request stores nothing. A history this
version cannot read is kept as it was stored, never replaced by an empty one.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

from ask_sdk_core.dispatch_components import (
    AbstractRequestInterceptor,
    AbstractResponseInterceptor,
)
from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_model import Response

from skill.coaching.coach import Coach
from skill.coaching.history import History, HistoryError
from skill.coaching.progress import Progress, ProgressError
from skill.persistence.records import UnreadableRecordError
from skill.speech.replies import Composer, Reply

log = logging.getLogger(__name__)

PROGRESS = "progress"
LOADED = "progress_loaded"
HISTORY = "history"
HISTORY_LOADED = "history_loaded"
NOTICE = "notice"
PENDING = "pending"  # session attribute: the question the last response asked
# Session attribute: the warm-up or cool-down part that "next" leads ("warm_up:1"). Kept across
# questions and help; dropped by any move of the workout. A warm-up or cool-down lives in one
# session: the runner is listening throughout, and Progress (owned elsewhere) stays unchanged.
ROUTINE = "routine"


@dataclass(frozen=True)
class CoachService:
    """What every handler needs: the state machine, the wording and a clock."""

    coach: Coach
    composer: Composer
    clock: Callable[[], float]


def progress_of(handler_input: HandlerInput) -> Progress:
    progress = handler_input.attributes_manager.request_attributes[PROGRESS]
    assert isinstance(progress, Progress)
    return progress


def history_of(handler_input: HandlerInput) -> History:
    history = handler_input.attributes_manager.request_attributes[HISTORY]
    assert isinstance(history, History)
    return history


def session_attributes(handler_input: HandlerInput) -> dict[str, object] | None:
    """The session's attributes; None for a request outside a session (the SDK raises)."""
    if handler_input.request_envelope.session is None:
        return None
    attributes: dict[str, object] | None = handler_input.attributes_manager.session_attributes
    return attributes


def pending_question(handler_input: HandlerInput) -> str | None:
    value = (session_attributes(handler_input) or {}).get(PENDING)
    return value if isinstance(value, str) else None


def routine_part(handler_input: HandlerInput) -> tuple[str, int] | None:
    """("warm_up" or "cool_down", the part "next" leads), when one is under way."""
    value = (session_attributes(handler_input) or {}).get(ROUTINE)
    if not isinstance(value, str):
        return None
    kind, _, part = value.partition(":")
    if kind not in {"warm_up", "cool_down"} or not part.isdigit():
        return None
    return kind, int(part)


def respond(
    handler_input: HandlerInput,
    reply: Reply,
    progress: Progress | None = None,
    history: History | None = None,
) -> Response:
    """Build the response and note the new progress and history for the save interceptor."""
    attributes = handler_input.attributes_manager
    if progress is not None:
        attributes.request_attributes[PROGRESS] = progress
    if history is not None:
        attributes.request_attributes[HISTORY] = history
    speech = reply.speech
    notice = attributes.request_attributes.pop(NOTICE, None)
    if notice:
        speech = speech.replace("<speak>", f"<speak>{notice} ", 1)
    session = session_attributes(handler_input)
    if session is not None:
        session.pop(PENDING, None)
        if reply.pending and not reply.end_session:
            session[PENDING] = reply.pending
        if reply.routine and not reply.end_session:
            session[ROUTINE] = reply.routine
        elif progress is not None or reply.end_session:
            session.pop(ROUTINE, None)  # the workout moved on, or the session is over
    builder = handler_input.response_builder.speak(speech)
    if reply.reprompt is not None and not reply.end_session:
        builder.ask(reply.reprompt)
    builder.set_should_end_session(reply.end_session)
    return builder.response


class LoadProgress(AbstractRequestInterceptor):
    def __init__(self, service: CoachService) -> None:
        self.service = service

    def process(self, handler_input: HandlerInput) -> None:
        attributes = handler_input.attributes_manager
        history: History = History()
        history_loaded: History | None = None
        try:
            stored = attributes.persistent_attributes.get(PROGRESS)
            progress = Progress() if stored is None else Progress.from_dict(stored)
            if not self.service.coach.is_valid(progress):
                raise ProgressError("progress points at content that no longer exists")
            loaded: Progress | None = progress
            history, history_loaded = self._history(attributes.persistent_attributes)
        except (UnreadableRecordError, ProgressError):
            # Unreadable: start fresh, say so, and overwrite the bad record on save.
            progress, loaded = Progress(), None
            attributes.request_attributes[NOTICE] = self.service.composer.phrases.say(
                "notice.fresh_start"
            )
        attributes.request_attributes[PROGRESS] = progress
        attributes.request_attributes[LOADED] = loaded
        attributes.request_attributes[HISTORY] = history
        attributes.request_attributes[HISTORY_LOADED] = history_loaded

    @staticmethod
    def _history(stored: dict[str, object]) -> tuple[History, History | None]:
        raw = stored.get(HISTORY)
        if raw is None:
            return History(), History()
        try:
            history = History.from_dict(raw)
        except HistoryError as error:
            log.warning("Keeping a stored history this version cannot read: %s", error)
            return History(), None
        return history, history


class SaveProgress(AbstractResponseInterceptor):
    def process(self, handler_input: HandlerInput, response: Response) -> None:
        attributes = handler_input.attributes_manager
        done = attributes.request_attributes
        progress, history = done.get(PROGRESS), done.get(HISTORY)
        if not isinstance(progress, Progress) or not isinstance(history, History):
            return
        loaded_history = done.get(HISTORY_LOADED)
        if progress == done.get(LOADED) and (loaded_history is None or history == loaded_history):
            return
        record: dict[str, object] = {PROGRESS: progress.to_dict()}
        if loaded_history is not None:
            record[HISTORY] = history.to_dict()
        elif done.get(LOADED) is not None:  # unreadable history: stored back as it was
            record[HISTORY] = attributes.persistent_attributes.get(HISTORY)
        attributes.persistent_attributes = record
        attributes.save_persistent_attributes()
