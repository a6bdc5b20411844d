"""Conversation scripts: YAML files that say what a person says and what they must hear.

Script format (one YAML mapping per file)::

    name: bodyweight workout, start to finish   # required
    user: runner-7                               # optional userId; default a fixed harness id
    description: free text                       # optional, ignored
    audio_player: true                           # optional: the device supports AudioPlayer
    screen: true                                 # optional: the device has a screen (APL)
    turns:                                       # required, at least one
      - say: open upper body coach
        hear: [Welcome, bodyweight workout]
        not_hear: [sorry]
        match: "Set \\d of 4"
        session: open
      - say: start the dumbbell workout
        intent: StartWorkoutIntent
        slots: {workout: dumbbell}
      - intent: AMAZON.NextIntent
        slots: {}
        rest: 30
        reprompt: [next set]
      - mic_timeout: true
      - do: restart_server
      - repeat: 3
        intent: NextSetIntent

Each turn has exactly one action:
  say: TEXT          what the person says, matched against the interaction model like a device
                     does ("open/tell/ask upper body coach ...", samples, built-in phrases).
  intent: NAME       (without `say`) send this IntentRequest directly; `slots` are the values
                     sent, as text (a value, synonym, id, or a number in digits or words);
                     `one_shot: true` sends it in a new session, as "tell upper body coach ...".
  mic_timeout: true  the microphone closes unanswered: SessionEndedRequest
                     (EXCEEDED_MAX_REPROMPTS) if a session is open; no speech may come back.
  do: NAME           call actions[NAME](device), an action the test supplies.
  wait: SECONDS      time passes on the device (Device.wait): an open microphone closes after
                     8 s; audio plays and its AudioPlayer events are sent when due.
  press: BUTTON      a device button (next, previous, play, pause): a PlaybackController
                     request to the skill that last played audio (`audio_player: true` only).
  touch: ARGUMENT    a touch on the shown document's control that sends [ARGUMENT] (e.g.
                     next_set): an APL UserEvent, answered like words (`screen: true` only).

With `audio_player: true` the device declares AudioPlayer, plays what the skill tells it to,
and, with no session open, sends "alexa, next", "alexa, pause", "alexa, resume" and the other
name-free commands to the skill once it has played audio (see harness.device). With
`screen: true` it declares Alexa.Presentation.APL and keeps the last RenderDocument it was sent.

Expectations (all optional; speech ones only on say/intent turns):
  hear: TEXT | [TEXT]      each must appear in the speech text (case-insensitive)
  not_hear: TEXT | [TEXT]  none may appear in the speech text
  match: REGEX             must be found in the speech text (re.search, case-insensitive)
  reprompt: TEXT | [TEXT]  each must appear in the reprompt text
  rest: SECONDS            the speech paces a rest of SECONDS, within 1 s (paced_rest_seconds)
  intent: NAME             (with `say`) the intent the words matched; LaunchRequest for a launch
  slots: {NAME: VALUE}     (with `say`) each slot's resolved id, or the spoken words when
                           unresolved; null asserts the slot was not filled
  session: open | closed   the device's session after the turn (any turn kind)
  sent: true | false       whether the device sent the words at all (default true: speech with
                           no session open and no invocation name is a failure unless
                           `sent: false`)
  repeat: N                (say/intent turns) do the turn N times, checking every time
  over: SECONDS            (say/intent turns) said SECONDS into the last answer's speech, over
                           it: the speech stops there and the request is stamped then
  hear_audio: TEXT | [TEXT]      (any turn but do) each must be in the URL, token or title of a
                                 track heard during the turn (played, or started, in it), or in
                                 its words where the device knows them (in process: the
                                 coach's catalog, harness.dialog_stage)
  not_hear_audio: TEXT | [TEXT]  none may be
  player: ACTIVITY         the player's activity after the turn (IDLE, PLAYING, STOPPED,
                           FINISHED, ...)
  events: [NAME]           AudioPlayer events sent during the turn, in this order, others
                           between allowed (e.g. [PlaybackStopped] or
                           [PlaybackFinished, PlaybackStarted])
  show: TEXT | [TEXT]      (any turn but do; `screen: true`) each must appear in the
                           datasources of the document the screen shows after the turn
  reminders: TEXT | [TEXT] (any turn but do) each must appear in a reminder the local stand-in
                           of Alexa's Reminders API holds after the turn (harness.alexa_apis:
                           "Thursday 07:00 (Pacific/Auckland): ..."), and it holds as many
                           reminders as texts listed (no reminder set twice); [] asserts none
                           is set

Speech text is the SSML with tags removed and whitespace normalised. Files load with YAML 1.2
booleans: only true and false are booleans, so `say: yes` (or no, on, off) is the word itself.
A script breaking these rules fails to load with an error naming the file, the turn and the key.
A run stops at the first turn that fails; the report shows that turn, each unmet expectation,
the speech heard and the turns before it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import yaml

from harness.device import Device, DeviceError, Turn
from harness.envelopes import DEFAULT_USER_ID
from harness.player import Played
from harness.ssml_reader import Clip, estimated_seconds, read_ssml
from harness.yaml12 import load_yaml12
from skill.locales import SPOKEN
from skill.speech.sounds import REST_OVER

REST_TOLERANCE_SECONDS = 1.0
TRANSCRIPT_TURNS = 5  # earlier turns shown in a failure report
LAUNCH = "LaunchRequest"

ActionKind = Literal["say", "intent", "mic_timeout", "do", "wait", "press", "touch"]
Action = Callable[[Device], object]
DeviceFactory = Callable[[str], Device]  # user id -> a fresh device

# Which keys each kind of turn accepts, beyond its action key.
_AUDIO_EXPECTATIONS = frozenset(
    {"hear_audio", "not_hear_audio", "player", "events", "show", "reminders"}
)
_SPEECH_EXPECTATIONS = (
    frozenset({"hear", "not_hear", "match", "reprompt", "rest", "session", "sent", "repeat"})
    | _AUDIO_EXPECTATIONS
)
ALLOWED_KEYS: Mapping[ActionKind, frozenset[str]] = {
    "say": _SPEECH_EXPECTATIONS | {"intent", "slots", "over"},
    "intent": _SPEECH_EXPECTATIONS | {"slots", "one_shot", "over"},
    "mic_timeout": frozenset({"session"}) | _AUDIO_EXPECTATIONS,
    "do": frozenset({"session"}),
    "wait": frozenset({"session"}) | _AUDIO_EXPECTATIONS,
    "press": frozenset({"session", "sent", "repeat"}) | _AUDIO_EXPECTATIONS,
    "touch": _SPEECH_EXPECTATIONS,
}
_ACTION_KINDS: Mapping[str, ActionKind] = {
    "say": "say",
    "intent": "intent",
    "mic_timeout": "mic_timeout",
    "do": "do",
    "wait": "wait",
    "press": "press",
    "touch": "touch",
}
TOP_LEVEL_KEYS = frozenset(
    {"name", "user", "description", "turns", "audio_player", "screen", "locale"}
)
BUTTONS = ("next", "previous", "play", "pause")
PLAYER_ACTIVITIES = ("IDLE", "PLAYING", "PAUSED", "STOPPED", "FINISHED", "BUFFER_UNDERRUN")
_YAML_BOOLEAN_HINT = " (quote words that YAML reads as booleans)"


class DialogScriptError(ValueError):
    """A script that breaks the format; the message names the file, turn and key."""


@dataclass(frozen=True)
class Expectations:
    hear: tuple[str, ...] = ()
    not_hear: tuple[str, ...] = ()
    match: re.Pattern[str] | None = None
    reprompt: tuple[str, ...] = ()
    rest: float | None = None
    intent: str | None = None
    slots: Mapping[str, str | None] | None = None
    session: Literal["open", "closed"] | None = None
    sent: bool = True
    hear_audio: tuple[str, ...] = ()
    not_hear_audio: tuple[str, ...] = ()
    player: str | None = None
    events: tuple[str, ...] = ()
    show: tuple[str, ...] = ()
    reminders: tuple[str, ...] | None = None  # None: not checked; () none may be set


@dataclass(frozen=True)
class Step:
    """One turn of a script."""

    number: int  # 1-based, as people count turns in a file
    kind: ActionKind
    target: str  # the words said, intent, action or button name, seconds waited ("" timeout)
    slots: Mapping[str, str] = field(default_factory=dict)  # sent, for intent turns
    one_shot: bool = False
    repeat: int = 1
    expect: Expectations = Expectations()
    over: float | None = None  # said this many seconds into the last answer, over its speech

    def describe(self) -> str:
        over = "" if self.over is None else f" {self.over:g} s into the last answer"
        if self.kind == "say":
            return f"say {self.target!r}{over}"
        if self.kind == "intent":
            slots = f" {dict(self.slots)}" if self.slots else ""
            one_shot = " (one-shot)" if self.one_shot else ""
            return f"intent {self.target}{slots}{one_shot}{over}"
        if self.kind == "do":
            return f"do {self.target}"
        if self.kind == "wait":
            return f"wait {self.target} s"
        if self.kind == "press":
            return f"press {self.target}"
        if self.kind == "touch":
            return f"touch {self.target}"
        return "mic_timeout"


@dataclass(frozen=True)
class Dialog:
    name: str
    turns: tuple[Step, ...]
    user: str | None = None
    source: str = "<script>"
    audio_player: bool = False
    screen: bool = False
    # The device's locale (its model, and the words the skill answers in); None: the device's own
    # (en-US, or the one `coach dialog --locale` gives).
    locale: str | None = None


# ---- rest measurement -----------------------------------------------------------------------

_REST_START = "harness:rest-start"  # a zero-length marker clip put before the first <break>
_FIRST_BREAK = re.compile(r"<break\b")


def paced_rest_seconds(ssml: str) -> float | None:
    """Seconds from the start of the first <break> to the end of the REST_OVER beep.

    Breaks, clips and the estimated speaking time of the cues between them all count. None when
    the speech has no <break> followed by the beep. Raises ValueError on unreadable SSML.
    """
    marked, found = _FIRST_BREAK.subn(f'<audio src="{_REST_START}"/><break', ssml, count=1)
    if not found:
        return None
    segments = read_ssml(marked, clip_lengths={_REST_START: 0.0})
    start = next(i for i, s in enumerate(segments) if isinstance(s, Clip) and s.src == _REST_START)
    for end in range(start, len(segments)):
        segment = segments[end]
        if isinstance(segment, Clip) and segment.src == REST_OVER.src:
            return estimated_seconds(segments[start : end + 1])
    return None


# ---- loading --------------------------------------------------------------------------------


class _Where:
    """Builds error messages that name the file, turn and key."""

    def __init__(self, source: str, turn: int | None = None) -> None:
        self.source, self.turn = source, turn

    def error(self, key: str | None, problem: str) -> DialogScriptError:
        parts = [self.source]
        if self.turn is not None:
            parts.append(f"turn {self.turn}")
        if key is not None:
            parts.append(f"key {key!r}")
        return DialogScriptError(": ".join(parts) + ": " + problem)


def _text(where: _Where, key: str, value: Any) -> str:
    if isinstance(value, bool):
        raise where.error(key, f"must be text, not {value!r}{_YAML_BOOLEAN_HINT}")
    if isinstance(value, int | float):
        return str(value)
    if not isinstance(value, str) or not value.strip():
        raise where.error(key, f"must be non-empty text, not {value!r}")
    return value


def _texts(where: _Where, key: str, value: Any) -> tuple[str, ...]:
    items = value if isinstance(value, list) else [value]
    if not items:
        raise where.error(key, "must list at least one text")
    return tuple(_text(where, key, item) for item in items)


def _slots(where: _Where, value: Any, *, allow_null: bool) -> dict[str, str | None]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise where.error("slots", f"must be a mapping of slot name to value, not {value!r}")
    slots: dict[str, str | None] = {}
    for name, slot_value in value.items():
        if not isinstance(name, str):
            raise where.error("slots", f"slot names must be text, not {name!r}")
        if slot_value is None and allow_null:
            slots[name] = None
        else:
            slots[name] = _text(where, f"slots.{name}", slot_value)
    return slots


def _flag(where: _Where, key: str, value: Any) -> bool:
    if not isinstance(value, bool):
        raise where.error(key, f"must be true or false, not {value!r}")
    return value


def _kind(where: _Where, raw: Mapping[str, Any]) -> ActionKind:
    actions = [key for key in ("say", "mic_timeout", "do", "wait", "press", "touch") if key in raw]
    if "say" not in raw and "intent" in raw:
        actions.append("intent")
    if len(actions) != 1:
        found = ", ".join(actions) or "none"
        raise where.error(
            None,
            f"needs exactly one of say, intent, mic_timeout, do, wait, press, touch "
            f"(found {found})",
        )
    return _ACTION_KINDS[actions[0]]


def _expectations(where: _Where, raw: Mapping[str, Any], kind: ActionKind) -> Expectations:
    values: dict[str, Any] = {}
    for key in ("hear", "not_hear", "reprompt", "hear_audio", "not_hear_audio", "show"):
        if key in raw:
            values[key] = _texts(where, key, raw[key])
    if "reminders" in raw:
        listed = raw["reminders"]
        values["reminders"] = () if listed == [] else _texts(where, "reminders", listed)
    if "player" in raw:
        if raw["player"] not in PLAYER_ACTIVITIES:
            allowed = ", ".join(PLAYER_ACTIVITIES)
            raise where.error("player", f"must be one of {allowed}, not {raw['player']!r}")
        values["player"] = raw["player"]
    if "events" in raw:
        values["events"] = tuple(
            name.removeprefix("AudioPlayer.") for name in _texts(where, "events", raw["events"])
        )
    if "match" in raw:
        pattern = _text(where, "match", raw["match"])
        try:
            values["match"] = re.compile(pattern, re.IGNORECASE)
        except re.error as error:
            raise where.error("match", f"is not a valid regex: {error}") from None
    if "rest" in raw:
        rest = raw["rest"]
        if isinstance(rest, bool) or not isinstance(rest, int | float) or rest <= 0:
            raise where.error("rest", f"must be a number of seconds above 0, not {rest!r}")
        values["rest"] = float(rest)
    if "session" in raw:
        if raw["session"] not in ("open", "closed"):
            raise where.error("session", f"must be open or closed, not {raw['session']!r}")
        values["session"] = raw["session"]
    if "sent" in raw:
        values["sent"] = _flag(where, "sent", raw["sent"])
        speech_keys = {"hear", "not_hear", "match", "reprompt", "rest"} & set(raw)
        if not values["sent"] and speech_keys:
            raise where.error("sent", f"false leaves nothing to hear: drop {sorted(speech_keys)}")
    if kind == "say" and "intent" in raw:
        values["intent"] = _text(where, "intent", raw["intent"])
    if kind == "say" and "slots" in raw:
        values["slots"] = _slots(where, raw["slots"], allow_null=True)
    return Expectations(**values)


def _step(where: _Where, raw: Any) -> Step:
    if not isinstance(raw, dict):
        raise where.error(None, f"must be a mapping of keys, not {raw!r}")
    kind = _kind(where, raw)
    unknown = set(raw) - ALLOWED_KEYS[kind] - {kind}
    if unknown:
        key = sorted(unknown, key=str)[0]
        allowed = ", ".join(sorted(ALLOWED_KEYS[kind] | {kind}))
        raise where.error(str(key), f"is not allowed in a {kind} turn (allowed: {allowed})")
    target = ""
    if kind in ("say", "intent", "do", "touch"):
        target = _text(where, kind, raw[kind])
    elif kind == "wait":
        seconds = raw["wait"]
        if isinstance(seconds, bool) or not isinstance(seconds, int | float) or seconds < 0:
            raise where.error("wait", f"must be a number of seconds, 0 or more, not {seconds!r}")
        target = f"{seconds:g}"
    elif kind == "press":
        if raw["press"] not in BUTTONS:
            raise where.error("press", f"must be one of {', '.join(BUTTONS)}, not {raw['press']!r}")
        target = raw["press"]
    elif raw["mic_timeout"] is not True:
        raise where.error("mic_timeout", f"must be true, not {raw['mic_timeout']!r}")
    repeat = raw.get("repeat", 1)
    if isinstance(repeat, bool) or not isinstance(repeat, int) or repeat < 1:
        raise where.error("repeat", f"must be a whole number of at least 1, not {repeat!r}")
    over = raw.get("over")
    if over is not None and (
        isinstance(over, bool) or not isinstance(over, int | float) or over < 0
    ):
        raise where.error("over", f"must be a number of seconds, 0 or more, not {over!r}")
    sent_slots: dict[str, str] = {}
    if kind == "intent":
        sent = _slots(where, raw.get("slots"), allow_null=False)
        sent_slots = {name: value for name, value in sent.items() if value is not None}
    return Step(
        number=where.turn or 0,
        kind=kind,
        target=target,
        slots=sent_slots,
        one_shot=_flag(where, "one_shot", raw.get("one_shot", False)),
        repeat=repeat,
        expect=_expectations(where, raw, kind),
        over=None if over is None else float(over),
    )


def parse_dialog(data: Any, source: str = "<script>") -> Dialog:
    """Validate a parsed script strictly; DialogScriptError names source, turn and key."""
    where = _Where(source)
    if not isinstance(data, dict):
        raise where.error(None, "a script must be a YAML mapping with name and turns")
    unknown = set(data) - TOP_LEVEL_KEYS
    if unknown:
        key = sorted(unknown, key=str)[0]
        raise where.error(str(key), f"unknown key (allowed: {', '.join(sorted(TOP_LEVEL_KEYS))})")
    for key in ("name", "turns"):
        if key not in data:
            raise where.error(key, "is required")
    turns = data["turns"]
    if not isinstance(turns, list) or not turns:
        raise where.error("turns", "must be a list of at least one turn")
    user = _text(where, "user", data["user"]) if data.get("user") is not None else None
    return Dialog(
        name=_text(where, "name", data["name"]),
        turns=tuple(_step(_Where(source, n), raw) for n, raw in enumerate(turns, 1)),
        user=user,
        source=source,
        audio_player=_flag(where, "audio_player", data.get("audio_player", False)),
        screen=_flag(where, "screen", data.get("screen", False)),
        locale=_locale(where, data["locale"]) if "locale" in data else None,
    )


def _locale(where: _Where, value: object) -> str:
    if value not in SPOKEN:
        raise where.error("locale", f"must be one of {', '.join(SPOKEN)} (got {value!r})")
    return str(value)


def load_dialog(path: Path | str) -> Dialog:
    path = Path(path)
    try:
        data = load_yaml12(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise DialogScriptError(f"{path}: cannot read: {error}") from error
    except yaml.YAMLError as error:
        raise DialogScriptError(f"{path}: not valid YAML: {error}") from error
    return parse_dialog(data, str(path))


def dialog_paths(folder: Path | str) -> list[Path]:
    """The scripts in `folder` (*.yaml, *.yml), sorted: handy for pytest parametrize."""
    folder = Path(folder)
    return sorted([*folder.glob("*.yaml"), *folder.glob("*.yml")])


# ---- checking -------------------------------------------------------------------------------


@dataclass(frozen=True)
class TurnOutcome:
    step: Step
    repetition: int  # 1-based
    turn: Turn | None  # None for mic_timeout, do, or a turn that raised
    problems: tuple[str, ...] = ()
    session_open: bool = False
    audio: tuple[str, ...] = ()  # AudioPlayer events sent and audio heard during the turn
    # The reminders the Alexa APIs' stand-in holds after the turn, when the turn changed them.
    reminders: tuple[str, ...] | None = None

    @property
    def passed(self) -> bool:
        return not self.problems


def _contains(haystack: str, needle: str) -> bool:
    return " ".join(needle.split()).lower() in haystack.lower()


def _speech_problems(expect: Expectations, turn: Turn) -> list[str]:
    problems = [
        f"expected to hear {item!r}"
        for item in expect.hear
        if not _contains(turn.speech_text, item)
    ]
    problems += [
        f"expected not to hear {item!r}"
        for item in expect.not_hear
        if _contains(turn.speech_text, item)
    ]
    if expect.match is not None and not expect.match.search(turn.speech_text):
        problems.append(f"expected speech matching /{expect.match.pattern}/")
    problems += [
        f"expected in the reprompt {item!r}"
        for item in expect.reprompt
        if not _contains(turn.reprompt_text, item)
    ]
    if expect.rest is not None:
        problems += _rest_problems(expect.rest, turn.speech_ssml)
    return problems


def _rest_problems(expected: float, ssml: str) -> list[str]:
    try:
        paced = paced_rest_seconds(ssml)
    except ValueError as error:
        return [f"expected a paced rest of {expected:g} s, but the SSML is unreadable: {error}"]
    if paced is None:
        return [
            f"expected a paced rest of {expected:g} s, found none "
            f"(no <break> followed by {REST_OVER.src})"
        ]
    if abs(paced - expected) > REST_TOLERANCE_SECONDS:
        return [f"expected a paced rest of {expected:g} s (within 1 s), paced {paced:g} s"]
    return []


def _slot_said(turn: Turn, name: str) -> str | None:
    slot = turn.slots.get(name)
    if slot is None:
        return None
    return slot.id if slot.id is not None else slot.value


def _match_problems(expect: Expectations, turn: Turn) -> list[str]:
    problems: list[str] = []
    matched = LAUNCH if turn.match is not None and turn.match.kind == "launch" else turn.intent
    if expect.intent is not None and expect.intent != matched:
        problems.append(f"expected intent {expect.intent}, matched {matched}")
    for name, wanted in (expect.slots or {}).items():
        actual = _slot_said(turn, name)
        same = actual is None if wanted is None else (actual or "").lower() == wanted.lower()
        if not same:
            problems.append(f"expected slot {name}={wanted!r}, got {actual!r}")
    return problems


def check_turn(expect: Expectations, turn: Turn) -> list[str]:
    """Every unmet expectation of a say/intent turn, as sentences."""
    problems = _match_problems(expect, turn)
    if turn.sent != expect.sent:
        if expect.sent:
            problems.append(turn.note or "the device did not send this")
        else:
            problems.append("expected the device not to send this (no session open), but it did")
        return problems
    if turn.sent:
        problems += _speech_problems(expect, turn)
    return problems


def _audio_problems(
    expect: Expectations, device: Device, start: float, first_event: int
) -> list[str]:
    """The turn's audio expectations, against what played from `start` and the events sent
    from index `first_event` on."""
    wanted = expect.hear_audio or expect.not_hear_audio or expect.player or expect.events
    if not wanted:
        return []
    player = device.player
    if player is None:
        return ["expected audio, but the device has no AudioPlayer (audio_player: true)"]
    heard = player.heard(start, device.now, device.now)
    names = sorted({p.stream.title or p.stream.url for p in heard}) or ["nothing"]

    def says(played: Played, item: str) -> bool:
        words = device.track_words(played.stream.url)
        return played.mentions(item) or item.lower() in words.lower()

    problems = [
        f"expected to hear audio {item!r}; heard {', '.join(names)}"
        for item in expect.hear_audio
        if not any(says(p, item) for p in heard)
    ]
    problems += [
        f"expected not to hear audio {item!r}"
        for item in expect.not_hear_audio
        if any(says(p, item) for p in heard)
    ]
    if expect.player is not None and player.activity != expect.player:
        problems.append(f"expected the player {expect.player}, but it is {player.activity}")
    sent = [str(e.request_type).removeprefix("AudioPlayer.") for e in device.events[first_event:]]
    remaining = iter(sent)
    if expect.events and not all(name in remaining for name in expect.events):
        problems.append(
            f"expected events {', '.join(expect.events)} in that order; sent "
            + (", ".join(sent) or "none")
        )
    return problems


def _screen_problems(expect: Expectations, device: Device) -> list[str]:
    """The turn's `show` expectations, against the datasources of the document shown."""
    if not expect.show:
        return []
    if not device.screen:
        return ["expected a screen, but the device has none (screen: true)"]
    if device.shows is None:
        return ["expected the screen to show something, but nothing was rendered"]
    shown = json.dumps(device.shows.get("datasources", {}), ensure_ascii=False)
    return [f"expected the screen to show {item!r}" for item in expect.show if item not in shown]


