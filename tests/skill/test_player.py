"""Hands-free mode at the level of single requests: the tokens the coach's tracks carry, what a
player event or a button may be answered with, and tokens that are stale, another runner's, or
forged. The whole conversations are dialog scripts (tests/skill/dialogs/hands_free_*.yaml)."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask

from harness.envelopes import (
    Caller,
    DeviceContext,
    audio_player_request,
    playback_controller_request,
    utc_now,
)
from skill.alexa.player import PlayerToken, before_the_set, user_tag
from skill.app import create_app
from skill.persistence import decode
from tests.support import (
    DEVICE_ID,
    SKILL_ID,
    RecordingStore,
    alexa_answer,
    output_speech,
    resolved_intent,
    with_player,
)

BASE_URL = "https://coach.test/audio"
RUNNER = "amzn1.ask.account.PLAYER-RUNNER"
OTHER = "amzn1.ask.account.PLAYER-OTHER"


@pytest.fixture
def store() -> RecordingStore:
    return RecordingStore()


@pytest.fixture
def app(store: RecordingStore, coach_env: pytest.MonkeyPatch) -> Flask:
    return create_app(
        {
            "COACH_VERIFY_REQUESTS": "0",
            "COACH_STORE_OBJECT": store,
            "COACH_AUDIO_BASE_URL": BASE_URL,
        }
    )


def post(app: Flask, envelope: dict[str, Any]) -> dict[str, Any]:
    return alexa_answer(app.test_client(), envelope)


def plays(body: dict[str, Any]) -> list[dict[str, Any]]:
    return [d for d in body["response"].get("directives", []) if d["type"] == "AudioPlayer.Play"]


def player_device(token: str | None) -> DeviceContext:
    player: dict[str, Any] = {"playerActivity": "IDLE"}
    if token is not None:
        player = {"token": token, "offsetInMilliseconds": 0, "playerActivity": "PLAYING"}
    return DeviceContext({"AudioPlayer": {}}, player)


def event(user_id: str, name: str, token: str) -> dict[str, Any]:
    """An AudioPlayer event for `token`'s stream (a PlaybackFailed says why it failed)."""
    caller = Caller(skill_id=SKILL_ID, user_id=user_id, device_id=DEVICE_ID)
    failure: dict[str, Any] = {}
    if name == "PlaybackFailed":
        failure = {
            "error": {
                "type": "MEDIA_ERROR_SERVICE_UNAVAILABLE",
                "message": "the track did not load",
            },
            "currentPlaybackState": {
                "token": token,
                "offsetInMilliseconds": 0,
                "playerActivity": "STOPPED",
            },
        }
    return audio_player_request(caller, utc_now(), name, token, 0, player_device(token), **failure)


def next_set_by_player(app: Flask) -> str:
    """ "Alexa, next" on a device with a player: the token of the first track it plays."""
    body = post(app, with_player(resolved_intent("AMAZON.NextIntent", user_id=RUNNER)))
    token: str = plays(body)[0]["audioItem"]["stream"]["token"]
    return token


def button(user_id: str, name: str, token: str | None) -> dict[str, Any]:
    caller = Caller(skill_id=SKILL_ID, user_id=user_id, device_id=DEVICE_ID)
    return playback_controller_request(caller, utc_now(), name, player_device(token))


def at_set_one(app: Flask, user_id: str = RUNNER) -> None:
    """The runner has started the bodyweight workout and is on push-ups, set 1."""
    post(
        app,
        with_player(resolved_intent("StartWorkoutIntent", user_id=user_id, workout="bodyweight")),
    )
    post(app, with_player(resolved_intent("SkipWarmUpIntent", user_id=user_id)))


def stored_set(store: RecordingStore, user_id: str = RUNNER) -> int:
    stored = store.rows[user_id]
    number: int = decode(stored.text)["progress"]["set_number"]
    return number


def test_next_plays_the_rest_and_the_call_with_a_token_naming_runner_and_place(
    app: Flask, store: RecordingStore
) -> None:
    at_set_one(app)
    body = post(app, with_player(resolved_intent("AMAZON.NextIntent", user_id=RUNNER)))
    assert "outputSpeech" not in body["response"]  # one voice: the coach's recorded one
    assert body["response"]["shouldEndSession"] is True
    [directive] = plays(body)
    stream = directive["audioItem"]["stream"]
    assert directive["playBehavior"] == "REPLACE_ALL"
    assert stream["url"].startswith(f"{BASE_URL}/en-US-praise-")
    token = PlayerToken.decode(stream["token"])
    assert token is not None
    assert (token.tag, token.workout_id, token.exercise_index, token.set_number, token.step) == (
        user_tag(RUNNER),
        "bodyweight",
        0,
        2,
        0,
    )
    assert token.track_ids[1:] == ("rest-030", "set-bodyweight-1-2")
    assert token.queued_at is not None  # when the queue began: when set 2 is called follows
    assert stored_set(store) == 2


