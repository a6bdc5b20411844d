"""The phrase benchmark: what runners (and people near them) say, each in the place of the
workout where they say it, played on a simulated device against the real app.

The phrase files (tests/skill/phrases) and what each measures:
- runner_phrases.yaml: the phrases the model's samples were written for; it also defines each
  place (context): its set-up, and what yes, no and "i'm ready" mean there;
- held_out.yaml: everyday phrasings no sample was written from;
- held_out_off_script.yaml: held out too, for the off-script workout (pain, missing kit, partial
  and extra sets, history, warm-up and cool-down questions, chatter);
- not_for_the_coach.yaml: things said near an Echo that are not for the coach.

Each phrase is judged twice, with the statistical stand-in and with the exact matcher:
- understood: the intent and slots mean what the runner meant (OUTCOMES) and the coach answered
  it without an error or "I didn't catch that";
- destructive: the runner's place changed in a way nobody asked for (a set counted or
  un-counted, an exercise skipped or moved, the workout ended, started, switched or restarted, the
  warm-up or cool-down started, moved or left), read from the store and the session before and
  after the phrase. It is *misheard* when the intent heard asks for that change (the recogniser's
  doing: "right" heard as "next set"), *mishandled* when it does not (the skill's: "i'm ready"
  counting a set);
- closed: the session ended when the runner did not ask for that (the place is kept).
"""

from __future__ import annotations

import datetime as dt
import json
import tempfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from functools import cache
from pathlib import Path
from typing import Any

from harness.device import Device, FlaskTransport
from harness.dialog_stage import DIALOG_START, ScriptClock
from harness.interaction_model import InteractionModel, load_model
from harness.understanding.recognisers import EXACT, STATISTICAL, Recogniser, recogniser_for
from harness.utterances import FALLBACK_INTENT, SlotMatch
from harness.yaml12 import load_yaml12
from skill.app import create_app
from skill.coaching.routine import parse as parse_routine
from skill.locales import DEFAULT as DEFAULT_LOCALE
from skill.locales import closest
from skill.persistence.keys import record_key
from skill.persistence.sqlite_store import SqliteProgressStore
from skill.speech.phrasebook import Phrasebook

PHRASES_DIR = Path(__file__).resolve().parents[1] / "tests" / "skill" / "phrases"
MAIN = "runner_phrases.yaml"
HELD_OUT = "held_out.yaml"
OFF_SCRIPT = "held_out_off_script.yaml"
NOT_FOR_THE_COACH = "not_for_the_coach.yaml"
# Second blind sets of each (December 7, after the samples were widened), never read for samples.
HELD_OUT_2 = "held_out_2.yaml"
OFF_SCRIPT_2 = "held_out_off_script_2.yaml"
HELD_OUT_FILES = (HELD_OUT, HELD_OUT_2, OFF_SCRIPT, OFF_SCRIPT_2)  # each written blind
FILES = (MAIN, *HELD_OUT_FILES, NOT_FOR_THE_COACH)
LOCAL = "local_phrases.yaml"  # a locale's own development phrases, in en-US's places


def locale_files(locale: str) -> tuple[str, ...]:
    """The phrase files of `locale`, relative to PHRASES_DIR: en-US's, or the locale's folder
    (its own words in en-US's places, and its blind held-out set)."""
    if locale == DEFAULT_LOCALE:
        return FILES
    folder = PHRASES_DIR / locale
    # Another language's folder has its own places (MAIN, with its own set-ups); another
    # English's, its own words in en-US's places (LOCAL).
    own = MAIN if (folder / MAIN).is_file() else LOCAL
    held_out = sorted(path.name for path in folder.glob("held_out*.yaml"))  # each set written blind
    return tuple(f"{locale}/{name}" for name in (own, *held_out) if (folder / name).is_file())