def _session_problem(expect: Expectations, session_open: bool) -> list[str]:
    if expect.session is None or (expect.session == "open") == session_open:
        return []
    actual = "open" if session_open else "closed"
    return [f"expected the session {expect.session}, but it is {actual}"]


# ---- running --------------------------------------------------------------------------------


@dataclass(frozen=True)
class DialogResult:
    dialog: Dialog
    outcomes: tuple[TurnOutcome, ...]
    setup_error: str | None = None

    @property
    def passed(self) -> bool:
        return self.setup_error is None and all(o.passed for o in self.outcomes)

    @property
    def failure(self) -> TurnOutcome | None:
        return next((o for o in self.outcomes if not o.passed), None)

    def report(self) -> str:
        return format_report(self)


def _perform(step: Step, device: Device, actions: Mapping[str, Action]) -> Turn | None:
    """Do the step; raises _StepError with a readable message when it cannot be done."""
    try:
        if step.over is not None:
            device.talk_over(step.over)
        if step.kind == "say":
            return device.say(step.target)
        if step.kind == "intent":
            return device.intent(step.target, step.slots, one_shot=step.one_shot)
        if step.kind == "mic_timeout":
            device.mic_timeout()
            return None
        if step.kind == "wait":
            device.wait(float(step.target))
            return None
        if step.kind == "press":
            return device.press(step.target)
        if step.kind == "touch":
            return device.touch(step.target)
    except DeviceError as error:
        raise _StepError(str(error)) from error
    except KeyError as error:  # an intent or slot the model does not declare
        raise _StepError(str(error.args[0] if error.args else error)) from error
    try:
        actions[step.target](device)
    except Exception as error:  # the caller's action failed: report it, do not crash the run
        raise _StepError(
            f"action {step.target!r} failed: {type(error).__name__}: {error}"
        ) from error
    return None