def test_a_token_from_before_the_queue_kept_its_time_still_reads() -> None:
    # Players hold tokens across a deploy: one without the time is still the runner's queue.
    old = f"ubc1.{user_tag(RUNNER)}.dumbbell.0.2.1.praise-1,rest-045,set-dumbbell-1-2"
    token = PlayerToken.decode(old)
    assert token is not None and token.queued_at is None and token.track_id == "rest-045"
    assert PlayerToken.decode(token.encode()) == token
    timed = PlayerToken.decode(old + ".1769508330")
    assert timed is not None and timed.queued_at == 1769508330


def track_id(directive: dict[str, Any]) -> str:
    """The catalog id of a Play's track ("rest-030"), from its URL ("en-US-rest-030-<digest>")."""
    url: str = directive["audioItem"]["stream"]["url"]
    return url.rsplit("/", 1)[1].split("-", 2)[2].rsplit("-", 1)[0]


@pytest.mark.parametrize("moment", ["PlaybackStarted", "PlaybackNearlyFinished"])
def test_each_track_queues_the_next_of_the_queue_as_it_starts_and_again_near_its_end(
    app: Flask, moment: str
) -> None:
    at_set_one(app)
    token = next_set_by_player(app)
    heard = []
    for _ in range(2):
        body = post(app, event(RUNNER, moment, token))
        assert "outputSpeech" not in body["response"] and "card" not in body["response"]
        [directive] = plays(body)
        # The queue holds just the next track, however often it is sent.
        assert directive["playBehavior"] == "REPLACE_ENQUEUED"
        token = directive["audioItem"]["stream"]["token"]
        heard.append(track_id(directive))
    assert heard == ["rest-030", "set-bodyweight-1-2"]
    # The queue is over: nothing more is queued.
    assert plays(post(app, event(RUNNER, moment, token))) == []


def test_a_track_that_fails_to_play_is_skipped_for_the_next(app: Flask) -> None:
    at_set_one(app)
    token = next_set_by_player(app)
    envelope = event(RUNNER, "PlaybackFailed", token)
    [directive] = plays(post(app, envelope))
    assert directive["playBehavior"] == "REPLACE_ALL" and track_id(directive) == "rest-030"


@pytest.mark.parametrize(
    "make_token",
    [
        lambda token: token.replace(".0.2.0.", ".0.3.0."),  # a place the runner is not at
        lambda token: "ubc1." + "0" * 12 + token[17:],  # another runner's tag
        # tampered queue (before the time it began)... still ours? see below
        lambda token: "{},rest-300.{}".format(*token.rsplit(".", 1)),
        lambda token: "not-our-token",
        lambda token: "ubc1.zz.bodyweight.0.2.0.rest-030",
        lambda token: token.replace("rest-030", "../../etc/passwd"),
    ],
    ids=["stale place", "another runner", "queue edited", "foreign", "malformed", "path"],
)
def test_a_stale_or_forged_token_queues_nothing_and_changes_nothing(
    app: Flask, store: RecordingStore, make_token: Any
) -> None:
    at_set_one(app)
    token = next_set_by_player(app)
    before = dict(store.rows)
    forged = make_token(token)
    body = post(app, event(RUNNER, "PlaybackNearlyFinished", forged))
    queued = plays(body)
    if ",rest-300." in forged:  # the queue edited by hand: its next step is still the real one
        assert [track_id(d) for d in queued] == ["rest-030"]
    else:
        assert queued == []
    assert "outputSpeech" not in body["response"]
    assert store.rows == before  # events never write


def test_the_next_button_ends_the_set_without_a_word(app: Flask, store: RecordingStore) -> None:
    at_set_one(app)
    body = post(app, button(RUNNER, "next", None))
    assert "outputSpeech" not in body["response"] and "reprompt" not in body["response"]
    assert "shouldEndSession" not in body["response"]
    assert plays(body)[0]["audioItem"]["stream"]["url"].startswith(f"{BASE_URL}/en-US-praise-")
    assert stored_set(store) == 2


def test_a_button_that_words_alone_could_answer_moves_nothing(
    app: Flask, store: RecordingStore
) -> None:
    # No workout under way: "next" has nothing to play and must not speak.
    body = post(app, button(OTHER, "next", None))
    assert body["response"] == {} or set(body["response"]) <= {"directives"}
    assert "save" not in store.calls


