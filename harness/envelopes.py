"""Alexa request envelopes as JSON-able dicts, shaped like the ones a real device causes.

Only what the skill can observe is modelled: ids, the session (new flag and attributes), the
context's System block (with the device's supported interfaces) and AudioPlayer state, and the
request itself (LaunchRequest, IntentRequest with slot resolutions, SessionEndedRequest,
AudioPlayer events, PlaybackController buttons, APL UserEvents from a touch on the screen, or
any other type with the fields given). Times
come from the caller, so tests can fix the clock. The device builds every request here, and so
do the tests (through tests.support), so there is one idea of what Alexa sends.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from harness.interaction_model import Intent, InteractionModel
from harness.utterances import SlotMatch
from skill.locales import DEFAULT as DEFAULT_LOCALE

DEFAULT_SKILL_ID = "amzn1.ask.skill.00000000-0000-0000-0000-000000000000"
DEFAULT_USER_ID = "amzn1.ask.account.HARNESS-USER"
DEFAULT_DEVICE_ID = "amzn1.ask.device.HARNESS-DEVICE"
# Alexa's own endpoint is never reached from here: a device with no stand-in of the APIs
# (harness.alexa_apis) names a closed port on this machine, refused at once.
API_ENDPOINT = "https://127.0.0.1:9"
LOCALE = DEFAULT_LOCALE  # the skill's first locale (skill.locales)
VERSION = "1.0"

SESSION_ENDED_REASONS = ("USER_INITIATED", "EXCEEDED_MAX_REPROMPTS", "ERROR")
ER_MATCH = "ER_SUCCESS_MATCH"
ER_NO_MATCH = "ER_SUCCESS_NO_MATCH"

Clock = Callable[[], dt.datetime]
JsonDict = dict[str, Any]


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def new_session_id() -> str:
    return f"amzn1.echo-api.session.{uuid.uuid4()}"


def new_request_id() -> str:
    return f"amzn1.echo-api.request.{uuid.uuid4()}"


def timestamp(moment: dt.datetime) -> str:
    """ISO-8601 in UTC, whole seconds, with a Z: what Alexa sends (naive times count as UTC)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass(frozen=True)
class Caller:
    """Who is asking: the ids every envelope repeats."""

    skill_id: str = DEFAULT_SKILL_ID
    user_id: str = DEFAULT_USER_ID
    device_id: str = DEFAULT_DEVICE_ID
    api_access_token: str = "harness-api-access-token"
    api_endpoint: str = API_ENDPOINT
    # Permission scopes the runner granted, by scope: {"alexa::...": "GRANTED"}.
    scopes: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class SessionState:
    session_id: str
    new: bool
    attributes: Mapping[str, Any] | None = field(default_factory=dict)  # None: no such key


@dataclass(frozen=True)
class DeviceContext:
    """What the device adds to context: its interfaces and, with AudioPlayer, the player's
    state (context.AudioPlayer). The default is a device with no interfaces."""

    supported_interfaces: Mapping[str, Any] = field(default_factory=dict)
    audio_player: JsonDict | None = None


NO_INTERFACES = DeviceContext()
# A screen device's APL interface as Alexa declares it (the runtime's highest APL version).
APL_INTERFACE = {"Alexa.Presentation.APL": {"runtime": {"maxVersion": "1.8"}}}
SCREEN = DeviceContext(APL_INTERFACE)


def envelope(
    caller: Caller,
    session: SessionState | None,
    request: JsonDict,
    device: DeviceContext = NO_INTERFACES,
) -> JsonDict:
    """Wrap a request body; `session` is None only where Alexa sends none (outside sessions,
    and AudioPlayer and PlaybackController requests)."""
    application = {"applicationId": caller.skill_id}
    user: JsonDict = {"userId": caller.user_id}
    body: JsonDict = {"version": VERSION}
    if session is not None:
        attributes = {} if session.attributes is None else {"attributes": dict(session.attributes)}
        body["session"] = {
            "new": session.new,
            "sessionId": session.session_id,
            "application": dict(application),
            **attributes,
            "user": dict(user),
        }
    body["context"] = {
        "System": {
            "application": dict(application),
            "user": _with_permissions(user, caller),
            "device": {
                "deviceId": caller.device_id,
                "supportedInterfaces": {
                    name: dict(value) for name, value in device.supported_interfaces.items()
                },
            },
            "apiEndpoint": caller.api_endpoint,
            "apiAccessToken": caller.api_access_token,
        }
    }
    if device.audio_player is not None:
        body["context"]["AudioPlayer"] = dict(device.audio_player)
    body["request"] = request
    return body


def _with_permissions(user: JsonDict, caller: Caller) -> JsonDict:
    """context.System.user, with the scopes granted (none: no permissions block)."""
    if not caller.scopes:
        return dict(user)
    scopes = {scope: {"status": status} for scope, status in caller.scopes.items()}
    return {**user, "permissions": {"scopes": scopes}}


def connections_response(
    caller: Caller,
    session: SessionState,
    now: dt.datetime,
    name: str,
    status: str,
    device: DeviceContext = NO_INTERFACES,
) -> JsonDict:
    """Connections.Response: the answer to the skill's Connections.SendRequest `name` (AskFor),
    with `status` ACCEPTED, DENIED or NOT_ANSWERED."""
    request = request_body(
        "Connections.Response",
        now,
        name=name,
        status={"code": "200", "message": "OK"},
        payload={"status": status},
        token="",
    )
    return envelope(caller, session, request, device)


