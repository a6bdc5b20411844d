"""One turn of the conversation, typed end to end: `read_turn` reads what Alexa sent and the
runner's record into a `Turn`; a handler returns an `Outcome` (skill.alexa.handlers);
skill.alexa.render makes the response from it; `save` writes the record back.

The save happens only when something the record holds changed, and is conditional on the
revision that was read: if another turn saved first it raises SaveConflict and the whole turn is
worked out again (skill.alexa.skill_builder). A record this version cannot read is quarantined
beside the fresh one that replaces it; one from a newer version is never touched
(NewerRecordError). A history this version cannot read is kept as it was stored.
"""

from __future__ import annotations

import datetime as dt
import logging
import math
from collections.abc import Mapping
from dataclasses import dataclass, field, replace

from ask_sdk_core.exceptions import PersistenceException
from ask_sdk_model import Directive, IntentRequest, RequestEnvelope
from ask_sdk_model.slu.entityresolution import StatusCode
from ask_sdk_model.ui import Card

from skill.alexa.alexa_apis import ApiAccess
from skill.alexa.player import Play, PlayerToken, Stop
from skill.coaching import pains, progression, take_back
from skill.coaching.coach import Coach
from skill.coaching.events import Event, StartedOver, WorkoutStarted
from skill.coaching.history import History, HistoryError
from skill.coaching.lasting_rest import LastingRest
from skill.coaching.progress import (
    QUICKEST_PACE,
    SLOWEST_PACE,
    USUAL_PACE,
    Progress,
    ProgressError,
)
from skill.coaching.routine import offered, routine_after
from skill.coaching.routine import parse as parse_routine
from skill.coaching.schedule import Reminders
from skill.locales import DEFAULT, closest
from skill.persistence import (
    NewerRecordError,
    Quarantined,
    RecordStore,
    StoredRecord,
    UnreadableRecordError,
    decode,
    encode,
    record_key_of,
)
from skill.speech.replies import Reply

log = logging.getLogger(__name__)

# Record fields.
PROGRESS = "progress"
HISTORY = "history"
PREFERENCES = "preferences"
# The warm-up or cool-down part "next" leads ("warm_up:1", skill.coaching.routine), beside the
# progress: it outlives the session, so a runner who leaves mid-warm-up comes back to it. A
# field of its own rather than one of the progress's, so that a version without it keeps it.
ROUTINE = "routine"
# Exercises that caused pain lately (skill.coaching.pains), a field of its own for the same reason.
HURT = "hurt"
# What the runner set for reminders, and each device's time zone (skill.coaching.schedule).
REMINDERS = "reminders"
# Each exercise's reps, version, count towards a step up and bests (skill.coaching.progression),
# a field of its own for the same reason.
EXERCISES = "exercises"
# The rest length kept across workouts (skill.coaching.lasting_rest), a field of its own for the
# same reason: an older version writes the preferences back with only the fields it knows.
REST = "rest"
# The pace of led sets the runner chose ("slow down": Progress.pace), a field of its own for the
# same reason: an older version refuses a progress with a field it does not know.
PACE = "pace"
# What the record held before the move that finished the workout just done, while nothing has
# changed since (skill.coaching.take_back): a "done" said by mistake on the last set is taken
# back with it.
FINISH = "finish"
# The id of the last request that changed the record: the same request again (a replay, or
# Alexa's retry) is answered without moving anything.
LAST_REQUEST = "last_request"
# Session attributes: the yes/no question the last response asked; and when the rest the last
# response paced in words ends, and when it calls the set after it, on the clock of the
# requests' own timestamps (epoch seconds).
PENDING = "pending"
ASKED_WORDS = "asked_words"  # the words of that question's answer, said again on "repeat"
ASKED_WORDS_MOST = 40  # pieces kept: far more than any question says
REST_UNTIL = "rest_until"
SET_CALLED = "set_called"  # when the set after that rest, or after an introduction, is called
WARM_UP_UNTIL = "warm_up_until"  # when the warm-up's last part, said before its set, ends
STARTED = "started"  # when "Off you go" and the set were heard: the runner starts it then
# The cool-down was offered in this conversation: a late yes in it still takes the offer.
COOL_DOWN_OFFERED = "cool_down_offered"
# This conversation came back to a set called before the runner left ("Continue?", "did you
# finish it before you left?"), and has called no set since: whatever question comes between,
# words that would count that set ask first.
CAME_BACK = "came_back"