# What each intent does for the runner. `{slot}` is the slot's resolved id; a filled slot that
# resolved to nothing makes the outcome "clarify" (the coach asks), an empty one drops the suffix.
OUTCOMES: Mapping[str, str] = {
    "StartWorkoutIntent": "choose_workout:{workout}",
    "SwitchWorkoutIntent": "switch_workout",
    "NextSetIntent": "next_set",
    "AMAZON.NextIntent": "next",
    "SkipExerciseIntent": "skip_exercise",
    "SkipWarmUpIntent": "skip_warm_up",
    "CoolDownIntent": "cool_down",  # led at the offer; elsewhere, when it comes is said
    "CoolDownQuestionIntent": "question:cool_down",
    "WarmUpQuestionIntent": "question:warm_up",
    "NoCoolDownIntent": "no_cool_down",  # at the offer, no; elsewhere, said to answer no then
    "GoToExerciseIntent": "go_to:{exercise}",
    "AMAZON.PreviousIntent": "previous",
    "GoBackIntent": "previous",
    "AMAZON.RepeatIntent": "say_again",
    "LeadAgainIntent": "say_again",  # the twin of repeat: the set's lead again (from a letter)
    "PaceIntent": "pace:{pace}",  # the led sets slower or faster
    "AMAZON.PauseIntent": "pause",
    "HoldOnIntent": "pause",
    "AMAZON.ResumeIntent": "resume",
    "CarryOnIntent": "resume",
    "AMAZON.StartOverIntent": "start_over",
    "StartAgainIntent": "start_over",
    "AMAZON.HelpIntent": "help",
    "AMAZON.StopIntent": "end_workout",
    "EndWorkoutIntent": "end_workout",
    "AMAZON.CancelIntent": "end_workout",
    "AMAZON.NavigateHomeIntent": "end_workout",
    "HowToIntent": "how_to",
    "StatusIntent": "question:where",
    "WhatsNextIntent": "question:next",
    "SetsLeftIntent": "question:sets",
    "RepsIntent": "question:reps",
    "RemainingIntent": "question:remaining",
    "RestLengthIntent": "question:rest",
    "MusclesIntent": "question:muscles",
    "EquipmentIntent": "question:equipment",
    "WorkoutsThisWeekIntent": "question:history",
    "LastWorkoutIntent": "question:history",
    "StreakIntent": "question:history",
    "TotalWorkoutsIntent": "question:history",
    "SetRestIntent": "rest:{seconds}",
    "LongerRestIntent": "rest:longer",
    "ShorterRestIntent": "rest:shorter",
    "EasierIntent": "easier",
    "PainIntent": "pain",
    "FaintIntent": "pain",
    "BreathlessIntent": "pain",
    "PartialSetIntent": "partial_set",
    "ExtraSetIntent": "extra_set",
    "MissingKitIntent": "missing_kit:{kit}",
    "OnlyKitIntent": "only_kit:{kit}",  # with no kit named: no kit at all
    "HaveKitIntent": "have_kit:{kit}",
    "HarderIntent": "harder",
    "KeepSameIntent": "keep_same",
    "SetRepsIntent": "set_reps",
    "BestIntent": "question:best",
    "ReadyIntent": "ready",
    "RemindMeIntent": "reminder:set",
    "ChangeReminderIntent": "reminder:change",
    "CancelRemindersIntent": "reminder:cancel",
    "NextWorkoutIntent": "question:reminder",
    "ResetSettingsIntent": "reset_settings",
    "AMAZON.YesIntent": "yes",
    "AMAZON.NoIntent": "no",
    FALLBACK_INTENT: "none",
}
# In the warm-up, "where am I", "how long" and "what's next" are answered about the warm-up
# (Handlers.where_in_the_routine).
ANSWERED_ABOUT_THE_WARM_UP = frozenset({"StatusIntent", "RemainingIntent", "WhatsNextIntent"})
# At the cool-down offer, "how long" is answered about the cool-down (Handlers.answer), unless
# it names a workout.
ANSWERED_ABOUT_THE_COOL_DOWN = frozenset({"RemainingIntent"})
# NextSetIntent and AMAZON.NextIntent are one command (skill.alexa.commands): in the warm-up
# both lead its next part.
NEXT_INTENTS = frozenset({"AMAZON.NextIntent", "NextSetIntent"})
# Before a workout is chosen, how to do "this" (no exercise named, or none Alexa resolved) is
# answered with help: how the coach works, and the choice (Handlers.how_to).
HELP_BEFORE_CHOOSING = "HowToIntent"
HARMLESS = {"none", "clarify"}  # the coach asks rather than acts
# The off-script file says only that kit is missing, not which: any kit named missing meets it,
# and so does having no kit at all.
SOME_KIT_MISSING = "missing_kit"
NO_KIT_AT_ALL = ("only_kit", "only_kit:all")
# Outcomes only a built-in intent gives (but help before choosing, see HELP_BEFORE_CHOOSING):
# Alexa hears those from their own phrases and the model's samples alone. Pause, resume, start
# over, back a set and end have custom twins (HoldOnIntent, ...) that carry their everyday
# words, so they are not here.
BUILT_IN_OUTCOMES = frozenset({"help", "say_again"})
ERROR_KEY = "error.generic"  # the coach failed the turn
FALLBACK_KEY = "fallback.not_caught"  # the coach did not act on it


