"""The browser simulator's server side (harness/simulator): only in local mode, the harness's
envelopes to the real skill, the transcript, the screen's document, the microphone's timing,
hands-free audio, spoken commands, and clear answers to bad input. The page itself is tested in
a real browser in tests/simulator/."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, cast

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from harness.simulator import create_app
from harness.simulator import echo as simulated
from harness.simulator.web import EXTENSION_KEY
from tracks.mp3 import mp3_seconds
from tracks.voices.espeak import EspeakVoice


def json_of(answer: TestResponse) -> dict[str, Any]:
    found = answer.get_json()
    assert isinstance(found, dict), answer.data
    return found


class WallClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> WallClock:
    return WallClock()


@pytest.fixture
def make_simulator(
    coach_env: pytest.MonkeyPatch, tmp_path: Path, clock: WallClock
) -> Callable[..., Flask]:
    # Speech and MP3s from .cache/coach-voice, kept by content as the simulator keeps them.

    def make(**config: Any) -> Flask:
        settings: dict[str, Any] = {
            "TESTING": True,
            "COACH_VERIFY_REQUESTS": "0",
            "COACH_DB_PATH": str(tmp_path / "coach.sqlite3"),
            "COACH_AUDIO_DIR": str(tmp_path / "audio"),
            "SIMULATOR_VOICE": "estimate",
            "SIMULATOR_CLOCK": clock,
            **config,
        }
        return create_app(settings)

    return make


@pytest.fixture
def client(make_simulator: Callable[..., Flask]) -> FlaskClient:
    return make_simulator().test_client()


class Page:
    """What the page does: one simulated device, its transcript so far."""

    def __init__(
        self,
        client: FlaskClient,
        viewport: str = "show-8",
        hands_free: bool = False,
        runner: str = "test-runner",
    ):
        self.client = client
        answer = client.post(
            "/simulator/api/devices",
            json={"viewport": viewport, "handsFree": hands_free, "runner": runner},
        )
        assert answer.status_code == 201, answer.data
        self.id = json_of(answer)["id"]
        self.base = f"/simulator/api/devices/{self.id}"
        self.entries: list[dict[str, Any]] = []
        self.state: dict[str, Any] = {}

    def _take(self, answer: TestResponse) -> dict[str, Any]:
        assert answer.status_code == 200, answer.data
        self.state = json_of(answer)
        self.entries += self.state["entries"]
        return self.state

    def say(self, text: str) -> str:
        """What the coach said in answer (the new coach lines, joined)."""
        before = len(self.entries)
        self._take(
            self.client.post(f"{self.base}/say?since={len(self.entries)}", json={"text": text})
        )
        return " ".join(e["text"] for e in self.entries[before:] if e["kind"] == "coach")

    def touch(self, argument: str) -> str:
        before = len(self.entries)
        answer = self.client.post(
            f"{self.base}/touch?since={len(self.entries)}", json={"argument": argument}
        )
        self._take(answer)
        return " ".join(e["text"] for e in self.entries[before:] if e["kind"] == "coach")

    def poll(self) -> dict[str, Any]:
        return self._take(self.client.get(f"{self.base}?since={len(self.entries)}"))

    def coach_data(self) -> dict[str, Any]:
        shown = self.state["shown"]
        assert shown is not None, "nothing is shown"
        return dict(shown["datasources"]["coach"])

    def kinds(self) -> list[str]:
        return [e["kind"] for e in self.entries]

    def echo(self) -> simulated.SimulatedEcho:
        """The server's side of this page: its device and transcript."""
        return cast(
            simulated.SimulatedEcho, self.client.application.extensions[EXTENSION_KEY].get(self.id)
        )


def test_no_simulator_with_verification_on(make_simulator: Callable[..., Flask]) -> None:
    client = make_simulator(COACH_VERIFY_REQUESTS="1").test_client()
    assert client.get("/simulator/").status_code == 404
    assert client.post("/simulator/api/devices", json={}).status_code == 404
    # ... and the skill is still there, refusing what Alexa did not sign.
    assert client.post("/alexa", json={"version": "1.0"}).status_code == 400


def test_page_and_its_scripts_are_served(client: FlaskClient) -> None:
    page = client.get("/simulator/")
    assert page.status_code == 200 and b"Upper Body Coach" in page.data
    for script in (b"static/apl.js", b"static/simulator.js"):
        assert script in page.data
    page.close()
    js = client.get("/simulator/static/simulator.js")
    assert js.status_code == 200 and b"APL.render" in js.data
    js.close()
    assert client.get("/simulator").status_code == 308  # relative URLs need the slash


