"""The coach's screen on an Echo Show (APL): the document and its data as Alexa's model reads
them, what each turn shows, and touches on the screen answered as the spoken commands are."""

from __future__ import annotations

import json
import re
from dataclasses import replace
from typing import Any

import pytest
from ask_sdk_core.serialize import DefaultSerializer
from ask_sdk_model import Directive
from ask_sdk_model.interfaces.alexa.presentation.apl import (
    RenderDocumentDirective,
    SendEventCommand,
)
from flask import Flask

from harness import apl_validator
from harness.envelopes import (
    APL_INTERFACE,
    Caller,
    DeviceContext,
    SessionState,
    audio_player_request,
    new_session_id,
    playback_controller_request,
    user_event_request,
    utc_now,
)
from harness.ssml_reader import estimated_seconds, read_ssml
from skill.alexa.player import PlayerToken
from skill.alexa.screen import render
from skill.alexa.skill_builder import build_service
from skill.alexa.turn import SCREEN_TOKEN
from skill.app import create_app
from skill.coaching import events as ev
from skill.coaching.progress import Progress
from skill.content.loader import default_figures, default_library, default_move_figures
from skill.content.models import Figure, WorkoutPlan
from skill.persistence import decode
from skill.screen import figures
from skill.screen.datasources import Timings, screen_data
from skill.screen.documents import COACH, DOCUMENTS, document
from skill.speech.phrasebook import Phrasebook
from tests.support import (
    DEVICE_ID,
    SKILL_ID,
    USER_ID,
    RecordingStore,
    alexa_answer,
    output_speech,
    request_envelope,
    resolved_intent,
)

RENDER = "Alexa.Presentation.APL.RenderDocument"
# Alexa's limit on a whole response (platform notes: "Whole response JSON: 120 KB").
MAX_RESPONSE_BYTES = 120 * 1024
BASE_URL = "https://coach.test/audio"
# Fields that hold the time of the turn: two runs of the same move differ only there.
CLOCK_FIELDS = ("active_seconds", "last_move_at", "started_at")


def make_app(store: RecordingStore, **config: Any) -> Flask:
    return create_app({"COACH_VERIFY_REQUESTS": "0", "COACH_STORE_OBJECT": store, **config})


@pytest.fixture
def store() -> RecordingStore:
    return RecordingStore()


@pytest.fixture
def app(store: RecordingStore, coach_env: pytest.MonkeyPatch) -> Flask:
    return make_app(store)


def on_screen(envelope: dict[str, Any]) -> dict[str, Any]:
    """The envelope as an Echo Show sends it."""
    envelope["context"]["System"]["device"]["supportedInterfaces"] = dict(APL_INTERFACE)
    return envelope


def post(app: Flask, envelope: dict[str, Any]) -> dict[str, Any]:
    return alexa_answer(app.test_client(), envelope)


def screens(body: dict[str, Any]) -> list[dict[str, Any]]:
    return [d for d in body["response"].get("directives", []) if d["type"] == RENDER]


def shown(body: dict[str, Any]) -> dict[str, Any]:
    """The coach datasource of the one screen the response renders."""
    [directive] = screens(body)
    assert directive["token"] == SCREEN_TOKEN
    coach: dict[str, Any] = directive["datasources"]["coach"]
    return coach