@cache
def _said_when(key: str, locale: str) -> str:
    """The words before the first placeholder of `key` in `locale`: what marks that answer."""
    return Phrasebook.load(closest(locale)).variants(key)[0].split("{")[0].strip().lower()


# The changes to a runner's stored place (Effect.of), and which outcomes ask for each.
COUNTED, UNCOUNTED, SKIPPED, MOVED = "counted a set", "un-counted a set", "skipped", "moved"
ENDED, STARTED, SWITCHED, RESTARTED = "ended", "started", "switched", "started over"
ASKED_FOR: Mapping[str, frozenset[str]] = {
    "next_set": frozenset({COUNTED, ENDED}),  # the last set ends the workout
    "partial_set": frozenset({COUNTED, ENDED}),  # counted as next_set is, kept as partial
    "next": frozenset({MOVED, SKIPPED}),  # the warm-up's next part, or out of it
    "skip_warm_up": frozenset({SKIPPED}),
    "cool_down": frozenset({STARTED}),
    "skip_exercise": frozenset({SKIPPED, MOVED, ENDED}),
    "previous": frozenset({UNCOUNTED, MOVED}),
    "start_over": frozenset({RESTARTED, UNCOUNTED, MOVED}),
    "end_workout": frozenset({ENDED}),
    "choose_workout": frozenset({STARTED, SWITCHED, RESTARTED}),
    "switch_workout": frozenset({STARTED, SWITCHED, RESTARTED}),
    "go_to": frozenset({MOVED, SKIPPED}),
    "resume": frozenset(),
    "extra_set": frozenset(),  # announced only: counted apart once done
}


@dataclass(frozen=True)
class Context:
    name: str
    setup: tuple[str, ...]
    yes: str
    no: str
    ready: str
    phrases: Mapping[str, str]


@dataclass(frozen=True)
class Place:
    """What the store says of a runner's workout: enough to tell what a turn changed.
    `routine` is the warm-up or cool-down part under way ("warm_up:1")."""

    workout: str | None
    started_at: float | None
    exercise: int
    sets_done: int
    skipped: int
    finished: bool
    routine: str | None = None

    @classmethod
    def of(cls, record_text: str | None) -> Place:
        progress: dict[str, Any] = {}
        routine = None
        if record_text:
            attributes = json.loads(record_text).get("attributes", {})
            progress = attributes.get("progress") or {}
            # a part under way ("warm_up:1"); the cool-down offered and unanswered, kept there
            # too, is no part (skill.coaching.routine.OFFERED)
            stored = attributes.get("routine")
            routine = stored if parse_routine(stored) is not None else None
        return cls(
            progress.get("workout_id"),
            progress.get("started_at"),
            int(progress.get("exercise_index", 0)),
            sum(progress.get("sets_by_exercise", ())),
            len(progress.get("skipped", ())),
            bool(progress.get("finished", False)),
            None if routine is None else str(routine),
        )

    def changes_to(self, after: Place) -> str | None:
        """The change from this place to `after`, the most telling one first; None: none."""
        if after.workout is not None and (
            self.workout is None or (self.finished and not after.finished)
        ):
            return STARTED
        if after.workout != self.workout:
            return ENDED if after.workout is None else SWITCHED
        if after.started_at != self.started_at:
            return RESTARTED
        if after.sets_done > self.sets_done:
            return COUNTED
        if after.finished and not self.finished:
            return ENDED
        if after.sets_done < self.sets_done:
            return UNCOUNTED
        if after.skipped > self.skipped:
            return SKIPPED
        if after.exercise != self.exercise:
            return MOVED
        if after.routine != self.routine:
            if self.routine is None:
                return STARTED
            return SKIPPED if after.routine is None else MOVED
        return None


