"""A local stand-in for Alexa's Reminders API and the device settings API: a real HTTPS server on
127.0.0.1 that the skill reaches through the request's `apiEndpoint`, never the network.

It serves `POST/GET /v1/alerts/reminders`, `GET/PUT/DELETE /v1/alerts/reminders/{token}` and
`GET /v2/devices/{id}/settings/System.timeZone`; checks the bearer token and, for a reminder,
the JSON the skill sends (a `SCHEDULED_ABSOLUTE` trigger with a `scheduledTime` without a zone,
a known `timeZoneId`, weekly `recurrenceRules`, spoken text per locale, a push notification
status). A body that breaks a rule is answered 400 and kept in `problems`. `fail_with` makes
every reminder call answer that status (401, 403, 429, 500...); `garble_with` makes every call,
the time zone's too, answer that status with an HTML page rather than JSON (as a proxy or an
outage page does); `delay` holds every answer that many seconds. Its certificate is issued by a
CA of its own, made when the server is made (`ca_path`): the skill trusts it through
`COACH_ALEXA_API_CA_PATH`. It listens from `start()` on (`url`).

Each access token is an account: a reminder belongs to the token that set it, and only that
token sees, changes or deletes it. `TOKEN` is every harness device's, unless a device is given
its runner's own (`AlexaApis.account_token`, as the simulator does for each runner).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import shutil
import ssl
import tempfile
import threading
import time
import uuid
import weakref
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from ipaddress import IPv4Address
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

HOST = "127.0.0.1"
TOKEN = "harness-api-access-token"
REMINDERS = "/v1/alerts/reminders"
_ZONE_PATH = re.compile(r"^/v2/devices/([^/]+)/settings/System\.timeZone$")
_RULE = re.compile(
    r"^FREQ=WEEKLY;BYDAY=(MO|TU|WE|TH|FR|SA|SU);BYHOUR=([01]?\d|2[0-3]);BYMINUTE=([0-5]?\d)$"
)
_LOCAL_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?$")


@dataclass
class Reminder:
    token: str
    body: dict[str, Any]
    owner: str = TOKEN  # the access token (the account) that set it

    @property
    def text(self) -> str:
        return str(self.body["alertInfo"]["spokenInfo"]["content"][0]["text"])

    @property
    def rules(self) -> list[str]:
        return list(self.body["trigger"]["recurrence"]["recurrenceRules"])

    @property
    def zone(self) -> str:
        return str(self.body["trigger"]["timeZoneId"])

    def line(self) -> str:
        """One line for a transcript: "Thursday 07:00 (Pacific/Auckland): It's time ..."."""
        days = [_RULE.match(rule) for rule in self.rules]
        when = ", ".join(
            f"{_DAY_NAMES[hit.group(1)]} {int(hit.group(2)):02d}:{int(hit.group(3)):02d}"
            for hit in days
            if hit
        )
        return f"{when} ({self.zone}): {self.text}"


def reminders_line(lines: list[str]) -> str:
    """What a transcript prints when the reminders set change: "Reminders: Friday 10:00 (UTC):
    Time for ...", several joined by "; ", or "Reminders: none"."""
    return "Reminders: " + ("; ".join(lines) if lines else "none")


_DAY_NAMES = {
    "MO": "Monday",
    "TU": "Tuesday",
    "WE": "Wednesday",
    "TH": "Thursday",
    "FR": "Friday",
    "SA": "Saturday",
    "SU": "Sunday",
}


def reminder_problems(body: object) -> list[str]:
    """What in a reminder body the Reminders API would refuse (empty: none)."""
    if not isinstance(body, dict):
        return ["the body is not a JSON object"]
    problems: list[str] = []
    trigger = body.get("trigger")
    if not isinstance(trigger, dict) or trigger.get("type") != "SCHEDULED_ABSOLUTE":
        return ["trigger.type must be SCHEDULED_ABSOLUTE"]
    if not _LOCAL_TIME.match(str(trigger.get("scheduledTime", ""))):
        problems.append("trigger.scheduledTime must be a local time without a zone")
    try:
        ZoneInfo(str(trigger.get("timeZoneId", "")))
    except (ZoneInfoNotFoundError, ValueError):
        problems.append("trigger.timeZoneId must be a time zone")
    recurrence = trigger.get("recurrence")
    rules = recurrence.get("recurrenceRules") if isinstance(recurrence, dict) else None
    if not isinstance(rules, list) or not rules:
        problems.append("trigger.recurrence.recurrenceRules must list the rules")
    else:
        problems += [f"bad recurrence rule {r!r}" for r in rules if not _RULE.match(str(r))]
    if isinstance(recurrence, dict) and ("freq" in recurrence or "byDay" in recurrence):
        problems.append("recurrence.freq and byDay are deprecated: use recurrenceRules")
    alert = body.get("alertInfo")
    spoken = alert.get("spokenInfo") if isinstance(alert, dict) else None
    content = spoken.get("content") if isinstance(spoken, dict) else None
    if not isinstance(content, list) or not content:
        problems.append("alertInfo.spokenInfo.content must hold the text")
    else:
        for item in content:
            if not isinstance(item, dict) or not item.get("locale") or not item.get("text"):
                problems.append("each spoken content needs a locale and a text")
    push = body.get("pushNotification")
    if not isinstance(push, dict) or push.get("status") not in ("ENABLED", "DISABLED"):
        problems.append("pushNotification.status must be ENABLED or DISABLED")
    return problems


