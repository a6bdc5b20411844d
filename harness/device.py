"""A pretend Alexa device: speech in, request envelopes out, a session kept as a device keeps it.

Session rules (as on a real device):
- "open upper body coach" or a one-shot ("tell upper body coach next set") opens a NEW session:
  a new id, `new: true`, no attributes.
- Later requests in an open session carry `new: false` and the `sessionAttributes` of the last
  response.
- `shouldEndSession: false` keeps the session open; true, null or missing closes it.
- With no session open, speech that does not name the skill never reaches it: the Turn is marked
  not sent. `intent()` follows the same rule unless asked for a one-shot.
- `mic_timeout()` is the microphone closing unanswered: SessionEndedRequest
  (EXCEEDED_MAX_REPROMPTS), after which no speech may come back.

A device may support AudioPlayer (`audio_player=`, or `enable_audio_player()`; without it the
device is as it always was: no interfaces, no player context). Then:
- every request declares `AudioPlayer` in supportedInterfaces and carries context.AudioPlayer;
- the response's AudioPlayer directives are played (harness.player) on the device's clock,
  `now`, in seconds: a response's speech takes its length by the timing model, `wait()` lets
  time pass, and the player's events are sent as AudioPlayer requests (no session) when due;
  their responses may hold only AudioPlayer directives (none for PlaybackStopped);
- with no session open, "Alexa, next" and the other name-free commands (AUDIO_COMMANDS) go to
  the skill once it has played audio here, as built-in intents in a new session;
- `press()` is a device button: PlaybackController.*CommandIssued.
`wait()` with a session open keeps the microphone open MIC_OPEN_SECONDS, speaks the last
answer's reprompt and listens MIC_OPEN_SECONDS more (none: no second listen), then closes it
(SessionEndedRequest) on any device.

A device may have a screen (`screen=True`, or `enable_screen()`): every request then declares
`Alexa.Presentation.APL`, the last `Alexa.Presentation.APL.RenderDocument` received is what it
`shows`, and `touch(argument)` is a touch on a control of that document whose SendEvent sends
[argument]: an `Alexa.Presentation.APL.UserEvent` with the document's token, in the open session
or a new one. A device without a screen that receives RenderDocument is an error.

A device remembers every turn, player event and speech (`history`, `events`, `spoken`): a dialog
test or a render reads the whole run, which its script bounds. A device that may run for days
(the browser simulator's) sets `keep=` and remembers only the latest that many (harness.recent).

Transports only "POST these bytes with these headers and return the status and body", so the
same device drives the app in-process (FlaskTransport) or a running server (HttpTransport). A
Signer adds Alexa's signature headers over the exact bytes sent.
"""

from __future__ import annotations

import datetime as dt
import html
import json
import re
import urllib.error
import urllib.parse
import urllib.request
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, Protocol

from harness.envelopes import (
    APL_INTERFACE,
    DEFAULT_DEVICE_ID,
    DEFAULT_SKILL_ID,
    DEFAULT_USER_ID,
    LOCALE,
    PLAYBACK_COMMANDS,
    Caller,
    Clock,
    DeviceContext,
    JsonDict,
    SessionState,
    audio_player_request,
    connections_response,
    intent_request,
    launch_request,
    new_session_id,
    playback_controller_request,
    session_ended_request,
    user_event_request,
    utc_now,
)
from harness.interaction_model import Intent, InteractionModel, Slot, load_model
from harness.player import (
    NEARLY_FINISHED_LEAD,
    AudioPlayer,
    AudioRuleError,
    PendingEvent,
    Resolver,
)
from harness.recent import Recent
from harness.ssml_reader import estimated_seconds, read_ssml
from harness.understanding.recognisers import Recogniser, recogniser_for
from harness.utterances import Match, SlotMatch, normalize, resolve_slot

if TYPE_CHECKING:
    from flask import Flask

    from harness.signing import DevIdentity

