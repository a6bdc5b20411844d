"""The skill both entry points serve (the web app and skill/lambda_function.py). One request's
path: read the turn (skill.alexa.turn) → its command's handler (skill.alexa.commands,
skill.alexa.handlers) → the outcome rendered (skill.alexa.render) → the record saved."""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from ask_sdk_core.exceptions import PersistenceException
from ask_sdk_core.serialize import DefaultSerializer
from ask_sdk_model import RequestEnvelope, ResponseEnvelope
from ask_sdk_runtime.exceptions import AskSdkException

from skill.alexa.alexa_apis import ApiOptions
from skill.alexa.commands import command_for
from skill.alexa.handlers import Handlers
from skill.alexa.hands_free import plays_audio
from skill.alexa.render import Answer, render
from skill.alexa.service import CoachService, HandsFree, localised
from skill.alexa.turn import Asked, Outcome, read_request, read_turn, save
from skill.coaching.coach import Coach
from skill.coaching.routine import parse as parse_routine
from skill.coaching.routine import routine_after
from skill.config import Settings
from skill.content.loader import default_library
from skill.content.models import Library
from skill.locales import DEFAULT
from skill.logs import FailureLog
from skill.persistence import (
    NewerRecordError,
    RecordStore,
    SaveConflict,
    make_store,
    turn_deadline,
)
from skill.speech.phrasebook import default_phrasebook
from skill.speech.replies import Composer

log = logging.getLogger(__name__)

# How often a turn is worked out again after losing a save to another turn for the same runner.
TURN_ATTEMPTS = 4
RESPONSE_FORMAT_VERSION = "1.0"
USER_AGENT = "upper-body-coach"


def build_service(
    library: Library | None = None,
    clock: Callable[[], float] = time.time,
    locale: str = DEFAULT,
) -> CoachService:
    coach = Coach(library or default_library(locale))
    return CoachService(coach, Composer(coach, default_phrasebook(locale)), clock, locale=locale)


class OtherSkillRequest(AskSdkException):
    """A request that names a skill other than the configured one."""


class UnwritableAnswer(ValueError):
    """The answer carries what strict JSON cannot hold (from the request's session attributes,
    which Alexa's answer echoes): sent, it would fail after the turn was saved."""


def check_writable(answer: Answer) -> None:
    """Raise UnwritableAnswer unless the answer's session attributes are strict JSON. The rest
    of an answer is the coach's own words and directives."""
    try:
        json.dumps(answer.session_attributes, allow_nan=False)
    except (TypeError, ValueError) as error:
        raise UnwritableAnswer(f"session attributes are not strict JSON: {error}") from error