def request_body(
    kind: str, when: dt.datetime | str, *, locale: str = LOCALE, **fields: Any
) -> JsonDict:
    """The `request` part of an envelope, of any type. `when` is a time, or the exact text to
    send as the timestamp (a test may send a malformed one); `fields` are added as given (for
    example `intent=intent_json(...)`, `reason=...`, `error={...}`)."""
    return {
        "type": kind,
        "requestId": new_request_id(),
        "timestamp": when if isinstance(when, str) else timestamp(when),
        "locale": locale,
        **fields,
    }


def launch_request(
    caller: Caller, session: SessionState, now: dt.datetime, device: DeviceContext = NO_INTERFACES
) -> JsonDict:
    return envelope(caller, session, request_body("LaunchRequest", now), device)


def intent_json(name: str, slots: Mapping[str, JsonDict] | None = None) -> JsonDict:
    """An intent as a request carries it: `slots` by name, each as slot_json() makes them."""
    return {"name": name, "confirmationStatus": "NONE", "slots": dict(slots or {})}


def slot_json(
    caller: Caller, name: str, type_name: str, filled: SlotMatch | None, custom: bool
) -> JsonDict:
    """One slot as Alexa sends it: no `value` when unsaid, resolutions only for custom types."""
    slot: JsonDict = {"name": name, "confirmationStatus": "NONE"}
    if filled is None:
        return slot
    slot["value"] = filled.value
    if not custom:  # built-in types such as AMAZON.NUMBER carry no resolutions
        return slot
    resolution: JsonDict = {
        "authority": f"amzn1.er-authority.echo-sdk.{caller.skill_id}.{type_name}",
        "status": {"code": ER_MATCH if filled.id is not None else ER_NO_MATCH},
    }
    if filled.id is not None:
        resolution["values"] = [{"value": {"name": filled.name or filled.value, "id": filled.id}}]
    slot["resolutions"] = {"resolutionsPerAuthority": [resolution]}
    return slot


def intent_request(
    caller: Caller,
    session: SessionState,
    now: dt.datetime,
    model: InteractionModel,
    intent: Intent,
    slots: Mapping[str, SlotMatch],
    device: DeviceContext = NO_INTERFACES,
) -> JsonDict:
    """Every slot the intent declares is present; the ones not said carry no value."""
    unknown = set(slots) - {slot.name for slot in intent.slots}
    if unknown:
        raise ValueError(f"intent {intent.name} has no slot(s) {', '.join(sorted(unknown))}")
    filled = {
        slot.name: slot_json(
            caller,
            slot.name,
            slot.type,
            slots.get(slot.name),
            custom=model.slot_type(slot.type) is not None,
        )
        for slot in intent.slots
    }
    request = request_body("IntentRequest", now, intent=intent_json(intent.name, filled))
    return envelope(caller, session, request, device)


def session_ended_request(
    caller: Caller,
    session: SessionState,
    now: dt.datetime,
    reason: str,
    error: tuple[str, str] | None = None,
    device: DeviceContext = NO_INTERFACES,
) -> JsonDict:
    """`error` is (type, message), e.g. ("INVALID_RESPONSE", ...), for reason ERROR."""
    if reason not in SESSION_ENDED_REASONS:
        raise ValueError(
            f"reason must be one of {', '.join(SESSION_ENDED_REASONS)}, not {reason!r}"
        )
    request = request_body("SessionEndedRequest", now, reason=reason)
    if error is not None:
        request["error"] = {"type": error[0], "message": error[1]}
    return envelope(caller, session, request, device)


AUDIO_PLAYER_EVENTS = (
    "PlaybackStarted",
    "PlaybackNearlyFinished",
    "PlaybackFinished",
    "PlaybackStopped",
    "PlaybackFailed",
)
PLAYBACK_COMMANDS = {  # a device button -> its PlaybackController request
    "next": "PlaybackController.NextCommandIssued",
    "previous": "PlaybackController.PreviousCommandIssued",
    "play": "PlaybackController.PlayCommandIssued",
    "pause": "PlaybackController.PauseCommandIssued",
}


def audio_player_request(
    caller: Caller,
    now: dt.datetime,
    event: str,
    token: str,
    offset_ms: int,
    device: DeviceContext,
    **fields: Any,
) -> JsonDict:
    """AudioPlayer.<event> (PlaybackStarted ... PlaybackFailed): no session; `fields` adds
    PlaybackFailed's `error` and `currentPlaybackState`."""
    if event not in AUDIO_PLAYER_EVENTS:
        raise ValueError(f"event must be one of {', '.join(AUDIO_PLAYER_EVENTS)}, not {event!r}")
    request = request_body(
        f"AudioPlayer.{event}", now, token=token, offsetInMilliseconds=offset_ms, **fields
    )
    return envelope(caller, None, request, device)


def playback_controller_request(
    caller: Caller, now: dt.datetime, button: str, device: DeviceContext
) -> JsonDict:
    """A device button (next, previous, play, pause): no session, the player in context."""
    if button not in PLAYBACK_COMMANDS:
        raise ValueError(f"button must be one of {', '.join(PLAYBACK_COMMANDS)}, not {button!r}")
    return envelope(caller, None, request_body(PLAYBACK_COMMANDS[button], now), device)


def user_event_request(
    caller: Caller,
    session: SessionState | None,
    now: dt.datetime,
    arguments: list[Any],
    token: str,
    device: DeviceContext = SCREEN,
) -> JsonDict:
    """Alexa.Presentation.APL.UserEvent: a touch on the screen whose control ran SendEvent with
    `arguments`, on the document rendered with `token`."""
    request = request_body(
        "Alexa.Presentation.APL.UserEvent",
        now,
        token=token,
        arguments=list(arguments),
        source={"type": "TouchWrapper", "handler": "Press", "id": ""},
    )
    return envelope(caller, session, request, device)
