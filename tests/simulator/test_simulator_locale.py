"""A simulated device speaks a locale (skill.locales.SPOKEN), server side: its requests carry
it, the coach plays that locale's tracks, typed and spoken words are understood by that locale's
model, and the coach is heard in its accent. The picker on the page is tested in a real browser
in test_simulator_page.py."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, cast

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from harness.simulator import create_app
from harness.simulator.echo import SimulatedEcho
from harness.simulator.web import EXTENSION_KEY
from skill.locales import SPOKEN
from tracks.voices.espeak import EspeakVoice

# A British runner's words, in the en-GB model only: en-US hears the equipment question in them.
BRITISH = "i need the loo"
HOLDING_ON = "Take your time."


@pytest.fixture
def make_client(coach_env: pytest.MonkeyPatch, tmp_path: Path) -> Callable[..., FlaskClient]:
    # Speech and MP3s from .cache/coach-voice, kept by content (voice and text; samples and
    # encoder) as the simulator keeps them for a developer: an accent is a voice of its own.

    def make(voice: str = "estimate") -> FlaskClient:
        app: Flask = create_app(
            {
                "TESTING": True,
                "COACH_VERIFY_REQUESTS": "0",
                "COACH_DB_PATH": str(tmp_path / "coach.sqlite3"),
                "COACH_AUDIO_DIR": str(tmp_path / "audio"),
                "SIMULATOR_VOICE": voice,
                "SIMULATOR_CLOCK": lambda: 1000.0,
            }
        )
        return app.test_client()

    return make


@pytest.fixture
def client(make_client: Callable[..., FlaskClient]) -> FlaskClient:
    return make_client()


def json_of(answer: TestResponse) -> dict[str, Any]:
    found = answer.get_json()
    assert isinstance(found, dict), answer.data
    return found


class Page:
    """What the page does with one device added in `locale` (None: the page sends none)."""

    def __init__(
        self, client: FlaskClient, locale: str | None, runner: str = "runner", **device: Any
    ) -> None:
        self.client = client
        body = {"runner": runner, **device} | ({"locale": locale} if locale else {})
        answer = client.post("/simulator/api/devices", json=body)
        assert answer.status_code == 201, answer.data
        self.base = f"/simulator/api/devices/{json_of(answer)['id']}"
        self.entries: list[dict[str, Any]] = []
        self.state: dict[str, Any] = {}

    def take(self, answer: TestResponse) -> str:
        """The state answered; returns what the coach said in it."""
        assert answer.status_code == 200, answer.data
        self.state = json_of(answer)
        new = self.state["entries"]
        self.entries += new
        return " ".join(e["text"] for e in new if e["kind"] == "coach")

    def say(self, text: str) -> str:
        since = len(self.entries)
        return self.take(self.client.post(f"{self.base}/say?since={since}", json={"text": text}))

    def speak(self, recording: bytes) -> str:
        since = len(self.entries)
        answer = self.client.post(
            f"{self.base}/listen?since={since}", data=recording, content_type="audio/wav"
        )
        return self.take(answer)

    def in_a_workout(self) -> None:
        assert "Which one would you like?" in self.say("open upper body coach")
        assert "Let's do the bodyweight workout" in self.say("start the bodyweight workout")

    def echo(self) -> SimulatedEcho:
        device_id = self.base.rsplit("/", 1)[-1]
        simulator = self.client.application.extensions[EXTENSION_KEY]
        return cast(SimulatedEcho, simulator.get(device_id))

    def last_audio(self) -> bytes:
        url = [e["audio"] for e in self.entries if "audio" in e][-1]
        answer = self.client.get(url)
        assert answer.status_code == 200 and answer.mimetype == "audio/mpeg", answer.data
        return bytes(answer.data)


def test_the_page_is_offered_every_locale_the_skill_speaks(client: FlaskClient) -> None:
    offered = json_of(client.get("/simulator/api/locales"))
    assert offered == {"locales": list(SPOKEN), "default": "en-US"}
    plain = Page(client, None)  # a page that names no locale: the default
    assert "Which one would you like?" in plain.say("open upper body coach")
    assert plain.state["locale"] == "en-US"
    answer = client.post("/simulator/api/devices", json={"locale": "fr-FR"})
    assert answer.status_code == 400
    assert json_of(answer)["error"] == f"locale must be one of {', '.join(SPOKEN)}"


def test_a_device_added_in_en_gb_asks_in_en_gb_and_is_understood_in_its_words(
    client: FlaskClient,
) -> None:
    british = Page(client, "en-GB", runner="british")
    british.in_a_workout()
    assert british.state["locale"] == "en-GB"
    assert HOLDING_ON in british.say(BRITISH)
    assert "HoldOnIntent" in british.entries[-1]["detail"]
    sent = [turn.request for turn in british.echo().device.history if turn.request]
    assert len(sent) == 3 and {body["request"]["locale"] for body in sent} == {"en-GB"}

    american = Page(client, "en-US", runner="american")
    american.in_a_workout()
    assert american.state["locale"] == "en-US"
    assert HOLDING_ON not in american.say(BRITISH)
    assert "EquipmentIntent" in american.entries[-1]["detail"]


def test_hands_free_in_en_gb_plays_the_en_gb_tracks(client: FlaskClient) -> None:
    page = Page(client, "en-GB", handsFree=True)
    page.in_a_workout()
    page.say("skip the warm up")
    player = page.state["player"]
    assert player["activity"] == "PLAYING" and player["url"].startswith("/audio/en-GB-")
    track = client.get(player["url"])  # rendered on demand, in en-GB's voice
    assert track.status_code == 200 and track.mimetype == "audio/mpeg"
    track.close()


def test_the_coach_is_heard_in_the_locale_s_accent(make_client: Callable[..., FlaskClient]) -> None:
    client = make_client(voice="espeak")
    american = Page(client, "en-US", runner="american")
    british = Page(client, "en-GB", runner="british")
    welcome = american.say("open upper body coach")
    assert british.say("open upper body coach") == welcome
    heard_in_us = american.last_audio()
    assert british.last_audio() != heard_in_us  # the same words, another accent
    assert american.last_audio() == heard_in_us  # each locale keeps its own voice


def test_a_command_spoken_in_en_gb_is_heard_by_en_gb_s_model(client: FlaskClient) -> None:
    spoken = EspeakVoice("en-us").synthesize(BRITISH)
    british = Page(client, "en-GB", runner="british")
    british.in_a_workout()
    assert HOLDING_ON in british.speak(spoken.to_wav())
    assert british.entries[-2]["kind"] == "runner" and british.entries[-2]["text"] == BRITISH

    american = Page(client, "en-US", runner="american")
    american.in_a_workout()
    assert american.speak(spoken.to_wav()) == ""
    assert american.entries[-1]["text"].startswith("Nothing recognised")
