"""The skill's conversations as data: every script in tests/skill/dialogs is played on a simulated
device against the real app (Flask, SQLite), and every response is checked against Alexa's
speech limits and its cap on a response's size.

Scripts play on harness.dialog_stage: the coach's clock is the script's (a minute a request) and
`do:` actions restart the server, corrupt or age the record, or let two days pass.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path

import pytest

from harness.alexa_apis import AlexaApiServer
from harness.device import Device, Transport, TransportResponse
from harness.dialog import Dialog, Step, assert_dialog_passes, dialog_paths, load_dialog, run_dialog
from harness.dialog_stage import Stage
from harness.interaction_model import load_model
from harness.ssml_rules import speech_problems
from harness.utterances import match, resolve_slot
from skill.alexa import screen
from skill.content.loader import default_library
from skill.content.models import WorkoutPlan
from skill.screen.datasources import BUTTONS
from skill.speech.phrasebook import default_phrasebook

DIALOGS = Path(__file__).parent / "dialogs"
MAX_RESPONSE_BYTES = 120 * 1024  # Alexa's cap on a whole response (APL documents included)


class CheckedTransport:
    """Alexa's limits checked on every response that comes back."""

    def __init__(self, inner: Transport, problems: list[str]) -> None:
        self.inner = inner
        self.problems = problems

    def post(self, body: bytes, headers: Mapping[str, str]) -> TransportResponse:
        answer = self.inner.post(body, headers)
        request_type = json.loads(body)["request"]["type"]
        response = json.loads(answer.body).get("response", {}) if answer.status == 200 else {}
        if len(answer.body) > MAX_RESPONSE_BYTES:
            self.problems.append(f"{request_type}: a response of {len(answer.body)} bytes")
        for key, is_reprompt in (("outputSpeech", False), ("reprompt", True)):
            speech = response.get(key, {})
            speech = speech.get("outputSpeech", {}) if is_reprompt else speech
            if "ssml" in speech:
                for problem in speech_problems(speech["ssml"], reprompt=is_reprompt):
                    self.problems.append(f"{request_type} {key}: {problem}")
        return answer


@pytest.mark.parametrize("path", dialog_paths(DIALOGS), ids=lambda p: p.stem)
def test_dialog(path: Path, tmp_path: Path, coach_env: pytest.MonkeyPatch) -> None:
    """Every script plays on a device with Alexa's APIs stood in (harness.alexa_apis): the
    reminders it sets, the time zone it answers, and the failures a script asks for."""
    with AlexaApiServer() as apis:
        stage = Stage(tmp_path / "coach.sqlite3", apis=apis)
        problems: list[str] = []

        def checked() -> CheckedTransport:
            return CheckedTransport(stage.transport(), problems)

        def new_device(user_id: str) -> Device:
            device = stage.device(user_id, checked())
            device.on_wait = None  # the clock moves a minute a request, as before
            return device

        result = run_dialog(path, new_device, stage.actions(checked))
        assert_dialog_passes(result)
        assert problems == []
        assert apis.state.problems == []  # every reminder the skill sent was well formed


def test_the_dialogs_cover_both_workouts_and_every_command() -> None:
    """Guard against the scripts silently losing coverage."""
    said = " ".join(p.read_text(encoding="utf-8") for p in dialog_paths(DIALOGS))
    for phrase in [
        "You've finished the bodyweight workout",
        "You've finished the dumbbell workout",
        "AMAZON.RepeatIntent",
        "SkipExerciseIntent",
        "AMAZON.PreviousIntent",
        "GoBackIntent",
        "AMAZON.PauseIntent",
        "HoldOnIntent",
        "AMAZON.ResumeIntent",
        "CarryOnIntent",
        "HowToIntent",
        "StatusIntent",
        "SetRestIntent",
        "GoToExerciseIntent",
        "AMAZON.StartOverIntent",
        "StartAgainIntent",
        "AMAZON.HelpIntent",
        "AMAZON.StopIntent",
        "EndWorkoutIntent",
        "AMAZON.CancelIntent",
        "AMAZON.FallbackIntent",
        "SkipWarmUpIntent",
        "Warm-up, part 2 of 2",
        "Cool-down, part 2 of 2",
        "Switch hands",
        "Change direction",
        "AMAZON.YesIntent",
        "StartWorkoutIntent",
        "SwitchWorkoutIntent",
        "ReadyIntent",
        "WhatsNextIntent",
        "SetsLeftIntent",
        "RepsIntent",
        "RemainingIntent",
        "RestLengthIntent",
        "MusclesIntent",
        "EquipmentIntent",
        "LongerRestIntent",
        "ShorterRestIntent",
        "EasierIntent",
        "HarderIntent",
        "mic_timeout",
        "restart_server",
        "corrupt_record",
        "tell upper body coach next set",
        "two_days_pass",
        "store_version_1_record",
        "store_newer_record",
        "Back one set",
        "You moved on from",
    ]:
        assert phrase in said, phrase