def test_a_workout_on_a_show_transcript_screen_and_touch(
    client: FlaskClient, clock: WallClock
) -> None:
    start = clock.now
    page = Page(client)
    assert "Which one would you like?" in page.say("open upper body coach")
    page.say("start the bodyweight workout")
    assert "T push-up" in page.say("skip the warm up")
    assert page.state["session"]["open"]
    data = page.coach_data()
    assert (data["title"], data["setLabel"]) == ("T push-up", "Set 1 of 4")
    assert page.state["shown"]["document"]["type"] == "APL"
    first = page.state["shown"]["version"]

    # Touched once set 1 has been called (touched over the introduction, it would start it).
    clock.now = start + page.state["deviceSeconds"] + 5
    assert "Set 2 of 4" in page.touch("next_set")
    assert page.entries[-2]["text"] == "(touches next_set)"
    assert page.coach_data()["lead"]["rest"]["seconds"] == 30
    assert page.state["shown"]["version"] == first + 1
    # A page that has this document is not sent it again on every poll.
    again = json_of(client.get(f"{page.base}?since=99&screen={first + 1}"))
    assert again["shown"] == {"version": first + 1}

    said = [e for e in page.entries if e["kind"] == "runner"]
    assert [e["text"] for e in said][:3] == [
        "open upper body coach",
        "start the bodyweight workout",
        "skip the warm up",
    ]
    assert page.entries[1]["detail"] == "LaunchRequest"
    assert "StartWorkoutIntent" in page.entries[3]["detail"]


REMINDER = "Time for your upper body workout. Say, Alexa, open Upper Body Coach."  # the spoken text


def test_the_page_shows_the_reminders_set_for_its_runner(client: FlaskClient) -> None:
    """The simulator stands in for Alexa's Reminders API: a reminder the runner sets by voice
    is set there, and the page's state lists it, for that runner's pages only."""
    page = Page(client)
    assert page.poll()["reminders"] == []
    said = page.say("alexa, tell upper body coach to remind me every monday and thursday at 7 am")
    assert "I'll remind you every Monday and Thursday at 7 am" in said
    assert page.state["reminders"] == [f"Monday 07:00, Thursday 07:00 (UTC): {REMINDER}"]
    # Another page of the same runner shows it; a page of another runner has none.
    assert Page(client).poll()["reminders"] == page.state["reminders"]
    other = Page(client, runner="someone-else")
    assert other.poll()["reminders"] == []
    assert "I'll remind you every Friday at 6 pm" in other.say(
        "alexa, tell upper body coach to remind me every friday at 6 pm"
    )
    assert other.state["reminders"] == [f"Friday 18:00 (UTC): {REMINDER}"]
    assert page.poll()["reminders"] == [f"Monday 07:00, Thursday 07:00 (UTC): {REMINDER}"]
    # Changed and cancelled, the page follows.
    page.say("alexa, tell upper body coach to change my reminder to 6")
    assert page.state["reminders"] == [f"Monday 06:00, Thursday 06:00 (UTC): {REMINDER}"]
    assert "cancelled your workout reminders" in page.say(
        "alexa, tell upper body coach to cancel my reminders"
    )
    assert page.state["reminders"] == []
    assert other.poll()["reminders"] == [f"Friday 18:00 (UTC): {REMINDER}"]


def test_the_page_has_a_place_for_the_reminders(client: FlaskClient) -> None:
    page = client.get("/simulator/")
    assert b'<dd id="reminders-status">none</dd>' in page.data
    page.close()
    js = client.get("/simulator/static/simulator.js")
    assert b'$("reminders-status").textContent' in js.data and b"state.reminders" in js.data
    js.close()


def test_the_coach_is_heard_as_mp3(make_simulator: Callable[..., Flask]) -> None:
    client = make_simulator(SIMULATOR_VOICE="espeak").test_client()
    page = Page(client)
    page.say("open upper body coach")
    audio = page.entries[-1]["audio"]
    answer = client.get(audio)
    assert answer.status_code == 200 and answer.mimetype == "audio/mpeg"
    assert 5 < mp3_seconds(answer.data) < 60  # the welcome, spoken
    assert client.get(audio.rsplit("/", 1)[0] + "/9.mp3").status_code == 404


def test_a_device_without_a_screen_gets_no_document(client: FlaskClient) -> None:
    page = Page(client, viewport="none")
    page.say("open upper body coach")
    page.say("start the dumbbell workout")
    assert "Set 1 of" in page.say("skip the warm up")
    assert page.state["screen"] is False and page.state["shown"] is None
    assert "error" not in page.kinds()  # the harness device refuses a document it cannot show


