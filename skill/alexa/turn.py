"""One turn of the conversation: load the runner's progress and history before the handler,
save them after.

Handlers read and replace both in the request attributes; the response interceptor writes them
back only when one changed, so a refused or failed request stores nothing. The save is
conditional on the revision that was read: if another turn saved first it raises SaveConflict
and the whole turn is worked out again (`CoachSkill`, up to TURN_ATTEMPTS times). A record this
version cannot read is quarantined beside the fresh one that replaces it; one from a newer
version is never touched (NewerRecordError reaches `NewerRecordHandler`). A history this
version cannot read is kept as it was stored, never replaced by an empty one.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from contextvars import ContextVar
from dataclasses import dataclass

from ask_sdk_core.dispatch_components import (
    AbstractRequestInterceptor,
    AbstractResponseInterceptor,
)
from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_model import Directive, Response

from skill.audio.catalog import AudioCatalog
from skill.coaching.coach import Coach
from skill.coaching.events import Event
from skill.coaching.history import History, HistoryError
from skill.coaching.progress import Progress, ProgressError
from skill.persistence import (
    NewerRecordError,
    Quarantined,
    RecordStore,
    SaveConflict,
    StoredRecord,
    UnreadableRecordError,
    decode,
    encode,
    record_key_of,
)
from skill.speech.replies import Composer, Reply

log = logging.getLogger(__name__)

PROGRESS = "progress"
LOADED = "progress_loaded"
HISTORY = "history"
STORED = "stored"  # request attribute: the StoredRecord read (None: the runner had none)
QUARANTINE = "quarantine"  # request attribute: the unreadable record to keep aside on save
OTHERS = "others"  # request attribute: the record's other fields, which a save keeps as they are
PREFERENCES = "preferences"  # record field and request attribute: {"keep_music": bool}
PREFERENCES_CHANGED = "preferences_changed"
MOVE_EVENTS = "move_events"  # request attribute: what the move just made did (for the screen)


@dataclass(frozen=True)
class Preferences:
    """What a runner chose for every workout."""

    keep_music: bool = False  # no coach audio on the player: the runner's own music plays on

    @classmethod
    def from_dict(cls, data: dict[str, object]) -> Preferences:
        return cls(keep_music=data.get("keep_music") is True)

    def to_dict(self) -> dict[str, object]:
        return {"keep_music": self.keep_music}


def preferences_of(handler_input: HandlerInput) -> Preferences:
    kept = handler_input.attributes_manager.request_attributes.get(PREFERENCES)
    return kept if isinstance(kept, Preferences) else Preferences()


def choose(handler_input: HandlerInput, preferences: Preferences) -> None:
    """Note the runner's new preferences for the save interceptor."""
    handler_input.attributes_manager.request_attributes[PREFERENCES] = preferences
    handler_input.attributes_manager.request_attributes[PREFERENCES_CHANGED] = True


NOTICE = "notice"
PENDING = "pending"  # session attribute: the question the last response asked
# Session attribute: the warm-up or cool-down part that "next" leads ("warm_up:1"). Kept across
# questions and help; dropped by any move of the workout. A warm-up or cool-down lives in one
# session: the runner is listening throughout, and Progress (owned elsewhere) stays unchanged.
ROUTINE = "routine"


# How often a turn is worked out again after losing a save to another turn for the same runner.
TURN_ATTEMPTS = 4
# Set by `CoachSkill.invoke`: the attempts after this one.
ATTEMPTS_LEFT: ContextVar[int] = ContextVar("turn_attempts_left", default=0)


def is_retried(exception: Exception) -> bool:
    """A lost save that `CoachSkill` will answer by running the turn again: no exception
    handler may answer it (on the last attempt it is the storage apology)."""
    return isinstance(exception, SaveConflict) and ATTEMPTS_LEFT.get() > 0


