"""The simulator's routes, under /simulator: the page, and a small JSON API for its devices.

  GET  /simulator/                          the page (static/index.html)
  GET  /simulator/api/locales               {"locales", "default"}: what a device may speak
  POST /simulator/api/devices               {"viewport", "handsFree", "runner", "locale"}
                                            -> {"id"}
  GET  /simulator/api/devices/ID?since=N&screen=V   the device's state, transcript from entry
                                            N, the document shown unless the page has version V,
                                            the reminders set for its runner
  POST /simulator/api/devices/ID/say        {"text"}      the runner speaks
  POST /simulator/api/devices/ID/touch      {"argument"}  a touch on the screen's control
  POST /simulator/api/devices/ID/press      {"button"}    a device button (hands-free)
  POST /simulator/api/devices/ID/silence    the runner says nothing: the microphone closes
  POST /simulator/api/devices/ID/listen     a WAV recording, heard by harness.listen
  GET  /simulator/api/devices/ID/speech/N.mp3   transcript line N's words, in the harness's voice

Each device is a harness Device on this very app (FlaskTransport): the envelopes are the
harness's. A device speaks one locale (skill.locales.SPOKEN): its requests carry it, its words
are understood by that locale's model, typed or spoken, and the coach is heard in its accent.
The actions answer with the state, as GET does. Each device reaches the app's stand-in of
Alexa's APIs (harness.alexa_apis) with its runner's own access token.
"""

from __future__ import annotations

import functools
import re
import threading
import time
import uuid
import weakref
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from flask import Blueprint, Flask, Response, abort, current_app, jsonify, request, url_for
from werkzeug.wrappers import Response as WerkzeugResponse

from harness.alexa_apis import AlexaApiServer
from harness.simulator.echo import DEVICE_KEEPS, PRESS, SAY, TOUCH, TRACKS_KEPT, SimulatedEcho
from skill.locales import DEFAULT as DEFAULT_LOCALE
from skill.locales import SPOKEN

if TYPE_CHECKING:
    from harness.listen import CommandRecognizer, Recognition
    from tracks.voices.base import Voice

STATIC = Path(__file__).with_name("static")
EXTENSION_KEY = "upper_body_coach_simulator"
VOICE_KEY = "SIMULATOR_VOICE"  # Flask config: the harness voice for the coach's words
CLOCK_KEY = "SIMULATOR_CLOCK"  # Flask config: the wall clock (seconds), for tests
APIS_KEY = "SIMULATOR_ALEXA_APIS"  # Flask config: the stand-in of Alexa's APIs (not started)
DEFAULT_VOICE = "espeak"
MAX_DEVICES = 32  # the oldest goes when a 33rd page opens
# Each locale's voice holds in memory only the texts it said last (countdowns come back often);
# older ones are read again from its disk cache, so a server left running for a week does not grow.
VOICE_TEXTS_KEPT = 100
MAX_TEXT_CHARS = 500
MAX_RECORDING_BYTES = 5 * 1024 * 1024  # about 2.5 minutes at 16 kHz: far longer than a command
VIEWPORTS = frozenset({"show-5", "show-8", "show-10", "show-15", "show-21", "spot", "none"})
RUNNER = re.compile(r"[A-Za-z0-9_-]{1,64}")
WHOLE_NUMBER = re.compile(r"-?[0-9]{1,9}")
USER_ID_PREFIX = "amzn1.ask.account.SIMULATOR-"


class PerLocale[T]:
    """One `build(locale)` per locale, made on first use and kept. A build may take seconds (a
    recogniser): only callers wanting the same locale wait for it."""

    def __init__(self, build: Callable[[str], T]) -> None:
        self._build = build
        self._built: dict[str, T] = {}
        self._locks: dict[str, threading.Lock] = {}
        self._lock = threading.Lock()

    def __call__(self, locale: str) -> T:
        with self._lock:
            lock = self._locks.setdefault(locale, threading.Lock())
        with lock:
            if locale not in self._built:
                self._built[locale] = self._build(locale)
            return self._built[locale]


