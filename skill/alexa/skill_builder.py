"""Assemble the custom skill: handlers, interceptors, persistence and the skill ID check."""

from __future__ import annotations

from ask_sdk_core.attributes_manager import AbstractPersistenceAdapter
from ask_sdk_core.dispatch_components import AbstractRequestHandler
from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_core.skill import CustomSkill
from ask_sdk_core.skill_builder import CustomSkillBuilder
from ask_sdk_core.utils import is_request_type
from ask_sdk_model import Response

from skill.config import Settings


class _LaunchPlaceholder(AbstractRequestHandler):  # replaced by skill.alexa.handlers
    def can_handle(self, handler_input: HandlerInput) -> bool:
        return bool(is_request_type("LaunchRequest")(handler_input))

    def handle(self, handler_input: HandlerInput) -> Response:
        return handler_input.response_builder.speak("Welcome to upper body coach.").response


def build_skill(
    settings: Settings, persistence_adapter: AbstractPersistenceAdapter | None = None
) -> CustomSkill:
    builder = CustomSkillBuilder(persistence_adapter=persistence_adapter)
    builder.skill_id = settings.skill_id
    builder.add_request_handler(_LaunchPlaceholder())
    return builder.create()