def test_microphone_reprompts_then_closes_as_alexa_does(
    client: FlaskClient, clock: WallClock
) -> None:
    page = Page(client)
    page.say("open upper body coach")
    welcome_ends = page.state["deviceSeconds"]
    clock.now += welcome_ends + 7  # the welcome, then 7 s of listening
    state = page.poll()
    assert state["session"]["open"] and 0 < state["session"]["listeningMs"] <= 1000
    clock.now += 2
    page.poll()
    assert page.entries[-1]["kind"] == "reprompt" and page.entries[-1]["audio"]
    assert page.state["session"]["open"]
    clock.now += 20
    page.poll()
    assert page.entries[-1]["text"] == "The microphone closed: the session is over"
    assert page.state["session"]["open"] is False
    # With the session over, words without the skill's name reach nobody ...
    assert page.say("next set") == ""
    assert page.entries[-1]["kind"] == "note" and "no session open" in page.entries[-1]["text"]
    # ... and a one-shot reaches it again.
    assert "Which one" in page.say("open upper body coach")


def test_speaking_over_the_coach_cuts_it_off(client: FlaskClient, clock: WallClock) -> None:
    start = clock.now
    page = Page(client)
    page.say("open upper body coach")
    page.say("start the dumbbell workout")  # the warm-up: minutes of led speech
    warm_up_ends = page.state["deviceSeconds"]
    clock.now += 5
    page.say("skip the warm up")  # 5 s in: the runner talks over the led warm-up
    # The device's clock came back to the wall's: the new answer ends at its deviceSeconds,
    # and the microphone opens after it, not after the rest of the warm-up.
    assert page.state["deviceSeconds"] < warm_up_ends
    clock.now = start + page.state["deviceSeconds"] + 9
    page.poll()
    assert page.entries[-1]["kind"] == "reprompt"


def test_stay_silent_closes_the_microphone(client: FlaskClient) -> None:
    page = Page(client)
    page.say("open upper body coach")
    page._take(client.post(f"{page.base}/silence"))
    assert page.state["session"]["open"] is False
    assert page.entries[-1]["text"] == "The microphone closed: the session is over"


def test_hands_free_plays_the_coach_tracks(client: FlaskClient, clock: WallClock) -> None:
    page = Page(client, hands_free=True)
    page.say("open upper body coach")
    page.say("start the dumbbell workout")
    page.say("skip the warm up")
    assert page.state["player"]["activity"] == "PLAYING"
    assert page.state["player"]["sounding"] is False  # held: Alexa is listening
    clock.now += page.state["deviceSeconds"] + 30  # the microphone closes; the tone plays
    page.poll()
    assert page.state["session"]["open"] is False
    assert "PlaybackStarted" in [e["text"] for e in page.entries if e["kind"] == "player"]
    # "Alexa, next": no session, no name, to the skill that played audio.
    assert page.say("alexa, next") == "(no speech)"
    player = page.state["player"]
    assert player["sounding"] and player["url"].startswith("/audio/")
    track = client.get(player["url"])  # rendered on demand, served by the skill's /audio
    assert track.status_code == 200 and track.mimetype == "audio/mpeg"
    track.close()
    clock.now += 3
    assert page.poll()["player"]["offsetMs"] >= 2500  # the rest plays on with the wall clock


def test_a_spoken_command_is_recognised(make_simulator: Callable[..., Flask]) -> None:
    client = make_simulator().test_client()
    page = Page(client)
    # espeak-ng's voice varies from one utterance to the next in a process (its pitch flutter
    # runs on), and "open upper body coach" is heard as "oh upper body coach" about one time in
    # fifteen: "launch" is heard every time, whatever ran before.
    spoken = EspeakVoice("en-us").synthesize("launch upper body coach")
    answer = client.post(f"{page.base}/listen", data=spoken.to_wav(), content_type="audio/wav")
    page._take(answer)
    said = {**page.entries[0], "kind": "runner", "text": "launch upper body coach"}
    assert page.entries[0] == said
    assert "Which one would you like?" in page.entries[1]["text"]
    noise = client.post(f"{page.base}/listen", data=b"not a recording", content_type="audio/wav")
    assert noise.status_code == 400 and "cannot hear that recording" in json_of(noise)["error"]


def held(echo: simulated.SimulatedEcho) -> dict[str, int]:
    """How much a simulated device and its page hold of what could grow with every turn."""
    device, player = echo.device, echo.device.player
    sizes = {
        "turns": len(device.history),
        "player events": len(device.events),
        "speeches": len(device.spoken),
        "transcript lines": len(echo.entries),
    }
    if player is not None:
        sizes |= {"stretches heard": len(player.played), "player notes": len(player.notes)}
    return sizes