class CoachSkill:
    """Answers one request envelope. Every turn is bounded in time (the store calls of every
    attempt share one budget: the runner hears an answer within about 4 s whatever the store
    does) and is worked out again when its save lost a race with another turn for the same
    runner. A request whose context or session names another skill is refused."""

    def __init__(self, service: CoachService, store: RecordStore, skill_id: str | None) -> None:
        self.service = service
        self.store = store
        self.skill_id = skill_id
        # A store that is down fails every turn: logged as a few lines, not one a turn (on the
        # coach's clock, which tests set).
        self.store_failures = FailureLog(log, "progress store unavailable", clock=service.clock)
        self.handlers = Handlers(service)
        # Each locale's coach, spoken and hands-free, made at its first request: most
        # deployments hear one or two locales.
        self._by_locale: dict[tuple[str, bool], tuple[CoachService, Handlers]] = {
            (service.locale, service.composer.hands_free): (service, self.handlers)
        }
        self.serializer = DefaultSerializer()  # the SDK's, to read requests and write answers

    def invoke(self, request_envelope: RequestEnvelope, context: Any = None) -> ResponseEnvelope:
        self.check_skill_id(request_envelope)
        asked = read_request(request_envelope)
        with turn_deadline():
            answer = self.answer(asked)
        return ResponseEnvelope(
            response=answer.response,
            version=RESPONSE_FORMAT_VERSION,
            session_attributes=answer.session_attributes,
            user_agent=USER_AGENT,
        )

    def check_skill_id(self, envelope: RequestEnvelope) -> None:
        """Alexa names this skill in the context and, in a session, in the session too."""
        if self.skill_id is None:
            return
        system = getattr(envelope.context, "system", None)
        in_context = getattr(getattr(system, "application", None), "application_id", None)
        if in_context != self.skill_id:
            raise OtherSkillRequest(f"Skill ID Verification failed: context {in_context!r}")
        # A session without an id names no other skill, and the context's check has passed.
        application = getattr(envelope.session, "application", None)
        in_session = getattr(application, "application_id", None)
        if in_session not in (None, self.skill_id):
            raise OtherSkillRequest(f"Skill ID Verification failed: session {in_session!r}")

    def answer(self, asked: Asked) -> Answer:
        for left in range(TURN_ATTEMPTS - 1, -1, -1):
            try:
                return self.turn(asked)
            except SaveConflict as lost:
                if left == 0:
                    log.error("lost every save to other turns: %s", lost)
                    return self.apology(asked, "notice.storage_down", end_session=True)
                log.info("another turn saved this runner's record first; answering again")
            except UnwritableAnswer as unwritable:
                # Nothing was saved; the answer is the apology, without what could not be sent.
                log.warning("refused a turn whose answer could not be written: %s", unwritable)
                return self.apology(replace(asked, session_attributes={}), "error.generic")
            except NewerRecordError as newer:
                # From a newer version (a canary, or before a rollback): left untouched.
                log.warning("left a newer record alone: %s", newer)
                return self.apology(asked, "notice.newer_record", end_session=True)
            except PersistenceException as down:
                self.store_failures.failed(down)
                return self.apology(asked, "notice.storage_down", end_session=True)
            except Exception as error:
                log.exception("unhandled error in a skill turn", exc_info=error)
                return self.apology(asked, "error.generic")
        raise AssertionError("unreachable: the last attempt's conflict is answered")

    def speaking(self, locale: str, hands_free: bool = False) -> tuple[CoachService, Handlers]:
        """The coach in `locale` (one of skill.locales.SPOKEN) and its handlers; `hands_free`,
        in the words of hands-free mode ("Alexa, next" the way on from a set)."""
        found = self._by_locale.get((locale, hands_free))
        if found is None:
            if hands_free:  # the spoken coach's, but for its words
                spoken, _handlers = self.speaking(locale)
                service = replace(spoken, composer=spoken.composer.in_mode(True))
            else:
                service = localised(self.service, locale)
            found = self._by_locale.setdefault((locale, hands_free), (service, Handlers(service)))
        return found

    def turn(self, asked: Asked) -> Answer:
        service, handlers = self.speaking(asked.locale)
        fresh_start = service.composer.phrases.say("notice.fresh_start")
        turn = read_turn(asked, self.store, service.coach, service.clock(), fresh_start)
        if plays_audio(service, turn):  # the coach holds the player: its words say "Alexa, next"
            service, handlers = self.speaking(asked.locale, hands_free=True)
        if turn.replayed:  # already done: the place as it is now, and nothing moves or is saved
            self.store_failures.succeeded()
            outcome = handlers.replayed(turn)
            return render(service, asked, outcome, None, turn.progress, None)
        outcome = handlers.unless_unwell(turn, command_for(asked).action)
        if outcome.reply is not None and not asked.may_speak:
            # Alexa refuses speech in answer to a button or a player event (the runner would
            # hear an error): nothing said or moved instead. A handler that gets here is wrong.
            log.error("%s answered with speech: nothing said or moved", asked.kind)
            outcome = Outcome()
        shown = turn.progress if outcome.progress is None else outcome.progress
        if outcome.exercises is not None:  # the runner's own reps as changed this turn
            shown = handlers.progression.loaded(shown, outcome.exercises)
        routine = parse_routine(routine_after(turn.routine, outcome.events))
        answer = render(service, asked, outcome, turn.notice, shown, routine)
        check_writable(answer)  # before the save: an answer that cannot be sent moves nothing
        save(turn, outcome, self.store)
        if turn.read:  # the store did all this turn asked of it (a read alone passes a full disk)
            self.store_failures.succeeded()
        return answer

    def apology(self, asked: Asked, key: str, end_session: bool = False) -> Answer:
        """Where Alexa allows speech, the apology `key`; otherwise nothing."""
        service, _handlers = self.speaking(asked.locale)
        if not asked.may_speak:
            return render(service, asked, Outcome())
        reply = service.composer.error(key, end_session=end_session)
        return render(service, asked, Outcome(reply))


def build_skill(
    settings: Settings,
    store: RecordStore | None = None,
    service: CoachService | None = None,
) -> CoachSkill:
    """The skill the web app and the Lambda entry point serve. `store` defaults to the one
    `settings` names; hands-free mode is on when `settings` says where the tracks are served."""
    if store is None:
        store = make_store(settings)
    service = service or build_service()
    if settings.audio_base_url is not None and service.hands_free is None:
        from skill.audio.catalog import AudioCatalog  # only a skill that serves tracks needs it

        catalog = AudioCatalog(service.composer.phrases, service.coach.library, service.locale)
        service = replace(service, hands_free=HandsFree(catalog, settings.audio_base_url))
    if settings.alexa_api_ca_path is not None:
        service = replace(service, apis=ApiOptions(ca_path=settings.alexa_api_ca_path))
    return CoachSkill(service, store, settings.skill_id)
