"""Where a dialog script plays in process: the app on one SQLite file, on a clock of the script's
own, and the `do:` actions a script may take. Shared by the tests and `coach dialog`.

The clock starts at DIALOG_START and each request in a session comes a minute after the one
before, so a summary's minutes can be heard and checked; a device made by `Stage.device` also
moves it by each `wait:` (AudioPlayer events come at the device's own moments and add nothing).
The actions:

    restart_server          a new app process on the same database: nothing in memory survives
    corrupt_record          the runner's row holds half a record
    two_days_pass           the clock moves on two days
    a_week_passes           the clock moves on seven days (a missed week)
    store_version_1_record  the runner's row as version 1 of the skill left it (V1_RECORD)
    store_newer_record      the runner's record as a newer version of the skill would leave it

With Alexa's APIs stood in (`Stage(..., apis=AlexaApiServer())`, harness.alexa_apis) the app
trusts the stand-in's CA, devices made by `Stage.device` name it as their `apiEndpoint`, and
these actions set what the runner and the APIs do:

    grant_reminders         the runner has granted the reminders permission in the Alexa app
    refuse_permission       the runner says no when Alexa asks for a permission
    ignore_permission       the runner does not answer when Alexa asks
    accept_permission       the runner says yes when Alexa asks (as a device does at first)
    api_fails_401 (403, 429, 500)  every Reminders API call answers that status
    api_recovers            the Reminders API answers again
    device_in_auckland      the device's time zone is Pacific/Auckland
    local_<day>_<hhmm>      the clock moves on to the next such time on the device's clock (its
                            zone in the stand-in, UTC without one): local_sunday_2330,
                            local_monday_0015; any day, on the quarter hour
    api_answers_html_200 (401, 500)  every API call answers that status with a page, not JSON
    reminders_deleted_in_app  the runner deletes the skill's reminders in the Alexa app
    api_is_slow             every API call answers after API_SLOW_SECONDS
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from collections.abc import Callable, Mapping
from contextlib import closing
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from harness.alexa_apis import AlexaApiServer
from harness.device import Device, FlaskTransport, Transport, TransportResponse
from skill.persistence.records import RECORD_VERSION

DIALOG_START = 1_769_508_000.0  # 2026-01-27 10:00 UTC
TURN_SECONDS = 60.0
TWO_DAYS = 2 * 24 * 3600.0
A_WEEK = 7 * 24 * 3600.0
# A runner's record as version 1 of the skill saved it: mid-way through the bodyweight workout,
# on the suspension row's second set, after 4 + 4 + 1 sets, begun 10 minutes before the dialog.
V1_RECORD = json.dumps(
    {
        "version": 1,
        "attributes": {
            "progress": {
                "workout_id": "bodyweight",
                "exercise_index": 2,
                "set_number": 2,
                "paused": False,
                "finished": False,
                "rest_seconds": None,
                "started_at": DIALOG_START - 600,
                "sets_done": 9,
                "skipped": [],
            }
        },
    }
)

Action = Callable[[Device], object]
# Every `do:` action a script may take (Stage.actions makes them).
ACTION_NAMES = (
    "restart_server",
    "corrupt_record",
    "two_days_pass",
    "a_week_passes",
    "store_version_1_record",
    "store_newer_record",
)
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
REMINDERS_SCOPE = "alexa::alerts:reminders:skill:readwrite"
API_FAILURES = (401, 403, 429, 500)
API_PAGES = (200, 401, 500)  # statuses answered with an HTML page rather than JSON
API_SLOW_SECONDS = 2.95  # just under the store's 3 s budget for a turn


class ScriptClock:
    """The coach's clock during a script (epoch seconds)."""

    def __init__(self, start: float = DIALOG_START) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now


class TickingTransport:
    """A transport on which each request in a session comes TURN_SECONDS after the one before.

    AudioPlayer and PlaybackController requests (no session) do not tick: they come when the
    device's own clock says, and the device's waits move the clock (Stage.device)."""

    def __init__(self, inner: Transport, clock: ScriptClock) -> None:
        self.inner = inner
        self.clock = clock

    def post(self, body: bytes, headers: Mapping[str, str]) -> TransportResponse:
        if b'"session":' in body:
            self.clock.now += TURN_SECONDS
        return self.inner.post(body, headers)