SCREEN_TOKEN = "ubc-screen"  # names the coach's screen in RenderDocument and its UserEvents

# Requests that may be answered with speech: a touch on the screen (APL UserEvent) is answered
# as the words would be. Player events and buttons may carry player directives alone.
SPEAKABLE = frozenset(
    {
        "LaunchRequest",
        "IntentRequest",
        "Alexa.Presentation.APL.UserEvent",
        "Connections.Response",  # the runner's answer to Alexa's permission question
    }
)
# Requests whose answer needs nothing of the runner (the player's word that a track ended or
# stopped: answered with nothing), so their turn reads and writes no record.
NEEDS_NO_RECORD = frozenset({"AudioPlayer.PlaybackFinished", "AudioPlayer.PlaybackStopped"})


@dataclass(frozen=True)
class Preferences:
    """What a runner chose for every workout."""

    keep_music: bool = False  # no coach audio on the player: the runner's own music plays on
    # Kit the runner said they lack, by id: every workout they start is done without it, until
    # they say they have it again.
    missing_kit: tuple[str, ...] = ()

    @classmethod
    def from_dict(cls, data: dict[str, object]) -> Preferences:
        kit = data.get("missing_kit")
        missing = sorted({k for k in kit if isinstance(k, str)}) if isinstance(kit, list) else []
        return cls(keep_music=data.get("keep_music") is True, missing_kit=tuple(missing))

    def to_dict(self) -> dict[str, object]:
        chosen: dict[str, object] = {"keep_music": self.keep_music}
        if self.missing_kit:
            chosen["missing_kit"] = list(self.missing_kit)
        return chosen


class StoredHistory:
    """The runner's history as stored, read only when a turn needs it (most set turns don't,
    and every turn writes the record back): then written back as it was unless it changed.
    One this version cannot read is never replaced."""

    def __init__(self, stored: object) -> None:
        self.stored = stored  # the record's value, None when it has none
        self._as_stored: History | None = None
        self._readable = True

    def read(self) -> History:
        if self._as_stored is None:
            self._as_stored = History()
            if self.stored is not None:
                try:
                    self._as_stored = History.from_dict(self.stored)
                except HistoryError as error:
                    log.warning("Keeping a stored history this version cannot read: %s", error)
                    self._readable = False
        return self._as_stored

    def changed_to(self, new: History | None) -> bool:
        return new is not None and new != self.read() and self._readable

    def to_store(self, new: History | None) -> object:
        """What goes back in the record: the new history, or what was stored."""
        if new is not None and self.changed_to(new):
            return new.to_dict()
        return self.stored


@dataclass(frozen=True)
class SlotValue:
    spoken: str | None  # what the runner said, None when the slot was not filled
    resolved_id: str | None  # the slot value id Alexa matched, None when it matched none

    @property
    def whole_number(self) -> int | None:
        """An AMAZON.NUMBER slot as an int; None when missing or not a number."""
        try:
            return None if self.spoken is None else int(self.spoken)
        except ValueError:
            return None


NO_SLOT = SlotValue(None, None)


