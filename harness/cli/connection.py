"""Reaching the skill: the app in this process or a server over HTTP, signed like Alexa or not.

Also the hints for a server that refuses our signature, and `dev_server_app()`, the server
that trusts the dev identity (`flask --app 'harness.cli:dev_server_app()' run`).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sys
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit, urlunsplit

from harness.cli.errors import CliError
from skill.locales import DEFAULT

if TYPE_CHECKING:
    from flask import Flask

    from harness.alexa_apis import AlexaApiServer
    from harness.device import Device, Signer, Transport, TransportResponse
    from harness.understanding.recognisers import Recogniser

VAR_DIR = Path("var")  # relative to where you run it, like the server's own var/coach.sqlite3
DEFAULT_IDENTITY_DIR = VAR_DIR / "dev-identity"
VERIFICATION_REFUSED = "request verification failed"  # what skill.app answers


@dataclass
class Connection:
    """How devices reach the skill: a new transport per "server" (in process: a new app)."""

    new_transport: Callable[[], Transport]
    signer: Signer | None
    endpoint: str | None = None  # None: the app in this process
    db_path: Path | None = None  # in process only
    identity_dir: Path = DEFAULT_IDENTITY_DIR
    app_config: dict[str, Any] | None = None  # in process only: create_app's test_config
    recogniser: Recogniser | None = None  # what devices make of words (default: statistical)
    apis: AlexaApiServer | None = None  # in process: Alexa's APIs stood in (stand_in_apis)
    locale: str = DEFAULT  # the devices' locale: their model, and the words the skill answers in

    def device(self, user_id: str | None = None, *, audio_player: bool = False) -> Device:
        """A device reaching the skill; with `audio_player` it supports AudioPlayer and fetches
        streams from the skill's own server (harness.device.transport_resolver)."""
        from harness.device import Device
        from harness.envelopes import DEFAULT_USER_ID

        device = Device(
            self.new_transport(),
            user_id=user_id or DEFAULT_USER_ID,
            signer=self.signer,
            recogniser=self.recogniser,
            api_endpoint=self.apis.url if self.apis is not None else None,
            locale=self.locale,
        )
        if self.apis is not None:
            device.reminder_lines = self.apis.state.lines
        if audio_player:
            device.enable_audio_player()
        return device


def endpoint_url(url: str) -> str:
    """http://host:port -> http://host:port/alexa; a URL with a path is kept as given."""
    parts = urlsplit(url)
    if parts.scheme not in {"http", "https"} or not parts.netloc:
        raise CliError(f"--endpoint must be an http(s) URL like http://127.0.0.1:5000, not {url!r}")
    if parts.path in {"", "/"}:
        parts = parts._replace(path="/alexa")
    return urlunsplit(parts)


def make_signer(identity_dir: Path) -> Signer:
    """The dev identity in `identity_dir` (made on first use) as a request signer."""
    from harness.device import Signer
    from harness.signing import load_or_create_dev_identity

    try:
        return Signer(load_or_create_dev_identity(identity_dir))
    except (OSError, ValueError) as error:
        raise CliError(f"cannot use the dev identity in {identity_dir}: {error}") from error


def app_config(db_path: Path, signer: Signer | None, identity_dir: Path) -> dict[str, Any]:
    """In process: verification off, unless signing, then on with the dev CA and its chain;
    the coach's tracks served from a folder beside the database (hands-free mode)."""
    from harness.dialog_stage import AUDIO_BASE_URL

    audio = {"COACH_AUDIO_BASE_URL": AUDIO_BASE_URL, "COACH_AUDIO_DIR": str(audio_dir(db_path))}
    if signer is None:
        return {"COACH_VERIFY_REQUESTS": "0", "COACH_DB_PATH": str(db_path), **audio}
    return {
        "COACH_VERIFY_REQUESTS": "1",
        "COACH_DB_PATH": str(db_path),
        "COACH_DEV_CA_PATH": str(identity_dir),
        "COACH_CERT_CHAINS": signer.cert_chains(),
        **audio,
    }


def audio_dir(db_path: Path) -> Path:
    return db_path.parent / "audio"


def connect(args: argparse.Namespace, db_path: Path | None) -> Connection:
    connection = _connect(args, db_path)
    connection.locale = args.locale
    connection.recogniser = chosen_recogniser(args)
    return connection


def chosen_recogniser(args: argparse.Namespace) -> Recogniser:
    """--exact or the statistical stand-in, said on stderr so every run tells which it used."""
    from harness.interaction_model import load_model
    from harness.understanding.recognisers import EXACT, STATISTICAL, recogniser_for

    model = load_model(locale=args.locale)
    recogniser = recogniser_for(model, EXACT if args.exact else STATISTICAL)
    print(f"Understanding words with the {recogniser.description}", file=sys.stderr)
    return recogniser