@dataclass(frozen=True)
class HandsFree:
    """The coach's tracks and where they are served: what hands-free mode needs."""

    catalog: AudioCatalog
    base_url: str


@dataclass(frozen=True)
class CoachService:
    """What every handler needs: the state machine, the wording and a clock; and the tracks,
    when the skill serves them (hands-free mode, skill.alexa.player)."""

    coach: Coach
    composer: Composer
    clock: Callable[[], float]
    hands_free: HandsFree | None = None


def progress_of(handler_input: HandlerInput) -> Progress:
    progress = handler_input.attributes_manager.request_attributes[PROGRESS]
    assert isinstance(progress, Progress)
    return progress


class StoredHistory:
    """The runner's history as stored, read only when a turn needs it (most set turns don't,
    and every turn writes the record back): then written back as it was unless it changed.
    One this version cannot read is never replaced."""

    def __init__(self, stored: object) -> None:
        self.stored = stored  # the record's value, None when it has none
        self.current: History | None = None  # set by a turn that changes the history
        self._as_stored: History | None = None
        self._readable = True

    def as_stored(self) -> History:
        if self._as_stored is None:
            self._as_stored = History()
            if self.stored is not None:
                try:
                    self._as_stored = History.from_dict(self.stored)
                except HistoryError as error:
                    log.warning("Keeping a stored history this version cannot read: %s", error)
                    self._readable = False
        return self._as_stored

    def read(self) -> History:
        return self.current if self.current is not None else self.as_stored()

    @property
    def changed(self) -> bool:
        if self.current is None:
            return False
        return self.current != self.as_stored() and self._readable

    def to_store(self) -> object:
        """What goes back in the record: the new history, or what was stored."""
        if self.current is not None and self.changed:
            return self.current.to_dict()
        return self.stored


def history_of(handler_input: HandlerInput) -> History:
    slot = handler_input.attributes_manager.request_attributes[HISTORY]
    assert isinstance(slot, StoredHistory)
    return slot.read()


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
    reply: Reply | None,
    progress: Progress | None = None,
    history: History | None = None,
    directives: Sequence[Directive] = (),
    events: Sequence[Event] = (),
) -> Response:
    """Build the response and note the new progress and history for the save interceptor, and
    the move's `events` for the screen (skill.alexa.screen). Without a reply, the response is
    `directives` alone (the player speaks for the coach)."""
    attributes = handler_input.attributes_manager
    attributes.request_attributes[MOVE_EVENTS] = tuple(events)
    if progress is not None:
        attributes.request_attributes[PROGRESS] = progress
    if history is not None:
        slot = attributes.request_attributes[HISTORY]
        assert isinstance(slot, StoredHistory)
        slot.current = history
    if reply is None:
        session = session_attributes(handler_input)
        if session is not None:
            session.pop(PENDING, None)
            session.pop(ROUTINE, None)
        builder = handler_input.response_builder
        for directive in directives:
            builder.add_directive(directive)
        if may_speak(handler_input):
            builder.set_should_end_session(True)  # a Play with the session open would pause
        return builder.response
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
    for directive in directives:
        builder.add_directive(directive)
    # A Play with the session open starts when the microphone closes (Alexa pauses the
    # stream while it listens): the runner may still answer in words first.
    if reply.reprompt is not None and not reply.end_session:
        builder.ask(reply.reprompt)
    builder.set_should_end_session(reply.end_session)
    return builder.response


# Requests that may be answered with speech: a touch on the screen (APL UserEvent) is answered
# as the words would be. Player events and buttons may carry player directives alone.
SPEAKABLE = frozenset({"LaunchRequest", "IntentRequest", "Alexa.Presentation.APL.UserEvent"})


def supported_interfaces(handler_input: HandlerInput) -> object:
    """The device's supportedInterfaces (None where a request names no device: the SDK's own
    get_supported_interfaces raises there)."""
    context = handler_input.request_envelope.context
    device = getattr(getattr(context, "system", None), "device", None)
    return getattr(device, "supported_interfaces", None)