NO_SESSION_NOTE = (
    "no session open: the device did not send this to the skill; "
    "say 'Alexa, tell {invocation} ...' or 'Alexa, open {invocation}'"
)
NO_AUDIO_SKILL_NOTE = (
    "no session open and no skill has played audio on this device: {command!r} reaches nobody; "
    "say 'Alexa, tell {invocation} ...' or 'Alexa, open {invocation}'"
)
NOTHING_PLAYING_NOTE = "nothing is playing: {command!r} reaches nobody"
STALE_INTENT_NOTE = "intent not in the interaction model: sent as a stale model would send it"
# Said with no invocation name, these reach the skill that last played audio (platform notes,
# AudioPlayer). "Stop" and "cancel" only while audio plays; "stop" arrives as PauseIntent.
AUDIO_COMMANDS: Mapping[str, str] = {
    "next": "AMAZON.NextIntent",
    "skip": "AMAZON.NextIntent",
    "previous": "AMAZON.PreviousIntent",
    "go back": "AMAZON.PreviousIntent",
    "pause": "AMAZON.PauseIntent",
    "stop": "AMAZON.PauseIntent",
    "resume": "AMAZON.ResumeIntent",
    "continue": "AMAZON.ResumeIntent",
    "repeat": "AMAZON.RepeatIntent",
    "start over": "AMAZON.StartOverIntent",
    "restart": "AMAZON.StartOverIntent",
    "cancel": "AMAZON.CancelIntent",
    "loop on": "AMAZON.LoopOnIntent",
    "loop off": "AMAZON.LoopOffIntent",
    "shuffle on": "AMAZON.ShuffleOnIntent",
    "shuffle off": "AMAZON.ShuffleOffIntent",
}
# The same in German ("Alexa, weiter"), as a de-DE device hears them.
GERMAN_AUDIO_COMMANDS: Mapping[str, str] = {
    "weiter": "AMAZON.NextIntent",
    "nächster": "AMAZON.NextIntent",
    "überspringen": "AMAZON.NextIntent",
    "zurück": "AMAZON.PreviousIntent",
    "pause": "AMAZON.PauseIntent",
    "stopp": "AMAZON.PauseIntent",
    "stop": "AMAZON.PauseIntent",
    "fortsetzen": "AMAZON.ResumeIntent",
    "weitermachen": "AMAZON.ResumeIntent",
    "wiederholen": "AMAZON.RepeatIntent",
    "von vorne": "AMAZON.StartOverIntent",
    "abbrechen": "AMAZON.CancelIntent",
}
AUDIO_COMMANDS_IN = {"en": AUDIO_COMMANDS, "de": GERMAN_AUDIO_COMMANDS}
ONLY_WHILE_PLAYING = frozenset({"stop", "cancel", "stopp", "abbrechen"})
MIC_OPEN_SECONDS = 8.0  # how long a device listens for an answer before the session ends
AUDIO_PLAYER_INTERFACE = "AudioPlayer"
RENDER_DOCUMENT = "Alexa.Presentation.APL.RenderDocument"
SEND_REQUEST = "Connections.SendRequest"
CONSENT_ANSWERS = ("ACCEPTED", "DENIED", "NOT_ANSWERED")
# A server that verifies requests refuses a timestamp more than 150 s from its own clock: a signed
# device's stamps stay within this much of the real clock, however far ahead its own time runs.
SIGNED_STAMP_LEAD_SECONDS = 140.0
MAX_EVENTS_PER_MOMENT = 100  # a skill and device enqueuing forever is a bug, not a long wait
STALE_SLOT_TYPE = ""  # no type: slots of an undeclared intent carry plain values
REQUEST_HEADERS = {
    "Content-Type": "application/json; charset=utf-8",
    "Accept": "application/json",
    "User-Agent": "upper-body-coach-harness/1.0",
}


def ask_for_scope(ask: JsonDict) -> str:
    """The scope an AskFor directive asks for, in Alexa's documented version 1 form
    (`"@version": "1"`, `permissionScope` a string); any other form is refused, as Alexa
    would (version 2 wants a `permissionScopes` list, not a single scope)."""
    payload = ask.get("payload")
    payload = payload if isinstance(payload, dict) else {}
    scope = payload.get("permissionScope")
    form_ok = (
        payload.get("@type") == "AskForPermissionsConsentRequest"
        and payload.get("@version") == "1"
        and isinstance(scope, str)
        and scope
        and "permissionScopes" not in payload
    )
    if not form_ok:
        raise DeviceError(
            "an AskFor payload must be AskForPermissionsConsentRequest version 1 with one "
            f"permissionScope string: got {payload!r}"
        )
    return str(scope)


class DeviceError(RuntimeError):
    """The skill could not be reached or answered in a way Alexa would reject."""


class AudioResponseError(DeviceError):
    """A response to an AudioPlayer or PlaybackController request that Alexa would refuse, or
    an AudioPlayer directive the device cannot take."""


class SkillHttpError(DeviceError):
    def __init__(self, status: int, body: bytes) -> None:
        self.status = status
        self.body = body
        text = body.decode("utf-8", errors="replace")
        super().__init__(f"the skill answered HTTP {status}: {text[:500]}")


# ---- transports -----------------------------------------------------------------------------


@dataclass(frozen=True)
class TransportResponse:
    status: int
    body: bytes


class Transport(Protocol):
    def post(self, body: bytes, headers: Mapping[str, str]) -> TransportResponse: ...


# A transport may also have `fetch(url) -> TransportResponse`: a GET of the URL's path on the
# skill's server, which is how the device's AudioPlayer reaches the skill's /audio files.


class FlaskTransport:
    """The app in this process, through Flask's test client (no sockets)."""

    def __init__(self, app: Flask, path: str = "/alexa") -> None:
        self._client = app.test_client()
        self._path = path

    def post(self, body: bytes, headers: Mapping[str, str]) -> TransportResponse:
        response = self._client.post(self._path, data=body, headers=dict(headers))
        return TransportResponse(response.status_code, response.get_data())

    def fetch(self, url: str) -> TransportResponse:
        parts = urllib.parse.urlsplit(url)
        response = self._client.get(parts.path, query_string=parts.query)
        try:
            return TransportResponse(response.status_code, response.get_data())
        finally:
            response.close()  # a file the app sent stays open until the response is closed