@dataclass(frozen=True)
class Result:
    file: str
    context: str
    phrase: str
    expected: str
    got: str
    intent: str | None
    understood: bool
    destructive: str | None  # the change nobody asked for
    closed: bool  # the session ended unasked
    misheard: bool  # the change is what the intent heard asks for

    @property
    def mishandled(self) -> bool:
        return self.destructive is not None and not self.misheard


def rest_seconds(slots: Mapping[str, SlotMatch]) -> str | None:
    """SetRestIntent's slots as seconds: {seconds}, {minutes} or a spoken {length}."""
    for name, scale in (("seconds", 1), ("minutes", 60)):
        if name in slots and slots[name].value.isdigit():
            return str(int(slots[name].value) * scale)
    if "length" in slots:
        return slots["length"].id or "?"
    return None


def outcome(intent: str | None, slots: Mapping[str, SlotMatch], context: Context) -> str:
    if intent is None:
        return "none"
    template = OUTCOMES.get(intent, "none")
    if context.name == "warm_up" and intent in ANSWERED_ABOUT_THE_WARM_UP:
        return "question:warm_up"
    if context.name == "warm_up" and intent in NEXT_INTENTS:
        return "next"
    if (
        context.name == "choose"
        and intent == HELP_BEFORE_CHOOSING
        and ("exercise" not in slots or slots["exercise"].id is None)
    ):
        return "help"
    if (
        context.name == "cool_down_offer"
        and intent in ANSWERED_ABOUT_THE_COOL_DOWN
        and ("workout" not in slots or slots["workout"].id is None)
    ):
        return "question:cool_down"
    if context.name == "cool_down_offer" and intent == "SkipExerciseIntent":
        return context.no  # "skip it": the cool-down is all there is to skip (Handlers)
    if template in ("yes", "no", "ready"):
        return str(getattr(context, template))
    if template == "cool_down" and context.name != "cool_down_offer":
        return "question:cool_down"
    if template == "no_cool_down":
        return context.no if context.name == "cool_down_offer" else "question:cool_down"
    if template == "next":
        return "next" if context.name == "warm_up" else "next_set"
    if "{seconds}" in template:
        seconds = rest_seconds(slots)
        if seconds is None:
            return "rest:ask"
        return "clarify" if seconds == "?" else f"rest:{seconds}"
    head, _, slot = template.partition(":{")
    if not slot:
        return template
    filled = slots.get(slot.rstrip("}"))
    if filled is None:
        return head
    return f"{head}:{filled.id}" if filled.id is not None else "clarify"


def judge(
    file: str,
    context: Context,
    phrase: str,
    expected: str,
    intent: str | None,
    got: str,
    speech: str,
    change: str | None,
    closed: bool,
    locale: str = DEFAULT_LOCALE,
) -> Result:
    matches = (
        got == expected
        or (expected == "none" and got in HARMLESS)
        or (
            expected == SOME_KIT_MISSING
            and (got.partition(":")[0] == SOME_KIT_MISSING or got in NO_KIT_AT_ALL)
        )
    )
    spoken = speech.lower()
    acted = expected in HARMLESS or _said_when(FALLBACK_KEY, locale) not in spoken
    understood = matches and acted and _said_when(ERROR_KEY, locale) not in spoken
    asked = ASKED_FOR.get(expected.partition(":")[0], frozenset())
    if expected.startswith("go_to") and got == expected:
        asked |= {STARTED}  # at the choice, going to a move starts its workout there
    destructive = change if change is not None and change not in asked else None
    heard_asks = ASKED_FOR.get(got.partition(":")[0], frozenset())
    if got.startswith("go_to"):
        heard_asks |= {STARTED}  # heard as going to a move, which starts its workout at the choice
    misheard = destructive is not None and destructive in heard_asks
    closed_unasked = closed and expected.partition(":")[0] not in ("end_workout", *ASKED_FOR)
    return Result(
        file,
        context.name,
        phrase,
        expected,
        got,
        intent,
        understood,
        destructive,
        closed_unasked,
        misheard,
    )


