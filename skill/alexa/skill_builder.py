"""Assemble the custom skill: handlers, interceptors, persistence and the skill ID check."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from ask_sdk_core.skill import CustomSkill
from ask_sdk_core.skill_builder import CustomSkillBuilder
from ask_sdk_model import RequestEnvelope, ResponseEnvelope
from ask_sdk_runtime.exceptions import AskSdkException

from skill.alexa import handlers, player_handlers, screen
from skill.alexa.turn import (
    ATTEMPTS_LEFT,
    TURN_ATTEMPTS,
    CoachService,
    HandsFree,
    LoadProgress,
    SaveProgress,
)
from skill.audio.catalog import AudioCatalog
from skill.coaching.coach import Coach
from skill.config import Settings
from skill.content.loader import default_library
from skill.content.models import Library
from skill.persistence import (
    RecordStore,
    SaveConflict,
    make_store,
    turn_deadline,
)
from skill.speech.phrasebook import default_phrasebook
from skill.speech.replies import Composer

log = logging.getLogger(__name__)


def build_service(
    library: Library | None = None, clock: Callable[[], float] = time.time
) -> CoachService:
    coach = Coach(library or default_library())
    return CoachService(coach, Composer(coach, default_phrasebook()), clock)


class OtherSkillRequest(AskSdkException):
    """A request that names a skill other than the configured one."""


class CoachSkill(CustomSkill):
    """The SDK's skill with two additions: every turn is bounded in time and run again when its
    save lost a race with another turn for the same runner (see skill.alexa.turn), and a
    request whose session names another skill is refused.

    CustomSkill.invoke compares only context.System.application with the skill id, yet the turn
    reads the session too (its attributes), and Alexa names this skill in both. Both are checked
    here, before any interceptor or handler runs, for the web app and Lambda alike; either
    mismatch raises OtherSkillRequest, an AskSdkException as the SDK's own check raises.
    """

    def invoke(self, request_envelope: RequestEnvelope, context: Any) -> ResponseEnvelope:
        if self.skill_id is not None:
            system = getattr(request_envelope.context, "system", None)
            in_context = getattr(getattr(system, "application", None), "application_id", None)
            if in_context != self.skill_id:
                raise OtherSkillRequest(f"Skill ID Verification failed: context {in_context!r}")
            # Out-of-session requests have no session; a session without an id names no other
            # skill, and the context's check above has passed.
            application = getattr(request_envelope.session, "application", None)
            in_session = getattr(application, "application_id", None)
            if in_session not in (None, self.skill_id):
                raise OtherSkillRequest(f"Skill ID Verification failed: session {in_session!r}")
        # The store calls of every attempt share one budget: the runner hears an answer
        # within about 4 s whatever the store does.
        with turn_deadline():
            for left in range(TURN_ATTEMPTS - 1, -1, -1):
                token = ATTEMPTS_LEFT.set(left)
                try:
                    response: ResponseEnvelope = super().invoke(request_envelope, context)
                    return response
                except SaveConflict:
                    log.info("another turn saved this runner's record first; answering again")
                finally:
                    ATTEMPTS_LEFT.reset(token)
        raise AssertionError("unreachable: the last attempt's conflict is answered")


def build_skill(
    settings: Settings,
    store: RecordStore | None = None,
    service: CoachService | None = None,
) -> CoachSkill:
    """The skill the web app and the Lambda entry point serve, with the serializer that both
    use to read requests and write responses. `store` defaults to the one `settings` names."""
    if store is None:
        store = make_store(settings)
    service = service or build_service()
    if settings.audio_base_url is not None and service.hands_free is None:
        catalog = AudioCatalog(service.composer.phrases, service.coach.library)
        service = replace(service, hands_free=HandsFree(catalog, settings.audio_base_url))
    builder = build_skill_builder(settings, store, service)
    return CoachSkill(skill_configuration=builder.skill_configuration)


def build_skill_builder(
    settings: Settings,
    store: RecordStore,
    service: CoachService | None = None,
) -> CustomSkillBuilder:
    """The configured builder. Use `build_skill`, which both entry points (the web app and
    skill/lambda_function.py) serve: the builder's own `lambda_handler()` would build a new
    skill on every invocation."""
    service = service or build_service()
    # The turn's interceptors read and save the record themselves (a save is conditional on
    # what was read), so the SDK gets no persistence adapter.
    builder = CustomSkillBuilder()
    # Requests for other skills are refused before any handler runs (CoachSkill.invoke).
    builder.skill_id = settings.skill_id  # type: ignore[assignment]  # typed as None in the SDK
    for handler_class in handlers.INTENT_HANDLERS:
        builder.add_request_handler(handler_class(service))
    for player_handler in player_handlers.PLAYER_HANDLERS:
        builder.add_request_handler(player_handler(service))
    builder.add_request_handler(screen.TouchHandler(service))
    builder.add_request_handler(handlers.SessionEndedHandler())
    builder.add_request_handler(handlers.SilentRequestHandler())
    builder.add_exception_handler(handlers.NewerRecordHandler(service))
    builder.add_exception_handler(handlers.StorageDownHandler(service))
    builder.add_exception_handler(handlers.UnexpectedErrorHandler(service))
    builder.add_global_request_interceptor(LoadProgress(service, store))
    builder.add_global_response_interceptor(screen.ShowScreen(service))
    builder.add_global_response_interceptor(SaveProgress(store))
    return builder