@dataclass
class AlexaApis:
    """The stand-in's state, read and set by tests (and the simulator) between turns."""

    token: str = TOKEN
    reminders: dict[str, Reminder] = field(default_factory=dict)
    time_zones: dict[str, str] = field(default_factory=dict)  # device id -> zone
    fail_with: int | None = None  # every reminder call answers this status
    garble_with: int | None = None  # every call answers this status with a page that isn't JSON
    delay: float = 0.0  # seconds every answer waits
    problems: list[str] = field(default_factory=list)  # bodies refused, and why
    calls: list[str] = field(default_factory=list)  # "POST /v1/alerts/reminders", in order
    lock: threading.Lock = field(default_factory=threading.Lock)
    accounts: set[str] = field(default_factory=set)  # more access tokens accepted, one a runner

    def account_token(self, user_id: str) -> str:
        """The access token of `user_id`'s account: accepted from now on, always the same."""
        token = f"{TOKEN}.{hashlib.sha256(user_id.encode()).hexdigest()[:16]}"
        with self.lock:
            self.accounts.add(token)
        return token

    def accepts(self, authorization: str | None) -> str | None:
        """The access token a request's Authorization header carries, if it is one of ours."""
        scheme, _, token = (authorization or "").partition(" ")
        with self.lock:
            known = token == self.token or token in self.accounts
        return token if scheme == "Bearer" and known else None

    def lines(self, owner: str | None = None) -> list[str]:
        """The reminders set, one line each (`owner`: only that account's)."""
        with self.lock:
            return [
                reminder.line()
                for reminder in self.reminders.values()
                if owner is None or reminder.owner == owner
            ]


def _handler(state: AlexaApis) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:  # quiet
            pass

        def _send(self, status: int, body: object | None = None) -> None:
            raw = b"" if body is None else json.dumps(body).encode()
            try:
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(raw)))
                self.end_headers()
                self.wfile.write(raw)
            except (OSError, ssl.SSLError):  # the skill stopped waiting (its call timed out)
                self.close_connection = True

        def _send_page(self, status: int) -> None:
            raw = b"<html><body>Service unavailable</body></html>"
            self.send_response(status)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(len(raw)))
            self.end_headers()
            self.wfile.write(raw)

        def _read(self) -> object:
            length = int(self.headers.get("Content-Length") or 0)
            try:
                return json.loads(self.rfile.read(length) or b"null")
            except ValueError:
                return None

        def _handle(self, method: str) -> None:
            path = self.path.split("?", 1)[0]
            body = self._read() if method in ("POST", "PUT") else None
            with state.lock:
                state.calls.append(f"{method} {path}")
                delay, garble_with = state.delay, state.garble_with
            if delay:
                time.sleep(delay)
            if garble_with is not None:
                return self._send_page(garble_with)
            owner = state.accepts(self.headers.get("Authorization"))
            if owner is None:
                return self._send(401, {"code": "UNAUTHORIZED", "message": "bad token"})
            zone = _ZONE_PATH.match(path)
            if zone and method == "GET":
                with state.lock:
                    known = state.time_zones.get(zone.group(1))
                return self._send(200, known) if known else self._send(204)
            if not path.startswith(REMINDERS):
                return self._send(404, {"message": "no such API"})
            if state.fail_with is not None:
                return self._send(state.fail_with, {"code": "FAILED", "message": "stand-in"})
            token = path[len(REMINDERS) :].strip("/") or None
            self._reminders(method, token, body, owner)

        def _reminders(self, method: str, token: str | None, body: object, owner: str) -> None:
            if method in ("POST", "PUT"):
                problems = reminder_problems(body)
                if problems:
                    with state.lock:
                        state.problems.extend(problems)
                    return self._send(400, {"code": "INVALID_REQUEST", "message": problems[0]})
                assert isinstance(body, dict)
            with state.lock:
                if method == "POST" and token is None:
                    made = Reminder(f"stand-in-{uuid.uuid4()}", body, owner)  # type: ignore[arg-type]
                    state.reminders[made.token] = made
                    return self._send(201, _answer(made))
                if method == "GET" and token is None:
                    alerts = [_answer(r) for r in state.reminders.values() if r.owner == owner]
                    return self._send(200, {"totalCount": str(len(alerts)), "alerts": alerts})
                found = state.reminders.get(token or "")
                if found is None or found.owner != owner:
                    return self._send(404, {"code": "NOT_FOUND", "message": "no such reminder"})
                if method == "PUT":
                    found.body = body  # type: ignore[assignment]
                if method == "DELETE":
                    del state.reminders[found.token]
                    return self._send(200, {})
                return self._send(200, _answer(found))

        def do_GET(self) -> None:  # noqa: N802 (the stdlib's names)
            self._handle("GET")

        def do_POST(self) -> None:  # noqa: N802
            self._handle("POST")

        def do_PUT(self) -> None:  # noqa: N802
            self._handle("PUT")

        def do_DELETE(self) -> None:  # noqa: N802
            self._handle("DELETE")

    return Handler