def load_yaml(path: Path) -> Any:
    return load_yaml12(path.read_text(encoding="utf-8"))


@cache
def load_benchmark(folder: Path = PHRASES_DIR) -> tuple[Context, ...]:
    """The places of the main file, each with its phrases."""
    data = load_yaml(folder / MAIN)
    return tuple(
        Context(
            name,
            tuple(spec["setup"]),
            str(spec["yes"]),
            str(spec["no"]),
            str(spec["ready"]),
            {str(phrase): str(expected) for phrase, expected in spec["phrases"].items()},
        )
        for name, spec in data["contexts"].items()
    )


@cache
def load_file(name: str, folder: Path = PHRASES_DIR) -> tuple[Context, ...]:
    """A phrase file's phrases, each in the main file's place of the same name (the main file
    beside it, else `folder`'s). A list of phrases (not_for_the_coach.yaml) expects nothing of
    each: "none"."""
    own = (folder / name).parent
    if own != folder and (own / MAIN).is_file():
        folder, name = own, Path(name).name
    contexts = load_benchmark(folder)
    if name == MAIN:
        return contexts
    data = load_yaml(folder / name)
    known = {c.name for c in contexts}
    unknown = set(data) - known
    if unknown:
        raise ValueError(f"{folder / name}: no such place in {MAIN}: {', '.join(sorted(unknown))}")
    chosen = []
    for context in contexts:
        listed = data.get(context.name)
        if not listed:
            continue
        if isinstance(listed, list):
            phrases = {str(p): "none" for p in listed}
        else:
            phrases = {str(p): str(o) for p, o in listed.items()}
        chosen.append(replace(context, phrases=phrases))
    return tuple(chosen)


def _start() -> dt.datetime:
    """Every benchmark device's clock: it starts when the coach's stands (_Stage)."""
    return dt.datetime.fromtimestamp(DIALOG_START, dt.UTC)


class _Stage:
    """One app and store; each place is set up once, then copied to a fresh runner per phrase.

    Time stands still for the coach, and every device's clock starts at the same moment: a
    phrase is said as the place's last answer ends, however long the run has taken. (On the
    real clock, a runner copied from a place set up minutes earlier said its phrase minutes
    after the set's call, and "I only managed 8" or "ready" meant what they mean then.)"""

    def __init__(self, database: Path, model: InteractionModel, locale: str) -> None:
        self.locale = locale
        config = {
            "COACH_VERIFY_REQUESTS": "0",
            "COACH_DB_PATH": str(database),
            "COACH_CLOCK": ScriptClock(DIALOG_START),
        }
        self.transport = FlaskTransport(create_app(config))
        self.store = SqliteProgressStore(database)
        self.model = model
        self.setups: dict[str, Device] = {}
        self.runners = 0

    def _record(self, user_id: str) -> str | None:
        stored = self.store.read(record_key(user_id))
        return None if stored is None else stored.text

    def runner_at(self, context: Context, recogniser: Recogniser) -> Device:
        if context.name not in self.setups:
            exact = recogniser_for(self.model, EXACT)  # set-ups are the main file's own words
            device = Device(
                self.transport,
                self.model,
                user_id=f"setup-{context.name}",
                recogniser=exact,
                locale=self.locale,
                clock=_start,
            )
            for line in context.setup:
                device.say(line)
            if not device.session_open:
                raise ValueError(f"{MAIN}: the set-up of {context.name} closed the session")
            self.setups[context.name] = device
        setup = self.setups[context.name]
        self.runners += 1
        runner = Device(
            self.transport,
            self.model,
            user_id=f"runner-{self.runners}",
            recogniser=recogniser,
            locale=self.locale,
            clock=_start,
        )
        runner.session, runner.now = setup.session, setup.now
        record = self._record(setup.caller.user_id)
        if record is not None:
            self.store.replace(record_key(runner.caller.user_id), record)
        return runner

    def play(
        self, file: str, context: Context, phrase: str, expected: str, recogniser: Recogniser
    ) -> Result:
        runner = self.runner_at(context, recogniser)
        before = Place.of(self._record(runner.caller.user_id))
        turn = runner.say(phrase)
        after = Place.of(self._record(runner.caller.user_id))
        intent, slots = turn.intent, turn.slots
        if turn.request_type == "Connections.Response" and turn.match is not None:
            # Alexa asked for a permission and sent the skill the answer: the phrase was heard
            # as the intent that asked.
            intent, slots = turn.match.intent, turn.match.slots
        got = outcome(intent, slots, context)
        change = before.changes_to(after)
        return judge(
            file,
            context,
            phrase,
            expected,
            intent,
            got,
            turn.speech_text,
            change,
            not runner.session_open,
            self.locale,
        )