def touch(
    command: str,
    token: str = SCREEN_TOKEN,
    new: bool = False,
    attributes: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """A touch on the screen; `attributes`: the session's, as the last answer left them."""
    caller = Caller(skill_id=SKILL_ID, user_id=USER_ID, device_id=DEVICE_ID)
    session = SessionState(new_session_id(), new=new, attributes=attributes or {})
    return user_event_request(caller, session, utc_now(), [command], token)


def at_set_one(app: Flask, device: str = "screen") -> dict[str, Any]:
    """Start the bodyweight workout and skip the warm-up: T push-up, set 1 of 4."""
    wrap = on_screen if device == "screen" else (lambda e: e)
    post(app, wrap(resolved_intent("StartWorkoutIntent", workout="bodyweight")))
    return post(app, wrap(resolved_intent("SkipWarmUpIntent")))


def stored_progress(store: RecordingStore) -> dict[str, Any]:
    progress: dict[str, Any] = decode(store.rows[USER_ID].text)["progress"]
    return {key: value for key, value in progress.items() if key not in CLOCK_FIELDS}


# --- the document and its data, as Alexa's model reads them ---------------------------------


def every_place() -> list[tuple[Progress, tuple[Any, ...]]]:
    """A progress at every set of every exercise of both workouts, paused and not."""
    places = []
    for workout in default_library().workouts:
        for index, exercise in enumerate(workout.exercises):
            for set_number in range(1, exercise.sets + 1):
                progress = Progress(workout.id, index, set_number, loads=())
                places.append((progress, ()))
    return places


def test_the_directive_reads_back_as_the_sdk_models_render_document() -> None:
    service = build_service()
    serializer = DefaultSerializer()
    for progress, events in every_place():
        directive = render(service, progress, events)
        data = serializer.serialize(directive)
        assert isinstance(data, dict)
        text = json.dumps(data)
        again = serializer.deserialize(text, Directive)
        assert isinstance(again, RenderDocumentDirective)
        assert again.document == document(COACH)
        assert again.datasources == data["datasources"]
        # A whole response is speech (under 8000 characters) plus the screen: well under the cap.
        assert len(text.encode("utf-8")) + 8000 * 2 < MAX_RESPONSE_BYTES


def test_amazons_apl_validator_finds_nothing_in_any_document_the_skill_sends() -> None:
    reason = apl_validator.missing()
    if reason is not None:
        pytest.skip(f"the APL validator needs {reason}")
    names = sorted(path.stem for path in DOCUMENTS.glob("*.json"))
    assert COACH in names
    found = apl_validator.validate([document(name) for name in names])
    assert {
        name: [str(f) for f in findings] for name, findings in zip(names, found, strict=True)
    } == {name: [] for name in names}


def sent_in_every_state(app: Flask, locale: str = "en-US") -> dict[str, dict[str, Any]]:
    """The datasources the skill sends in each state a runner reaches: the choice of workouts, a
    warm-up part, a set, a rest, the led Y-T-W-L raise, the finished workout, a cool-down part;
    on a device in `locale`."""
    sent: dict[str, dict[str, Any]] = {}
    words = Phrasebook.load(locale)

    def in_locale(envelope: dict[str, Any]) -> dict[str, Any]:
        envelope["request"]["locale"] = locale
        return on_screen(envelope)

    def say(state: str, envelope: dict[str, Any]) -> dict[str, Any]:
        body = post(app, in_locale(envelope))
        [directive] = screens(body)
        sent[state] = directive["datasources"]
        return body

    say("idle", request_envelope())
    say("warm-up", resolved_intent("StartWorkoutIntent", workout="bodyweight"))
    say("set", resolved_intent("SkipWarmUpIntent"))
    say("rest", resolved_intent("NextSetIntent"))
    say("led raise", resolved_intent("GoToExerciseIntent", exercise="ytwl_raise"))
    body: dict[str, Any] = {}
    for _ in range(20):  # the workout's 20 sets, from the raise's first on: more than enough
        body = post(app, in_locale(resolved_intent("NextSetIntent")))
        if screens(body) and shown(body)["title"] == words.say("screen.finished"):
            break
    [directive] = screens(body)
    sent["finished"] = directive["datasources"]
    yes = resolved_intent("AMAZON.YesIntent")
    yes["session"]["attributes"] = body["sessionAttributes"]
    say("cool-down", yes)
    assert sent["finished"]["coach"]["title"] == words.say("screen.finished")
    assert sent["cool-down"]["coach"]["title"] == words.say("screen.cool_down")
    assert sent["led raise"]["coach"]["steps"] and sent["rest"]["coach"]["lead"]["untilMs"] > 0
    return sent


@pytest.mark.parametrize("locale", ["en-US", "de-DE"])
def test_amazons_apl_validator_finds_nothing_in_the_document_with_each_datasource_sent(
    app: Flask, locale: str
) -> None:
    """apl-suggester over the document with the datasources the skill sends in every state, in
    English and in German: it checks their shape (it binds no data); that the document finds
    every value it reads in each of them is checked here, path by path."""
    sent = sent_in_every_state(app, locale)
    reason = apl_validator.missing()
    if reason is not None:
        pytest.skip(f"the APL validator needs {reason}")
    found = apl_validator.validate([document(COACH)] * len(sent), list(sent.values()))
    assert {
        state: [str(f) for f in findings] for state, findings in zip(sent, found, strict=True)
    } == {state: [] for state in sent}


def test_the_document_finds_every_value_it_reads_in_each_datasource_sent(app: Flask) -> None:
    doc = document(COACH)
    layouts = doc["layouts"]
    views = ("CoachView", "RoundView")
    read = {
        "coach": apl_validator.read_paths(doc["mainTemplate"], "coach"),
        "view": set().union(*(apl_validator.read_paths(layouts[v], "view") for v in views)),
        "labels": set().union(*(apl_validator.read_paths(layouts[v], "labels") for v in views)),
        "figure": apl_validator.read_paths(layouts["Figure"], "figure"),
        "rest": apl_validator.read_paths(layouts["Countdown"], "rest"),
        "progress": apl_validator.read_paths(layouts["ProgressBar"], "progress"),
        "move": apl_validator.read_paths(layouts["Figure"]["item"]["items"], "data"),
        "step": apl_validator.read_paths(layouts["Steps"]["item"]["items"], "data"),
    }
    assert all(read.values()), read
    for state, data in sent_in_every_state(app).items():
        coach = data["coach"]
        unbound = {
            "coach": apl_validator.unbound_paths(read["coach"], coach),
            "labels": apl_validator.unbound_paths(read["labels"], coach["labels"]),
            "progress": apl_validator.unbound_paths(read["progress"], coach["progress"]),
        }
        for name, view in (("view", coach), ("lead", coach["lead"])):
            unbound[name] = apl_validator.unbound_paths(read["view"], view)
            unbound[f"{name}.figure"] = apl_validator.unbound_paths(read["figure"], view["figure"])
            unbound[f"{name}.rest"] = apl_validator.unbound_paths(read["rest"], view["rest"])
            for move in view["figure"]["moves"]:
                unbound[f"{name}.figure.moves"] = apl_validator.unbound_paths(read["move"], move)
            for step in view["steps"]:
                unbound[f"{name}.steps"] = apl_validator.unbound_paths(read["step"], step)
        assert {key: paths for key, paths in unbound.items() if paths} == {}, state


def test_every_control_sends_an_event_the_model_reads_as_send_event() -> None:
    sent: list[SendEventCommand] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if node.get("type") == "SendEvent":
                command = DefaultSerializer().deserialize(json.dumps(node), SendEventCommand)
                sent.append(command)
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    doc = document(COACH)
    assert doc["type"] == "APL" and doc["mainTemplate"]["parameters"] == ["coach"]
    walk(doc)
    assert sent and all(command.arguments == ["${command}"] for command in sent)
    commands = json.dumps(doc)
    for name in ("next_set", "repeat", "how_to", "'resume'", "'pause'"):
        assert name in commands


def test_round_hubs_get_their_own_reduced_layout() -> None:
    layouts = document(COACH)["mainTemplate"]["items"]
    assert layouts[0]["when"] == "${viewport.shape == 'round'}"
    assert "when" not in layouts[1]  # every rectangular Show
    round_text = json.dumps(layouts[0])
    assert "RoundView" in round_text and "CoachView" not in round_text
    round_view = json.dumps(document(COACH)["layouts"]["RoundView"])
    assert "cues" not in round_view and "Countdown" in round_view
    # The figure during a set (not over a rest's countdown), sized for the circle.
    assert '"type": "Figure"' in round_view and "view.rest.seconds == 0" in round_view
    sizes = [r for r in document(COACH)["resources"] if r.get("when") == layouts[0]["when"]]
    assert [r["dimensions"]["figureSize"] for r in sizes] == ["176dp"]


# --- what each turn shows ---------------------------------------------------------------------


def test_a_set_turn_shows_the_set_reps_and_key_cues(app: Flask) -> None:
    body = at_set_one(app)
    push_up = default_library().get("bodyweight").exercises[0]  # type: ignore[union-attr]
    coach = shown(body)
    assert coach["title"] == "T push-up"
    assert coach["setLabel"] == "Set 1 of 4"
    assert coach["reps"] == "4 reps each side"
    assert coach["cues"] == list(push_up.first_cues)
    assert coach["rest"]["seconds"] == 0
    assert output_speech(body)  # the words are unchanged: the screen comes with them


def test_a_german_runner_sees_the_screen_in_german(app: Flask) -> None:
    sent = sent_in_every_state(app, "de-DE")
    coach = sent["set"]["coach"]
    assert coach["title"] == "T-Liegestütz" and coach["setLabel"] == "Satz 1 von 4"
    assert coach["reps"] == "4 Wiederholungen pro Seite"
    assert coach["labels"]["next_set"] == "Nächster Satz"
    rest = sent["rest"]["coach"]["lead"]
    assert rest["title"] == "Pause" and rest["upNext"] == "Als Nächstes: Satz 2 von 4"
    assert sent["warm-up"]["coach"]["title"] == "Aufwärmen"


def test_a_rest_says_rest_large_and_the_coming_set_small_then_shows_that_set(app: Flask) -> None:
    at_set_one(app)
    coach = shown(post(app, on_screen(resolved_intent("NextSetIntent"))))
    rest = coach["lead"]
    assert rest["title"] == "Rest" and rest["setLabel"] == ""
    assert rest["upNext"] == "Up next: set 2 of 4"
    assert rest["rest"]["seconds"] == 30
    # Shown until the rest is over, counted on the device; then the set it leads to.
    assert rest["untilMs"] == rest["rest"]["startMs"] + 30_000
    assert (coach["title"], coach["setLabel"]) == ("T push-up", "Set 2 of 4")
    assert coach["rest"]["seconds"] == 0  # the set itself counts nothing down
    # The countdown is the document's own: it runs from elapsedTime, with no request.
    assert "elapsedTime" in json.dumps(document(COACH)["layouts"]["Countdown"])


def test_a_rest_into_the_next_exercise_names_it(app: Flask) -> None:
    at_set_one(app)
    for _ in range(3):
        post(app, on_screen(resolved_intent("NextSetIntent")))
    coach = shown(post(app, on_screen(resolved_intent("NextSetIntent"))))
    assert coach["lead"]["title"] == "Rest"
    assert coach["lead"]["upNext"] == "Up next: L-sit chin-up"
    assert (coach["title"], coach["setLabel"]) == ("L-sit chin-up", "Set 1 of 4")


def test_a_turn_that_starts_no_rest_leads_with_nothing(app: Flask) -> None:
    at_set_one(app)
    post(app, on_screen(resolved_intent("NextSetIntent")))
    coach = shown(post(app, on_screen(resolved_intent("RepsIntent"))))  # asked during the rest
    assert coach["lead"]["untilMs"] == 0 and coach["lead"]["title"] == ""
    assert coach["setLabel"] == "Set 2 of 4"


def test_the_countdown_starts_when_the_spoken_rest_does(app: Flask) -> None:
    at_set_one(app)
    body = post(app, on_screen(resolved_intent("NextSetIntent")))
    ssml = body["response"]["outputSpeech"]["ssml"]
    lead, _, _ = ssml.partition("<break")
    said_first = estimated_seconds(read_ssml(lead + "</speak>"))  # "Good. Rest 30 seconds."
    assert said_first > 0.5
    assert shown(body)["lead"]["rest"]["startMs"] == pytest.approx(said_first * 1000, abs=300)


def heard_at_ms(ssml: str, words: str) -> float:
    """When `words` begin in the answer, by the harness's own reading of the SSML."""
    return estimated_seconds(read_ssml(ssml[: ssml.index(words)] + "</speak>")) * 1000


def bodyweight_plan() -> WorkoutPlan:
    plan = default_library().get("bodyweight")
    assert plan is not None
    return plan


BODYWEIGHT = bodyweight_plan()


def test_starting_a_workout_shows_warm_up_part_one_with_its_moves_led_and_next(
    app: Flask,
) -> None:
    body = post(app, on_screen(resolved_intent("StartWorkoutIntent", workout="bodyweight")))
    coach = shown(body)
    assert (coach["title"], coach["setLabel"]) == ("Warm-up", "Part 1 of 2")
    moves = BODYWEIGHT.warm_up[0]
    assert [step["name"] for step in coach["steps"]] == [move.name for move in moves]
    assert coach["next"] is True and coach["labels"]["next"] == "Next"
    assert coach["controls"] is False  # no set's controls before any set
    ssml = body["response"]["outputSpeech"]["ssml"]
    for step, move in zip(coach["steps"], moves, strict=True):
        called = f"{move.name.rstrip('.')}, {move.seconds} seconds."
        assert step["startMs"] == pytest.approx(heard_at_ms(ssml, called), abs=500)
        assert step["endMs"] - step["startMs"] == pytest.approx(move.seconds * 1000, abs=500)


def test_the_last_warm_up_part_is_on_screen_while_it_is_led_not_set_one(app: Flask) -> None:
    post(app, on_screen(resolved_intent("StartWorkoutIntent", workout="bodyweight")))
    body = post(app, on_screen(resolved_intent("AMAZON.NextIntent")))
    coach = shown(body)
    part = coach["lead"]
    assert (part["title"], part["setLabel"]) == ("Warm-up", "Part 2 of 2")
    assert part["upNext"] == "Up next: T push-up"
    assert [step["name"] for step in part["steps"]] == [m.name for m in BODYWEIGHT.warm_up[1]]
    # Shown while the part's moves are held, and gone when the coach turns to the exercise.
    ssml = body["response"]["outputSpeech"]["ssml"]
    assert part["untilMs"] == part["steps"][-1]["endMs"]
    assert part["untilMs"] <= heard_at_ms(ssml, "Exercise 1 of 6") + 500
    assert part["untilMs"] >= heard_at_ms(ssml, BODYWEIGHT.warm_up[1][-1].name.rstrip("."))
    # Next there starts the set: it sends start_set, being ready, which never counts one; the
    # set's own controls come with the set.
    assert part["next"] is True and part["controls"] is False
    assert (part["nextCommand"], coach["nextCommand"]) == ("start_set", "next_set")
    assert (coach["title"], coach["setLabel"], coach["controls"]) == (
        "T push-up",
        "Set 1 of 4",
        True,
    )
    # Pressed while the part is still led, or judged to come just after the set's call (a
    # session that no longer says when it was): the set starts, and nothing is counted.
    forgotten: dict[str, Any] = {}
    for attributes in (body["sessionAttributes"], forgotten):
        pressed = post(app, touch("start_set", attributes=attributes))
        said = pressed["response"]["outputSpeech"]["ssml"]
        assert "T push-up, set 1 of 4" in said and "Rest" not in said and "Set 2" not in said


def test_a_question_during_the_warm_up_shows_the_part_next_leads(app: Flask) -> None:
    post(app, on_screen(resolved_intent("StartWorkoutIntent", workout="bodyweight")))
    for asked in ("StatusIntent", "AMAZON.PauseIntent"):
        coach = shown(post(app, on_screen(resolved_intent(asked))))
        assert (coach["title"], coach["setLabel"], coach["next"]) == (
            "Warm-up",
            "Part 2 of 2",
            True,
        )
        assert {step["startMs"] for step in coach["steps"]} == {-1}  # none being led
    # "Repeat" leads the part just led again, shown as it is led; the place stays.
    coach = shown(post(app, on_screen(resolved_intent("AMAZON.RepeatIntent"))))
    assert (coach["title"], coach["setLabel"], coach["next"]) == ("Warm-up", "Part 1 of 2", True)
    assert all(step["startMs"] >= 0 for step in coach["steps"])
    # Reopened later, the warm-up is where the runner left it.
    coach = shown(post(app, on_screen(request_envelope())))
    assert (coach["title"], coach["setLabel"]) == ("Warm-up", "Part 2 of 2")


def commands_labelled(label: str) -> set[str]:
    """The commands the document's controls whose label names `label` (labels.<label>) send."""
    named = re.compile(rf"labels\.{label}\b(?!_)")
    sent: set[str] = set()

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if node.get("type") == "CoachButton" and named.search(node["label"]):
                sent.add(node["command"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(document(COACH))
    return sent


def test_touching_next_in_the_warm_up_is_saying_next(coach_env: pytest.MonkeyPatch) -> None:
    # Every Next sends what its view names (a warm-up part's: next_set, as "next" said).
    assert all("view.nextCommand" in command for command in commands_labelled("next"))
    said, touched = RecordingStore(), RecordingStore()
    said_app, touched_app = make_app(said), make_app(touched)
    for app in (said_app, touched_app):
        started = post(app, on_screen(resolved_intent("StartWorkoutIntent", workout="bodyweight")))
    command = shown(started)["nextCommand"]
    assert command == "next_set"
    by_voice = post(said_app, on_screen(resolved_intent("AMAZON.NextIntent")))
    by_touch = post(touched_app, touch(command))
    assert "Warm-up, part 2 of 2" in output_speech(by_touch)
    assert output_speech(by_touch) == output_speech(by_voice)
    assert shown(by_touch) == shown(by_voice)
    assert stored_progress(touched) == stored_progress(said)


def test_each_cool_down_part_but_the_last_has_next() -> None:
    composer = build_service().composer
    finished = Progress("bodyweight", 5, 3, finished=True, sets_by_exercise=(4, 4, 3, 3, 3, 3))
    parts = len(BODYWEIGHT.cool_down)
    for part, moves in enumerate(BODYWEIGHT.cool_down):
        coach = screen_data(composer, finished, (ev.CoolDownPart(part, parts),))["coach"]
        assert (coach["title"], coach["setLabel"]) == ("Cool-down", f"Part {part + 1} of {parts}")
        assert [step["name"] for step in coach["steps"]] == [move.name for move in moves]
        assert coach["next"] is (part + 1 < parts)
        assert coach["lead"]["untilMs"] == 0


def test_a_finished_workout_and_no_workout_have_screens_of_their_own() -> None:
    service = build_service()
    finished = Progress("bodyweight", 5, 3, finished=True, sets_by_exercise=(4, 4, 3, 3, 3, 3))
    done = screen_data(service.composer, finished)["coach"]
    assert done["title"] == "Workout done" and "20 sets" in done["message"]
    assert done["controls"] is False  # nothing left to move on to
    idle = screen_data(service.composer, Progress())["coach"]
    assert "bodyweight workout" in idle["message"] and "dumbbell workout" in idle["message"]


def test_a_led_move_shows_its_steps(app: Flask) -> None:
    at_set_one(app)
    coach = shown(
        post(app, on_screen(resolved_intent("GoToExerciseIntent", exercise="ytwl_raise")))
    )
    assert [step["name"] for step in coach["steps"]][:4] == ["Y", "T", "W", "L"]
    assert all(step["reps"] for step in coach["steps"])


def test_a_led_set_highlights_each_step_while_the_coach_calls_it(app: Flask) -> None:
    at_set_one(app)
    post(app, on_screen(resolved_intent("GoToExerciseIntent", exercise="ytwl_raise")))
    body = post(app, on_screen(resolved_intent("AMAZON.RepeatIntent")))  # set 1, led again
    ssml = body["response"]["outputSpeech"]["ssml"]
    steps = shown(body)["steps"]
    for step, following in zip(steps, [*steps[1:], None], strict=True):
        called = ssml.index(f"{step['name']}: ")
        heard_at = estimated_seconds(read_ssml(ssml[:called] + "</speak>"))
        assert step["startMs"] == pytest.approx(heard_at * 1000, abs=500)
        assert step["endMs"] == (following["startMs"] if following else -1)
    # A turn that does not lead the set highlights nothing.
    asked = shown(post(app, on_screen(resolved_intent("RepsIntent"))))
    assert {step["startMs"] for step in asked["steps"]} == {-1}


def drawn_at(figure: dict[str, Any], ms: float) -> dict[str, Any]:
    """The figure's parameters at `ms` on the device's clock, as the document works them out:
    the move shown then, k of the way from its position a to b."""
    [move] = [
        m for m in figure["moves"] if m["startMs"] <= ms and (m["endMs"] < 0 or ms < m["endMs"])
    ]
    k = 0.0
    moving = ms >= move["fromMs"] and (move["stopMs"] < 0 or ms < move["stopMs"])
    if move["periodMs"] > 0 and moving:
        phase = (ms - move["fromMs"]) % move["periodMs"] / move["periodMs"]
        k = min(1.0, 1.5 - abs(3 * phase - 1.5))
    a, b = move["a"], move["b"]
    return {key: a[key] + (b[key] - a[key]) * k for key in a}


def posed(figure: Figure, name: str) -> dict[str, Any]:
    """The graphic's parameters of `figure` in its position `name`."""
    found = figure.position(name)
    assert found is not None
    return figures.position(figures.place(figure), found)


def letter(exercise: str, name: str) -> dict[str, Any]:
    """The graphic's parameters of position `name` of `exercise`'s figure."""
    return posed(default_figures()[exercise], name)


def test_a_led_set_draws_each_letter_as_the_coach_calls_it(app: Flask) -> None:
    """Face down on the bench, the arms go from hanging to the letter called and back, at the
    coach's tempo, and hang still before the first call and after each letter's reps."""
    at_set_one(app)
    post(app, on_screen(resolved_intent("GoToExerciseIntent", exercise="ytwl_raise")))
    body = post(app, on_screen(resolved_intent("AMAZON.RepeatIntent")))  # set 1, led
    coach = shown(body)
    figure, steps = coach["figure"], coach["steps"]
    assert {move["mirror"] for move in figure["moves"]} == {1}  # seen from above: both arms
    hanging = letter("ytwl_raise", "start")
    assert drawn_at(figure, 0)["arm"] == pytest.approx(hanging["arm"])
    rep_ms = 3000  # the usual pace: 3 s a rep
    for step in steps:
        called = step["startMs"]
        assert drawn_at(figure, called)["arm"] == pytest.approx(hanging["arm"])
        top = drawn_at(figure, called + rep_ms / 2)  # the top of the first rep
        assert top["arm"] == pytest.approx(letter("ytwl_raise", step["name"])["arm"], abs=0.5)
        assert top["forearm"] == pytest.approx(
            letter("ytwl_raise", step["name"])["forearm"], abs=0.5
        )
        back = drawn_at(figure, called + rep_ms * 8 + 500)  # its 8 reps done: hanging
        assert back["arm"] == pytest.approx(hanging["arm"])
    # The same body throughout: only the arms move.
    assert {m["a"]["trunk"] for m in figure["moves"]} == {0}


def test_a_paused_set_and_a_led_move_not_being_led_draw_the_start_position_still(
    app: Flask,
) -> None:
    at_set_one(app)
    [paused] = shown(post(app, on_screen(resolved_intent("AMAZON.PauseIntent"))))["figure"]["moves"]
    assert paused["a"] == paused["b"] == letter("t_push_up", "start")
    assert paused["periodMs"] == 0  # no reps done on the screen while the runner is paused
    post(app, on_screen(resolved_intent("AMAZON.ResumeIntent")))
    post(app, on_screen(resolved_intent("GoToExerciseIntent", exercise="ytwl_raise")))
    # "how many reps" mid-raise: the runner may be on the W, so no letter is drawn.
    [asked] = shown(post(app, on_screen(resolved_intent("RepsIntent"))))["figure"]["moves"]
    assert asked["a"] == asked["b"] == letter("ytwl_raise", "start")
    assert asked["periodMs"] == 0


def test_a_set_draws_its_exercise_moving_and_a_rest_the_next_sets_start(app: Flask) -> None:
    coach = shown(at_set_one(app))
    [move] = coach["figure"]["moves"]
    assert move["a"] == letter("t_push_up", "start") and move["periodMs"] == 3000
    assert move["b"] == letter("t_push_up", "end")
    assert drawn_at(coach["figure"], 1500)["arm"] == pytest.approx(move["b"]["arm"])
    for _ in range(4):
        coach = shown(post(app, on_screen(resolved_intent("NextSetIntent"))))
    rest = coach["lead"]
    assert rest["title"] == "Rest" and rest["upNext"] == "Up next: L-sit chin-up"
    [still] = rest["figure"]["moves"]
    assert still["a"] == still["b"] == letter("l_sit_chin_up", "start")
    assert still["periodMs"] == 0
    # A view with no exercise (the choice of workouts) draws nothing.
    idle = screen_data(build_service().composer, Progress())["coach"]
    assert idle["figure"]["moves"] == [] and idle["lead"]["figure"]["moves"] == []


def move_position(name: str, position: str) -> dict[str, Any]:
    """The graphic's parameters of position `position` of the warm-up move figure `name`."""
    return posed(default_move_figures()[name], position)


def test_a_warm_up_part_draws_each_move_while_the_coach_leads_it(app: Flask) -> None:
    """The figure of the move highlighted: each from its call until the next move's, going from
    its start to its end and back at its own tempo while it is held, then holding still."""
    coach = shown(post(app, on_screen(resolved_intent("StartWorkoutIntent", workout="bodyweight"))))
    moves, steps, figure = BODYWEIGHT.warm_up[0], coach["steps"], coach["figure"]
    assert len(figure["moves"]) == len(moves) == len(steps)
    for index, (move, step, drawn) in enumerate(zip(moves, steps, figure["moves"], strict=True)):
        assert move.figure is not None
        shape = default_move_figures()[move.figure]
        start, end = move_position(move.figure, "start"), move_position(move.figure, "end")
        assert drawn["a"] == start and drawn["b"] == figures.towards(start, end)
        assert drawn["mirror"] == (1 if shape.view == "back" else 0)
        # Shown from its call (the first from the start) until the next move is called.
        assert drawn["startMs"] == (0 if index == 0 else step["startMs"])
        following = steps[index + 1]["startMs"] if index + 1 < len(steps) else -1
        assert drawn["endMs"] == following
        # Moving while it is held, one go every `seconds` of its figure.
        assert (drawn["fromMs"], drawn["stopMs"]) == (step["startMs"], step["endMs"])
        assert drawn["periodMs"] == shape.seconds * 1000
        called = step["startMs"]
        assert drawn_at(figure, called + 1) == pytest.approx(start, abs=0.5)
        top = drawn_at(figure, called + drawn["periodMs"] / 2)
        assert top == pytest.approx(drawn["b"], abs=0.5)
    # Before the first call, its move's start; after the part, the last move's start, still.
    assert drawn_at(figure, 0) == pytest.approx(figure["moves"][0]["a"])
    over = steps[-1]["endMs"]
    for later in (over, over + 777, over + 60_000):
        assert drawn_at(figure, later) == pytest.approx(figure["moves"][-1]["a"])
    # Arm circles forward, then backward: the arms go up in front, then behind.
    circles = [m for m, move in zip(figure["moves"], moves, strict=True) if "circles" in move.name]
    forward, backward = (m["b"]["arm"] - m["a"]["arm"] for m in circles)
    assert forward < -170 and backward > 170


def test_a_part_not_being_led_draws_its_first_move_still(app: Flask) -> None:
    post(app, on_screen(resolved_intent("StartWorkoutIntent", workout="bodyweight")))
    coach = shown(post(app, on_screen(resolved_intent("StatusIntent"))))  # part 2, not led yet
    [still] = coach["figure"]["moves"]
    first = BODYWEIGHT.warm_up[1][0].figure
    assert first == "jumping_jacks"
    assert still["a"] == still["b"] == move_position(first, "start") and still["periodMs"] == 0


def test_the_warm_ups_last_part_draws_its_moves_until_the_set_then_the_exercise(
    app: Flask,
) -> None:
    post(app, on_screen(resolved_intent("StartWorkoutIntent", workout="bodyweight")))
    coach = shown(post(app, on_screen(resolved_intent("AMAZON.NextIntent"))))
    lead = coach["lead"]
    names = [move.figure for move in BODYWEIGHT.warm_up[1]]
    assert [m["a"] for m in lead["figure"]["moves"]] == [
        move_position(name, "start") for name in names if name is not None
    ]
    # The repeated jumping jacks are drawn as the first ones.
    assert (
        names[0] == names[3] and lead["figure"]["moves"][0]["b"] == lead["figure"]["moves"][3]["b"]
    )
    assert lead["figure"]["moves"][-1]["stopMs"] == lead["untilMs"]
    [push_up] = coach["figure"]["moves"]
    assert push_up["a"] == letter("t_push_up", "start")


def test_each_cool_down_part_draws_its_moves() -> None:
    composer = build_service().composer
    finished = Progress("dumbbell", 5, 3, finished=True, sets_by_exercise=(3, 3, 3, 3, 3, 3))
    plan = default_library().get("dumbbell")
    assert plan is not None
    for part, moves in enumerate(plan.cool_down):
        starts = [1000 + 40_000 * index for index in range(len(moves))]
        timings = Timings(move_starts_ms=starts)
        event = ev.CoolDownPart(part, len(plan.cool_down))
        coach = screen_data(composer, finished, (event,), timings)["coach"]
        drawn = coach["figure"]["moves"]
        assert [m["fromMs"] for m in drawn] == starts
        assert [m["a"] for m in drawn] == [
            move_position(move.figure or "", "start") for move in moves
        ]


def test_a_way_done_without_its_kit_draws_no_figure_of_the_planned_way() -> None:
    service = build_service()
    progress = Progress("bodyweight", 3, 1, loads=(), missing_kit=("incline_bench",))
    coach = screen_data(service.composer, progress)["coach"]
    assert coach["title"] == "Y-T-W-L raise" and coach["figure"]["moves"] == []


def test_the_harder_way_shown_is_one_the_runner_has_the_kit_for() -> None:
    service = build_service()
    push_up = default_library().get("bodyweight").exercises[0]  # type: ignore[union-attr]
    harder = Progress("bodyweight", 0, 1, loads=(("t_push_up", "harder"),))
    with_kit = screen_data(service.composer, harder)["coach"]["load"]
    without = screen_data(service.composer, replace(harder, missing_kit=("dumbbells",)))
    assert push_up.harder and push_up.harder in with_kit  # dumbbells in the hands
    assert push_up.harder_without_kit and push_up.harder_without_kit in without["coach"]["load"]


def test_the_easier_way_shows_once_asked_for(app: Flask) -> None:
    at_set_one(app)
    push_up = default_library().get("bodyweight").exercises[0]  # type: ignore[union-attr]
    assert shown(post(app, on_screen(resolved_intent("RepsIntent"))))["load"] == ""
    coach = shown(post(app, on_screen(resolved_intent("EasierIntent"))))
    assert push_up.easier and push_up.easier in coach["load"]


def test_a_device_without_a_screen_hears_the_same_and_gets_no_screen(
    coach_env: pytest.MonkeyPatch,
) -> None:
    with_screen, without = RecordingStore(), RecordingStore()
    screen_app, plain_app = make_app(with_screen), make_app(without)
    assert screens(at_set_one(screen_app)) and not screens(at_set_one(plain_app, "plain"))
    for intent in ("NextSetIntent", "AMAZON.RepeatIntent", "HowToIntent"):
        seen = post(screen_app, on_screen(resolved_intent(intent)))
        heard = post(plain_app, resolved_intent(intent))
        assert not screens(heard)
        assert "directives" not in heard["response"] or heard["response"]["directives"] == []
        assert output_speech(seen) == output_speech(heard)
    assert stored_progress(with_screen) == stored_progress(without)


WITH_PLAYER = {**APL_INTERFACE, "AudioPlayer": {}}


def on_show_with_player(envelope: dict[str, Any]) -> dict[str, Any]:
    envelope["context"]["System"]["device"]["supportedInterfaces"] = dict(WITH_PLAYER)
    envelope["context"]["AudioPlayer"] = {"playerActivity": "IDLE"}
    return envelope


def hands_free_next(app: Flask) -> dict[str, Any]:
    """Set 1 of the bodyweight workout done with "Alexa, next" on a Show, hands-free."""
    post(app, on_show_with_player(resolved_intent("StartWorkoutIntent", workout="bodyweight")))
    post(app, on_show_with_player(resolved_intent("SkipWarmUpIntent")))
    return post(app, on_show_with_player(resolved_intent("AMAZON.NextIntent")))


def test_player_events_and_buttons_get_no_screen(
    store: RecordingStore, coach_env: pytest.MonkeyPatch
) -> None:
    app = make_app(store, COACH_AUDIO_BASE_URL=BASE_URL)
    body = hands_free_next(app)
    assert screens(body)  # an intent may carry the screen beside the Play
    [play] = [d for d in body["response"]["directives"] if d["type"] == "AudioPlayer.Play"]
    token = play["audioItem"]["stream"]["token"]
    assert PlayerToken.decode(token) is not None
    caller = Caller(skill_id=SKILL_ID, user_id=USER_ID, device_id=DEVICE_ID)
    player = DeviceContext(
        WITH_PLAYER, {"token": token, "offsetInMilliseconds": 0, "playerActivity": "PLAYING"}
    )
    for request in (
        audio_player_request(caller, utc_now(), "PlaybackStarted", token, 0, player),
        audio_player_request(caller, utc_now(), "PlaybackNearlyFinished", token, 0, player),
        playback_controller_request(caller, utc_now(), "next", player),
        playback_controller_request(caller, utc_now(), "pause", player),
    ):
        answer = post(app, request)
        assert not screens(answer), request["request"]["type"]
        assert "outputSpeech" not in answer["response"]


def test_the_play_says_what_the_screen_shows(
    store: RecordingStore, coach_env: pytest.MonkeyPatch
) -> None:
    body = hands_free_next(make_app(store, COACH_AUDIO_BASE_URL=BASE_URL))
    [play] = [d for d in body["response"]["directives"] if d["type"] == "AudioPlayer.Play"]
    metadata = play["audioItem"]["metadata"]
    coach = shown(body)
    assert metadata["title"] == f"{coach['title']}: {coach['setLabel']}"
    assert metadata["subtitle"] == f"{coach['workout']} · Upper Body Coach"


# --- touches on the screen ----------------------------------------------------------------------


def test_touching_next_set_moves_on_exactly_as_saying_it(coach_env: pytest.MonkeyPatch) -> None:
    said, touched = RecordingStore(), RecordingStore()
    said_app, touched_app = make_app(said), make_app(touched)
    at_set_one(said_app)
    at_set_one(touched_app)
    for _ in range(5):  # into the next exercise and its introduction
        by_voice = post(said_app, on_screen(resolved_intent("NextSetIntent")))
        by_touch = post(touched_app, touch("next_set"))
        assert output_speech(by_touch) == output_speech(by_voice)
        assert stored_progress(touched) == stored_progress(said)
        assert shown(by_touch) == shown(by_voice)
    assert stored_progress(touched)["exercise_index"] == 1


@pytest.mark.parametrize(
    ("command", "intent"),
    [
        ("pause", "AMAZON.PauseIntent"),
        ("repeat", "AMAZON.RepeatIntent"),
        ("how_to", "HowToIntent"),
    ],
)
def test_each_control_answers_as_its_spoken_command(
    command: str, intent: str, coach_env: pytest.MonkeyPatch
) -> None:
    said, touched = RecordingStore(), RecordingStore()
    said_app, touched_app = make_app(said), make_app(touched)
    at_set_one(said_app)
    at_set_one(touched_app)
    by_voice = post(said_app, on_screen(resolved_intent(intent)))
    by_touch = post(touched_app, touch(command))
    assert output_speech(by_touch) and output_speech(by_touch) == output_speech(by_voice)
    assert stored_progress(touched) == stored_progress(said)


def test_pause_then_resume_by_touch(app: Flask, store: RecordingStore) -> None:
    at_set_one(app)
    paused = post(app, touch("pause"))
    assert stored_progress(store)["paused"] is True
    assert shown(paused)["paused"] is True  # the control now reads Resume
    resumed = post(app, touch("resume"))
    assert stored_progress(store)["paused"] is False
    assert "push-up" in output_speech(resumed).lower()  # the set is called again
    assert shown(resumed)["setLabel"] == "Set 1 of 4"


def test_a_touch_on_a_document_not_ours_changes_nothing(app: Flask, store: RecordingStore) -> None:
    at_set_one(app)
    before = stored_progress(store)
    for request in (touch("next_set", token="someone-else"), touch("self_destruct")):
        body = post(app, request)
        assert output_speech(body) == ""
        assert stored_progress(store) == before


def test_an_extra_set_is_shown_as_itself_not_as_the_planned_set(app: Flask) -> None:
    at_set_one(app)
    for _ in range(4):  # T push-up's four sets: on to the next exercise
        post(app, on_screen(resolved_intent("NextSetIntent")))
    body = post(app, on_screen(resolved_intent("ExtraSetIntent")))
    assert "One more set of T push-up" in body["response"]["outputSpeech"]["ssml"]
    coach = shown(body)
    assert (coach["title"], coach["setLabel"]) == ("T push-up", "Extra set")
    assert coach["reps"] == "4 reps each side"


COMMAND_KEYS = ("onPress", "onMount", "onDown", "onUp", "onMove", "handleTick", "commands")


def bound_outside_commands(node: Any) -> list[str]:
    """Every data-binding string in `node` outside the commands it runs."""
    if isinstance(node, dict):
        return [
            text
            for key, value in node.items()
            if key not in COMMAND_KEYS
            for text in bound_outside_commands(value)
        ]
    if isinstance(node, list):
        return [text for value in node for text in bound_outside_commands(value)]
    return [node] if isinstance(node, str) and "${" in node else []


def test_no_property_reads_event_which_apl_defines_only_in_commands() -> None:
    bound = bound_outside_commands(document(COACH))
    assert bound and not [text for text in bound if re.search(r"\bevent\.", text)]
    # A control's face lightens under a finger by the documented style, on its pressed state.
    frame = document(COACH)["layouts"]["CoachButton"]["item"]["item"]
    assert frame["inheritParentState"] is True
    assert document(COACH)["styles"][frame["style"]]["values"][-1]["when"] == "${state.pressed}"


# --- the progress bar -------------------------------------------------------------------------


def bar(body: dict[str, Any]) -> tuple[int, int]:
    progress = shown(body)["progress"]
    assert progress["label"] == f"{progress['done']} of {progress['total']} sets done"
    return progress["done"], progress["total"]


def test_the_progress_bar_counts_the_sets_the_coach_has_counted_and_no_other(app: Flask) -> None:
    total = sum(exercise.sets for exercise in BODYWEIGHT.exercises)
    started = post(app, on_screen(resolved_intent("StartWorkoutIntent", workout="bodyweight")))
    assert bar(started) == (0, total)  # the warm-up: not yet started
    assert bar(post(app, on_screen(resolved_intent("SkipWarmUpIntent")))) == (0, total)
    # "Next set" counts the set just done: the rest and the set after it show it done.
    assert bar(post(app, on_screen(resolved_intent("NextSetIntent")))) == (1, total)
    assert bar(post(app, on_screen(resolved_intent("RepsIntent")))) == (1, total)  # asked only
    assert bar(post(app, on_screen(resolved_intent("NextSetIntent")))) == (2, total)
    # Back a set takes the set done off the count: once the runner has said so, if asked.
    asked = post(app, on_screen(resolved_intent("GoBackIntent")))
    assert shown(asked)["setLabel"] == "Set 3 of 4" and bar(asked) == (2, total)  # asked first
    yes = on_screen(resolved_intent("AMAZON.YesIntent"))
    yes["session"]["attributes"] = asked["sessionAttributes"]
    back = post(app, yes)
    assert shown(back)["setLabel"] == "Set 2 of 4" and bar(back) == (1, total)
    # An extra set is beyond the plan: it neither fills the bar nor lengthens it.
    for _ in range(3):
        post(app, on_screen(resolved_intent("NextSetIntent")))
    extra = post(app, on_screen(resolved_intent("ExtraSetIntent")))
    assert shown(extra)["setLabel"] == "Extra set" and bar(extra) == (4, total)
    assert bar(post(app, on_screen(resolved_intent("NextSetIntent")))) == (4, total)


def test_the_progress_bar_is_full_when_every_set_is_done_and_gone_with_no_workout() -> None:
    composer = build_service().composer
    total = sum(exercise.sets for exercise in BODYWEIGHT.exercises)
    counts = tuple(exercise.sets for exercise in BODYWEIGHT.exercises)
    finished = Progress("bodyweight", 5, 3, finished=True, sets_by_exercise=counts)
    assert screen_data(composer, finished)["coach"]["progress"]["done"] == total
    cooling = screen_data(composer, finished, (ev.CoolDownPart(0, len(BODYWEIGHT.cool_down)),))
    assert cooling["coach"]["progress"]["done"] == total
    idle = screen_data(composer, Progress())["coach"]["progress"]
    assert idle["total"] == 0  # no bar: the document shows none for a total of 0
    layout = json.dumps(document(COACH)["layouts"]["ProgressBar"])
    assert "progress.total > 0" in layout and "progress.done / progress.total" in layout
