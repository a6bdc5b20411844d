"""A stand-in audio skill for the device's AudioPlayer tests: a tiny Flask app that plays tone
MP3s it serves itself under /audio/, so its behaviour (and misbehaviour) is fixed here.

- LaunchRequest: "Here is your first set." and Play REPLACE_ALL of `first` (token "t1").
- AMAZON.NextIntent, or the device's next button: Play REPLACE_ALL of the next track
  (t2, t3, ...); the voice request with "Next." first.
- AudioPlayer.PlaybackNearlyFinished: ENQUEUE the track in `chain` after the one finishing,
  when there is one.
- AMAZON.PauseIntent or the pause button: Stop. AMAZON.ResumeIntent: Play REPLACE_ALL of the
  context's token from the context's offset.
- Other events and SessionEndedRequest: an empty response.
`keep_open` answers the launch with the session left open. Switches make it break Alexa's
rules: `speak_on_started`, `directive_on_stopped`.
"""

from __future__ import annotations

import math
from array import array
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from flask import Flask, Response, jsonify, request

from tracks.mp3 import encode_mp3
from tracks.voices.pcm import SAMPLE_RATE, Pcm

Json = dict[str, Any]
BASE_URL = "https://coach.example/audio/"


@lru_cache(maxsize=8)
def tone_mp3(seconds: float, hz: float = 440.0) -> bytes:
    """A sine tone of `seconds`, in Alexa's MP3 format."""
    # numpy: a Python loop over 30 s of samples took 0.3 s of every test process's collection.
    import numpy

    phases = numpy.arange(round(seconds * SAMPLE_RATE)) * (2 * math.pi * hz / SAMPLE_RATE)
    samples = array("h")
    samples.frombytes((8000 * numpy.sin(phases)).astype("=i2").tobytes())
    return encode_mp3(Pcm(samples))


def play(name: str, token: str, behavior: str = "REPLACE_ALL", **stream: Any) -> Json:
    return {
        "type": "AudioPlayer.Play",
        "playBehavior": behavior,
        "audioItem": {
            "stream": {"url": BASE_URL + name, "token": token, **stream},
            "metadata": {"title": f"Track {name}"},
        },
    }


def speak(text: str) -> Json:
    return {"type": "SSML", "ssml": f"<speak>{text}</speak>"}


@dataclass
class AudioSkill:
    tracks: dict[str, bytes] = field(
        default_factory=lambda: {
            "long.mp3": tone_mp3(30.0),
            "short.mp3": tone_mp3(3.0, 660.0),
        }
    )
    first: str = "long.mp3"
    chain: dict[str, str] = field(default_factory=dict)  # token -> track enqueued after it
    next_track: str = "short.mp3"
    keep_open: bool = False
    speak_on_started: bool = False
    directive_on_stopped: bool = False
    received: list[Json] = field(default_factory=list)

    def app(self) -> Flask:
        app = Flask("audio_skill")

        @app.post("/alexa")
        def alexa() -> Response:
            envelope = request.get_json()
            self.received.append(envelope)
            return jsonify({"version": "1.0", "response": self.answer(envelope)})

        @app.get("/audio/<name>")
        def audio(name: str) -> Response | tuple[str, int]:
            if name not in self.tracks:
                return "no such track", 404
            return Response(self.tracks[name], mimetype="audio/mpeg")

        return app

    def types(self) -> list[str]:
        return [str(e["request"]["type"]) for e in self.received]

    def answer(self, envelope: Json) -> Json:
        req = envelope["request"]
        kind = str(req["type"])
        name = req.get("intent", {}).get("name")
        player = envelope["context"].get("AudioPlayer", {})
        plays = sum(1 for e in self.received if _is_next(e))
        if kind == "LaunchRequest":
            first = play(self.first, "t1")
            answer = {"outputSpeech": speak("Here is your first set."), "directives": [first]}
            return {**answer, "shouldEndSession": False} if self.keep_open else answer
        if _is_next(envelope):
            directive = play(self.next_track, f"t{plays + 1}")
            if kind == "IntentRequest":
                return {"outputSpeech": speak("Next."), "directives": [directive]}
            return {"directives": [directive]}
        if name == "AMAZON.PauseIntent" or kind == "PlaybackController.PauseCommandIssued":
            return {"directives": [{"type": "AudioPlayer.Stop"}]}
        if name == "AMAZON.ResumeIntent":
            again = play(
                self.first, player["token"], offsetInMilliseconds=player["offsetInMilliseconds"]
            )
            return {"directives": [again]}
        if kind == "AudioPlayer.PlaybackNearlyFinished" and req["token"] in self.chain:
            after = self.chain[req["token"]]
            enqueued = play(after, f"after-{req['token']}", "ENQUEUE")
            enqueued["audioItem"]["stream"]["expectedPreviousToken"] = req["token"]
            return {"directives": [enqueued]}
        if kind == "AudioPlayer.PlaybackStarted" and self.speak_on_started:
            return {"outputSpeech": speak("Started!")}
        if kind == "AudioPlayer.PlaybackStopped" and self.directive_on_stopped:
            return {"directives": [play(self.first, "again")]}
        return {}


def _is_next(envelope: Json) -> bool:
    req = envelope["request"]
    named: bool = req.get("intent", {}).get("name") == "AMAZON.NextIntent"
    return named or req["type"] == "PlaybackController.NextCommandIssued"