def test_a_show_left_open_for_a_week_holds_only_its_latest_turns(
    client: FlaskClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(simulated, "MAX_ENTRIES", 200)  # a shorter transcript, a faster test
    page = Page(client)
    for words in ("open upper body coach", "start the bodyweight workout", "skip the warm up"):
        page.say(words)
    welcome = page.entries[1]["audio"]

    def workouts(rounds: int) -> None:
        for round in range(rounds):
            assert "It works your" in page.say("how do I do this")
            page.say("how do I do this")
            page.say("next set")
            page.say("repeat")
            if round % 10 == 9:
                assert "again from the top" in page.say("start over")
                page.say("yes")

    workouts(25)
    echo = page.echo()
    before = held(echo)
    workouts(25)  # about 100 turns more
    assert held(echo) == before  # nothing grew
    assert before["turns"] == before["speeches"] == simulated.DEVICE_KEEPS
    assert before["transcript lines"] == 200
    # The page still has every line, numbered on, and the audio of those the server keeps.
    assert [e["number"] for e in page.entries] == list(range(len(page.entries)))
    assert "error" not in page.kinds()
    newest = client.get(page.entries[-1]["audio"])
    assert newest.status_code == 200 and newest.mimetype == "audio/mpeg"
    assert client.get(welcome).status_code == 404  # its line has left the transcript


def test_hands_free_left_open_holds_only_its_latest_events_and_tracks(
    client: FlaskClient, clock: WallClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(simulated, "MAX_ENTRIES", 200)
    page = Page(client, hands_free=True)
    for words in ("open upper body coach", "start the dumbbell workout", "skip the warm up"):
        page.say(words)
    clock.now += page.state["deviceSeconds"] + 30  # the microphone closes; the tracks play
    page.poll()
    player = page.echo().device.player
    assert player is not None
    urls: set[str] = set()

    def listen(seconds: float) -> None:
        clock.now += seconds
        page.poll()
        urls.update(stretch.stream.url for stretch in player.played)

    def on_and_back(times: int) -> None:
        for _ in range(3):  # on through the workout: tracks not played before
            page.say("alexa, next")
            listen(100)
        for _ in range(times):  # the same few tracks again and again
            page.say("alexa, next")
            listen(3)
            page.say("alexa, previous")
            listen(3)

    on_and_back(30)
    before = held(page.echo())
    on_and_back(20)
    assert held(page.echo()) == before  # nothing grew
    assert before["stretches heard"] == before["player events"] == simulated.DEVICE_KEEPS
    decoded = [url for url in urls if player.audio(url) is not None]
    assert len(decoded) <= simulated.TRACKS_KEPT < len(urls)
    assert "error" not in page.kinds()
    assert page.state["player"]["activity"] in ("PLAYING", "FINISHED")


@pytest.mark.parametrize(
    ("path", "body", "message"),
    [
        ("/simulator/api/devices", {"viewport": "show-99"}, "viewport must be one of"),
        ("/simulator/api/devices", {"runner": "../../etc"}, "runner must be"),
        ("/simulator/api/devices", {"handsFree": "yes"}, "handsFree must be true or false"),
        ("/simulator/api/devices", ["a list"], "send a JSON object"),
    ],
)
def test_bad_requests_say_what_is_wrong(
    client: FlaskClient, path: str, body: Any, message: str
) -> None:
    answer = client.post(path, json=body)
    assert answer.status_code == 400 and message in json_of(answer)["error"]


def test_bad_actions_say_what_is_wrong(client: FlaskClient) -> None:
    page = Page(client)
    empty = client.post(f"{page.base}/say", json={"text": "  "})
    assert empty.status_code == 400 and "text is empty" in json_of(empty)["error"]
    long = client.post(f"{page.base}/say", json={"text": "x" * 501})
    assert long.status_code == 400 and "at most 500 characters" in json_of(long)["error"]
    for odd in ("since=--5", "since=%C2%B2", "screen=--5", "screen=x", "since=1e3"):
        answer = client.get(f"{page.base}?{odd}")
        assert answer.status_code == 400 and "whole numbers" in json_of(answer)["error"]
    gone = client.get("/simulator/api/devices/nope")
    assert gone.status_code == 404 and "reload the page" in json_of(gone)["error"]
    # A touch with nothing shown reaches nobody, and the transcript says so.
    page.touch("next_set")
    assert "no document is shown" in page.entries[-1]["text"]