def test_pause_over_the_coachs_audio_stops_it_silently_and_keeps_the_place(
    app: Flask, store: RecordingStore
) -> None:
    at_set_one(app)
    token = next_set_by_player(app)
    # "Alexa, pause" with no name arrives in a new session.
    paused = post(app, name_free(resolved_intent("AMAZON.PauseIntent", user_id=RUNNER), token))
    assert output_speech(paused) == ""
    assert [d["type"] for d in paused["response"]["directives"]] == ["AudioPlayer.Stop"]
    assert decode(store.rows[RUNNER].text)["progress"]["paused"] is True
    resumed = post(app, with_player(resolved_intent("AMAZON.ResumeIntent", user_id=RUNNER), token))
    [call] = plays(resumed)
    assert "/en-US-set-bodyweight-1-2-" in call["audioItem"]["stream"]["url"]  # the same set again
    assert stored_set(store) == 2


def test_a_device_without_a_player_hears_the_spoken_coach(
    app: Flask, store: RecordingStore
) -> None:
    post(app, resolved_intent("StartWorkoutIntent", user_id=RUNNER, workout="bodyweight"))
    post(app, resolved_intent("SkipWarmUpIntent", user_id=RUNNER))
    body = post(app, resolved_intent("NextSetIntent", user_id=RUNNER))
    assert "Rest 30 seconds" in output_speech(body) and "Set 2 of 4" in output_speech(body)
    assert "directives" not in body["response"]


def test_without_a_base_url_a_device_with_a_player_hears_the_spoken_coach(
    store: RecordingStore, coach_env: pytest.MonkeyPatch
) -> None:
    app = create_app({"COACH_VERIFY_REQUESTS": "0", "COACH_STORE_OBJECT": store})
    at_set_one(app)
    body = post(app, with_player(resolved_intent("NextSetIntent", user_id=RUNNER)))
    assert "Rest 30 seconds" in output_speech(body) and plays(body) == []


def test_keep_my_music_is_remembered_and_use_your_audio_undoes_it(
    app: Flask, store: RecordingStore
) -> None:
    at_set_one(app)
    kept = post(app, with_player(resolved_intent("KeepMusicIntent", user_id=RUNNER)))
    assert "leave your music alone" in output_speech(kept)
    # A new session, another day: still spoken.
    body = post(app, with_player(resolved_intent("NextSetIntent", user_id=RUNNER)))
    assert "Rest 30 seconds" in output_speech(body) and plays(body) == []
    assert decode(store.rows[RUNNER].text)["preferences"] == {"keep_music": True}
    back = post(app, with_player(resolved_intent("CoachAudioIntent", user_id=RUNNER)))
    assert "use my audio again" in output_speech(back)
    assert plays(post(app, with_player(resolved_intent("NextSetIntent", user_id=RUNNER))))


EVENTS = ["PlaybackStarted", "PlaybackNearlyFinished", "PlaybackFinished", "PlaybackStopped"]
BUTTONS = ["next", "previous", "play", "pause"]


@pytest.mark.parametrize("name", [*EVENTS, "PlaybackFailed", *BUTTONS])
def test_every_player_request_is_answered_without_a_word(app: Flask, name: str) -> None:
    """What certification checks of an audio skill: each AudioPlayer event and each
    PlaybackController button, mid-workout with the coach's token playing, gets an answer with
    no speech, card or reprompt; PlaybackStopped gets no directive either."""
    at_set_one(app)
    token = next_set_by_player(app)
    if name in BUTTONS:
        envelope = button(RUNNER, name, token)
    else:
        envelope = event(RUNNER, name, token)
    response = post(app, envelope)["response"]
    assert not {"outputSpeech", "card", "reprompt"} & set(response)
    if name == "PlaybackStopped":
        assert "directives" not in response


def name_free(envelope: dict[str, Any], token: str, activity: str = "PLAYING") -> dict[str, Any]:
    """The envelope as "Alexa, next" arrives with no invocation name: a new session, the player
    in context holding `token`."""
    envelope = with_player(envelope, token)
    envelope["session"]["new"] = True
    envelope["context"]["AudioPlayer"]["playerActivity"] = activity
    return envelope


def queue_token(first: str, step: int) -> str:
    token = PlayerToken.decode(first)
    assert token is not None
    return PlayerToken(
        token.tag, token.workout_id, token.exercise_index, token.set_number, step, token.track_ids
    ).encode()