@dataclass(frozen=True)
class Asked:
    """What Alexa sent, read once from the envelope."""

    kind: str  # the request type
    key: str | None  # the runner's record key; None when the request names no user
    intent: str | None = None
    slots: Mapping[str, SlotValue] = field(default_factory=dict)
    touched: str | None = None  # the control of the coach's screen touched
    has_session: bool = False
    new_session: bool = False
    session_attributes: Mapping[str, object] = field(default_factory=dict)
    has_player: bool = False
    has_screen: bool = False
    player_token: PlayerToken | None = None  # ours, in the player event or the player's state
    player_offset_ms: int = 0
    player_playing: bool = False  # the device's player is playing (context.AudioPlayer)
    error: str | None = None  # what a player or system error said
    sent_at: float | None = None  # the request's timestamp, epoch seconds; None when unreadable
    request_id: str | None = None  # Alexa's id for this request
    # --- Alexa's service APIs (skill.alexa.alexa_apis) ---
    api: ApiAccess | None = None  # where and how to reach them; None when the request says not
    granted: frozenset[str] = frozenset()  # permission scopes the runner has granted
    consent: str | None = None  # a Connections.Response's answer: ACCEPTED, DENIED...
    locale: str = DEFAULT  # the shipped locale closest to the device's (skill.locales)

    @property
    def record_key(self) -> str:
        if self.key is None:
            raise PersistenceException(
                "the request has no user id (context.System.user.userId), so progress cannot"
                " be stored or read"
            )
        return self.key

    @property
    def may_speak(self) -> bool:
        return self.kind in SPEAKABLE

    @property
    def in_conversation(self) -> bool:
        """Words said in a session already open (not "Alexa, tell the coach..." nor a button)."""
        return self.has_session and not self.new_session

    @property
    def spoken_anew(self) -> bool:
        """Words that open a session ("Alexa, tell the coach...", hands-free "Alexa, next"):
        neither a button, which may not speak, nor a conversation already going."""
        return self.may_speak and not self.in_conversation

    @property
    def pending(self) -> str | None:
        value = self.session_attributes.get(PENDING)
        return value if isinstance(value, str) else None

    @property
    def question_words(self) -> tuple[str, ...]:
        """What the last answer said as it asked its question (empty when unknown)."""
        words = self.session_attributes.get(ASKED_WORDS)
        if not isinstance(words, list) or len(words) > ASKED_WORDS_MOST:
            return ()
        return tuple(w for w in words if isinstance(w, str))

    def slot(self, name: str) -> SlotValue:
        return self.slots.get(name, NO_SLOT)

    @property
    def cool_down_offered(self) -> bool:
        """The cool-down was offered in this conversation (not one opened since)."""
        return self.session_attributes.get(COOL_DOWN_OFFERED) is True

    @property
    def came_back(self) -> bool:
        """This conversation came back to a set called before it, and called none since."""
        return self.session_attributes.get(CAME_BACK) is True

    @property
    def over_a_rest(self) -> bool:
        """Said while the rest the last answer paced in words was still being paced."""
        return self._before(REST_UNTIL)

    @property
    def rest_left(self) -> float | None:
        """Seconds of the rest the last answer paced in words still to run when this was said."""
        left = self._until(REST_UNTIL)
        return left if left is not None and left > 0 else None

    def rest_longer(self, seconds: float) -> Asked:
        """As asked, with the rest the last answer paced `seconds` longer (made longer over
        it): what is said of the rest left, and what "done" means before its end, follow it."""
        until = self.session_attributes.get(REST_UNTIL)
        if isinstance(until, bool) or not isinstance(until, int | float):
            return self
        attributes = {**self.session_attributes, REST_UNTIL: round(until + seconds, 3)}
        return replace(self, session_attributes=attributes)

    @property
    def over_the_warm_up(self) -> bool:
        """Said while the last answer was still leading the warm-up's last part, in words,
        before the first exercise and its set."""
        return self._before(WARM_UP_UNTIL)

    @property
    def before_the_set_call(self) -> bool:
        """Said before the last answer called its set (over its rest, the exercise's
        introduction or the warm-up before it): "next" or "done" then means starting that set."""
        return self._before(SET_CALLED) or self._before(REST_UNTIL)

    def too_soon_for_the_set(self, seconds: float) -> bool:
        """Said less than `seconds` after the runner was told "Off you go" and set off, or
        after the set was called at the end of its rest or introduction: too soon for that
        set to have been done."""
        return self._before(STARTED, seconds) or self._before(SET_CALLED, seconds)

    def _before(self, name: str, after: float = 0.0) -> bool:
        left = self._until(name)
        return left is not None and left + after > 0

    def _until(self, name: str) -> float | None:
        """Seconds from when this was said to the moment the session remembers as `name`
        (negative: past); None when either is unknown."""
        until = self.session_attributes.get(name)
        if self.sent_at is None or isinstance(until, bool) or not isinstance(until, int | float):
            return None
        return until - self.sent_at if math.isfinite(until) else None