# Where the stage's app says its tracks are; the device fetches their paths from the app itself.
AUDIO_BASE_URL = "https://coach.test/audio"


class TracksOnDemand:
    """The app's transport, with each of the coach's tracks rendered into the app's audio
    folder the first time the device fetches it (as `make audio` would make it, in the given
    voice), so a script plays real tracks without rendering all of them first."""

    def __init__(self, inner: FlaskTransport, folder: Path, voice_name: str) -> None:
        self.inner = inner
        self.folder = folder
        self.voice_name = voice_name
        self._pieces: dict[str, Any] = {}  # a locale's sounds, made by its voice

    def post(self, body: bytes, headers: Mapping[str, str]) -> TransportResponse:
        return self.inner.post(body, headers)

    def fetch(self, url: str) -> TransportResponse:
        name = url.rsplit("/", 1)[-1]
        if not (self.folder / name).is_file():
            # Imported here: only scripts with a player fetch tracks.
            from skill.audio.catalog import default_catalog, track_of_file
            from tracks.build import PieceMaker, build_audio
            from tracks.engines import pick_voice

            track = track_of_file(name)
            if track is not None:
                if track.locale not in self._pieces:
                    self._pieces[track.locale] = PieceMaker(
                        pick_voice(self.voice_name, track.locale)
                    )
                pieces = self._pieces[track.locale]
                catalog = default_catalog(track.locale)  # prunes none of another locale's
                build_audio(self.folder, pieces.voice, catalog, tracks=[track], pieces=pieces)
        return self.inner.fetch(url)