@pytest.mark.parametrize("how", ["voice", "button"])
def test_next_mid_rest_skips_the_rest_to_the_call_and_counts_no_set(
    app: Flask, store: RecordingStore, how: str
) -> None:
    """ "Alexa, next" while the rest plays: the set the record now names was never called, so
    it is not counted done; the call plays now."""
    at_set_one(app)
    resting = queue_token(next_set_by_player(app), 1)  # rest-030 playing
    assert stored_set(store) == 2
    if how == "voice":
        envelope = name_free(resolved_intent("AMAZON.NextIntent", user_id=RUNNER), resting)
    else:
        envelope = button(RUNNER, "next", resting)
    body = post(app, envelope)
    assert "outputSpeech" not in body["response"]
    [directive] = plays(body)
    assert directive["playBehavior"] == "REPLACE_ALL"
    assert "/en-US-set-bodyweight-1-2-" in directive["audioItem"]["stream"]["url"]
    assert stored_set(store) == 2  # set 2 still to do


def test_next_with_a_queue_that_led_elsewhere_calls_the_current_set_rather_than_count_it(
    app: Flask, store: RecordingStore
) -> None:
    """The player's last queue led to another place (a warm-up in a session that has closed
    since, a workout started since): "Alexa, next" cannot mean this set is done."""
    at_set_one(app)
    elsewhere = PlayerToken(user_tag(RUNNER), "dumbbell", 3, 2, 0, ("ready",)).encode()
    body = post(app, name_free(resolved_intent("AMAZON.NextIntent", user_id=RUNNER), elsewhere))
    [directive] = plays(body)
    assert "/en-US-set-bodyweight-1-1-" in directive["audioItem"]["stream"]["url"]
    assert stored_set(store) == 1


def test_next_set_in_a_conversation_ends_the_set_whatever_the_player_last_held(
    app: Flask, store: RecordingStore
) -> None:
    at_set_one(app)
    elsewhere = PlayerToken(user_tag(RUNNER), "dumbbell", 3, 2, 0, ("ready",)).encode()
    post(app, with_player(resolved_intent("NextSetIntent", user_id=RUNNER), elsewhere))
    assert stored_set(store) == 2


def stored_rest(store: RecordingStore, user_id: str = RUNNER) -> int | None:
    rest: int | None = decode(store.rows[user_id].text)["progress"]["rest_seconds"]
    return rest


def test_longer_rest_on_a_device_without_a_player_never_shortens_a_five_minute_rest(
    app: Flask, store: RecordingStore
) -> None:
    """Rests of 300 s set on an Echo; on a phone (no player, 120 s at most) "longer rest" must
    not cut them to 120 s and call that longer."""
    at_set_one(app)
    post(app, with_player(resolved_intent("SetRestIntent", user_id=RUNNER, minutes="5")))
    assert stored_rest(store) == 300
    body = post(app, resolved_intent("LongerRestIntent", user_id=RUNNER))
    assert "already" in output_speech(body)
    assert stored_rest(store) == 300


def test_use_your_audio_mid_workout_takes_the_player_back_for_the_current_set(
    app: Flask, store: RecordingStore
) -> None:
    """After "keep my music" the runner's music holds the player; "use your audio" must take it
    back, or "Alexa, next" skips their song instead of ending the set."""
    at_set_one(app)
    post(app, with_player(resolved_intent("KeepMusicIntent", user_id=RUNNER)))
    back = post(app, with_player(resolved_intent("CoachAudioIntent", user_id=RUNNER)))
    assert "use my audio again" in output_speech(back)
    [directive] = plays(back)
    token = PlayerToken.decode(directive["audioItem"]["stream"]["token"])
    assert token is not None
    assert (token.tag, token.workout_id, token.exercise_index, token.set_number) == (
        user_tag(RUNNER),
        "bodyweight",
        0,
        1,
    )


def test_pause_in_a_conversation_is_answered_in_words_even_with_the_coachs_token_held(
    app: Flask, store: RecordingStore
) -> None:
    """ "Hold on" / "wait" while the microphone is open (the runner answering the coach) must
    not end the session in silence just because the player last held the coach's audio."""
    at_set_one(app)
    token = next_set_by_player(app)
    body = post(app, with_player(resolved_intent("AMAZON.PauseIntent", user_id=RUNNER), token))
    assert output_speech(body) != ""
    assert [d["type"] for d in body["response"]["directives"]] == ["AudioPlayer.Stop"]
    assert decode(store.rows[RUNNER].text)["progress"]["paused"] is True