@dataclass(frozen=True)
class Turn:
    """One request and the runner's record as read for it."""

    asked: Asked
    now: float
    progress: Progress = field(default_factory=Progress)
    history: StoredHistory = field(default_factory=lambda: StoredHistory(None))
    preferences: Preferences = Preferences()
    notice: str | None = None  # said first: the record could not be used (a fresh start)
    # the warm-up or cool-down part under way, or the cool-down offered (skill.coaching.routine)
    routine: str | None = None
    hurt: Mapping[str, float] = field(default_factory=dict)  # skill.coaching.pains
    reminders: Reminders = Reminders()  # skill.coaching.schedule
    exercises: progression.Records = field(default_factory=dict)  # skill.coaching.progression
    rest: LastingRest = LastingRest()  # the rest length kept across workouts
    last_request: str | None = None  # the last request that changed the record
    # The workout just finished, as the record held it before (None: there is none, or the
    # record changed since): skill.coaching.take_back.
    finish: take_back.Finish | None = None
    # What the save needs: whether a record was read, what it was, its other fields.
    read: bool = False
    stored: StoredRecord | None = None
    loaded: Progress | None = None  # None: nothing usable was read
    others: Mapping[str, object] = field(default_factory=dict)
    quarantine: Quarantined | None = None

    @property
    def replayed(self) -> bool:
        """This request already changed the record: it is here again (a replay, or a retry)."""
        return self.asked.request_id is not None and self.asked.request_id == self.last_request

    @property
    def routine_part(self) -> tuple[str, int] | None:
        """("warm_up" or "cool_down", the part "next" leads), when one is under way."""
        return parse_routine(self.routine)


@dataclass(frozen=True)
class Outcome:
    """What a handler did: nothing said or moved, unless a field says so."""

    reply: Reply | None = None  # words; None: the player speaks for the coach, or nothing
    progress: Progress | None = None  # the runner's new place
    history: History | None = None  # what the coach now remembers, when it changed
    preferences: Preferences | None = None  # chosen this turn
    events: tuple[Event, ...] = ()  # what the move did (the screen shows it)
    player: Play | Stop | None = None
    notice: str | None = None  # said before the reply
    hurt: Mapping[str, float] | None = None  # the exercises that hurt lately, when it changed
    reminders: Reminders | None = None  # what the record keeps of reminders, when it changed
    directives: tuple[Directive, ...] = ()  # others to send (a permission asked for)
    card: Card | None = None  # for the Alexa app (the permission's consent card)
    exercises: progression.Records | None = None  # each exercise's progression, when it changed
    rest: LastingRest | None = None  # the rest length kept across workouts, when it changed
    # The progress changed only in what is noted of a set done, or in how sets are done (the
    # way, rests, pace, kit), not where the runner is: a rest this was said over runs on.
    same_place: bool = False
    # Seconds added to the rest this was said over, which runs on (rests made longer then):
    # the session's end of that rest moves by as much.
    rest_longer: float = 0.0
    # The workout was finished this turn: what the record held before, kept to take it back.
    finish: take_back.Finish | None = None


def read_request(envelope: RequestEnvelope) -> Asked:
    """Read what Alexa sent."""
    request = envelope.request
    kind = str(getattr(request, "object_type", ""))
    intent, slots = None, {}
    if isinstance(request, IntentRequest) and request.intent is not None:
        intent = request.intent.name
        slots = {name: _slot_value(slot) for name, slot in (request.intent.slots or {}).items()}
    touched = None
    if kind == "Alexa.Presentation.APL.UserEvent" and getattr(request, "token", None) == (
        SCREEN_TOKEN
    ):
        arguments = getattr(request, "arguments", None) or []
        touched = arguments[0] if arguments and isinstance(arguments[0], str) else None
    session = envelope.session
    system = getattr(envelope.context, "system", None)
    interfaces = getattr(getattr(system, "device", None), "supported_interfaces", None)
    player = getattr(envelope.context, "audio_player", None)
    token = getattr(request, "token", None) if kind.startswith("AudioPlayer.") else None
    if token is None:
        token = getattr(player, "token", None)
    error = getattr(request, "error", None)
    return Asked(
        kind=kind,
        key=_record_key(envelope),
        intent=intent,
        slots=slots,
        touched=touched,
        has_session=session is not None,
        new_session=bool(getattr(session, "new", False)),
        session_attributes=dict(getattr(session, "attributes", None) or {}),
        has_player=getattr(interfaces, "audio_player", None) is not None,
        has_screen=getattr(interfaces, "alexa_presentation_apl", None) is not None,
        player_token=PlayerToken.decode(token),
        player_offset_ms=_offset_ms(getattr(player, "offset_in_milliseconds", None)),
        player_playing=getattr(getattr(player, "player_activity", None), "value", None)
        == "PLAYING",
        error=None if error is None else str(getattr(error, "message", error)),
        sent_at=_epoch_seconds(getattr(request, "timestamp", None)),
        request_id=_request_id(getattr(request, "request_id", None)),
        api=_api_access(envelope),
        granted=_granted(system),
        consent=_consent(request) if kind == "Connections.Response" else None,
        locale=closest(getattr(request, "locale", None)),
    )