def run(
    files: Iterable[str] = FILES,
    recognisers: Iterable[str] = (STATISTICAL, EXACT),
    database: Path | None = None,
    locale: str = DEFAULT_LOCALE,
) -> dict[tuple[str, str], list[Result]]:
    """Every phrase of `files` said to a device in `locale` with each recogniser:
    {(recogniser, file): results}."""
    model = load_model(locale=locale)
    with tempfile.TemporaryDirectory() as scratch:
        stage = _Stage(database or Path(scratch) / "benchmark.sqlite3", model, locale)
        results: dict[tuple[str, str], list[Result]] = {}
        for name in recognisers:
            recogniser = recogniser_for(model, name)
            for file in files:
                results[name, file] = [
                    stage.play(file, context, phrase, expected, recogniser)
                    for context in load_file(file)
                    for phrase, expected in context.phrases.items()
                ]
        return results


def by_kind_of_intent(results: list[Result]) -> tuple[list[Result], list[Result]]:
    """(phrases meant for a custom intent's outcome, phrases meant for a built-in intent's)."""
    built_in = [
        r
        for r in results
        if r.expected.partition(":")[0] in BUILT_IN_OUTCOMES
        and not (r.expected == "help" and r.context == "choose")  # a custom intent's too
    ]
    return [r for r in results if r not in built_in], built_in


def share(results: list[Result]) -> float:
    return sum(r.understood for r in results) / len(results) if results else 0.0


def destructive(results: list[Result]) -> list[Result]:
    return [r for r in results if r.destructive is not None]


def misheard(results: list[Result]) -> list[Result]:
    return [r for r in results if r.misheard]


def report(results: list[Result], misses: bool = True) -> str:
    lines = [f"understood: {share(results):.1%} of {len(results)} phrases"]
    for name in dict.fromkeys(r.context for r in results):
        mine = [r for r in results if r.context == name]
        harmed = len(destructive(mine))
        closed = sum(r.closed for r in mine)
        lines.append(
            f"  {name}: {share(mine):.1%} of {len(mine)}, destructive {harmed}, closed {closed}"
        )
    heard_wrong, handled_wrong = len(misheard(results)), sum(r.mishandled for r in results)
    lines.append(
        f"destructive and unasked: {heard_wrong + handled_wrong} ({heard_wrong} misheard,"
        f" {handled_wrong} mishandled by the skill)"
    )
    for r in results if misses else ():
        if not r.understood or r.destructive or r.closed:
            cause = "misheard" if r.misheard else "mishandled"
            flag = f"DESTRUCTIVE, {cause} ({r.destructive}) " if r.destructive else ""
            flag += "CLOSED " if r.closed else ""
            lines.append(
                f"  {flag}[{r.context}] {r.phrase!r}: expected {r.expected}, got {r.got}"
                f" ({r.intent})"
            )
    return "\n".join(lines)