def test_the_rest_before_a_new_exercise_says_what_comes_next_as_the_spoken_rest_does(
    app: Flask,
) -> None:
    """Spoken: "Good. Next up: L-sit chin-up. Rest 30 seconds." The runner sets up the next
    exercise during the rest, so the coach's audio names it first too."""
    at_set_one(app)
    for _ in range(3):  # sets 1 to 3 of the T push-up's 4
        post(app, with_player(resolved_intent("AMAZON.NextIntent", user_id=RUNNER)))
    last = plays(post(app, with_player(resolved_intent("AMAZON.NextIntent", user_id=RUNNER))))
    token = PlayerToken.decode(last[0]["audioItem"]["stream"]["token"])
    assert token is not None
    assert token.track_ids[0].endswith("-next-bodyweight-2")
    assert "/en-US-praise-" in last[0]["audioItem"]["stream"]["url"]


def test_keep_my_music_mid_rest_stops_the_audio_and_says_the_set_in_words(
    app: Flask, store: RecordingStore
) -> None:
    at_set_one(app)
    token = next_set_by_player(app)
    body = post(app, with_player(resolved_intent("KeepMusicIntent", user_id=RUNNER), token))
    speech = output_speech(body)
    assert "leave your music alone" in speech and "set 2 of 4" in speech
    assert [d["type"] for d in body["response"]["directives"]] == ["AudioPlayer.Stop"]


def test_help_in_hands_free_mode_names_the_name_free_commands(app: Flask) -> None:
    at_set_one(app)
    spoken = output_speech(
        post(app, with_player(resolved_intent("AMAZON.HelpIntent", user_id=RUNNER)))
    )
    assert "just say Alexa, next" in spoken and "keep my music" in spoken
    assert "set 1 of 4" in spoken
    plain = output_speech(post(app, resolved_intent("AMAZON.HelpIntent", user_id=RUNNER)))
    assert "Alexa, next" not in plain and "set 1 of 4" in plain


@pytest.mark.parametrize("name", ["PlaybackFinished", "PlaybackStopped"])
def test_a_track_ending_or_stopping_reads_and_writes_no_record(
    app: Flask, store: RecordingStore, name: str
) -> None:
    at_set_one(app)
    body = post(app, with_player(resolved_intent("AMAZON.NextIntent", user_id=RUNNER)))
    [directive] = plays(body)
    store.calls.clear()
    answer = post(app, event(RUNNER, name, directive["audioItem"]["stream"]["token"]))
    assert answer["response"] == {} or not answer["response"].get("directives")
    assert store.calls == []


@pytest.mark.parametrize(
    "offset",
    [[], {}, [1500], -5, 2**63, 10**30],
    ids=["list", "object", "a list", "negative", "2^63", "10^30"],
)
def test_a_player_offset_that_is_no_place_in_the_rest_resumes_safely(
    app: Flask, store: RecordingStore, offset: object, caplog: pytest.LogCaptureFixture
) -> None:
    """The offset is the device's word: a list, an object, or one past the track's end is read
    as the start or as the rest being over, never copied into a Play or raised on."""
    at_set_one(app)
    rest = queue_token(next_set_by_player(app), 1)
    decoded = PlayerToken.decode(rest)
    assert decoded is not None and decoded.track_id.startswith("rest-")  # mid-rest
    post(app, name_free(resolved_intent("AMAZON.PauseIntent", user_id=RUNNER), rest))
    resume = with_player(resolved_intent("AMAZON.ResumeIntent", user_id=RUNNER), rest)
    resume["context"]["AudioPlayer"]["offsetInMilliseconds"] = offset
    body = post(app, resume)
    assert "something went wrong" not in output_speech(body)
    assert not [r for r in caplog.records if r.levelname == "ERROR"]
    for play in plays(body):
        assert play["audioItem"]["stream"]["offsetInMilliseconds"] < 5 * 60 * 1000
    assert stored_set(store) == 2  # the set after the rest, not counted twice nor lost


def test_the_set_has_not_begun_until_its_call_has_played() -> None:
    # Reps said while any of these plays are about the set before them, never this one.
    queue = ("praise-3-next-dumbbell-2", "rest-045", "intro-dumbbell-2", "set-dumbbell-2-1")
    tokens = [PlayerToken(user_tag(RUNNER), "dumbbell", 1, 1, step, queue) for step in range(4)]
    assert all(before_the_set(token) for token in tokens)
    under_way = PlayerToken(user_tag(RUNNER), "dumbbell", 1, 1, 0, ("ready",))
    assert not before_the_set(under_way)  # the tone played during the set