class _StepError(Exception):
    pass


def _run_step(
    step: Step, repetition: int, device: Device, actions: Mapping[str, Action]
) -> TurnOutcome:
    start, first_event = device.now, len(device.events)
    reminders = device.reminder_lines()
    try:
        turn = _perform(step, device, actions)
    except _StepError as error:
        return TurnOutcome(step, repetition, None, (f"error: {error}",), device.session_open)
    problems = check_turn(step.expect, turn) if turn is not None else []
    if not problems:
        problems += _session_problem(step.expect, device.session_open)
    if not problems:
        problems += _audio_problems(step.expect, device, start, first_event)
    if not problems:
        problems += _screen_problems(step.expect, device)
    if not problems:
        problems += _reminder_problems(step.expect, device)
    audio = tuple(audio_log(device, start, first_event))
    after = device.reminder_lines()
    changed = tuple(after) if after != reminders else None
    return TurnOutcome(step, repetition, turn, tuple(problems), device.session_open, audio, changed)


def _reminder_problems(expect: Expectations, device: Device) -> list[str]:
    """Each text must be in a reminder the Alexa APIs' stand-in holds, and it holds no other
    (one reminder a text: a reminder set twice is a failure); [] means none is."""
    if expect.reminders is None:
        return []
    lines = device.reminder_lines()
    if not expect.reminders and lines:
        return [f"expected no reminders, found {lines}"]
    problems = [
        f"expected a reminder with {text!r}, found {lines}"
        for text in expect.reminders
        if not any(text.lower() in line.lower() for line in lines)
    ]
    if not problems and len(lines) != len(expect.reminders):
        problems.append(f"expected {len(expect.reminders)} reminders set, found {lines}")
    return problems


