"""The device's AudioPlayer against a stand-in audio skill (tests/harness/audio_skill.py): the
events it sends and when, name-free commands and buttons, Alexa's rules on the answers, and a
device without AudioPlayer staying as it was."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import pytest

from harness.device import (
    MIC_OPEN_SECONDS,
    AudioResponseError,
    Device,
    FlaskTransport,
    HttpTransport,
    speech_seconds,
)
from harness.interaction_model import load_model
from harness.local_server import serve_app
from harness.player import AudioPlayer, AudioRuleError, mapping_resolver
from harness.session_render import (
    audio_heard,
    device_timeline,
    place_timeline,
    render_time,
    render_timeline,
    timeline_entries,
)
from tests.harness.audio_skill import BASE_URL, AudioSkill, tone_mp3
from tracks.mp3 import decode_mp3_bytes
from tracks.voices.pcm import SAMPLE_RATE, Pcm, silence

MODEL = load_model()
LONG = decode_mp3_bytes(tone_mp3(30.0)).seconds  # as the device hears it: encoder delay too
SHORT = decode_mp3_bytes(tone_mp3(3.0, 660.0)).seconds
Json = dict[str, Any]


def audio_device(skill: AudioSkill, lead: float | None = None) -> Device:
    device = Device(FlaskTransport(skill.app()), MODEL)
    device.enable_audio_player(nearly_finished_lead=lead)
    return device


def events(device: Device) -> list[tuple[str, str, int, float]]:
    """(event, token, offset ms, device time) for each AudioPlayer request sent."""
    rows = []
    for turn in device.events:
        assert turn.request is not None
        body = turn.request["request"]
        rows.append(
            (
                body["type"].removeprefix("AudioPlayer."),
                body["token"],
                body["offsetInMilliseconds"],
                round(turn.at, 3),
            )
        )
    return rows


def test_a_track_plays_out_with_its_events_in_order_on_the_devices_clock() -> None:
    skill = AudioSkill(chain={"t1": "short.mp3"})
    device = audio_device(skill)
    turn = device.say("open upper body coach")
    spoken = speech_seconds(turn)  # the track starts once Alexa has spoken
    device.wait(60)
    end = round(spoken + LONG, 3)
    assert events(device) == [
        ("PlaybackStarted", "t1", 0, round(spoken, 3)),
        ("PlaybackNearlyFinished", "t1", round((LONG - 10) * 1000), round(end - 10, 3)),
        ("PlaybackFinished", "t1", round(LONG * 1000), end),
        ("PlaybackStarted", "after-t1", 0, end),
        ("PlaybackNearlyFinished", "after-t1", 0, end),  # shorter than the lead: at once
        ("PlaybackFinished", "after-t1", round(SHORT * 1000), round(end + SHORT, 3)),
    ]
    assert device.now == pytest.approx(spoken + 60)
    assert device.player is not None and device.player.activity == "FINISHED"


def test_events_are_audio_player_requests_with_no_session_and_the_players_state() -> None:
    skill = AudioSkill()
    device = audio_device(skill)
    device.say("open upper body coach")
    device.wait(5)
    launch, started = skill.received
    assert launch["context"]["System"]["device"]["supportedInterfaces"] == {"AudioPlayer": {}}
    assert launch["context"]["AudioPlayer"] == {"playerActivity": "IDLE"}
    assert "session" not in started
    assert started["request"]["token"] == "t1"
    assert started["context"]["AudioPlayer"] == {
        "token": "t1",
        "offsetInMilliseconds": 0,
        "playerActivity": "PLAYING",
    }


def test_a_short_lead_sends_nearly_finished_close_to_the_end_and_inf_sends_it_at_once() -> None:
    late = audio_device(AudioSkill(), lead=2.0)
    late.say("open upper body coach")
    late.wait(60)
    nearly = [e for e in events(late) if e[0] == "PlaybackNearlyFinished"]
    assert nearly[0][2] == round((LONG - 2) * 1000)

    early = audio_device(AudioSkill(), lead=math.inf)
    early.say("open upper body coach")
    early.wait(1)
    assert [e[0] for e in events(early)] == ["PlaybackStarted", "PlaybackNearlyFinished"]


def test_alexa_next_reaches_the_audio_skill_without_its_name_in_a_new_session() -> None:
    skill = AudioSkill()
    device = audio_device(skill)
    device.say("open upper body coach")
    device.wait(5)
    turn = device.say("Alexa, next")
    assert turn.sent and turn.intent == "AMAZON.NextIntent"
    request = skill.received[-3]  # then PlaybackStopped for t1 and PlaybackStarted for t2
    assert request["request"]["intent"]["name"] == "AMAZON.NextIntent"
    assert request["session"]["new"] is True
    assert request["context"]["AudioPlayer"]["token"] == "t1"
    assert request["context"]["AudioPlayer"]["playerActivity"] == "PLAYING"
    assert request["context"]["AudioPlayer"]["offsetInMilliseconds"] == 5000
    assert skill.types()[-2:] == ["AudioPlayer.PlaybackStopped", "AudioPlayer.PlaybackStarted"]
    assert device.player is not None and device.player.current is not None
    assert device.player.current.token == "t2"


def test_alexa_next_reaches_nobody_before_any_skill_played_audio() -> None:
    skill = AudioSkill()
    device = audio_device(skill)
    turn = device.say("alexa, next")
    assert not turn.sent
    assert turn.note is not None and "no skill has played audio" in turn.note
    assert skill.received == []


def test_words_that_are_not_an_audio_command_still_need_the_skills_name() -> None:
    skill = AudioSkill()
    device = audio_device(skill)
    device.say("open upper body coach")
    turn = device.say("next set")  # a custom phrase: never name-free
    assert not turn.sent and skill.types() == ["LaunchRequest", "AudioPlayer.PlaybackStarted"]


def test_pause_stops_with_the_offset_and_resume_plays_on_from_it() -> None:
    skill = AudioSkill()
    device = audio_device(skill)
    device.say("open upper body coach")
    device.wait(12)
    pause = device.say("alexa, pause")
    assert pause.intent == "AMAZON.PauseIntent"
    assert events(device)[-1][:3] == ("PlaybackStopped", "t1", 12000)
    assert device.player is not None and device.player.activity == "STOPPED"
    device.wait(100)  # nothing plays while stopped
    assert events(device)[-1][0] == "PlaybackStopped"
    resume = device.say("alexa, resume")
    assert resume.intent == "AMAZON.ResumeIntent"
    resumed = skill.received[-2]  # the intent, then PlaybackStarted
    assert resumed["context"]["AudioPlayer"] == {
        "token": "t1",
        "offsetInMilliseconds": 12000,
        "playerActivity": "STOPPED",
    }
    assert events(device)[-1][:3] == ("PlaybackStarted", "t1", 12000)
    started = device.now
    device.wait(60)
    finished = [e for e in events(device) if e[0] == "PlaybackFinished"]
    assert finished == [
        ("PlaybackFinished", "t1", round(LONG * 1000), round(started + LONG - 12, 3))
    ]


def test_alexa_stop_while_audio_plays_arrives_as_pause() -> None:
    skill = AudioSkill()
    device = audio_device(skill)
    device.say("open upper body coach")
    device.wait(3)
    assert device.say("alexa, stop").intent == "AMAZON.PauseIntent"
    # Once nothing plays, "stop" is no audio command.
    assert not device.say("alexa, stop").sent


def test_the_devices_buttons_send_playback_controller_requests() -> None:
    skill = AudioSkill()
    device = audio_device(skill)
    device.say("open upper body coach")
    device.wait(2)
    turn = device.press("next")
    assert turn.request_type == "PlaybackController.NextCommandIssued"
    assert turn.request is not None and "session" not in turn.request
    assert turn.request["context"]["AudioPlayer"]["token"] == "t1"
    assert device.player is not None and device.player.current is not None
    assert device.player.current.token == "t2"
    device.press("pause")
    assert events(device)[-1][:2] == ("PlaybackStopped", "t2")


def test_a_button_before_any_audio_reaches_nobody() -> None:
    skill = AudioSkill()
    device = audio_device(skill)
    assert not device.press("play").sent and skill.received == []


def test_speech_in_answer_to_an_audio_player_event_is_an_error() -> None:
    device = audio_device(AudioSkill(speak_on_started=True))
    with pytest.raises(AudioResponseError, match="PlaybackStarted.*outputSpeech"):
        device.say("open upper body coach")


def test_directives_in_answer_to_playback_stopped_are_an_error() -> None:
    device = audio_device(AudioSkill(directive_on_stopped=True))
    device.say("open upper body coach")
    device.wait(1)
    with pytest.raises(AudioResponseError, match="PlaybackStopped.*directives"):
        device.say("alexa, pause")


def test_a_stream_that_cannot_be_fetched_fails_with_playback_failed() -> None:
    skill = AudioSkill(first="missing.mp3")
    device = audio_device(skill)
    device.say("open upper body coach")
    failed = skill.received[-1]
    assert failed["request"]["type"] == "AudioPlayer.PlaybackFailed"
    assert failed["request"]["error"]["type"] == "MEDIA_ERROR_INVALID_REQUEST"
    assert failed["request"]["currentPlaybackState"]["token"] == "t1"
    assert device.player is not None and device.player.activity == "STOPPED"


def test_only_https_streams_play() -> None:
    skill = AudioSkill()
    url = BASE_URL.replace("https://", "http://") + "long.mp3"
    device = Device(FlaskTransport(skill.app()), MODEL)
    device.enable_audio_player(mapping_resolver({url: tone_mp3(30.0)}))
    directive = {
        "type": "AudioPlayer.Play",
        "playBehavior": "REPLACE_ALL",
        "audioItem": {"stream": {"url": url, "token": "plain"}},
    }
    assert device.player is not None
    device.player.apply([directive], device.now)
    assert device.player.activity == "STOPPED"


def test_an_enqueue_with_the_wrong_expected_token_is_ignored_as_alexa_ignores_it() -> None:
    device = audio_device(AudioSkill())
    device.say("open upper body coach")
    player = device.player
    assert player is not None
    enqueue = {
        "type": "AudioPlayer.Play",
        "playBehavior": "ENQUEUE",
        "audioItem": {
            "stream": {"url": BASE_URL + "short.mp3", "token": "x", "expectedPreviousToken": "t9"}
        },
    }
    player.apply([enqueue], device.now)
    assert player.queue == [] and "expectedPreviousToken 't9'" in player.notes[-1]


def test_a_stream_sent_with_the_session_open_waits_until_the_microphone_closes() -> None:
    skill = AudioSkill(keep_open=True)
    device = audio_device(skill)
    turn = device.say("open upper body coach")
    assert device.session_open and device.events == []
    device.wait(20)
    assert skill.types()[1:3] == ["SessionEndedRequest", "AudioPlayer.PlaybackStarted"]
    assert events(device)[0][3] == round(speech_seconds(turn) + MIC_OPEN_SECONDS, 3)


def test_a_device_without_audio_player_is_as_it_was() -> None:
    skill = AudioSkill()
    device = Device(FlaskTransport(skill.app()), MODEL)
    with pytest.raises(AudioResponseError, match="without AudioPlayer"):
        device.say("open upper body coach")  # the stand-in plays without checking
    launch = skill.received[0]
    assert launch["context"]["System"]["device"]["supportedInterfaces"] == {}
    assert "AudioPlayer" not in launch["context"]
    turn = device.say("alexa, next")
    assert not turn.sent and turn.note is not None and "Alexa, tell" in turn.note
    with pytest.raises(Exception, match="no AudioPlayer"):
        device.press("next")


# ---- the render's timeline ------------------------------------------------------------------


def _first_sound(pcm: Pcm, threshold: int = 1000) -> float:
    index = next(i for i, sample in enumerate(pcm.samples) if abs(sample) > threshold)
    return index / SAMPLE_RATE


def test_the_render_puts_each_track_where_it_played_and_measures_it() -> None:
    device = audio_device(AudioSkill(chain={"t1": "short.mp3"}))
    launch = device.say("open upper body coach")
    device.wait(45)  # the long track, then the short one, then 45 - LONG - SHORT of quiet
    device.say("alexa, next")
    device.wait(10)
    spoken = speech_seconds(launch)
    entries = device_timeline(device)
    assert [e.kind for e in entries] == ["speech", "audio", "audio", "speech", "audio"]

    placed = place_timeline(entries, speech_seconds)  # speech as long as the device said
    rows = timeline_entries(placed, {id(launch): 1})
    assert rows[0] == {
        "kind": "speech",
        "start": 0.0,
        "end": round(spoken, 3),
        "seconds": round(spoken, 3),
        "turn": 1,
        "said": "open upper body coach",
        "text": "Here is your first set.",
    }
    [first] = audio_heard(rows, "long.mp3")
    assert (first["start"], first["end"]) == (round(spoken, 3), round(spoken + LONG, 3))
    assert first["ended"] == "finished" and first["title"] == "Track long.mp3"
    [chained] = audio_heard(rows, "after-t1")
    assert chained["start"] == first["end"]
    assert rows[3]["start"] == round(spoken + 45, 3)  # "next" came after the quiet

    pcm = render_timeline(placed, lambda turn: silence(speech_seconds(turn)), _track(device))
    assert _first_sound(pcm) == pytest.approx(spoken, abs=0.06)  # the MP3's encoder delay
    assert pcm.seconds == pytest.approx(rows[-1]["end"], abs=0.001)


def test_a_longer_voice_moves_the_audio_after_it_and_keeps_the_silences() -> None:
    device = audio_device(AudioSkill())
    launch = device.say("open upper body coach")
    device.wait(2)
    placed = place_timeline(device_timeline(device), lambda turn: speech_seconds(turn) + 1.5)
    speech, audio = timeline_entries(placed)
    assert audio["start"] == speech["end"] == round(speech_seconds(launch) + 1.5, 3)
    assert audio["seconds"] == 2.0
    assert render_time(placed, launch.at) == 0.0
    assert render_time(placed, device.now) == pytest.approx(audio["end"])


def _track(device: Device) -> Callable[[str], Pcm | None]:
    def pcm(url: str) -> Pcm | None:
        audio = device.player.audio(url) if device.player is not None else None
        return None if audio is None else audio.pcm

    return pcm


def test_over_http_the_device_fetches_a_streams_path_from_the_skills_server() -> None:
    skill = AudioSkill()
    with serve_app(skill.app()) as base:
        device = Device(HttpTransport(base + "alexa", timeout=5), MODEL)
        device.enable_audio_player()
        device.say("open upper body coach")  # streams from https://coach.example/audio/
        device.wait(40)
    assert [t for t in skill.types() if "Failed" in t] == []
    assert events(device)[-1][:3] == ("PlaybackFinished", "t1", round(LONG * 1000))


def _play(token: str, behavior: str = "REPLACE_ALL", **stream: Any) -> Json:
    item = {"stream": {"url": f"{BASE_URL}{token}.mp3", "token": token, **stream}}
    return {"type": "AudioPlayer.Play", "playBehavior": behavior, "audioItem": item}


def _player() -> AudioPlayer:
    tone = tone_mp3(3.0, 660.0)
    return AudioPlayer(mapping_resolver({f"{BASE_URL}{t}.mp3": tone for t in "abc"}))


def test_replace_enqueued_and_clear_queue_change_the_queue_not_the_track_playing() -> None:
    player = _player()
    player.apply([_play("a")], 0.0)
    player.release(0.0)
    player.apply([_play("b", "ENQUEUE", expectedPreviousToken="a")], 1.0)
    player.apply([_play("c", "REPLACE_ENQUEUED")], 1.0)
    assert [s.token for s in player.queue] == ["c"]
    assert (
        player.apply([{"type": "AudioPlayer.ClearQueue", "clearBehavior": "CLEAR_ENQUEUED"}], 1.5)
        == []
    )
    assert player.queue == [] and player.playing
    [stopped] = player.apply(
        [{"type": "AudioPlayer.ClearQueue", "clearBehavior": "CLEAR_ALL"}], 2.0
    )
    assert (stopped.type, stopped.token, stopped.offset_ms) == (
        "AudioPlayer.PlaybackStopped",
        "a",
        2000,
    )
    assert stopped.context["playerActivity"] == "STOPPED"


@pytest.mark.parametrize(
    ("directive", "problem"),
    [
        (_play("b", "ENQUEUE"), "ENQUEUE needs stream.expectedPreviousToken"),
        (_play("b", expectedPreviousToken="a"), "REPLACE_ALL must not carry expectedPreviousToken"),
        (_play("b", "SHUFFLE"), "Play needs playBehavior"),
        ({"type": "AudioPlayer.ClearQueue"}, "ClearQueue needs clearBehavior"),
    ],
)
def test_directives_alexa_would_reject_are_errors(directive: Json, problem: str) -> None:
    with pytest.raises(AudioRuleError, match=problem):
        _player().apply([directive], 0.0)