class Simulator:
    """The simulated devices of one app, by id, and what they share."""

    def __init__(self, app: Flask) -> None:
        self.app = app
        self.voice_name = str(app.config.get(VOICE_KEY, DEFAULT_VOICE))
        self.clock: Callable[[], float] = app.config.get(CLOCK_KEY, time.monotonic)
        self._devices: OrderedDict[str, SimulatedEcho] = OrderedDict()
        self._lock = threading.Lock()
        # What hears and speaks for a device, by its locale: built when a device first needs it.
        self.voice: PerLocale[Voice] = PerLocale(self._make_voice)
        self.recognizer: PerLocale[CommandRecognizer] = PerLocale(_make_recognizer)
        self._apis: AlexaApiServer | None = app.config.get(APIS_KEY)

    def apis(self) -> AlexaApiServer | None:
        """The stand-in of Alexa's APIs, listening from the first device on (call with the
        lock held); stopped, off the collector's thread, once the app is gone."""
        apis = self._apis
        if apis is not None and not apis.started:
            apis.start()
            stopping = weakref.finalize(self, _stop_in_background, apis)
            stopping.atexit = False  # its thread is a daemon: it ends with the process
        return apis

    def add(self, viewport: str, hands_free: bool, runner: str, locale: str) -> str:
        from harness.device import Device, FlaskTransport
        from harness.dialog_stage import TracksOnDemand
        from skill.app import EXTENSION_KEY as SKILL_KEY

        audio_dir = self.app.extensions[SKILL_KEY].settings.audio_dir
        transport = TracksOnDemand(FlaskTransport(self.app), audio_dir, self.voice_name)
        device_id = uuid.uuid4().hex
        device = Device(
            transport,
            user_id=USER_ID_PREFIX + runner,
            device_id=f"amzn1.ask.device.SIMULATOR-{device_id}",
            screen=viewport != "none",
            keep=DEVICE_KEEPS,
            locale=locale,
        )
        if hands_free:
            device.enable_audio_player(tracks_kept=TRACKS_KEPT)
        with self._lock:
            apis = self.apis()
            if apis is not None:  # the runner's own account there: their reminders, not others'
                token = apis.state.account_token(device.caller.user_id)
                device.caller = replace(
                    device.caller, api_endpoint=apis.url, api_access_token=token
                )
                device.reminder_lines = functools.partial(apis.state.lines, token)
            self._devices[device_id] = SimulatedEcho(device, viewport, self.clock)
            while len(self._devices) > MAX_DEVICES:
                self._devices.popitem(last=False)
        return device_id

    def get(self, device_id: str) -> SimulatedEcho:
        with self._lock:
            echo = self._devices.get(device_id)
        if echo is None:
            abort(404, "no such simulated device (the server restarted?): reload the page")
        return echo

    def _make_voice(self, locale: str) -> Voice:
        from harness.cli.audio import make_voice

        return make_voice(self.voice_name, None, keep=VOICE_TEXTS_KEPT, locale=locale)


def _make_recognizer(locale: str) -> CommandRecognizer:
    """harness.listen's command recogniser for `locale`'s model (building it takes seconds)."""
    from harness.interaction_model import load_model
    from harness.listen import CommandRecognizer

    return CommandRecognizer.from_model(load_model(locale=locale))