def _connect(args: argparse.Namespace, db_path: Path | None) -> Connection:
    signer = make_signer(args.identity) if args.sign else None
    if args.endpoint:
        from harness.device import HttpTransport

        url = endpoint_url(args.endpoint)
        return Connection(lambda: HttpTransport(url), signer, url, identity_dir=args.identity)
    if db_path is None:
        raise CliError("an in-process run needs a database path")
    db_path.parent.mkdir(parents=True, exist_ok=True)
    config = app_config(db_path, signer, args.identity)

    # The tracks a device fetches are rendered then, in the voice the run speaks with.
    voice = getattr(args, "engine", "estimate")

    def new_app() -> Transport:
        from harness.device import FlaskTransport
        from harness.dialog_stage import TracksOnDemand
        from skill.app import create_app

        # The coach's clock is the device's: a summary's minutes are the time the run took on
        # the device (its speech and /wait), not the seconds the command took to type through.
        clock = RequestClock()
        app = create_app({**config, "COACH_CLOCK": clock})
        return StampedTransport(
            TracksOnDemand(FlaskTransport(app), audio_dir(db_path), voice), clock
        )

    return Connection(new_app, signer, None, db_path, args.identity, config)


class RequestClock:
    """The in-process coach's clock (epoch seconds): the timestamp of the latest request sent
    to it, which is the device's own time; the real clock before the first request."""

    def __init__(self) -> None:
        self.now: float | None = None

    def __call__(self) -> float:
        return time.time() if self.now is None else self.now


class StampedTransport:
    """A transport that sets `clock` to each request's timestamp before the app handles it."""

    def __init__(self, inner: Transport, clock: RequestClock) -> None:
        self.inner = inner
        self.clock = clock

    def post(self, body: bytes, headers: Mapping[str, str]) -> TransportResponse:
        stamp = request_timestamp(body)
        if stamp is not None:
            self.clock.now = stamp
        return self.inner.post(body, headers)


def request_timestamp(body: bytes) -> float | None:
    """An Alexa request's `request.timestamp` as epoch seconds, or None when it has none."""
    try:
        stamp = json.loads(body)["request"]["timestamp"]
        moment = dt.datetime.fromisoformat(stamp.replace("Z", "+00:00"))
    except (ValueError, KeyError, TypeError, AttributeError):
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.timestamp()


def stand_in_apis(connection: Connection) -> None:
    """In process, Alexa's APIs (reminders, the time zone) stood in on 127.0.0.1 for the run
    (harness.alexa_apis; a daemon thread: it ends with the command), the app told to trust
    them. Over HTTP the server reaches whatever apiEndpoint the request names: not done."""
    if connection.endpoint is not None or connection.app_config is None:
        return
    from harness.alexa_apis import AlexaApiServer

    connection.apis = AlexaApiServer()
    connection.app_config["COACH_ALEXA_API_CA_PATH"] = str(connection.apis.ca_path)
    connection.apis.start()


def fresh_devices(connection: Connection) -> Callable[[str], Device]:
    """Devices for one script. A server keeps what earlier runs stored, so there each user id
    gets a suffix unique to this run: every script starts fresh, as it does in process."""
    if connection.endpoint is None:
        return connection.device
    run = uuid.uuid4().hex[:12]
    return lambda user_id: connection.device(f"{user_id}.run-{run}")


def server_command(identity_dir: Path) -> str:
    return (
        f"COACH_DEV_CA_PATH={identity_dir / 'ca.pem'} "
        ".venv/bin/flask --app 'harness.cli:dev_server_app()' run"
    )


def signature_hint(message: str, connection: Connection) -> str | None:
    """How to fix a server refusing our requests' signature, if that is what `message` says."""
    if connection.endpoint is None or VERIFICATION_REFUSED not in message:
        return None
    if connection.signer is None:
        return "hint: the server verifies requests; sign them with --sign"
    return (
        f"hint: start the server trusting the dev identity in {connection.identity_dir}:\n"
        f"    {server_command(connection.identity_dir)}"
    )


def device_error_hint(error: Exception, connection: Connection) -> str:
    message = str(error).rstrip()  # the server's JSON body ends with a newline
    hint = signature_hint(message, connection)
    return message if hint is None else f"{message}\n  {hint}"


def dev_server_app() -> Flask:
    """The app with real verification for `coach --sign`, for
    `flask --app 'harness.cli:dev_server_app()' run`.

    It trusts the dev CA at $COACH_DEV_CA_PATH (default var/dev-identity/ca.pem; the identity
    is made there if missing) and serves that identity's chain for DEV_CERT_URL, so it fetches
    nothing: skill.app takes preloaded chains only from code, not from the environment.
    """
    from harness.signing import CA_CERT_FILE
    from skill.app import create_app

    configured = Path(os.environ.get("COACH_DEV_CA_PATH") or DEFAULT_IDENTITY_DIR / CA_CERT_FILE)
    folder = configured if configured.is_dir() else configured.parent
    signer = make_signer(folder)
    return create_app(
        {
            "COACH_VERIFY_REQUESTS": "1",
            "COACH_DEV_CA_PATH": str(folder / CA_CERT_FILE),
            "COACH_CERT_CHAINS": signer.cert_chains(),
        }
    )