class HttpTransport:
    """Real HTTP to a running server, e.g. http://127.0.0.1:5000/alexa."""

    def __init__(self, url: str, timeout: float = 10.0) -> None:
        self.url = url
        self.timeout = timeout

    def post(self, body: bytes, headers: Mapping[str, str]) -> TransportResponse:
        request = urllib.request.Request(self.url, data=body, headers=dict(headers), method="POST")
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                return TransportResponse(response.status, response.read())
        except urllib.error.HTTPError as error:
            return TransportResponse(error.code, error.read())
        except (urllib.error.URLError, OSError) as error:
            reason = getattr(error, "reason", error)
            raise DeviceError(f"cannot reach the skill at {self.url}: {reason}") from error

    def fetch(self, url: str) -> TransportResponse:
        """GET the URL's path from this server (the skill's audio, whatever host it names)."""
        server = urllib.parse.urlsplit(self.url)
        parts = urllib.parse.urlsplit(url)
        local = urllib.parse.urlunsplit((server.scheme, server.netloc, parts.path, parts.query, ""))
        try:
            with urllib.request.urlopen(local, timeout=self.timeout) as response:
                return TransportResponse(response.status, response.read())
        except urllib.error.HTTPError as error:
            return TransportResponse(error.code, error.read())
        except (urllib.error.URLError, OSError) as error:
            raise DeviceError(f"cannot fetch {local}: {error}") from error


class Signer:
    """Signs bodies like Alexa with a dev identity whose chain is published at `cert_url`.

    The server must trust the identity's CA (Settings.dev_ca_path) and be given the chain for
    `cert_url` (`cert_chains()`), so the real verification path runs without any network.
    """

    def __init__(self, identity: DevIdentity, cert_url: str | None = None) -> None:
        from harness.signing import DEV_CERT_URL

        self.identity = identity
        self.cert_url = cert_url or DEV_CERT_URL

    @classmethod
    def create(cls) -> Signer:
        from harness.signing import make_dev_identity

        return cls(make_dev_identity())

    def headers(self, body: bytes) -> dict[str, str]:
        return {"Signature-256": self.identity.sign(body), "SignatureCertChainUrl": self.cert_url}

    def cert_chains(self) -> dict[str, bytes]:
        return {self.cert_url: self.identity.chain_pem()}

    def ca_pem(self) -> bytes:
        from harness.signing import cert_pem

        return cert_pem(self.identity.ca_cert)


# ---- turns ----------------------------------------------------------------------------------

_TAG = re.compile(r"<[^>]*>")
_SPACE_BEFORE_PUNCT = re.compile(r"\s+([.,!?;:])")


def ssml_to_text(ssml: str) -> str:
    """What the SSML says, as plain text: tags out, entities decoded, whitespace normalised."""
    text = html.unescape(_TAG.sub(" ", ssml))
    return _SPACE_BEFORE_PUNCT.sub(r"\1", " ".join(text.split()))


def _speech(output: Any) -> tuple[str, str]:
    """(ssml, plain text) of an outputSpeech object; empty strings when there is none."""
    if not isinstance(output, dict):
        return "", ""
    if output.get("type") == "PlainText":
        text = str(output.get("text") or "")
        return "", " ".join(text.split())
    ssml = str(output.get("ssml") or "")
    return ssml, ssml_to_text(ssml)


@dataclass(frozen=True)
class Turn:
    """One exchange. `sent` is False when the device kept the words to itself (see `note`)."""

    said: str | None
    request: JsonDict | None
    response: JsonDict | None
    status: int | None
    session_open: bool
    session_id: str | None
    intent: str | None = None  # the intent sent (None for launch, session end, or unsent)
    slots: Mapping[str, SlotMatch] = field(default_factory=dict)
    match: Match | None = None
    sent: bool = True
    note: str | None = None
    speech_ssml: str = ""
    speech_text: str = ""
    reprompt_ssml: str = ""
    reprompt_text: str = ""
    at: float = 0.0  # device time (Device.now) when the request was sent

    @property
    def request_type(self) -> str | None:
        return None if self.request is None else str(self.request["request"]["type"])

    @property
    def answer_ssml(self) -> str:
        """The answer's speech as SSML (plain text wrapped); empty when nothing was said."""
        if self.speech_ssml or not self.speech_text:
            return self.speech_ssml
        return f"<speak>{html.escape(self.speech_text)}</speak>"


# ---- the device -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Spoken:
    """A response's speech on the device's clock: `seconds` by the timing model."""

    turn: Turn
    start: float
    seconds: float

    @property
    def end(self) -> float:
        return self.start + self.seconds