def simulator_blueprint() -> Blueprint:
    blueprint = Blueprint("simulator", __name__, url_prefix="/simulator", static_folder=str(STATIC))

    @blueprint.record_once
    def _install(state: Any) -> None:
        state.app.extensions[EXTENSION_KEY] = Simulator(state.app)

    @blueprint.get("/")
    def page() -> WerkzeugResponse:
        return blueprint.send_static_file("index.html")

    @blueprint.get("/api/locales")
    def locales() -> Response:
        return jsonify(locales=list(SPOKEN), default=DEFAULT_LOCALE)

    @blueprint.post("/api/devices")
    def add_device() -> tuple[Response, int]:
        body = _json_body()
        viewport = _text(body, "viewport", default="show-8")
        if viewport not in VIEWPORTS:
            abort(400, f"viewport must be one of {', '.join(sorted(VIEWPORTS))}")
        runner = _text(body, "runner", default="runner")
        if not RUNNER.fullmatch(runner):
            abort(400, "runner must be 1 to 64 letters, digits, - or _")
        hands_free = body.get("handsFree", False)
        if not isinstance(hands_free, bool):
            abort(400, "handsFree must be true or false")
        locale = _text(body, "locale", default=DEFAULT_LOCALE)
        if locale not in SPOKEN:
            abort(400, f"locale must be one of {', '.join(SPOKEN)}")
        device_id = _simulator().add(viewport, hands_free, runner, locale)
        return jsonify(id=device_id), 201

    @blueprint.get("/api/devices/<device_id>")
    def device_state(device_id: str) -> Response:
        return _state(device_id)

    @blueprint.post("/api/devices/<device_id>/say")
    def say(device_id: str) -> Response:
        text = _text(_json_body(), "text").strip()
        if not text:
            abort(400, "say something: text is empty")
        _simulator().get(device_id).act(SAY, text)
        return _state(device_id)

    @blueprint.post("/api/devices/<device_id>/touch")
    def touch(device_id: str) -> Response:
        _simulator().get(device_id).act(TOUCH, _text(_json_body(), "argument"))
        return _state(device_id)

    @blueprint.post("/api/devices/<device_id>/press")
    def press(device_id: str) -> Response:
        _simulator().get(device_id).act(PRESS, _text(_json_body(), "button"))
        return _state(device_id)

    @blueprint.post("/api/devices/<device_id>/silence")
    def silence(device_id: str) -> Response:
        _simulator().get(device_id).stay_silent()
        return _state(device_id)

    @blueprint.post("/api/devices/<device_id>/listen")
    def listen(device_id: str) -> Response:
        echo = _simulator().get(device_id)
        if (request.content_length or 0) > MAX_RECORDING_BYTES:
            abort(400, "send a WAV recording of a few seconds")
        recording = request.get_data(cache=False)
        if not recording or len(recording) > MAX_RECORDING_BYTES:
            abort(400, "send a WAV recording of a few seconds")
        heard = _recognise(recording, echo.device.locale)
        if heard.text:
            echo.act(SAY, heard.text)
        else:
            echo.heard_nothing(heard.hypothesis)
        return _state(device_id)

    @blueprint.get("/api/devices/<device_id>/speech/<int:number>.mp3")
    def speech(device_id: str, number: int) -> Response:
        echo = _simulator().get(device_id)
        ssml = echo.speech(number)
        if ssml is None:
            abort(404)
        return Response(_speech_mp3(ssml, echo.device.locale), mimetype="audio/mpeg")

    @blueprint.errorhandler(400)
    @blueprint.errorhandler(404)
    @blueprint.errorhandler(503)
    def _error(error: Any) -> tuple[Response, int]:
        return jsonify(error=getattr(error, "description", str(error))), error.code

    return blueprint


def _stop_in_background(apis: AlexaApiServer) -> None:
    threading.Thread(target=apis.stop, daemon=True).start()


def _simulator() -> Simulator:
    return cast(Simulator, current_app.extensions[EXTENSION_KEY])


def _state(device_id: str) -> Response:
    since = request.args.get("since", "0")
    screen = request.args.get("screen", "-1")
    if not WHOLE_NUMBER.fullmatch(since) or not WHOLE_NUMBER.fullmatch(screen):
        abort(400, "since and screen must be whole numbers")
    speech_url: Callable[[int], str] = lambda n: url_for(  # noqa: E731
        "simulator.speech", device_id=device_id, number=n
    )
    return jsonify(_simulator().get(device_id).state(int(since), speech_url, int(screen)))


def _json_body() -> dict[str, Any]:
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        abort(400, "send a JSON object")
    return body


def _text(body: dict[str, Any], key: str, default: str | None = None) -> str:
    value = body.get(key, default)
    if not isinstance(value, str) or len(value) > MAX_TEXT_CHARS:
        abort(400, f"{key} must be text of at most {MAX_TEXT_CHARS} characters")
    return value


def _recognise(recording: bytes, locale: str) -> Recognition:
    import tempfile

    from harness.listen import ListenError

    with tempfile.NamedTemporaryFile(suffix=".wav") as file:
        file.write(recording)
        file.flush()
        try:
            return _simulator().recognizer(locale).recognize_file(file.name)
        except ListenError as error:
            abort(400, f"cannot hear that recording: {error}")


def _speech_mp3(ssml: str, locale: str) -> bytes:
    from harness.cli.audio import encode_cached
    from harness.session_render import render_ssml
    from tracks.voices.base import VoiceError

    try:
        return encode_cached(render_ssml(ssml, _simulator().voice(locale)).pcm, None, None)
    except VoiceError as error:  # e.g. Google's voice with no network
        abort(503, f"the harness voice cannot speak: {error}")