def audio_log(device: Device, start: float, first_event: int = 0) -> list[str]:
    """What the player did from device time `start`: each event sent (from index
    `first_event`) and each stretch of audio heard, as lines."""
    if device.player is None:
        return []
    lines = []
    for event in device.events[first_event:]:
        request = event.request or {}
        body = request.get("request", {})
        lines.append(
            f"{event.at:8.2f} s  {body.get('type')} token {body.get('token')!r} "
            f"offset {body.get('offsetInMilliseconds')} ms"
        )
    for played in device.player.heard(start, device.now, device.now):
        what = played.stream.describe()
        if played.ended == "playing":
            lines.append(f"{played.start:8.2f} s  playing {what} from {played.from_ms} ms")
            continue
        lines.append(
            f"{played.start:8.2f} s  heard {what} for {played.seconds:.2f} s "
            f"({played.from_ms} to {played.to_ms} ms, {played.ended})"
        )
    return sorted(lines)


def run_dialog(
    script: Dialog | Path | str,
    device_factory: DeviceFactory,
    actions: Mapping[str, Action] | None = None,
) -> DialogResult:
    """Play `script` on a fresh device; stops at the first turn that fails."""
    dialog = script if isinstance(script, Dialog) else load_dialog(script)
    actions = dict(actions or {})
    for step in dialog.turns:
        if step.kind == "do" and step.target not in actions:
            known = ", ".join(sorted(actions)) or "none"
            error = f"turn {step.number}: unknown action {step.target!r} (known: {known})"
            return DialogResult(dialog, (), setup_error=error)
    device = device_factory(dialog.user or DEFAULT_USER_ID)
    if dialog.locale is not None:
        device.use_locale(dialog.locale)
    if dialog.audio_player:
        device.enable_audio_player()
    if dialog.screen:
        device.enable_screen()
    outcomes: list[TurnOutcome] = []
    for step in dialog.turns:
        for repetition in range(1, step.repeat + 1):
            outcome = _run_step(step, repetition, device, actions)
            outcomes.append(outcome)
            if not outcome.passed:
                return DialogResult(dialog, tuple(outcomes))
    return DialogResult(dialog, tuple(outcomes))