class Device:
    def __init__(
        self,
        transport: Transport,
        model: InteractionModel | None = None,
        *,
        user_id: str = DEFAULT_USER_ID,
        skill_id: str = DEFAULT_SKILL_ID,
        clock: Clock = utc_now,
        device_id: str = DEFAULT_DEVICE_ID,
        signer: Signer | None = None,
        record_errors: bool = False,
        audio_player: AudioPlayer | None = None,
        on_wait: Callable[[float], object] | None = None,
        screen: bool = False,
        recogniser: Recogniser | None = None,
        keep: int | None = None,
        api_endpoint: str | None = None,
        consent: str = "ACCEPTED",
        locale: str = LOCALE,
    ) -> None:
        self.transport = transport
        self.locale = locale  # sent in every request: the skill answers in its words
        self.model = model or load_model(locale=locale)
        # What the device makes of words: by default the statistical stand-in for Alexa's NLU,
        # trained (once per model) only when the device first hears words.
        self._recogniser = recogniser
        self.caller = Caller(skill_id=skill_id, user_id=user_id, device_id=device_id)
        if api_endpoint is not None:  # the Alexa APIs' stand-in (harness.alexa_apis)
            self.caller = replace(self.caller, api_endpoint=api_endpoint)
        # How the runner answers Alexa's question for a permission the skill asks for (AskFor).
        self.consent = consent
        self.asked_for: list[str] = []  # the scopes the skill asked for, in order
        # The reminders set on this runner's account (the stand-in's lines), for transcripts.
        self.reminder_lines: Callable[[], list[str]] = list
        # The words a track the skill plays says, by its URL ("" when not known), for checks.
        self.track_words: Callable[[str], str] = _no_words
        self.clock = clock
        self.signer = signer
        self.record_errors = record_errors  # True: a non-2xx answer goes in the Turn, no raise
        self.session: SessionState | None = None
        # What the device remembers: all of it by default (a dialog test or a render reads the
        # whole run); with `keep`, the latest `keep` turns, events and speeches (harness.recent).
        self.keep = keep
        self.history: Recent[Turn] = Recent(keep)
        self.player = audio_player
        self.on_wait = on_wait  # told the seconds of each wait(), e.g. to move a skill's clock
        self.now = 0.0  # the device's clock, seconds: speech and waits move it
        # How long the open session listens after the last answer: with its reprompt, twice.
        self._listening_seconds = MIC_OPEN_SECONDS
        self._origin = clock()  # the moment the device's clock started
        self.events: Recent[Turn] = Recent(keep)  # AudioPlayer requests sent, in order
        self.spoken: Recent[Spoken] = Recent(keep)  # speech heard, in order
        self.screen = screen  # supports Alexa.Presentation.APL
        self.shows: JsonDict | None = None  # the last RenderDocument directive received

    @property
    def recogniser(self) -> Recogniser:
        if self._recogniser is None:
            self._recogniser = recogniser_for(self.model)
        return self._recogniser

    def use_locale(self, locale: str) -> None:
        """Speak as a device in `locale`: its interaction model, and a recogniser trained on it
        (one given for another locale's model is replaced)."""
        if locale == self.locale:
            return
        self.locale = locale
        self.model = load_model(locale=locale)
        if self._recogniser is not None:
            self._recogniser = recogniser_for(self.model, self._recogniser.name)

    @property
    def session_open(self) -> bool:
        return self.session is not None

    def enable_audio_player(
        self,
        resolver: Resolver | None = None,
        *,
        nearly_finished_lead: float | None = None,
        tracks_kept: int | None = None,
    ) -> AudioPlayer:
        """Give the device an AudioPlayer (once); streams resolve through `resolver`, by default
        through the transport (transport_resolver). See harness.player for the lead. The player
        keeps as many stretches heard as the device keeps turns, and `tracks_kept` decoded
        tracks (None: every track played, as a render of the session reads them)."""
        if self.player is None:
            lead = NEARLY_FINISHED_LEAD if nearly_finished_lead is None else nearly_finished_lead
            self.player = AudioPlayer(
                resolver or transport_resolver(self),
                nearly_finished_lead=lead,
                keep=self.keep,
                tracks_kept=tracks_kept,
            )
        return self.player

    def grant(self, scope: str, status: str = "GRANTED") -> None:
        """The runner gave (or, with DENIED, refused) `scope` in the Alexa app: later requests
        carry it in context.System.user.permissions."""
        self.caller = replace(self.caller, scopes={**self.caller.scopes, scope: status})

    def revoke(self, scope: str) -> None:
        scopes = {name: status for name, status in self.caller.scopes.items() if name != scope}
        self.caller = replace(self.caller, scopes=scopes)

    def enable_screen(self) -> None:
        """Give the device a screen: requests declare Alexa.Presentation.APL from now on."""
        self.screen = True

    def touch(self, argument: str) -> Turn:
        """A touch on the control of the shown document that sends [argument]; not sent when
        nothing is shown."""
        if not self.screen:
            raise DeviceError("this device has no screen to touch")
        if self.shows is None:
            return self._not_sent(
                None, None, note=f"no document is shown: touching {argument!r} reaches nobody"
            )
        session = self.session or SessionState(new_session_id(), new=True)
        token = str(self.shows.get("token", ""))
        body = user_event_request(
            self.caller, session, self._stamp(), [argument], token, self._context()
        )
        return self._answer(self._exchange(body, session, None, None, {}, None))

    def say(self, text: str) -> Turn:
        heard = self.recogniser.match(text)
        if heard.kind == "launch":
            return self._launch(text, heard)
        if not heard.new_session and self.session is None:
            if self.player is not None:
                return self._audio_command(text, heard)
            return self._not_sent(text, heard)
        assert heard.intent is not None
        declared = self.model.intent(heard.intent)
        return self._send_intent(declared, heard.slots, text, heard, heard.new_session)

    def launch(self) -> Turn:
        return self._launch(None, None)

    def intent(
        self, name: str, slots: Mapping[str, str] | None = None, *, one_shot: bool = False
    ) -> Turn:
        """Send `name` with slot values given as text (value, synonym, id or number words).

        An intent the model does not declare is still sent, as a stale model would deliver it,
        with its slots as plain values; the Turn's note says so.
        """
        declared = self._intent_or_stale(name, slots or {})
        filled: dict[str, SlotMatch] = {}
        for slot_name, spoken in (slots or {}).items():
            slot_type = declared.slot(slot_name).type
            filled[slot_name] = resolve_slot(self.model, slot_type, str(spoken))
        if self.session is None and not one_shot:
            return self._not_sent(None, None, intent=name, slots=filled)
        return self._send_intent(declared, filled, None, None, one_shot)

    def mic_timeout(self) -> None:
        """The microphone closed with no answer: the session ends with no speech back."""
        if self.session is None:
            return
        self.end_session("EXCEEDED_MAX_REPROMPTS")

    def end_session(
        self, reason: str = "USER_INITIATED", error: tuple[str, str] | None = None
    ) -> None:
        """Send a SessionEndedRequest for the open session and close it."""
        if self.session is None:
            return
        body = session_ended_request(
            self.caller, self.session, self._stamp(), reason, error, self._context()
        )
        turn = self._exchange(body, self.session, None, None, {}, None)
        self.session = None  # whatever the answer says, this session is over
        if turn.speech_text or turn.reprompt_text:
            raise DeviceError(
                f"the skill answered a SessionEndedRequest with speech: {turn.speech_text!r}"
            )
        self._settle([])  # a stream held while Alexa listened plays now

    def press(self, button: str) -> Turn:
        """A device button (next, previous, play, pause): a PlaybackController request to the
        skill that last played audio; not sent when none has."""
        if button not in PLAYBACK_COMMANDS:
            raise ValueError(f"no button {button!r}: {', '.join(PLAYBACK_COMMANDS)}")
        if self.player is None:
            raise DeviceError("this device has no AudioPlayer: its buttons reach no skill")
        if not self.player.has_played:
            note = f"no skill has played audio on this device: {button!r} reaches nobody"
            return self._not_sent(None, None, note=note)
        body = playback_controller_request(self.caller, self._stamp(), button, self._context())
        turn, directives = self._audio_exchange(body, f"button {button}")
        self._record(turn)
        self._settle(self._apply(directives, body))
        return turn

    def wait(self, seconds: float) -> None:
        """Let `seconds` pass: an open microphone closes after MIC_OPEN_SECONDS, or, when the
        last answer has a reprompt, after that reprompt is spoken and MIC_OPEN_SECONDS more
        (Alexa reprompts once); audio plays and its events are sent when due."""
        if seconds < 0:
            raise ValueError(f"cannot wait {seconds} s")
        end = self.now + seconds
        if self.session is not None:
            window = self._listening_seconds
            listened = min(seconds, window)
            self.now += listened
            if listened < window:  # still listening: nothing else happens
                self._waited(seconds)
                return
            self.mic_timeout()
        self._play_until(end)
        self._waited(seconds)

    def wait_for_audio(self, limit: float) -> float:
        """Let time pass until nothing plays (at most `limit` seconds); the seconds waited."""
        start = self.now
        if self.session is not None:
            self.wait(min(limit, MIC_OPEN_SECONDS))
        before, stuck = self.now, 0
        while self.player is not None and self.player.playing and self.now - start < limit:
            moment = self.now
            self._play_until(min(self.player.next_moment(self.now), start + limit))
            stuck = stuck + 1 if self.now == moment else 0
            if stuck > MAX_EVENTS_PER_MOMENT:
                raise DeviceError(f"the player makes no progress at {self.now:.3f} s")
        self._waited(self.now - before)
        return self.now - start

    # -- internals --

    def talk_over(self, seconds: float) -> None:
        """The runner speaks `seconds` into the last answer's speech, which stops there: the
        device's clock goes back to that moment. Only while nothing has happened since that
        answer (no wait, no player event) and it started no audio."""
        if seconds < 0:
            raise ValueError(f"cannot talk over an answer {seconds} s into it")
        last = self.spoken[-1] if self.spoken else None
        if last is None or last.end != self.now or self.session is None:
            raise DeviceError("talking over an answer needs the last turn's answer still speaking")
        if self.events and self.events[-1].at > last.start:
            raise DeviceError("the player has sent events since that answer began")
        if last.turn.response is not None and any(
            str(d.get("type", "")).startswith("AudioPlayer.")
            for d in _directives(last.turn.response)
        ):
            raise DeviceError("talking over an answer that starts audio is not modelled")
        if seconds < last.seconds:
            self.spoken[-1] = Spoken(last.turn, last.start, seconds)
            self.now = last.start + seconds

    def _stamp(self) -> dt.datetime:
        """A request's timestamp: the device's own time (speech and waits take as long as they
        would on a device), or the real clock's when that is later (a person at a keyboard).

        A signed device's stamps stay within SIGNED_STAMP_LEAD_SECONDS of the real clock, as a
        verifying server requires: its own time starts that far behind the real clock, so a
        run of up to twice as long keeps the gaps between its requests true. Beyond that it
        stops (DeviceError) rather than bend its time: the skill reads the gaps."""
        real = self.clock()
        device = self._origin + dt.timedelta(seconds=self.now)
        if self.signer is None:
            return max(device, real)
        lead = dt.timedelta(seconds=SIGNED_STAMP_LEAD_SECONDS)
        moment = max(device - lead, real - lead)
        if moment > real + lead:
            raise DeviceError(
                f"this signed run's own time is {(device - real).total_seconds():.0f} s ahead of "
                f"the real clock, and a verifying server refuses a timestamp more than 150 s "
                f"off: keep a signed run under {2 * SIGNED_STAMP_LEAD_SECONDS:.0f} s of speech "
                "and waits, or run it unsigned"
            )
        return moment

    def _waited(self, seconds: float) -> None:
        if self.on_wait is not None:
            self.on_wait(seconds)

    def _context(self) -> DeviceContext:
        interfaces: dict[str, Any] = dict(APL_INTERFACE) if self.screen else {}
        if self.player is None:
            return DeviceContext(supported_interfaces=interfaces)
        interfaces[AUDIO_PLAYER_INTERFACE] = {}
        return DeviceContext(
            supported_interfaces=interfaces, audio_player=self.player.context(self.now)
        )

    def _audio_command(self, text: str, heard: Match) -> Turn:
        """Speech with no session on a device with AudioPlayer: a name-free audio command
        reaches the skill that last played audio; anything else reaches nobody."""
        assert self.player is not None
        command = normalize(text)
        name = AUDIO_COMMANDS_IN.get(self.model.language, AUDIO_COMMANDS).get(command)
        invocation = self.model.invocation_name
        if name is None:
            return self._not_sent(text, heard)
        if not self.player.has_played:
            note = NO_AUDIO_SKILL_NOTE.format(command=command, invocation=invocation)
            return self._not_sent(text, heard, note=note)
        if command in ONLY_WHILE_PLAYING and not self.player.playing:
            return self._not_sent(text, heard, note=NOTHING_PLAYING_NOTE.format(command=command))
        routed = Match("intent", name, {}, utterance=command, sample=command, new_session=True)
        return self._send_intent(self._intent_or_stale(name, {}), {}, text, routed, True)

    def _launch(self, said: str | None, heard: Match | None) -> Turn:
        self._listen()
        session = SessionState(new_session_id(), new=True)
        body = launch_request(self.caller, session, self._stamp(), self._context())
        return self._answer(self._exchange(body, session, said, None, {}, heard))

    def _intent_or_stale(self, name: str, slots: Mapping[str, str]) -> Intent:
        if self.model.has_intent(name):
            return self.model.intent(name)
        return Intent(name, slots=tuple(Slot(slot, STALE_SLOT_TYPE) for slot in slots))

    def _send_intent(
        self,
        intent: Intent,
        slots: Mapping[str, SlotMatch],
        said: str | None,
        heard: Match | None,
        new_session: bool,
    ) -> Turn:
        self._listen()
        if new_session or self.session is None:
            session = SessionState(new_session_id(), new=True)
        else:
            session = self.session
        body = intent_request(
            self.caller, session, self._stamp(), self.model, intent, slots, self._context()
        )
        note = None if self.model.has_intent(intent.name) else STALE_INTENT_NOTE
        turn = self._exchange(body, session, said, intent.name, slots, heard, note)
        return self._answer(turn)

    def _listen(self) -> None:
        """The runner speaks to Alexa: a playing track waits."""
        if self.player is not None:
            self.player.hold(self.now)

    def _answer(self, turn: Turn) -> Turn:
        """Alexa speaks the answer, then plays what it says to play."""
        seconds = speech_seconds(turn)
        if seconds:
            self.spoken.append(Spoken(turn, self.now, seconds))
            self.now += seconds
        if turn.response is None:
            return turn
        directives = _directives(turn.response)
        rendered = [d for d in directives if d.get("type") == RENDER_DOCUMENT]
        if rendered and not self.screen:
            raise DeviceError(
                "the skill sent RenderDocument to a device without a screen: check "
                "context.System.device.supportedInterfaces first"
            )
        if rendered:
            self.shows = rendered[-1]
        audio = [d for d in directives if str(d.get("type", "")).startswith("AudioPlayer.")]
        if audio and self.player is None:
            raise AudioResponseError(
                f"the skill sent {audio[0].get('type')} to a device without AudioPlayer: "
                "check context.System.device.supportedInterfaces first"
            )
        assert turn.request is not None
        self._settle(self._apply(audio, turn.request))
        asks = [d for d in directives if d.get("type") == SEND_REQUEST]
        if asks and turn.session_id is None and turn.request_type != "Connections.Response":
            return self._consent(turn, asks[-1])
        return turn

    def _consent(self, turn: Turn, ask: JsonDict) -> Turn:
        """Alexa asks the runner for the permission the skill named, and sends the skill the
        answer (`consent`) as Connections.Response in the same session; a yes grants the
        scope. The turn returned is that answer's: what the runner hears after."""
        scope = ask_for_scope(ask)
        self.asked_for.append(scope)
        if self.consent == "ACCEPTED" and scope:
            self.grant(scope)
        assert turn.request is not None and turn.response is not None
        old = turn.request.get("session", {})
        attributes = turn.response.get("sessionAttributes")
        session = SessionState(
            str(old.get("sessionId", new_session_id())), new=False, attributes=attributes or {}
        )
        name = str(ask.get("name", ""))
        body = connections_response(
            self.caller, session, self._stamp(), name, self.consent, self._context()
        )
        answer = self._exchange(body, session, turn.said, None, {}, turn.match)
        return self._answer(answer)

    def _apply(self, directives: list[JsonDict], request: JsonDict) -> list[PendingEvent]:
        if self.player is None or not directives:
            return []
        try:
            return self.player.apply(directives, self.now)
        except AudioRuleError as error:
            kind = request["request"]["type"]
            raise AudioResponseError(f"the response to {kind}: {error}") from error

    def _settle(self, events: list[PendingEvent]) -> None:
        """Send the events now due, and those their answers cause, in order; then play on
        whatever waits, unless a session is open (Alexa is listening)."""
        if self.player is None:
            return
        pending = deque(events)
        sent = 0
        while True:
            while pending:
                sent += 1
                if sent > MAX_EVENTS_PER_MOMENT:
                    raise DeviceError(
                        f"more than {MAX_EVENTS_PER_MOMENT} AudioPlayer events at "
                        f"{self.now:.3f} s: the skill and the player are in a loop"
                    )
                pending.extend(self._send_event(pending.popleft()))
            if self.session is not None:
                return
            pending.extend(self.player.release(self.now))
            if not pending:
                return

    def _play_until(self, end: float) -> None:
        same_moment = 0
        while self.player is not None:
            moment = self.player.next_moment(self.now)
            if moment > end:
                break
            same_moment = same_moment + 1 if moment <= self.now else 0
            if same_moment > MAX_EVENTS_PER_MOMENT:
                raise DeviceError(
                    f"tracks keep ending at {self.now:.3f} s without playing: the skill and "
                    "the player are in a loop"
                )
            self.now = max(self.now, moment)
            due = self.player.due(self.now)
            if not due and self.player.next_moment(self.now) <= self.now:
                break  # nothing more can happen at this moment
            self._settle(due)
        self.now = max(self.now, end)

    def _send_event(self, event: PendingEvent) -> list[PendingEvent]:
        context = DeviceContext({AUDIO_PLAYER_INTERFACE: {}}, event.context)
        body = audio_player_request(
            self.caller,
            self._stamp(),
            event.name,
            event.token,
            event.offset_ms,
            context,
            **event.fields,
        )
        turn, directives = self._audio_exchange(body, f"token {event.token!r}")
        self.events.append(turn)
        if event.name == "PlaybackStopped" and directives:
            raise AudioResponseError(
                f"the skill answered AudioPlayer.PlaybackStopped (token {event.token!r}) with "
                "directives: Alexa allows none there"
            )
        return self._apply(directives, body)

    def _audio_exchange(self, body: JsonDict, about: str) -> tuple[Turn, list[JsonDict]]:
        """POST an AudioPlayer or PlaybackController request; the answer may hold only
        AudioPlayer directives (no speech, card or reprompt), else AudioResponseError."""
        kind = str(body["request"]["type"])
        status, raw = self._post(body)
        if not 200 <= status < 300:
            raise SkillHttpError(status, raw)
        response = _parse_json(raw)
        inner = response.get("response")
        inner = inner if isinstance(inner, dict) else {}
        forbidden = [key for key in ("outputSpeech", "card", "reprompt") if inner.get(key)]
        directives = _directives(response)
        others = [str(d.get("type")) for d in directives]
        others = [t for t in others if not t.startswith("AudioPlayer.")]
        if forbidden or others:
            what = ", ".join(forbidden + others)
            raise AudioResponseError(
                f"the skill answered {kind} ({about}) with {what}: Alexa allows only "
                "AudioPlayer directives in answer to AudioPlayer and PlaybackController requests"
            )
        turn = Turn(
            said=None,
            request=body,
            response=response,
            status=status,
            session_open=self.session_open,
            session_id=None,
            at=self.now,
        )
        return turn, directives

    def _not_sent(
        self,
        said: str | None,
        heard: Match | None,
        *,
        intent: str | None = None,
        slots: Mapping[str, SlotMatch] | None = None,
        note: str | None = None,
    ) -> Turn:
        turn = Turn(
            said=said,
            request=None,
            response=None,
            status=None,
            session_open=self.session_open,  # words that reach no skill change no session
            session_id=None,
            intent=intent if heard is None else heard.intent,
            slots=dict(slots or {}) if heard is None else heard.slots,
            match=heard,
            sent=False,
            note=note or NO_SESSION_NOTE.format(invocation=self.model.invocation_name),
            at=self.now,
        )
        return self._record(turn)

    def _post(self, body: JsonDict) -> tuple[int, bytes]:
        body["request"]["locale"] = self.locale
        raw = json.dumps(body, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
        headers = dict(REQUEST_HEADERS)
        if self.signer is not None:
            headers.update(self.signer.headers(raw))
        answer = self.transport.post(raw, headers)
        return answer.status, answer.body

    def _exchange(
        self,
        body: JsonDict,
        session: SessionState,
        said: str | None,
        intent: str | None,
        slots: Mapping[str, SlotMatch],
        heard: Match | None,
        note: str | None = None,
    ) -> Turn:
        status, raw = self._post(body)
        common: dict[str, Any] = {
            "said": said,
            "request": body,
            "status": status,
            "intent": intent,
            "slots": dict(slots),
            "match": heard,
            "at": self.now,
        }
        notes = [note] if note else []
        if not 200 <= status < 300:
            self.session = None  # a device gives up on the session after a failed request
            if not self.record_errors:
                raise SkillHttpError(status, raw)
            notes.append(f"HTTP {status}: {raw.decode('utf-8', errors='replace')[:500]}")
            return self._record(
                Turn(
                    response=None,
                    session_open=False,
                    session_id=None,
                    note="; ".join(notes),
                    **common,
                )
            )
        response = _parse_json(raw)
        inner = response.get("response")
        inner = inner if isinstance(inner, dict) else {}
        reprompt = inner.get("reprompt")
        speech_ssml, speech_text = _speech(inner.get("outputSpeech"))
        reprompt_ssml, reprompt_text = _speech(
            reprompt.get("outputSpeech") if isinstance(reprompt, dict) else None
        )
        stays_open = inner.get("shouldEndSession") is False
        reprompted = ssml_seconds(reprompt_ssml) + MIC_OPEN_SECONDS if reprompt_ssml else 0.0
        self._listening_seconds = MIC_OPEN_SECONDS + reprompted
        if stays_open:
            attributes = response.get("sessionAttributes")
            self.session = SessionState(
                session.session_id, new=False, attributes=dict(attributes or {})
            )
        else:
            self.session = None
        turn = Turn(
            response=response,
            session_open=stays_open,
            session_id=session.session_id if stays_open else None,
            speech_ssml=speech_ssml,
            speech_text=speech_text,
            reprompt_ssml=reprompt_ssml,
            reprompt_text=reprompt_text,
            note="; ".join(notes) or None,
            **common,
        )
        return self._record(turn)

    def _record(self, turn: Turn) -> Turn:
        self.history.append(turn)
        return turn


def speech_seconds(turn: Turn) -> float:
    """How long Alexa speaks a turn's answer, by the timing model (0 for none or unreadable)."""
    return ssml_seconds(turn.answer_ssml)


def ssml_seconds(ssml: str) -> float:
    """How long Alexa speaks `ssml`, by the timing model (0 for none or unreadable)."""
    if not ssml:
        return 0.0
    try:
        return estimated_seconds(read_ssml(ssml))
    except ValueError:
        return 0.0


def _directives(response: JsonDict) -> list[JsonDict]:
    inner = response.get("response")
    found = inner.get("directives") if isinstance(inner, dict) else None
    return [d for d in found if isinstance(d, dict)] if isinstance(found, list) else []


def _no_words(url: str) -> str:
    return ""


def transport_resolver(device: Device) -> Resolver:
    """Streams fetched through the device's transport: `fetch(url)` on it, or on the transport
    it wraps (`.inner`, as the dialog stage's and tests' wrappers keep it). Only the URL's path
    is used: the skill's own server serves its audio, whatever host the URL names."""

    def resolve(url: str) -> bytes | None:
        transport: object = device.transport
        while transport is not None:
            fetch = getattr(transport, "fetch", None)
            if fetch is not None:
                answer = fetch(url)
                return answer.body if 200 <= answer.status < 300 else None
            transport = getattr(transport, "inner", None)
        return None

    return resolve


def _parse_json(raw: bytes) -> JsonDict:
    try:
        parsed = json.loads(raw.decode("utf-8"))
    except ValueError as error:
        raise DeviceError(
            f"the skill answered with a body that is not JSON: {raw[:200]!r}"
        ) from error
    if not isinstance(parsed, dict):
        raise DeviceError(f"the skill answered with JSON that is not an object: {raw[:200]!r}")
    return parsed
