"""Assemble the custom skill: handlers, interceptors, persistence and the skill ID check."""

from __future__ import annotations

import time
from collections.abc import Callable

from ask_sdk_core.attributes_manager import AbstractPersistenceAdapter
from ask_sdk_core.skill import CustomSkill
from ask_sdk_core.skill_builder import CustomSkillBuilder

from skill.alexa import handlers
from skill.alexa.serializer import FastSerializer
from skill.alexa.turn import CoachService, LoadProgress, SaveProgress
from skill.coaching.coach import Coach
from skill.config import Settings
from skill.content.loader import default_library
from skill.content.models import Library
from skill.speech.phrasebook import default_phrasebook
from skill.speech.replies import Composer


def build_service(
    library: Library | None = None, clock: Callable[[], float] = time.time
) -> CoachService:
    coach = Coach(library or default_library())
    return CoachService(coach, Composer(coach, default_phrasebook()), clock)


def build_skill(
    settings: Settings,
    persistence_adapter: AbstractPersistenceAdapter | None = None,
    service: CoachService | None = None,
) -> CustomSkill:
    """The skill the web app and the Lambda entry point serve, with the serializer that both
    use to read requests and write responses."""
    skill = build_skill_builder(settings, persistence_adapter, service).create()
    skill.serializer = FastSerializer()
    return skill


def serializer_of(skill: CustomSkill) -> FastSerializer:
    """The serializer `build_skill` gave `skill`: both entry points read each request with its
    `deserialize_object` and write each response with its `serialize`."""
    serializer = skill.serializer
    if not isinstance(serializer, FastSerializer):
        raise TypeError("build_skill must give the skill a FastSerializer")
    return serializer


def build_skill_builder(
    settings: Settings,
    persistence_adapter: AbstractPersistenceAdapter | None = None,
    service: CoachService | None = None,
) -> CustomSkillBuilder:
    """The configured builder. Use `build_skill`, which both entry points (the web app and
    skill/lambda_function.py) serve: the builder's own `lambda_handler()` would build a new
    skill on every invocation and ignore FastSerializer."""
    service = service or build_service()
    builder = CustomSkillBuilder(persistence_adapter=persistence_adapter)  # type: ignore[arg-type]
    # The SDK refuses other skills' requests before any handler runs.
    builder.skill_id = settings.skill_id  # type: ignore[assignment]  # typed as None in the SDK
    for handler_class in handlers.INTENT_HANDLERS:
        builder.add_request_handler(handler_class(service))
    builder.add_request_handler(handlers.SessionEndedHandler())
    builder.add_request_handler(handlers.SilentRequestHandler())
    builder.add_exception_handler(handlers.StorageDownHandler(service))
    builder.add_exception_handler(handlers.UnexpectedErrorHandler(service))
    builder.add_global_request_interceptor(LoadProgress(service))
    builder.add_global_response_interceptor(SaveProgress())
    return builder