# ---- reporting ------------------------------------------------------------------------------


def _label(outcome: TurnOutcome) -> str:
    step = outcome.step
    repeat = f" (repeat {outcome.repetition} of {step.repeat})" if step.repeat > 1 else ""
    return f"turn {step.number}{repeat}: {step.describe()}"


def _heard_lines(outcome: TurnOutcome) -> list[str]:
    turn, lines = outcome.turn, []
    if turn is not None and (turn.match is not None or turn.intent is not None):
        matched = LAUNCH if turn.match is not None and turn.match.kind == "launch" else turn.intent
        slots = {name: _slot_said(turn, name) for name in turn.slots}
        lines.append(f"  matched:  {matched} {slots if slots else ''}".rstrip())
    if turn is not None and not turn.sent:
        lines.append(f"  not sent: {turn.note}")
    elif turn is not None:
        if turn.note:
            lines.append(f"  note:     {turn.note}")
        lines.append(f"  heard:    {turn.speech_text!r}")
        lines.append(f"  reprompt: {turn.reprompt_text!r}")
        if outcome.step.expect.rest is not None:  # the markup is what the rest is read from
            lines.append(f"  ssml:     {turn.speech_ssml}")
        if turn.status is not None and turn.status != 200:
            lines.append(f"  status:   {turn.status}")
    lines.append(f"  session:  {'open' if outcome.session_open else 'closed'}")
    if outcome.audio:
        lines.append("  audio:")
        lines += [f"    {line}" for line in outcome.audio]
    return lines


