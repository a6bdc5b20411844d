"""`coach chat` and `coach render` with --audio-player, against a stand-in workout that plays
its sets and rests as audio (no real skill: its wording and tracks are fixed here)."""

from __future__ import annotations

import io
import json
import sys
from pathlib import Path
from typing import Any

import pytest
from flask import Flask, Response, jsonify, request

from harness import cli
from harness.cli import chat_command, render_command
from harness.device import FlaskTransport
from tests.harness.audio_skill import BASE_URL, play, speak, tone_mp3
from tracks.mp3 import decode_mp3_bytes, mp3_seconds

Json = dict[str, Any]
TRACKS = {"hold.mp3": tone_mp3(1.0), "rest.mp3": tone_mp3(5.0, 330.0), "set2.mp3": tone_mp3(1.0)}
REST = decode_mp3_bytes(TRACKS["rest.mp3"]).seconds


def workout_skill() -> Flask:
    """Launch and start keep the session open; skipping the warm-up announces set 1 and plays
    a short hold track; "next" rests (a 5 s track, set 2 enqueued after it), then ends with a
    question; "no" says goodbye."""
    app = Flask("hands_free_workout")
    nexts: list[int] = []

    def answer(envelope: Json) -> Json:
        req = envelope["request"]
        kind, name = req["type"], req.get("intent", {}).get("name")
        if kind == "LaunchRequest":
            return {"outputSpeech": speak("Welcome. Which workout?"), "shouldEndSession": False}
        if name == "StartWorkoutIntent":
            return {"outputSpeech": speak("Starting."), "shouldEndSession": False}
        if name == "SkipWarmUpIntent":
            return {"outputSpeech": speak("Set 1 of 2."), "directives": [play("hold.mp3", "set-1")]}
        if name == "AMAZON.NextIntent":
            nexts.append(1)
            if len(nexts) == 1:
                return {
                    "outputSpeech": speak("Rest now."),
                    "directives": [play("rest.mp3", "rest-1")],
                }
            return {"outputSpeech": speak("All done. A cool-down?"), "shouldEndSession": False}
        if name == "AMAZON.NoIntent":
            return {"outputSpeech": speak("Bye."), "shouldEndSession": True}
        if kind == "AudioPlayer.PlaybackNearlyFinished" and req["token"] == "rest-1":
            after = play("set2.mp3", "set-2", "ENQUEUE", expectedPreviousToken="rest-1")
            return {"directives": [after]}
        return {}

    @app.post("/alexa")
    def alexa() -> Response:
        return jsonify({"version": "1.0", "response": answer(request.get_json())})

    @app.get("/audio/<name>")
    def audio(name: str) -> Response:
        return Response(TRACKS[name], mimetype="audio/mpeg")

    return app


@pytest.fixture
def workout(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> list[str]:
    app = workout_skill()

    def connect(args: Any, db_path: Path | None) -> cli.Connection:
        return cli.Connection(lambda: FlaskTransport(app), None)

    for command in (chat_command, render_command):
        monkeypatch.setattr(command, "connect", connect)
    monkeypatch.chdir(tmp_path)
    return ["--cache-dir", str(tmp_path / "cache")]


def run(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    argv: list[str],
    stdin: str = "",
) -> tuple[int, str]:
    monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
    status = cli.main(argv)
    return status, capsys.readouterr().out


CHAT = """\
open upper body coach
start the bodyweight workout
skip the warm up
/wait 3
alexa, next
/press pause
/wait soon
"""


def test_chat_takes_alexa_next_waits_and_buttons_and_prints_the_players_events(
    workout: list[str], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    argv = ["chat", "--no-audio", "--audio-player", *workout]
    status, text = run(capsys, monkeypatch, argv, CHAT)
    assert status == 0
    after_next = text.split("> alexa, next", 1)[1]
    assert "intent:   AMAZON.NextIntent" in after_next
    assert "coach:    Rest now." in after_next
    assert "AudioPlayer.PlaybackStarted token 'rest-1'" in after_next
    assert "intent:   PlaybackController.PauseCommandIssued" in text
    assert "/wait takes a number of seconds, not 'soon'" in text
    wait = text.split("> /wait 3", 1)[1].split(">", 1)[0]
    assert "AudioPlayer.PlaybackFinished token 'set-1'" in wait


def test_chat_without_audio_player_sends_alexa_next_nowhere(
    workout: list[str], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    status, text = run(capsys, monkeypatch, ["chat", "--no-audio", *workout], "alexa, next\n")
    assert status == 0
    assert "not sent: no session open" in text and "player:" not in text


def test_a_hands_free_render_puts_the_skills_audio_on_the_timeline(
    workout: list[str],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    out = tmp_path / "hands-free"
    argv = ["render", "--engine", "estimate", "--audio-player", "--out", str(out), *workout]
    status, text = run(capsys, monkeypatch, argv)
    assert status == 0, text
    data = json.loads((out / "transcript.json").read_text(encoding="utf-8"))
    said = [turn["said"] for turn in data["turns"]]
    assert said == [
        "open upper body coach",
        "start the bodyweight workout",
        "skip the warm up",
        "alexa, next",
        "alexa, next",
        "no",
    ]
    timeline = data["timeline"]
    audio = [(row["token"], row["ended"]) for row in timeline if row["kind"] == "audio"]
    assert audio == [("set-1", "finished"), ("rest-1", "finished"), ("set-2", "finished")]
    rest = next(row for row in timeline if row.get("token") == "rest-1")
    announced = next(row for row in timeline if row.get("text") == "Rest now.")
    assert rest["start"] == announced["end"]  # the track follows the words at once
    assert rest["seconds"] == pytest.approx(REST, abs=0.001)
    assert rest["url"] == BASE_URL + "rest.mp3"
    set_2 = next(row for row in timeline if row.get("token") == "set-2")
    assert set_2["start"] == rest["end"]
    # The runner's set: --set-seconds (2) after the set's audio, then "alexa, next".
    second_next = data["turns"][4]
    assert second_next["start"] == pytest.approx(set_2["end"] + 2.0, abs=0.001)
    assert mp3_seconds((out / "session.mp3").read_bytes()) == pytest.approx(
        data["total_seconds"], abs=0.1
    )
    assert "audio Track rest.mp3 (token rest-1)" in text