def may_speak(handler_input: HandlerInput) -> bool:
    request_type = getattr(handler_input.request_envelope.request, "object_type", None)
    return request_type in SPEAKABLE


# Requests whose answer needs nothing of the runner (the player's word that a track ended or
# stopped: answered with nothing), so their turn reads and writes no record.
NEEDS_NO_RECORD = frozenset({"AudioPlayer.PlaybackFinished", "AudioPlayer.PlaybackStopped"})


class LoadProgress(AbstractRequestInterceptor):
    def __init__(self, service: CoachService, store: RecordStore) -> None:
        self.service = service
        self.store = store

    def process(self, handler_input: HandlerInput) -> None:
        request_type = getattr(handler_input.request_envelope.request, "object_type", None)
        if request_type in NEEDS_NO_RECORD:
            return
        attributes = handler_input.attributes_manager
        stored = self.store.read(record_key_of(handler_input.request_envelope))
        attributes.request_attributes[STORED] = stored
        history = StoredHistory(None)
        try:
            record = {} if stored is None else decode(stored.text)
            kept = record.get(PROGRESS)
            progress = Progress() if kept is None else Progress.from_dict(kept)
            if not self.service.coach.is_valid(progress):
                raise ProgressError("progress points at content that no longer exists")
            loaded: Progress | None = progress
            history = StoredHistory(record.get(HISTORY))
            # Fields this version does not use (a later version's, at the same record version)
            # go back as they came.
            known = {PROGRESS, HISTORY, PREFERENCES}
            others = {key: value for key, value in record.items() if key not in known}
            attributes.request_attributes[OTHERS] = others
            preferences = record.get(PREFERENCES)
            if isinstance(preferences, dict):
                attributes.request_attributes[PREFERENCES] = Preferences.from_dict(preferences)
        except NewerRecordError:
            raise  # never replaced: NewerRecordHandler answers
        except (UnreadableRecordError, ProgressError) as problem:
            assert stored is not None  # no record reads as a new runner
            # Start fresh, say so, and keep the record aside when the fresh one is saved.
            log.warning("Quarantining a record this version cannot use: %s", problem)
            progress, loaded = Progress(), None
            attributes.request_attributes[QUARANTINE] = Quarantined.now(stored.text, str(problem))
            attributes.request_attributes[NOTICE] = self.service.composer.phrases.say(
                "notice.fresh_start"
            )
        attributes.request_attributes[PROGRESS] = progress
        attributes.request_attributes[LOADED] = loaded
        attributes.request_attributes[HISTORY] = history


class SaveProgress(AbstractResponseInterceptor):
    def __init__(self, store: RecordStore) -> None:
        self.store = store

    def process(self, handler_input: HandlerInput, response: Response) -> None:
        done = handler_input.attributes_manager.request_attributes
        progress, history = done.get(PROGRESS), done.get(HISTORY)
        if not isinstance(progress, Progress) or not isinstance(history, StoredHistory):
            return
        preferences = done.get(PREFERENCES, Preferences())
        assert isinstance(preferences, Preferences)
        changed_preferences = done.get(PREFERENCES_CHANGED, False)
        if progress == done.get(LOADED) and not history.changed and not changed_preferences:
            return
        others = done.get(OTHERS)
        record: dict[str, object] = dict(others) if isinstance(others, dict) else {}
        record[PROGRESS] = progress.to_dict()
        if preferences != Preferences():
            record[PREFERENCES] = preferences.to_dict()
        kept = history.to_store()
        if kept is not None:
            record[HISTORY] = kept
        stored = done.get(STORED)
        assert stored is None or isinstance(stored, StoredRecord)
        quarantined = done.get(QUARANTINE)
        assert quarantined is None or isinstance(quarantined, Quarantined)
        self.store.write(
            record_key_of(handler_input.request_envelope), encode(record), stored, quarantined
        )