def _transcript_line(outcome: TurnOutcome) -> str:
    turn = outcome.turn
    if turn is None:
        heard = "-"
    elif not turn.sent:
        heard = "(not sent)"
    else:
        heard = turn.speech_text if len(turn.speech_text) <= 90 else turn.speech_text[:87] + "..."
    return f"  {_label(outcome)} -> {heard}"


def format_report(result: DialogResult) -> str:
    dialog = result.dialog
    head = f"dialog {dialog.name!r} ({dialog.source})"
    if result.setup_error is not None:
        return f"FAILED {head} before starting:\n  {result.setup_error}"
    failure = result.failure
    if failure is None:
        return f"passed: {head}, {len(result.outcomes)} turns"
    lines = [f"FAILED {head}", f"at {_label(failure)}"]
    lines += [f"  - {problem}" for problem in failure.problems]
    lines += _heard_lines(failure) + _reminder_lines(failure, "  ")
    earlier = [o for o in result.outcomes if o is not failure][-TRANSCRIPT_TURNS:]
    if earlier:
        lines.append("before that:")
        for outcome in earlier:
            lines += [_transcript_line(outcome), *_reminder_lines(outcome, "      ")]
    return "\n".join(lines)


def _reminder_lines(outcome: TurnOutcome, indent: str) -> list[str]:
    """ "Reminders: Friday 10:00 ..." after a turn that changed the reminders set."""
    from harness.alexa_apis import reminders_line

    if outcome.reminders is None:
        return []
    return [indent + reminders_line(list(outcome.reminders))]


def assert_dialog_passes(result: DialogResult) -> None:
    """For tests: raise AssertionError carrying the report when the run failed."""
    if not result.passed:
        raise AssertionError(result.report())
