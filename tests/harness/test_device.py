"""The pretend device: envelopes, session keeping, transports and signing.

A stub skill stands in for the real one so these tests do not depend on its wording; one
integration test at the end talks to skill.app.create_app.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import socket
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from flask import Flask, jsonify, request

from harness.device import (
    MIC_OPEN_SECONDS,
    Device,
    DeviceError,
    FlaskTransport,
    HttpTransport,
    Signer,
    SkillHttpError,
    TransportResponse,
    ssml_seconds,
    ssml_to_text,
)
from harness.envelopes import (
    API_ENDPOINT,
    DEFAULT_SKILL_ID,
    Caller,
    SessionState,
    intent_request,
    session_ended_request,
    timestamp,
)
from harness.interaction_model import load_model
from harness.local_server import serve_app
from harness.utterances import SlotMatch

MODEL = load_model()
NOW = dt.datetime(2024, 5, 1, 12, 0, 0, 123456, tzinfo=dt.UTC)
Json = dict[str, Any]
Responder = Callable[[Json], tuple[int, Json]]


def reply(
    text: str, *, end: bool | None = False, attributes: Json | None = None, reprompt: str = ""
) -> Json:
    inner: Json = {"outputSpeech": {"type": "SSML", "ssml": f"<speak>{text}</speak>"}}
    if reprompt:
        inner["reprompt"] = {"outputSpeech": {"type": "SSML", "ssml": f"<speak>{reprompt}</speak>"}}
    if end is not None:
        inner["shouldEndSession"] = end
    body: Json = {"version": "1.0", "response": inner}
    if attributes is not None:
        body["sessionAttributes"] = attributes
    return body


def counting_skill(envelope: Json) -> tuple[int, Json]:
    """Counts requests in sessionAttributes; Stop ends the session; says the intent name."""
    request_body = envelope["request"]
    if request_body["type"] == "SessionEndedRequest":
        return 200, {"version": "1.0", "response": {}}
    count = envelope["session"]["attributes"].get("count", 0) + 1
    name = request_body.get("intent", {}).get("name", "launch")
    end = name in {"AMAZON.StopIntent", "AMAZON.CancelIntent"}
    return 200, reply(f"{name} number {count}", end=end, attributes={"count": count})


class StubTransport:
    """Records what the device sends and answers with a responder function."""

    def __init__(self, responder: Responder = counting_skill) -> None:
        self.responder = responder
        self.bodies: list[bytes] = []
        self.headers: list[dict[str, str]] = []

    @property
    def requests(self) -> list[Json]:
        return [json.loads(body) for body in self.bodies]

    def post(self, body: bytes, headers: Mapping[str, str]) -> TransportResponse:
        self.bodies.append(body)
        self.headers.append(dict(headers))
        status, payload = self.responder(json.loads(body))
        return TransportResponse(status, json.dumps(payload).encode())


@pytest.fixture
def stub() -> StubTransport:
    return StubTransport()


@pytest.fixture
def device(stub: StubTransport) -> Device:
    return Device(stub, MODEL, user_id="runner-7", clock=lambda: NOW)


# ---- envelopes ----


def test_launch_envelope_has_alexas_shape(device: Device, stub: StubTransport) -> None:
    device.say("open upper body coach")
    body = stub.requests[0]
    assert body["version"] == "1.0"
    session = body["session"]
    assert session["new"] is True and session["attributes"] == {}
    assert session["sessionId"].startswith("amzn1.echo-api.session.")
    assert session["application"] == {"applicationId": DEFAULT_SKILL_ID}
    assert session["user"] == {"userId": "runner-7"}
    system = body["context"]["System"]
    assert system["application"]["applicationId"] == DEFAULT_SKILL_ID
    assert system["user"]["userId"] == "runner-7"
    assert system["device"]["supportedInterfaces"] == {}
    assert system["apiEndpoint"] == API_ENDPOINT  # a closed local port: never Alexa's own
    assert system["apiAccessToken"]
    req = body["request"]
    assert req["type"] == "LaunchRequest"
    assert req["requestId"].startswith("amzn1.echo-api.request.")
    assert req["timestamp"] == "2024-05-01T12:00:00Z"
    assert req["locale"] == "en-US"


def stamps(stub: StubTransport) -> list[float]:
    """The requests' timestamps, in seconds after NOW's whole second."""
    start = NOW.replace(microsecond=0)
    return [
        (dt.datetime.fromisoformat(r["request"]["timestamp"]) - start).total_seconds()
        for r in stub.requests
    ]


def long_answer(envelope: Json) -> tuple[int, Json]:
    """An answer of 10 s of silence, the session kept open."""
    if envelope["request"]["type"] == "SessionEndedRequest":
        return 200, {"version": "1.0", "response": {}}
    return 200, reply('Rest. <break time="10s"/> Go.')


def test_requests_are_stamped_on_the_devices_own_time() -> None:
    """Speech and waits take as long as they would on a device, and the stamps say so: a
    skill can tell when each request came from its own timestamps."""
    device = Device(StubTransport(long_answer), MODEL, clock=lambda: NOW)
    transport = device.transport
    assert isinstance(transport, StubTransport)
    device.say("open upper body coach")
    device.say("next set")  # after the whole answer
    device.talk_over(4.0)  # 4 s into the second answer, over it
    device.say("next set")
    first, second, third = stamps(transport)
    assert first == 0
    assert 10 < second < 12  # "Rest.", 10 s, "Go."
    assert third - second == pytest.approx(4.0, abs=1.0)  # whole seconds on the wire
    assert device.spoken[1].seconds == 4.0  # the answer talked over stopped there


def test_talking_over_needs_an_answer_still_speaking(device: Device) -> None:
    with pytest.raises(DeviceError, match="still speaking"):
        device.talk_over(1.0)
    device.say("open upper body coach")
    device.wait(2.0)  # time passed since: the answer is over
    with pytest.raises(DeviceError, match="still speaking"):
        device.talk_over(0.5)


def test_a_signed_devices_stamps_stay_near_the_real_clock(signer: Signer) -> None:
    """A verifying server refuses a timestamp 150 s from its clock: a signed device's stamps
    stay within 140 s of the real one, with true gaps, and a run that would go further stops."""
    stub = StubTransport()
    device = Device(stub, MODEL, clock=lambda: NOW, signer=signer)
    device.say("open upper body coach")
    device.wait(200.0)
    device.say("open upper body coach")
    sent = stamps(stub)  # the launch, the microphone closing, the second launch
    assert sent[0] == -140.0 and sent[2] - sent[0] == pytest.approx(201.0, abs=1)  # true gaps...
    device.wait(300.0)
    with pytest.raises(DeviceError, match="keep a signed run under 280 s"):
        device.say("open upper body coach")  # ...and beyond the lead the run stops, saying so


def test_timestamp_is_utc_with_z_and_no_microseconds() -> None:
    plus_two = dt.timezone(dt.timedelta(hours=2))
    assert (
        timestamp(dt.datetime(2024, 1, 2, 5, 6, 7, 999, tzinfo=plus_two)) == "2024-01-02T03:06:07Z"
    )
    assert timestamp(dt.datetime(2024, 1, 2, 3, 4, 5)) == "2024-01-02T03:04:05Z"


def test_intent_envelope_slots_and_resolutions(device: Device, stub: StubTransport) -> None:
    device.launch()
    device.intent("StartWorkoutIntent", {"workout": "free weights"})
    device.intent("StartWorkoutIntent", {"workout": "banana"})
    device.intent("SetRestIntent", {"seconds": "forty five"})
    resolved, unresolved, number = (r["request"]["intent"] for r in stub.requests[1:])
    assert resolved["confirmationStatus"] == "NONE"
    workout = resolved["slots"]["workout"]
    assert workout["value"] == "free weights" and workout["confirmationStatus"] == "NONE"
    authority = workout["resolutions"]["resolutionsPerAuthority"][0]
    assert authority["authority"] == f"amzn1.er-authority.echo-sdk.{DEFAULT_SKILL_ID}.WORKOUT_NAME"
    assert authority["status"] == {"code": "ER_SUCCESS_MATCH"}
    assert authority["values"] == [{"value": {"name": "dumbbell", "id": "dumbbell"}}]
    miss = unresolved["slots"]["workout"]["resolutions"]["resolutionsPerAuthority"][0]
    assert miss["status"] == {"code": "ER_SUCCESS_NO_MATCH"} and "values" not in miss
    assert number["slots"]["seconds"] == {
        "name": "seconds",
        "value": "45",
        "confirmationStatus": "NONE",
    }
    assert number["slots"]["minutes"] == {"name": "minutes", "confirmationStatus": "NONE"}


def test_intent_envelope_refuses_undeclared_slots() -> None:
    intent = MODEL.intent("NextSetIntent")
    caller, session = Caller(), SessionState("s", new=False)
    with pytest.raises(ValueError, match="no slot"):
        intent_request(caller, session, NOW, MODEL, intent, {"x": SlotMatch("1")})


def test_session_ended_envelope() -> None:
    body = session_ended_request(
        Caller(), SessionState("s", new=False), NOW, "ERROR", ("INVALID_RESPONSE", "bad")
    )
    assert body["request"]["reason"] == "ERROR"
    assert body["request"]["error"] == {"type": "INVALID_RESPONSE", "message": "bad"}
    with pytest.raises(ValueError, match="reason"):
        session_ended_request(Caller(), SessionState("s", new=False), NOW, "BORED")


# ---- sessions ----


def test_session_id_and_attributes_are_kept_within_a_session(
    device: Device, stub: StubTransport
) -> None:
    first = device.say("open upper body coach")
    second = device.say("next set")
    third = device.say("how many sets left")
    ids = [r["session"]["sessionId"] for r in stub.requests]
    assert len(set(ids)) == 1 and first.session_id == ids[0]
    assert [r["session"]["new"] for r in stub.requests] == [True, False, False]
    assert [r["session"]["attributes"] for r in stub.requests] == [{}, {"count": 1}, {"count": 2}]
    assert second.intent == "NextSetIntent" and third.speech_text == "SetsLeftIntent number 3"
    assert third.session_open and device.session_open


def test_launch_and_one_shot_open_new_sessions(device: Device, stub: StubTransport) -> None:
    device.say("open upper body coach")
    device.say("next set")
    device.say("open upper body coach")
    device.say("Alexa, tell upper body coach next set")
    sessions = [(r["session"]["sessionId"], r["session"]["new"]) for r in stub.requests]
    assert sessions[0][0] == sessions[1][0]
    assert len({sid for sid, _ in sessions}) == 3
    assert [new for _, new in sessions] == [True, False, True, True]
    assert stub.requests[3]["session"]["attributes"] == {}
    assert stub.requests[3]["request"]["intent"]["name"] == "NextSetIntent"


def test_should_end_session_true_closes_and_speech_is_then_refused(
    device: Device, stub: StubTransport
) -> None:
    device.launch()
    stop = device.say("stop")
    assert stop.intent == "AMAZON.StopIntent" and not stop.session_open
    refused = device.say("next set")
    assert refused.sent is False and refused.request is None
    assert refused.intent == "NextSetIntent"
    assert "no session open" in (refused.note or "")
    assert "tell upper body coach" in (refused.note or "")
    assert len(stub.bodies) == 2  # nothing reached the skill
    assert device.intent("NextSetIntent").sent is False


@pytest.mark.parametrize(("end", "stays_open"), [(False, True), (True, False), (None, False)])
def test_should_end_session_rule(end: bool | None, stays_open: bool) -> None:
    stub = StubTransport(lambda _: (200, reply("hi", end=end)))
    turn = Device(stub, MODEL).launch()
    assert turn.session_open is stays_open


def test_intent_one_shot_opens_a_new_session(device: Device, stub: StubTransport) -> None:
    turn = device.intent("StatusIntent", one_shot=True)
    assert turn.sent and stub.requests[0]["session"]["new"] is True


def test_mic_timeout_sends_session_ended_and_closes(device: Device, stub: StubTransport) -> None:
    device.launch()
    session_id = stub.requests[0]["session"]["sessionId"]
    device.mic_timeout()
    ended = stub.requests[1]
    assert ended["request"]["type"] == "SessionEndedRequest"
    assert ended["request"]["reason"] == "EXCEEDED_MAX_REPROMPTS"
    assert ended["session"]["sessionId"] == session_id
    assert ended["session"]["attributes"] == {"count": 1}
    assert not device.session_open
    device.mic_timeout()  # no session: nothing to end
    assert len(stub.bodies) == 2


def test_the_microphone_listens_again_after_the_reprompt_as_alexa_does() -> None:
    """Alexa listens about 8 s, speaks the reprompt, listens about 8 s more, then ends the
    session; with no reprompt it ends after the first 8 s."""

    def asking(reprompt: str) -> Device:
        def skill(envelope: Json) -> tuple[int, Json]:
            if envelope["request"]["type"] == "SessionEndedRequest":
                return 200, {"version": "1.0", "response": {}}
            return 200, reply("Set 2 of 3.", reprompt=reprompt)

        device = Device(StubTransport(skill), MODEL, clock=lambda: NOW)
        device.launch()
        return device

    reprompted = asking("Say done when you finish.")
    reprompt_seconds = ssml_seconds("<speak>Say done when you finish.</speak>")
    reprompted.wait(MIC_OPEN_SECONDS + reprompt_seconds + 1)  # answered after the reprompt
    assert reprompted.session_open
    unanswered = asking("Say done when you finish.")
    unanswered.wait(2 * MIC_OPEN_SECONDS + reprompt_seconds)
    assert not unanswered.session_open
    unprompted = asking("")
    unprompted.wait(MIC_OPEN_SECONDS)
    assert not unprompted.session_open


def test_speech_in_answer_to_session_ended_is_an_error() -> None:
    stub = StubTransport(lambda _: (200, reply("still here?", end=False)))
    device = Device(stub, MODEL)
    device.launch()
    with pytest.raises(DeviceError, match="SessionEndedRequest"):
        device.mic_timeout()
    assert not device.session_open


def test_undeclared_intent_is_sent_as_a_stale_model_would(
    device: Device, stub: StubTransport
) -> None:
    device.launch()
    turn = device.intent("OldIntent", {"colour": "red"})
    assert turn.sent and "not in the interaction model" in (turn.note or "")
    sent = stub.requests[1]["request"]["intent"]
    assert sent["name"] == "OldIntent"
    assert sent["slots"] == {
        "colour": {"name": "colour", "value": "red", "confirmationStatus": "NONE"}
    }


def test_undeclared_slot_of_a_declared_intent_is_refused(device: Device) -> None:
    device.launch()
    with pytest.raises(KeyError, match="no slot 'colour'"):
        device.intent("NextSetIntent", {"colour": "red"})


# ---- answers ----


def test_non_2xx_raises_with_status_and_body() -> None:
    stub = StubTransport(lambda _: (500, {"error": "internal error"}))
    with pytest.raises(SkillHttpError, match="500.*internal error") as caught:
        Device(stub, MODEL).launch()
    assert caught.value.status == 500


def test_non_2xx_recorded_when_asked() -> None:
    stub = StubTransport(lambda _: (400, {"error": "request verification failed"}))
    turn = Device(stub, MODEL, record_errors=True).launch()
    assert turn.status == 400 and not turn.session_open
    assert "verification failed" in (turn.note or "")


def test_body_that_is_not_json_is_an_error() -> None:
    class Garbage:
        def post(self, body: bytes, headers: Mapping[str, str]) -> TransportResponse:
            return TransportResponse(200, b"<html>")

    with pytest.raises(DeviceError, match="not JSON"):
        Device(Garbage(), MODEL).launch()


def test_speech_and_reprompt_text() -> None:
    ssml = 'Set <emphasis level="strong">two</emphasis> of 4 .<break time="1s"/>Rest &amp; breathe'
    stub = StubTransport(lambda _: (200, reply(ssml, reprompt="Say <b>next set</b>.")))
    turn = Device(stub, MODEL).launch()
    assert turn.speech_text == "Set two of 4. Rest & breathe"
    assert turn.speech_ssml.startswith("<speak>Set <emphasis")
    assert turn.reprompt_text == "Say next set."


def test_plain_text_speech() -> None:
    body = {
        "version": "1.0",
        "response": {"outputSpeech": {"type": "PlainText", "text": "Hi  there"}},
    }
    turn = Device(StubTransport(lambda _: (200, body)), MODEL).launch()
    assert (turn.speech_text, turn.speech_ssml) == ("Hi there", "")


def test_ssml_to_text() -> None:
    assert ssml_to_text("<speak>a<break/>b , c &lt;3</speak>") == "a b, c <3"


def test_history_records_every_turn(device: Device) -> None:
    device.launch()
    device.say("stop")
    device.say("next set")
    assert [t.sent for t in device.history] == [True, True, False]


# ---- transports ----


def echo_app() -> Flask:
    """A tiny skill app: answers any request, echoing the request type and content type."""
    app = Flask("echo")

    @app.post("/alexa")
    def alexa() -> Any:
        envelope = request.get_json()
        said = f"{envelope['request']['type']} as {request.content_type}"
        return jsonify(reply(said, attributes={"seen": True}))

    return app


def test_flask_transport(stub: StubTransport) -> None:
    device = Device(FlaskTransport(echo_app()), MODEL)
    turn = device.say("open upper body coach")
    assert turn.status == 200
    assert turn.speech_text == "LaunchRequest as application/json; charset=utf-8"
    assert device.session is not None and device.session.attributes == {"seen": True}


@pytest.fixture
def http_url() -> Iterator[str]:
    with serve_app(echo_app()) as base:
        yield base + "alexa"


def test_http_transport(http_url: str) -> None:
    turn = Device(HttpTransport(http_url, timeout=5), MODEL).launch()
    assert turn.status == 200 and turn.speech_text.startswith("LaunchRequest")


def test_http_transport_reports_http_errors(http_url: str) -> None:
    missing = HttpTransport(http_url.replace("/alexa", "/nowhere"), timeout=5)
    with pytest.raises(SkillHttpError) as caught:
        Device(missing, MODEL).launch()
    assert caught.value.status == 404


def test_http_transport_unreachable_is_a_clear_error() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # free now, closed below: nothing listens there
    with pytest.raises(DeviceError, match="cannot reach"):
        Device(HttpTransport(f"http://127.0.0.1:{port}/alexa", timeout=2), MODEL).launch()


# ---- signing ----


@pytest.fixture(scope="module")
def signer() -> Signer:
    return Signer.create()


def test_signer_signs_the_exact_bytes_sent(signer: Signer) -> None:
    stub = StubTransport()
    Device(stub, MODEL, signer=signer).say("open upper body coach")
    headers = stub.headers[0]
    assert headers["SignatureCertChainUrl"] == signer.cert_url
    leaf = x509.load_pem_x509_certificates(signer.cert_chains()[signer.cert_url])[0]
    key = leaf.public_key()
    assert isinstance(key, rsa.RSAPublicKey)
    signature = base64.b64decode(headers["Signature-256"])
    key.verify(signature, stub.bodies[0], padding.PKCS1v15(), hashes.SHA256())


# ---- the real app ----


def test_integration_launch_against_the_real_app(tmp_path: Path) -> None:
    from skill.app import create_app

    app = create_app({"COACH_VERIFY_REQUESTS": False, "COACH_DB_PATH": str(tmp_path / "db")})
    turn = Device(FlaskTransport(app), MODEL).say("open upper body coach")
    assert turn.status == 200
    assert "upper body coach" in turn.speech_text.lower()


def test_integration_signed_requests_pass_real_verification(tmp_path: Path, signer: Signer) -> None:
    from skill.app import create_app

    (tmp_path / "ca.pem").write_bytes(signer.ca_pem())
    app = create_app(
        {
            "COACH_DEV_CA_PATH": str(tmp_path / "ca.pem"),
            "COACH_CERT_CHAINS": signer.cert_chains(),
            "COACH_DB_PATH": str(tmp_path / "db"),
        }
    )
    signed = Device(FlaskTransport(app), MODEL, signer=signer).launch()
    assert signed.status == 200
    with pytest.raises(SkillHttpError) as caught:
        Device(FlaskTransport(app), MODEL).launch()
    assert caught.value.status == 400


# ---- a screen (APL) ----

RENDER = {
    "type": "Alexa.Presentation.APL.RenderDocument",
    "token": "doc-1",
    "document": {"type": "APL", "version": "1.8", "mainTemplate": {"items": []}},
    "datasources": {"data": {"text": "Set 1 of 4"}},
}


def screen_skill(envelope: Json) -> tuple[int, Json]:
    """Renders a document on every launch or intent; a touch is answered with its argument."""
    request_body = envelope["request"]
    if request_body["type"] == "SessionEndedRequest":
        return 200, {"version": "1.0", "response": {}}
    said = request_body.get("arguments", [request_body["type"]])[0]
    body = reply(f"heard {said}")
    body["response"]["directives"] = [RENDER]
    return 200, body


def test_a_screen_device_declares_apl_keeps_the_document_and_sends_touches() -> None:
    stub = StubTransport(screen_skill)
    device = Device(stub, MODEL, clock=lambda: NOW, screen=True)
    assert device.touch("next_set").sent is False  # nothing shown yet: nobody to reach
    device.say("open upper body coach")
    launch = stub.requests[0]
    assert "Alexa.Presentation.APL" in launch["context"]["System"]["device"]["supportedInterfaces"]
    assert device.shows == RENDER
    turn = device.touch("next_set")
    touched = stub.requests[-1]
    assert touched["request"]["type"] == "Alexa.Presentation.APL.UserEvent"
    assert touched["request"]["arguments"] == ["next_set"]
    assert touched["request"]["token"] == "doc-1"
    assert touched["session"]["sessionId"] == launch["session"]["sessionId"]  # still open
    assert turn.speech_text == "heard next_set"


def test_a_document_sent_to_a_device_without_a_screen_is_an_error() -> None:
    device = Device(StubTransport(screen_skill), MODEL, clock=lambda: NOW)
    with pytest.raises(DeviceError, match="sent RenderDocument to a device without a screen"):
        device.say("open upper body coach")
    with pytest.raises(DeviceError, match="no screen"):
        device.touch("next_set")


def test_the_device_takes_only_the_documented_askfor_form() -> None:
    """Review of issue 20, finding 6: Alexa documents AskFor version 1 with one
    `permissionScope` string (version 2 wants a `permissionScopes` list); the skill's directive
    is that form, and the harness refuses the mix of the two the skill sent before."""
    from ask_sdk_core.serialize import DefaultSerializer

    from harness.device import DeviceError, ask_for_scope
    from skill.alexa.reminding import ask_for_reminders

    sent = DefaultSerializer().serialize(ask_for_reminders())
    assert isinstance(sent, dict)
    assert ask_for_scope(sent) == "alexa::alerts:reminders:skill:readwrite"
    mixed = {
        "payload": {
            "@type": "AskForPermissionsConsentRequest",
            "@version": "2",
            "permissionScope": "alexa::alerts:reminders:skill:readwrite",
        }
    }
    with pytest.raises(DeviceError):
        ask_for_scope(mixed)