def _api_access(envelope: RequestEnvelope) -> ApiAccess | None:
    system = getattr(envelope.context, "system", None)
    endpoint = getattr(system, "api_endpoint", None)
    token = getattr(system, "api_access_token", None)
    if not isinstance(endpoint, str) or not isinstance(token, str) or not endpoint or not token:
        return None
    device = getattr(getattr(system, "device", None), "device_id", None)
    locale = getattr(envelope.request, "locale", None)
    return ApiAccess(
        endpoint,
        token,
        device if isinstance(device, str) and device else None,
        locale if isinstance(locale, str) and locale else "en-US",
    )


def _granted(system: object) -> frozenset[str]:
    permissions = getattr(getattr(system, "user", None), "permissions", None)
    scopes = getattr(permissions, "scopes", None)
    if not isinstance(scopes, dict):
        return frozenset()
    return frozenset(
        name
        for name, scope in scopes.items()
        if getattr(getattr(scope, "status", None), "value", None) == "GRANTED"
    )


def _consent(request: object) -> str | None:
    payload = getattr(request, "payload", None)
    status = payload.get("status") if isinstance(payload, dict) else None
    return status if isinstance(status, str) else None


def _request_id(value: object) -> str | None:
    return value if isinstance(value, str) and 0 < len(value) <= 256 else None


def _offset_ms(value: object) -> int:
    """The player's offset as a whole number of milliseconds from 0; anything else (a list, an
    object, a negative or fractional number) reads as the start."""
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        return 0
    return value


def _epoch_seconds(moment: object) -> float | None:
    """A request timestamp as epoch seconds (one without a zone is UTC, as Alexa's are)."""
    if not isinstance(moment, dt.datetime):
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    try:
        return moment.timestamp()
    except (OverflowError, ValueError, OSError):
        return None


def _record_key(envelope: RequestEnvelope) -> str | None:
    try:
        return record_key_of(envelope)
    except PersistenceException:
        return None


def _slot_value(slot: object) -> SlotValue:
    """A slot the way Alexa resolves it (entity resolution), with what was said."""
    value = getattr(slot, "value", None)
    if not value or value == "?":
        return NO_SLOT
    resolutions = getattr(slot, "resolutions", None)
    for authority in getattr(resolutions, "resolutions_per_authority", None) or []:
        if authority.status and authority.status.code == StatusCode.ER_SUCCESS_MATCH:
            values = authority.values or []
            if values and values[0].value is not None:
                return SlotValue(value, values[0].value.id)
    return SlotValue(value, None)


def read_turn(
    asked: Asked, store: RecordStore, coach: Coach, now: float, fresh_start_notice: str
) -> Turn:
    """The turn with the runner's record read, unless the request needs none."""
    if asked.kind in NEEDS_NO_RECORD:
        return Turn(asked, now)
    stored = store.read(asked.record_key)
    try:
        record = {} if stored is None else decode(stored.text)
        kept = record.get(PROGRESS)
        progress = Progress() if kept is None else Progress.from_dict(kept)
        # Kit the content no longer names (renamed, or gone) is dropped, not the whole record.
        known = coach.known_kit(progress.missing_kit)
        if known != progress.missing_kit:
            progress = replace(progress, missing_kit=known)
        if not coach.is_valid(progress):
            raise ProgressError("progress points at content that no longer exists")
        exercises = progression.read(record.get(EXERCISES))
        progress = progression.Progression(coach).loaded(progress, exercises)
        progress = replace(progress, pace=_pace(record.get(PACE)))
    except NewerRecordError:
        raise  # never replaced: the skill says so
    except (UnreadableRecordError, ProgressError) as problem:
        assert stored is not None  # no record reads as a new runner
        # Start fresh, say so, and keep the record aside when the fresh one is saved.
        log.warning("Quarantining a record this version cannot use: %s", problem)
        quarantine = Quarantined.now(stored.text, str(problem))
        return Turn(
            asked, now, notice=fresh_start_notice, read=True, stored=stored, quarantine=quarantine
        )
    preferences = record.get(PREFERENCES)
    routine = record.get(ROUTINE)
    finish = take_back.Finish.from_dict(record.get(FINISH))
    if not take_back.still_kept(finish, kept, record.get(HISTORY), record.get(EXERCISES)):
        finish = None
    return Turn(
        asked,
        now,
        progress=progress,
        history=StoredHistory(record.get(HISTORY)),
        preferences=(
            Preferences.from_dict(preferences) if isinstance(preferences, dict) else Preferences()
        ),
        routine=routine if parse_routine(routine) is not None or offered(routine) else None,
        hurt=pains.read(record.get(HURT)),
        reminders=Reminders.from_dict(record.get(REMINDERS)),
        exercises=exercises,
        rest=LastingRest.from_dict(record.get(REST)),
        last_request=_request_id(record.get(LAST_REQUEST)),
        finish=finish,
        read=True,
        stored=stored,
        loaded=progress,
        # Fields this version does not use (a later version's, at the same record version) go
        # back as they came.
        others={k: v for k, v in record.items() if k not in KNOWN_FIELDS},
    )