class Stage:
    """The app in process on `database`, verification off, on a script clock. Its tracks are
    served from a folder beside the database, rendered on demand in `voice` ("estimate": of the
    planned lengths, in no time; "espeak": the offline voice)."""

    def __init__(
        self,
        database: Path,
        config: Mapping[str, Any] | None = None,
        voice: str = "estimate",
        apis: AlexaApiServer | None = None,
    ) -> None:
        self.database = database
        self.apis = apis
        self.clock = ScriptClock()
        self.voice = voice
        self.audio_dir = database.parent / "audio"
        self.config: dict[str, Any] = {
            "COACH_VERIFY_REQUESTS": "0",
            "COACH_DB_PATH": str(database),
            "COACH_AUDIO_BASE_URL": AUDIO_BASE_URL,
            "COACH_AUDIO_DIR": str(self.audio_dir),
            **(config or {}),
            "COACH_CLOCK": self.clock,
        }
        if apis is not None:
            self.config["COACH_ALEXA_API_CA_PATH"] = str(apis.ca_path)

    def advance(self, seconds: float) -> None:
        """Time passes for the coach too (a device's wait)."""
        self.clock.now += seconds

    def device(self, user_id: str, transport: Transport | None = None, **options: Any) -> Device:
        """A device on this stage: its waits move the coach's clock."""
        if self.apis is not None:
            options.setdefault("api_endpoint", self.apis.url)
        device = Device(
            transport or self.transport(), user_id=user_id, on_wait=self.advance, **options
        )
        if self.apis is not None:
            device.reminder_lines = self.apis.state.lines
        device.track_words = track_words
        return device

    def transport(self) -> TickingTransport:
        """A new app process on the stage's database."""
        from skill.app import create_app

        app = FlaskTransport(create_app(self.config))
        return TickingTransport(TracksOnDemand(app, self.audio_dir, self.voice), self.clock)

    def actions(self, new_transport: Callable[[], Transport] | None = None) -> dict[str, Action]:
        """The `do:` actions; `new_transport` makes the restarted server's transport (default:
        `transport()`), for callers that wrap it."""
        renew = new_transport or self.transport

        def restart_server(device: Device) -> None:
            device.transport = renew()

        def corrupt_record(device: Device) -> None:
            with closing(sqlite3.connect(self.database)) as db, db:
                db.execute('UPDATE progress SET record = \'{"version": 1, "attr\' ')

        def two_days_pass(device: Device) -> None:
            self.clock.now += TWO_DAYS

        def a_week_passes(device: Device) -> None:
            self.clock.now += A_WEEK

        def store_version_1_record(device: Device) -> None:
            from skill.persistence import SqliteProgressStore, encode
            from skill.persistence.keys import record_key

            # The runner's row, made the store's way, then given the old record text.
            store = SqliteProgressStore(self.database)
            store.replace(record_key(device.caller.user_id), encode({}))
            store.close()
            with closing(sqlite3.connect(self.database)) as db, db:
                db.execute(
                    "UPDATE progress SET record = ? WHERE user_id = ?",
                    (V1_RECORD, device.caller.user_id),
                )

        def store_newer_record(device: Device) -> None:
            with closing(sqlite3.connect(self.database)) as db, db:
                db.execute(
                    "UPDATE progress SET record = json_set(record, '$.version', ?),"
                    " revision = revision + 1",
                    (RECORD_VERSION + 1,),
                )

        actions: dict[str, Action] = {
            "restart_server": restart_server,
            "corrupt_record": corrupt_record,
            "store_newer_record": store_newer_record,
            "two_days_pass": two_days_pass,
            "a_week_passes": a_week_passes,
            "store_version_1_record": store_version_1_record,
        }
        if self.apis is not None:
            actions.update(self.api_actions(self.apis))
        return actions

    def api_actions(self, apis: AlexaApiServer) -> dict[str, Action]:
        """What the runner and Alexa's APIs do (the stand-in's state)."""
        state = apis.state

        def failing(status: int | None) -> Action:
            def fail(device: Device) -> None:
                state.fail_with = status

            return fail

        def garbling(status: int) -> Action:
            def garble(device: Device) -> None:
                state.garble_with = status

            return garble

        def deleted_in_app(device: Device) -> None:
            with state.lock:
                state.reminders.clear()

        def slow(device: Device) -> None:
            state.delay = API_SLOW_SECONDS

        def in_auckland(device: Device) -> None:
            state.time_zones[device.caller.device_id] = "Pacific/Auckland"

        def consent(answer: str) -> Action:
            def answered(device: Device) -> None:
                device.consent = answer

            return answered

        def local_time(weekday: int, hour: int, minute: int) -> Action:
            def move_on(device: Device) -> None:
                zone = ZoneInfo(state.time_zones.get(device.caller.device_id or "", "UTC"))
                self.clock.now = next_local(self.clock.now, zone, weekday, hour, minute)

            return move_on

        def recovers(device: Device) -> None:
            state.fail_with = state.garble_with = None
            state.delay = 0.0

        actions: dict[str, Action] = {
            f"api_fails_{status}": failing(status) for status in API_FAILURES
        }
        actions.update({f"api_answers_html_{status}": garbling(status) for status in API_PAGES})
        actions.update(
            {
                f"local_{name}_{hour:02d}{minute:02d}": local_time(weekday, hour, minute)
                for weekday, name in enumerate(WEEKDAYS)
                for hour in range(24)
                for minute in (0, 15, 30, 45)
            }
        )
        actions.update(
            {
                "api_recovers": recovers,
                "grant_reminders": lambda device: device.grant(REMINDERS_SCOPE),
                "refuse_permission": consent("DENIED"),
                "accept_permission": consent("ACCEPTED"),
                "ignore_permission": consent("NOT_ANSWERED"),
                "device_in_auckland": in_auckland,
                "reminders_deleted_in_app": deleted_in_app,
                "api_is_slow": slow,
            }
        )
        return actions


def track_words(url: str) -> str:
    """What the coach's track at `url` says, from the catalog ("" for no track of ours)."""
    from skill.audio.catalog import track_of_file  # only scripts with a player play tracks

    track = track_of_file(url.rsplit("/", 1)[-1])
    return "" if track is None else track.words


def next_local(now: float, zone: ZoneInfo, weekday: int, hour: int, minute: int) -> float:
    """The first moment after `now` that is `weekday` (Monday 0) at hour:minute on `zone`'s
    clock."""
    here = dt.datetime.fromtimestamp(now, zone)
    for ahead in range(8):
        day = here.date() + dt.timedelta(days=ahead)
        at = dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=zone)
        if day.weekday() == weekday and at > here:
            return at.timestamp()
    raise ValueError("a week always has that day")  # unreachable