def _answer(reminder: Reminder) -> dict[str, Any]:
    now = dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.000")
    return {
        "alertToken": reminder.token,
        "createdTime": now,
        "updatedTime": now,
        "status": "ON",
        "version": "1",
        "href": f"{REMINDERS}/{reminder.token}",
    }


def _certificates(folder: Path) -> tuple[Path, Path, Path]:
    """A CA, and a certificate for 127.0.0.1 it issued: (ca, certificate, key) files."""
    now = dt.datetime.now(dt.UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Alexa APIs stand-in CA")])
    ca = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=30))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(False, False, False, False, False, True, True, False, False),
            critical=True,
        )
        .add_extension(
            x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False
        )
        .sign(ca_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    leaf = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, HOST)]))
        .issuer_name(ca_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=30))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(IPv4Address(HOST))]), critical=False
        )
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()),
            critical=False,
        )
        .sign(ca_key, hashes.SHA256())
    )
    pem = serialization.Encoding.PEM
    files = (folder / "ca.pem", folder / "cert.pem", folder / "key.pem")
    files[0].write_bytes(ca.public_bytes(pem))
    files[1].write_bytes(leaf.public_bytes(pem))
    files[2].write_bytes(
        key.private_bytes(pem, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return files


class AlexaApiServer:
    """The stand-in served from a thread; use as a context manager. `url` is what the device
    puts in `context.System.apiEndpoint`, `ca_path` what the skill must trust."""

    def __init__(self, state: AlexaApis | None = None) -> None:
        self.state = state or AlexaApis()
        folder = Path(tempfile.mkdtemp(prefix="alexa-apis-"))
        # Removed when stopped, or when the server is collected (a command's, never stopped).
        self._cleanup = weakref.finalize(self, shutil.rmtree, folder, ignore_errors=True)
        self.ca_path, self._cert, self._key = _certificates(folder)
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._url: str | None = None

    @property
    def url(self) -> str:
        if self._url is None:
            raise RuntimeError("the Alexa APIs' stand-in listens only once started")
        return self._url

    @property
    def started(self) -> bool:
        return self._url is not None

    def start(self) -> AlexaApiServer:
        """Listen on a free port of 127.0.0.1 (the certificates were made with the server, so
        the skill can be told to trust them before it listens)."""
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(self._cert, self._key)
        self._server = ThreadingHTTPServer((HOST, 0), _handler(self.state))
        self._server.daemon_threads = True
        self._server.socket = context.wrap_socket(self._server.socket, server_side=True)
        self._url = f"https://{HOST}:{self._server.server_address[1]}"
        # A short poll, so stopping (every dialog does) does not wait out the default 0.5 s.
        self._thread = threading.Thread(
            target=self._server.serve_forever, args=(0.05,), daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None and self._thread is not None:
            self._server.shutdown()
            self._server.server_close()
            self._thread.join(timeout=5)
        self._cleanup()

    def __enter__(self) -> AlexaApiServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