KNOWN_FIELDS = frozenset(
    {
        PROGRESS,
        HISTORY,
        PREFERENCES,
        ROUTINE,
        HURT,
        EXERCISES,
        LAST_REQUEST,
        REMINDERS,
        REST,
        PACE,
        FINISH,
    }
)


def _pace(value: object) -> int:
    """The stored pace; what this version cannot read is the usual pace, never a lost record."""
    if isinstance(value, int) and not isinstance(value, bool):
        if QUICKEST_PACE <= value <= SLOWEST_PACE:
            return value
    return USUAL_PACE


def save(turn: Turn, outcome: Outcome, store: RecordStore) -> None:
    """Write the record back when the turn changed what it holds."""
    if not turn.read:
        return
    progress = turn.progress if outcome.progress is None else outcome.progress
    preferences = turn.preferences if outcome.preferences is None else outcome.preferences
    history_changed = turn.history.changed_to(outcome.history)
    routine = routine_after(turn.routine, outcome.events)
    # pain held in a warm-up or cool-down part holds no part the runner has moved on to, nor
    # any part of a workout started (or started over) since: that warm-up is a new one
    fresh = any(isinstance(event, WorkoutStarted | StartedOver) for event in outcome.events)
    hurt = pains.kept_for(
        turn.hurt if outcome.hurt is None else outcome.hurt, None if fresh else routine
    )
    reminders = turn.reminders if outcome.reminders is None else outcome.reminders
    exercises = turn.exercises if outcome.exercises is None else outcome.exercises
    rest = turn.rest if outcome.rest is None else outcome.rest
    unchanged = (
        progress == turn.loaded
        and routine == turn.routine
        and hurt == turn.hurt
        and exercises == turn.exercises
        and reminders == turn.reminders
        and rest == turn.rest
    )
    if unchanged and not history_changed and outcome.preferences is None:
        return
    record: dict[str, object] = dict(turn.others)
    record[PROGRESS] = progress.to_dict()
    if preferences != Preferences():
        record[PREFERENCES] = preferences.to_dict()
    kept = turn.history.to_store(outcome.history)
    if kept is not None:
        record[HISTORY] = kept
    if routine is not None:
        record[ROUTINE] = routine
    if hurt:
        record[HURT] = dict(hurt)
    if reminders != Reminders():
        record[REMINDERS] = reminders.to_dict()
    if exercises:
        record[EXERCISES] = progression.to_store(exercises)
    if rest != LastingRest():
        record[REST] = rest.to_dict()
    if progress.pace != USUAL_PACE:
        record[PACE] = progress.pace
    stored = (record[PROGRESS], record.get(HISTORY), record.get(EXERCISES))
    if outcome.finish is not None:
        record[FINISH] = take_back.sealed(outcome.finish, *stored).to_dict()
    elif take_back.still_kept(turn.finish, *stored):
        assert turn.finish is not None
        record[FINISH] = turn.finish.to_dict()
    if turn.asked.request_id is not None:
        record[LAST_REQUEST] = turn.asked.request_id
    store.write(turn.asked.record_key, encode(record), turn.stored, turn.quarantine)
