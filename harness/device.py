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

Transports only "POST these bytes with these headers and return the status and body", so the
same device drives the app in-process (FlaskTransport) or a running server (HttpTransport). A
Signer adds Alexa's signature headers over the exact bytes sent.
"""

from __future__ import annotations

import html
import json
import re
import urllib.error
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from harness.envelopes import (
    DEFAULT_DEVICE_ID,
    DEFAULT_SKILL_ID,
    DEFAULT_USER_ID,
    Caller,
    Clock,
    JsonDict,
    SessionState,
    intent_request,
    launch_request,
    new_session_id,
    session_ended_request,
    utc_now,
)
from harness.interaction_model import Intent, InteractionModel, Slot, load_model
from harness.utterances import Match, SlotMatch, match, resolve_slot

if TYPE_CHECKING:
    from flask import Flask

    from harness.signing import DevIdentity

NO_SESSION_NOTE = (
    "no session open: the device did not send this to the skill; "
    "say 'Alexa, tell {invocation} ...' or 'Alexa, open {invocation}'"
)
STALE_INTENT_NOTE = "intent not in the interaction model: sent as a stale model would send it"
STALE_SLOT_TYPE = ""  # no type: slots of an undeclared intent carry plain values
REQUEST_HEADERS = {
    "Content-Type": "application/json; charset=utf-8",
    "Accept": "application/json",
    "User-Agent": "upper-body-coach-harness/1.0",
}


class DeviceError(RuntimeError):
    """The skill could not be reached or answered in a way Alexa would reject."""


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


class FlaskTransport:
    """The app in this process, through Flask's test client (no sockets)."""

    def __init__(self, app: Flask, path: str = "/alexa") -> None:
        self._client = app.test_client()
        self._path = path

    def post(self, body: bytes, headers: Mapping[str, str]) -> TransportResponse:
        response = self._client.post(self._path, data=body, headers=dict(headers))
        return TransportResponse(response.status_code, response.get_data())


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

    @property
    def request_type(self) -> str | None:
        return None if self.request is None else str(self.request["request"]["type"])


# ---- the device -----------------------------------------------------------------------------


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
    ) -> None:
        self.transport = transport
        self.model = model or load_model()
        self.caller = Caller(skill_id=skill_id, user_id=user_id, device_id=device_id)
        self.clock = clock
        self.signer = signer
        self.record_errors = record_errors  # True: a non-2xx answer goes in the Turn, no raise
        self.session: SessionState | None = None
        self.history: list[Turn] = []

    @property
    def session_open(self) -> bool:
        return self.session is not None

    def say(self, text: str) -> Turn:
        heard = match(text, self.model)
        if heard.kind == "launch":
            return self._launch(text, heard)
        if not heard.new_session and self.session is None:
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
        body = session_ended_request(self.caller, self.session, self.clock(), reason, error)
        turn = self._exchange(body, self.session, None, None, {}, None)
        self.session = None  # whatever the answer says, this session is over
        if turn.speech_text or turn.reprompt_text:
            raise DeviceError(
                f"the skill answered a SessionEndedRequest with speech: {turn.speech_text!r}"
            )

    # -- internals --

    def _launch(self, said: str | None, heard: Match | None) -> Turn:
        session = SessionState(new_session_id(), new=True)
        body = launch_request(self.caller, session, self.clock())
        return self._exchange(body, session, said, None, {}, heard)

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
        if new_session or self.session is None:
            session = SessionState(new_session_id(), new=True)
        else:
            session = self.session
        body = intent_request(self.caller, session, self.clock(), self.model, intent, slots)
        note = None if self.model.has_intent(intent.name) else STALE_INTENT_NOTE
        return self._exchange(body, session, said, intent.name, slots, heard, note)

    def _not_sent(
        self,
        said: str | None,
        heard: Match | None,
        *,
        intent: str | None = None,
        slots: Mapping[str, SlotMatch] | None = None,
    ) -> Turn:
        turn = Turn(
            said=said,
            request=None,
            response=None,
            status=None,
            session_open=False,
            session_id=None,
            intent=intent if heard is None else heard.intent,
            slots=dict(slots or {}) if heard is None else heard.slots,
            match=heard,
            sent=False,
            note=NO_SESSION_NOTE.format(invocation=self.model.invocation_name),
        )
        self.history.append(turn)
        return turn

    def _post(self, body: JsonDict) -> tuple[int, bytes]:
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