# ---- coverage: each workout played start to finish on a screen, by touch, and without one ------

START_WORKOUT = "StartWorkoutIntent"


def _workout_started(step: Step) -> str | None:
    """The id of the workout `step` starts (StartWorkoutIntent with its workout slot resolved),
    as the device would hear the words; None for any other turn."""
    model = load_model()
    slot_type = model.intent(START_WORKOUT).slot("workout").type
    if step.kind == "say":
        heard = match(step.target, model)
        slot = heard.slots.get("workout") if heard.intent == START_WORKOUT else None
        return slot.id if slot is not None else None
    if step.kind == "intent" and step.target == START_WORKOUT and "workout" in step.slots:
        return resolve_slot(model, slot_type, step.slots["workout"]).id
    return None


def _finishes(dialog: Dialog, plan: WorkoutPlan) -> bool:
    """Whether the runner is heard finishing every exercise and every set of `plan`."""
    sets = sum(exercise.sets for exercise in plan.exercises)
    summary = f"You've finished the {plan.name}: {len(plan.exercises)} exercises and {sets} sets"
    return any(summary in step.expect.hear for step in dialog.turns)


def _shows_finished(dialog: Dialog, plan: WorkoutPlan) -> bool:
    sets = sum(exercise.sets for exercise in plan.exercises)
    done = default_phrasebook().say("screen.finished_sets", count=sets, set_word="sets")
    return any(done in step.expect.show for step in dialog.turns)


def _plays_start_to_finish(dialog: Dialog, plan: WorkoutPlan) -> bool:
    started = any(_workout_started(step) == plan.id for step in dialog.turns)
    return started and _finishes(dialog, plan)


def _touches(dialog: Dialog) -> set[str]:
    return {step.target for step in dialog.turns if step.kind == "touch"}


@pytest.mark.parametrize("plan", default_library().workouts, ids=lambda plan: plan.id)
def test_each_workout_is_played_on_a_screen_by_touch_and_without_one(plan: WorkoutPlan) -> None:
    """For every workout in the library: a dialog on a device with a screen that starts it,
    touches every control on the coach's screen and ends on the finished screen, and one on a
    device without a screen that starts it; both hear every set through to the summary.

    A dialog without a screen needs no expectation of its own to prove it shows nothing: the
    simulated device fails the turn when a RenderDocument reaches a device without a screen
    (harness.device; test_a_screenless_dialog_fails_if_the_skill_sends_a_screen)."""
    dialogs = [load_dialog(path) for path in dialog_paths(DIALOGS)]
    on_screen = [
        d.source
        for d in dialogs
        if d.screen
        and _plays_start_to_finish(d, plan)
        and _touches(d) >= set(BUTTONS)
        and _shows_finished(d, plan)
    ]
    screenless = [d.source for d in dialogs if not d.screen and _plays_start_to_finish(d, plan)]
    assert on_screen, f"no dialog plays the {plan.name} on a screen, touching {BUTTONS}"
    assert screenless, f"no dialog plays the {plan.name} start to finish without a screen"


def test_a_screenless_dialog_fails_if_the_skill_sends_a_screen(
    tmp_path: Path, coach_env: pytest.MonkeyPatch
) -> None:
    """What makes every dialog without `screen: true` a check that no screen is sent."""
    coach_env.setattr(screen, "shows_screen", lambda asked: True)
    stage = Stage(tmp_path / "coach.sqlite3")
    dialog = load_dialog(DIALOGS / "bodyweight_start_to_finish.yaml")
    assert not dialog.screen

    result = run_dialog(dialog, lambda user_id: Device(stage.transport(), user_id=user_id))

    assert not result.passed
    assert "sent RenderDocument to a device without a screen" in result.report()
