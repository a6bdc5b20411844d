"""The dialog runner against a small fake skill, so its own wording is fixed here."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from flask import Flask, jsonify, request

from harness.device import Device, FlaskTransport
from harness.dialog import (
    Dialog,
    DialogScriptError,
    assert_dialog_passes,
    dialog_paths,
    load_dialog,
    paced_rest_seconds,
    parse_dialog,
    run_dialog,
)
from harness.interaction_model import load_model
from skill.speech.sounds import REST_OVER
from skill.speech.timing import speech_seconds

HERE = Path(__file__).parent / "dialogs"
MODEL = load_model()
Json = dict[str, Any]


def rest_ssml(seconds: float) -> str:
    """A paced rest of exactly `seconds`: break, a cue, breaks, then the beep."""
    cue = "Halfway."
    left = seconds - 10 - speech_seconds(cue) - REST_OVER.seconds
    return (
        f'<break time="10s"/>{cue}<break time="10s"/><break time="{round((left - 10) * 1000)}ms"/>'
        f'<audio src="{REST_OVER.src}"/>'
    )


def speak(text: str, *, end: bool = False, reprompt: str | None = None) -> Json:
    inner: Json = {"outputSpeech": {"type": "SSML", "ssml": f"<speak>{text}</speak>"}}
    if reprompt:
        inner["reprompt"] = {"outputSpeech": {"type": "SSML", "ssml": f"<speak>{reprompt}</speak>"}}
    inner["shouldEndSession"] = end
    return {"version": "1.0", "response": inner}


def fake_skill() -> Flask:
    """Four sets a workout, 30 s rests, progress kept per user as the real skill persists it."""
    app = Flask("fake_skill")
    progress: dict[str, int] = {}

    def answer(envelope: Json) -> Json:
        req, user = envelope["request"], envelope["session"]["user"]["userId"]
        if req["type"] == "SessionEndedRequest":
            return {"version": "1.0", "response": {}}
        if req["type"] == "LaunchRequest":
            return speak("Welcome to the fake coach. Which workout?", reprompt="Which workout?")
        intent = req["intent"]
        name = intent["name"]
        if name == "StartWorkoutIntent":
            slot = intent["slots"]["workout"]
            resolution = slot["resolutions"]["resolutionsPerAuthority"][0]
            if resolution["status"]["code"] != "ER_SUCCESS_MATCH":
                return speak(f"There is no {slot['value']} workout. Which workout?")
            progress[user] = 1
            workout = resolution["values"][0]["value"]["id"]
            return speak(f"Starting the {workout} workout. Set 1 of 4.")
        if name in {"NextSetIntent", "AMAZON.NextIntent"}:
            done = progress.get(user, 1)
            progress[user] = done + 1
            text = f"Set {done} done. Rest 30 seconds.{rest_ssml(30)} Set {done + 1} of 4."
            return speak(text, reprompt="Say next set when you are done.")
        if name == "StatusIntent":
            return speak(f"You are on set {progress.get(user, 1)} of 4.")
        if name == "AMAZON.StopIntent":
            return speak("Goodbye.", end=True)
        if name == "AMAZON.YesIntent":
            return speak("Noted.")
        return speak("Sorry, I didn't get that.")

    @app.post("/alexa")
    def alexa() -> Any:
        return jsonify(answer(request.get_json()))

    return app


@pytest.fixture
def factory() -> Callable[[str], Device]:
    app = fake_skill()  # one app per test: progress survives sessions, not tests
    return lambda user: Device(FlaskTransport(app), MODEL, user_id=user)


# ---- rest measurement ----


def test_paced_rest_seconds_adds_breaks_cues_and_the_beep() -> None:
    assert paced_rest_seconds(
        f"<speak>Rest 30 seconds.{rest_ssml(30)} Go.</speak>"
    ) == pytest.approx(30, abs=0.01)
    beep = f'<audio src="{REST_OVER.src}"/>'
    ssml = f'<speak>Go.<break time="2s"/>Two.<break time="500ms"/>{beep}</speak>'
    assert paced_rest_seconds(ssml) == pytest.approx(2 + speech_seconds("Two.") + 0.5 + 0.78)


@pytest.mark.parametrize(
    "ssml",
    [
        "<speak>No rest here.</speak>",
        '<speak>Wait.<break time="3s"/> No beep.</speak>',
        f'<speak><audio src="{REST_OVER.src}"/>Beep before any break.</speak>',
    ],
)
def test_paced_rest_seconds_none_without_a_paced_rest(ssml: str) -> None:
    assert paced_rest_seconds(ssml) is None


# ---- passing ----


def test_a_passing_script_passes(factory: Callable[[str], Device]) -> None:
    actions_seen: list[Device] = []
    result = run_dialog(HERE / "pass_workout.yaml", factory, {"note": actions_seen.append})
    assert_dialog_passes(result)
    assert result.passed and len(actions_seen) == 1
    assert len(result.outcomes) == 13  # 12 turns, one of them twice
    assert result.report().startswith("passed: ") and "13 turns" in result.report()
    assert actions_seen[0].caller.user_id == "runner-7"


# ---- failing ----


@pytest.mark.parametrize(
    ("script", "turn", "expected", "heard"),
    [
        (
            "fail_hear.yaml",
            2,
            "expected to hear 'Set 3 of 4'",
            "Starting the dumbbell workout. Set 1 of 4.",
        ),
        (
            "fail_intent.yaml",
            2,
            "expected intent NextSetIntent, matched StatusIntent",
            "set 1 of 4",
        ),
        ("fail_session.yaml", 2, "expected the session open, but it is closed", "Goodbye."),
        (
            "fail_rest.yaml",
            3,
            "expected a paced rest of 45 s (within 1 s), paced 30 s",
            "Set 1 done. Rest 30 seconds. Halfway. Set 2 of 4.",
        ),
        ("fail_repeat.yaml", 3, "expected not to hear 'Set 4 of 4'", "Set 3 done."),
    ],
)
def test_a_failing_script_reports_turn_expectation_and_heard_speech(
    factory: Callable[[str], Device], script: str, turn: int, expected: str, heard: str
) -> None:
    result = run_dialog(HERE / script, factory)
    assert not result.passed
    assert result.failure is not None and result.failure.step.number == turn
    report = result.report()
    assert f"\nat turn {turn}" in report
    assert script in report
    assert expected in report
    assert heard in report
    with pytest.raises(AssertionError, match=f"turn {turn}"):
        assert_dialog_passes(result)


def test_report_names_the_repetition(factory: Callable[[str], Device]) -> None:
    report = run_dialog(HERE / "fail_repeat.yaml", factory).report()
    assert "turn 3 (repeat 3 of 3): say 'next set'" in report
    assert "before that:" in report and "turn 3 (repeat 2 of 3)" in report


def test_only_the_first_failing_turn_runs(factory: Callable[[str], Device]) -> None:
    result = run_dialog(HERE / "fail_hear.yaml", factory)
    assert [o.step.number for o in result.outcomes] == [1, 2]


def script(*turns: dict[str, Any], name: str = "inline") -> Dialog:
    return parse_dialog({"name": name, "turns": list(turns)}, "inline.yaml")


def test_speech_with_no_session_open_fails_unless_expected(
    factory: Callable[[str], Device],
) -> None:
    result = run_dialog(script({"say": "next set"}), factory)
    assert not result.passed
    assert "no session open" in result.report()
    assert "not sent:" in result.report()
    assert run_dialog(script({"say": "next set", "sent": False}), factory).passed
    opened = script({"say": "open upper body coach"}, {"say": "next set", "sent": False})
    assert "expected the device not to send this" in run_dialog(opened, factory).report()


def test_wrong_slot_is_reported(factory: Callable[[str], Device]) -> None:
    result = run_dialog(
        script(
            {"say": "open upper body coach"},
            {"say": "start the banana workout", "slots": {"workout": "bodyweight"}},
        ),
        factory,
    )
    assert "expected slot workout='bodyweight', got 'banana'" in result.report()


def test_unknown_action_fails_before_any_turn(factory: Callable[[str], Device]) -> None:
    made: list[str] = []

    def counting_factory(user: str) -> Device:
        made.append(user)
        return factory(user)

    result = run_dialog(
        script({"say": "open upper body coach"}, {"do": "restart_server"}),
        counting_factory,
        {"other": lambda device: None},
    )
    assert not result.passed and made == []
    assert "turn 2: unknown action 'restart_server' (known: other)" in result.report()


def test_a_failing_action_is_reported(factory: Callable[[str], Device]) -> None:
    def explode(device: Device) -> None:
        raise RuntimeError("server would not start")

    result = run_dialog(script({"do": "restart"}), factory, {"restart": explode})
    assert "action 'restart' failed: RuntimeError: server would not start" in result.report()


def test_a_slot_the_model_lacks_is_reported(factory: Callable[[str], Device]) -> None:
    turn = {"intent": "NextSetIntent", "slots": {"colour": "red"}, "one_shot": True}
    result = run_dialog(script(turn), factory)
    assert "error: intent NextSetIntent has no slot 'colour'" in result.report()


def test_an_intent_the_model_lacks_is_still_sent(factory: Callable[[str], Device]) -> None:
    opened = {"say": "open upper body coach"}
    result = run_dialog(script(opened, {"intent": "OldIntent", "hear": "sorry"}), factory)
    assert_dialog_passes(result)
    failing = script(opened, {"intent": "OldIntent", "hear": "welcome"})
    assert "note:     intent not in the interaction model" in run_dialog(failing, factory).report()


def test_touch_and_show_need_a_screen(factory: Callable[[str], Device]) -> None:
    opened = {"say": "open upper body coach", "show": "Set 1"}
    result = run_dialog(script(opened), factory)
    assert "expected a screen, but the device has none (screen: true)" in result.report()
    result = run_dialog(script({"touch": "next_set"}), factory)
    assert "error: this device has no screen to touch" in result.report()


def test_intent_turn_sends_slots_and_one_shot(factory: Callable[[str], Device]) -> None:
    result = run_dialog(
        script(
            {"intent": "StartWorkoutIntent", "slots": {"workout": "weights"}, "one_shot": True},
            {"intent": "StatusIntent", "hear": "set 1 of 4", "session": "open"},
        ),
        factory,
    )
    assert_dialog_passes(result)


# ---- malformed scripts ----


def test_unknown_key_names_file_turn_and_key() -> None:
    with pytest.raises(DialogScriptError) as caught:
        load_dialog(HERE / "malformed_unknown_key.yaml")
    message = str(caught.value)
    assert "malformed_unknown_key.yaml: turn 2: key 'heer'" in message


def test_yes_no_on_off_are_words_not_booleans(tmp_path: Path) -> None:
    path = tmp_path / "words.yaml"
    path.write_text(
        "name: words\nturns:\n"
        "  - say: yes\n  - say: no\n  - say: off\n  - say: on\n"
        "  - mic_timeout: true\n  - say: next set\n    sent: false\n",
        encoding="utf-8",
    )
    dialog = load_dialog(path)
    assert [step.target for step in dialog.turns[:4]] == ["yes", "no", "off", "on"]
    assert dialog.turns[5].expect.sent is False


def test_invalid_yaml_names_the_file() -> None:
    with pytest.raises(DialogScriptError, match="malformed_yaml.yaml: not valid YAML"):
        load_dialog(HERE / "malformed_yaml.yaml")


@pytest.mark.parametrize(
    ("turn", "problem"),
    [
        ({"hear": "hi"}, "turn 1: needs exactly one of say, intent, mic_timeout, do"),
        ({"say": "hi", "do": "x"}, "turn 1: needs exactly one of"),
        ({"say": True}, "turn 1: key 'say': must be text, not True (quote"),
        ({"say": "hi", "session": "ajar"}, "turn 1: key 'session': must be open or closed"),
        ({"say": "hi", "rest": "long"}, "turn 1: key 'rest': must be a number"),
        ({"say": "hi", "rest": 0}, "turn 1: key 'rest': must be a number"),
        ({"say": "hi", "repeat": 0}, "turn 1: key 'repeat': must be a whole number"),
        ({"say": "hi", "match": "(unclosed"}, "turn 1: key 'match': is not a valid regex"),
        ({"say": "hi", "hear": []}, "turn 1: key 'hear': must list at least one"),
        ({"say": "hi", "slots": ["x"]}, "turn 1: key 'slots': must be a mapping"),
        ({"say": "hi", "one_shot": True}, "turn 1: key 'one_shot': is not allowed in a say turn"),
        ({"mic_timeout": "yes"}, "turn 1: key 'mic_timeout': must be true"),
        ({"mic_timeout": True, "hear": "x"}, "turn 1: key 'hear': is not allowed"),
        ({"do": "x", "repeat": 2}, "turn 1: key 'repeat': is not allowed"),
        ({"intent": "X", "slots": {"a": None}}, "turn 1: key 'slots.a': must be non-empty text"),
        ({"say": "hi", "sent": False, "hear": "x"}, "turn 1: key 'sent': false leaves nothing"),
        ({"say": "hi", "over": -1}, "turn 1: key 'over': must be a number of seconds"),
        ({"say": "hi", "over": "soon"}, "turn 1: key 'over': must be a number of seconds"),
        ({"wait": 3, "over": 1}, "turn 1: key 'over': is not allowed in a wait turn"),
        ("say hi", "turn 1: must be a mapping"),
    ],
)
def test_malformed_turns_fail_naming_turn_and_key(turn: Any, problem: str) -> None:
    data = {"name": "bad", "turns": [turn]}
    with pytest.raises(DialogScriptError) as caught:
        parse_dialog(data, "bad.yaml")
    assert str(caught.value).startswith("bad.yaml: ")
    assert problem in str(caught.value)


@pytest.mark.parametrize(
    ("data", "problem"),
    [
        ([], "a script must be a YAML mapping"),
        ({"turns": [{"say": "hi"}]}, "key 'name': is required"),
        ({"name": "x"}, "key 'turns': is required"),
        ({"name": "x", "turns": []}, "key 'turns': must be a list of at least one turn"),
        ({"name": "x", "turns": [{"say": "hi"}], "tunrs": 1}, "key 'tunrs': unknown key"),
    ],
)
def test_malformed_scripts_fail_naming_the_problem(data: Any, problem: str) -> None:
    with pytest.raises(DialogScriptError, match="bad.yaml") as caught:
        parse_dialog(data, "bad.yaml")
    assert problem in str(caught.value)


def test_dialog_paths_lists_scripts_sorted() -> None:
    names = [path.name for path in dialog_paths(HERE)]
    assert names == sorted(names) and "pass_workout.yaml" in names
