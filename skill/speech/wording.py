"""The coach's words for exercises, sets and rests, the building blocks every reply is made of;
and a reply itself (`Reply`). All wording comes from the phrasebook and the workout content."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Self

from skill.coaching import events as ev
from skill.coaching.coach import Coach
from skill.coaching.progress import USUAL_PACE, Progress
from skill.content.models import REPS_MARK, Exercise, Move, Reps, Step, Substitute, WorkoutPlan
from skill.speech.phrasebook import Phrasebook
from skill.speech.rest_pacing import Cue, Pause, RestBeat, Sound, pace_rest
from skill.speech.set_pacing import (
    BREATHER_SECONDS,
    GET_SET_SECONDS,
    INTRODUCTION_SECONDS,
    RESPONSE_SECONDS,
    TALK_SECONDS,
    led_in_halves,
    rep_seconds,
    work_seconds,
)
from skill.speech.sounds import REST_OVER
from skill.speech.ssml import Piece, Speech
from skill.speech.timing import speech_seconds


@dataclass(frozen=True)
class Reply:
    said: Speech  # what is said, with its own record of when (skill.speech.ssml)
    reprompt: str | None  # SSML; None when the session ends
    end_session: bool
    pending: str | None = None  # the yes/no question asked, so a bare yes or no can be read
    routine: str | None = None  # the warm-up or cool-down part "next" leads: "warm_up:1"
    # Seconds into `said` when a rest paced in words ends (the next set is announced): "next"
    # said over it is the runner starting that set, not a set done.
    rest_ends: float | None = None
    # Seconds into `said` by which the runner has heard the set called after a rest, an
    # introduction or a warm-up: "next" said before then is the runner starting that set.
    set_called: float | None = None
    # Seconds into `said` when the warm-up's last part, led before its first set, ends: pain
    # said before then is the warm-up's, not the exercise's, which has not begun.
    warm_up_ends: float | None = None
    # Seconds into `said` by which the runner has heard "Off you go" and the set: they start
    # it now, so a "skip" on a last set just after is not that set done.
    started: float | None = None
    ends_rest: bool = False  # says the rest is over ("Rest over."), however long it had to run
    # The words that asked the open question `pending`, when this reply only points back to it
    # ("You're welcome. Please say yes or no."): kept as its words, so help, "repeat" and an
    # answer given next ask the question itself, not the pointer to it.
    asked_with: tuple[str, ...] = ()

    @property
    def speech(self) -> str:
        """The SSML said."""
        return self.said.ssml()


# Each yes/no question's own reprompt, by the pending question it is ("switch:dumbbell" is
# "switch"); the confirmations share one. Said when the question is asked, and again when the
# runner's words answered it with nothing.
_QUESTION_REPROMPTS = {
    "continue": "launch.resume_offer_reprompt",
    "cool_down": "cool_down.offer_reprompt",
    "remind": "remind.offer_reprompt",
    "step_up": "progression.reprompt",
}


def routine_seconds(parts: Sequence[Sequence[Move]]) -> int:
    """How long the warm-up or cool-down parts `parts` take, every move held."""
    return sum(move.seconds for part in parts for move in part)


def said_mid_sentence(move: Move, phrases: Phrasebook) -> str:
    """A move's name as said inside a sentence ("march on the spot ..."): its name for a list
    where it has one; else lowercased where the language does (English), as written where its
    nouns keep their capitals (German)."""
    if move.listed is not None:
        return move.listed
    if phrases.say("grammar.names_mid_sentence") == "as_written":
        return move.name
    return move.name[:1].lower() + move.name[1:]


def call_heard_at(before: float, call: Speech) -> float:
    """When a set called `before` seconds into a speech by `call` has been heard: at the end of
    its first words ("Set 2 of 3."), not their start."""
    first = call.pieces[0].seconds if call.pieces else 0.0
    return before + first


def question_reprompt(pending: str) -> str:
    return _QUESTION_REPROMPTS.get(pending.partition(":")[0], "confirm.reprompt")


def reps_words(phrases: Phrasebook, reps: Reps) -> str:
    """ "4 reps each side": the same words wherever a set's reps are said (speech or audio)."""
    if reps.count == 1:
        unit_one = phrases.say(f"units.{reps.unit}.one")
        amount = phrases.say("reps.one", unit_one=unit_one)
    else:
        unit = phrases.say(f"units.{reps.unit}.many")
        amount = phrases.say("reps.many", count=reps.count, unit=unit)
    if reps.per is None:
        return amount
    return phrases.say("reps.per", amount=amount, per=phrases.say(f"per.{reps.per}"))


# Hands-free, the microphone is closed while the runner works: the way on from a set is
# "Alexa, next", which reaches the coach's player; "say done" reaches it only while Alexa is
# still listening, seconds into a set. Each way on at a set, and its hands-free one.
HANDS_FREE_WAYS = {
    "set.go": "audio.go",
    "set.led_done": "audio.led_done",
    "set.reprompt": "set.reprompt_hands_free",
    "set.reprompt_first": "set.reprompt_hands_free",
    "hints.active": "hints.active_hands_free",
}


class Wording:
    """Small phrases (reps, units, lists, minutes) and the blocks of a reply: an exercise
    introduced or explained, a set announced or led step by step, a rest paced aloud.
    `hands_free`: the words for a runner whose coach holds the device's player, where every
    way on from a set is "Alexa, next" (`way_on`)."""

    def __init__(self, coach: Coach, phrases: Phrasebook, hands_free: bool = False) -> None:
        self.coach = coach
        self.phrases = phrases
        self.hands_free = hands_free
        self._rest_beats: dict[int, tuple[RestBeat, ...]] = {}
        self._leads: dict[str, tuple[Speech, float] | None] = {}
        # Rendered pieces that depend only on the content, kept per key (a hot path).
        self._rendered: dict[tuple[object, ...], tuple[Piece, ...]] = {}
        self._other_mode: Self | None = None

    def in_mode(self, hands_free: bool) -> Self:
        """These words for a runner in hands-free mode (or not): made once, then kept."""
        if hands_free == self.hands_free:
            return self
        if self._other_mode is None:
            self._other_mode = type(self)(self.coach, self.phrases, hands_free)
        return self._other_mode

    # --- small phrases ----------------------------------------------------------------------

    def way_on(self, key: str, variant: int = 0) -> str:
        """What to say to go on from a set (`key`, one of HANDS_FREE_WAYS): the one place it is
        chosen, so every answer at a set ends with the same way on, hands-free or not."""
        return self.phrases.say(HANDS_FREE_WAYS[key] if self.hands_free else key, variant)

    def reps(self, reps: Reps) -> str:
        return reps_words(self.phrases, reps)

    def unit(self, unit: str, count: int) -> str:
        """The unit's word for `count` of it: set or sets."""
        return self.phrases.say(f"units.{unit}.{'one' if count == 1 else 'many'}")

    def count(self, number: int) -> str:
        """A small count in words ("one workout"), a larger one as a number."""
        key = {1: "counts.one", 2: "counts.two"}.get(number)
        return str(number) if key is None else self.phrases.say(key)

    def join(self, items: list[str], style: str = "and") -> str:
        if len(items) < 2:
            return "".join(items)
        return self.phrases.say(f"lists.{style}", items=", ".join(items[:-1]), last=items[-1])

    def minutes(self, seconds: float) -> str:
        whole = round(seconds / 60)
        if seconds < 60:
            return self.phrases.say("time.under_a_minute")
        if whole == 1:
            return self.phrases.say("time.one_minute")
        return self.phrases.say("time.minutes", count=whole)

    def workout_options(self) -> str:
        """Each workout with what it needs, so the runner hears it before choosing."""
        options = [
            self.phrases.say("workouts.option", name=w.name, equipment=w.equipment)
            for w in self.coach.library.workouts
        ]
        return " ".join(options)

    def workout_names(self) -> str:
        return self.join([w.name for w in self.coach.library.workouts], "or")

    def length(self, moves: tuple[tuple[Move, ...], ...]) -> str:
        seconds = routine_seconds(moves)
        return self.phrases.say("time.length_minutes", count=max(1, round(seconds / 60)))

    def _plan(self, workout_id: str) -> WorkoutPlan:
        plan = self.coach.library.get(workout_id)
        if plan is None:
            raise KeyError(workout_id)
        return plan

    # --- building blocks --------------------------------------------------------------------

    def _memo(self, key: tuple[object, ...], render: Callable[[], Speech]) -> Speech:
        pieces = self._rendered.get(key)
        if pieces is None:
            pieces = render().pieces
            self._rendered[key] = pieces
        return Speech(pieces)

    def introduce(self, workout: WorkoutPlan, index: int) -> Speech:
        """The full explanation, for "how do I do this": muscles, steps, every cue."""
        return self._memo(("intro", workout.id, index), lambda: self._introduce(workout, index))

    def introduce_first(self, workout: WorkoutPlan, index: int) -> Speech:
        """The first time: name, why, set-up and the cues that matter most, nothing more."""
        return self._memo(("first", workout.id, index), lambda: self._first(workout, index))

    def remind(self, workout: WorkoutPlan, index: int) -> Speech:
        """For a runner who has had it explained before: its name and the cue that matters most."""
        exercise = workout.exercises[index]
        line = self.phrases.say(
            "exercise.reminder",
            number=index + 1,
            count=len(workout.exercises),
            name=exercise.name,
            cue=exercise.first_cues[0].rstrip("."),
        )
        return Speech().say(line)

    def _first(self, workout: WorkoutPlan, index: int) -> Speech:
        exercise = workout.exercises[index]
        count = len(workout.exercises)
        line = self.phrases.say(
            "exercise.first", number=index + 1, count=count, name=exercise.name, why=exercise.why
        )
        return Speech().say(line, exercise.setup, *exercise.first_cues)

    def _introduce(self, workout: WorkoutPlan, index: int) -> Speech:
        exercise = workout.exercises[index]
        count = len(workout.exercises)
        speech = Speech().say(
            self.phrases.say(
                "exercise.intro",
                number=index + 1,
                count=count,
                name=exercise.name,
                works=exercise.works,
                why=exercise.why,
            ),
            self.phrases.say("exercise.setup", setup=exercise.setup),
        )
        speech.extend(self.steps_told(exercise))
        speech.say(self.phrases.say("exercise.cues", cues=" ".join(exercise.cues)))
        return speech

    def announce_set(
        self,
        exercise: Exercise,
        set_number: int,
        named: bool,
        variant: int = 0,
        lead: bool = True,
        pace: int = USUAL_PACE,
    ) -> Speech:
        """The set's announcement, the set led step by step where it has steps or halves (at
        the runner's `pace`), and what to say when it is done. Without `lead` (no room left in
        the response), the runner is told how to be led: "repeat" announces the set again, led."""
        # The reps too: a runner who went up hears their own.
        key = ("set", exercise.id, exercise.reps.count, set_number, named, variant % 12, lead, pace)
        return self._memo(
            key, lambda: self._announce(exercise, set_number, named, variant, lead, pace)
        )

    def _announce(
        self, exercise: Exercise, set_number: int, named: bool, variant: int, lead: bool, pace: int
    ) -> Speech:
        reps = self.reps(exercise.reps)
        if named:
            line = self.phrases.say(
                "set.named", name=exercise.name, set=set_number, sets=exercise.sets, reps=reps
            )
        elif set_number == 1:
            line = self.phrases.say("set.first", sets=exercise.sets, reps=reps)
        else:
            line = self.phrases.say("set.next", set=set_number, sets=exercise.sets)
        speech = Speech().say(line)
        led = self.lead_set(exercise, pace)
        if led is None:
            return speech.say(self.way_on("set.go", variant))
        if not lead:
            return speech.say(self.phrases.say("set.lead_on_repeat"))
        return speech.extend(led[0]).say(self.way_on("set.led_done", variant))

    def lead_from(
        self, exercise: Exercise, step: int, variant: int = 0, pace: int = USUAL_PACE
    ) -> Speech:
        """ "I missed the T": the set led again from its step `step` on, then what to say."""
        key = ("from", exercise.id, exercise.reps.count, step, variant % 12, pace)

        def render() -> Speech:
            name = exercise.steps[step].name
            speech = Speech().say(self.phrases.say("set.from_step", name=name))
            led = self.lead_set(exercise, pace, step)
            assert led is not None  # a step of it: it is led
            return speech.extend(led[0]).say(self.way_on("set.led_done", variant))

        return self._memo(key, render)

    def lead_set(
        self, exercise: Exercise, pace: int = USUAL_PACE, first_step: int = 0
    ) -> tuple[Speech, float] | None:
        """Each step called with its cue and reps (from `first_step` on), or each half with the
        switch between them, paced at the coach's tempo at the runner's `pace`, and how long
        that lasts; None for a set the runner does at their own pace."""
        key = f"{exercise.id}:{exercise.reps.count}:{pace}:{first_step}"
        led = self._leads.get(key)
        if led is None and key not in self._leads:
            led = self._lead(exercise, pace, first_step)
            self._leads[key] = led
        return led

    def _lead(self, exercise: Exercise, pace: int, first_step: int) -> tuple[Speech, float] | None:
        if exercise.steps:
            speech = Speech().pause(GET_SET_SECONDS)
            seconds = GET_SET_SECONDS
            for number, step in enumerate(exercise.steps[first_step:]):
                if number:
                    speech.pause(BREATHER_SECONDS)
                    seconds += BREATHER_SECONDS
                call = self.step_call(step)
                speech.say(call).pause(work_seconds(step.reps, pace))
                seconds += speech_seconds(call) + work_seconds(step.reps, pace)
            return speech, seconds
        if led_in_halves(exercise):
            half = work_seconds(exercise.reps, pace)
            switch = self.phrases.say(f"set.switch.{exercise.reps.per}")
            begin = self.phrases.say("set.begin")
            speech = Speech().pause(GET_SET_SECONDS).say(begin).pause(half).say(switch)
            seconds = GET_SET_SECONDS + speech_seconds(begin) + 2 * half + speech_seconds(switch)
            return speech.pause(half), seconds
        return None

    def step_call(self, step: Step) -> str:
        """How a led set calls one of its steps (the screen finds it in the speech too)."""
        return self.phrases.say("set.step", name=step.name, cue=step.cue, reps=self.reps(step.reps))

    def pace_kept(self, pace: int) -> str:
        """Said as a workout starts at a pace the runner chose before."""
        return self.phrases.say("pace.kept", seconds=self.rep_seconds(pace))

    def rep_seconds(self, pace: int) -> str:
        """The seconds a rep takes at `pace`, as said: "4", "2.5" ("2,5" in German)."""
        return f"{rep_seconds(pace):g}".replace(".", self.phrases.say("numbers.decimal_point"))

    def room_to_lead(
        self, exercise: Exercise, paced: float, introduced: bool, pace: int = USUAL_PACE
    ) -> bool:
        """Whether the set can be led at `pace` in a response that already paces `paced`
        seconds (a rest, a warm-up part, words said first) and, when `introduced`, explains the
        exercise: the whole response must stay within RESPONSE_SECONDS."""
        led = self.lead_set(exercise, pace)
        if led is None:
            return True
        talk = INTRODUCTION_SECONDS if introduced else TALK_SECONDS
        return paced + talk + led[1] <= RESPONSE_SECONDS

    def lead_moves(self, moves: tuple[Move, ...]) -> Speech:
        """A part of a warm-up or cool-down: each move called, held for its seconds (its call
        included), and the beep at the end, paced like a rest."""
        speech = Speech()
        for move in moves:
            call = self.move_call(move)
            speech.say(call).pause(max(0.0, move.seconds - speech_seconds(call)))
        return speech.sound(REST_OVER)

    def move_call(self, move: Move) -> str:
        """How a warm-up or cool-down part calls one of its moves (the screen finds it in the
        speech too)."""
        name = move.name.rstrip(".")
        return self.phrases.say("routine.move", move=name, seconds=move.seconds)

    def rest_beats(self, seconds: int) -> tuple[RestBeat, ...]:
        beats = self._rest_beats.get(seconds)
        if beats is None:  # pure in the rest length: pace each length once
            beats = pace_rest(seconds, lambda key: speech_seconds(self.phrases.say(key)))
            self._rest_beats[seconds] = beats
        return beats

    def rest(self, seconds: int, variant: int, next_exercise: Exercise | None) -> Speech:
        variant %= len(self.phrases.variants("rest.praise"))
        key = ("rest", seconds, variant, next_exercise.id if next_exercise else None)
        return self._memo(key, lambda: self._rest(seconds, variant, next_exercise))

    def _rest(self, seconds: int, variant: int, next_exercise: Exercise | None) -> Speech:
        speech = Speech().say(self.phrases.say("rest.praise", variant))
        if next_exercise is not None:
            speech.say(self.phrases.say("exercise.next_up", name=next_exercise.name))
        speech.say(self.phrases.say("rest.start", seconds=seconds))
        for beat in self.rest_beats(seconds):
            if isinstance(beat, Pause):
                speech.pause(beat.seconds)
            elif isinstance(beat, Cue):
                speech.say(self.phrases.say(beat.key))
            elif isinstance(beat, Sound):
                speech.sound(beat.clip)
        return speech

    def announce_extra(self, exercise: Exercise, variant: int = 0) -> Speech:
        """One more set of `exercise` than planned, and what to say when it is done."""
        extra = self.phrases.say("set.extra", name=exercise.name, reps=self.reps(exercise.reps))
        return Speech().say(extra, self.way_on("set.go", variant))

    def steps_told(self, exercise: Exercise) -> Speech:
        """The steps of a multi-part move, one by one with their cue and reps; none without."""
        speech = Speech()
        if exercise.steps:
            speech.say(self.phrases.say("exercise.steps", count=len(exercise.steps)))
        for step in exercise.steps:
            cue = step.cue.rstrip(".")
            speech.say(
                self.phrases.say(
                    "exercise.step", name=step.name, cue=cue, reps=self.reps(step.reps)
                )
            )
        return speech

    def set_reprompt(self, progress: Progress | None = None) -> str:
        """Said if the runner is silent after a set is announced: short, except on a workout's
        first set, where it also says how to come back once the microphone closes. Paused, it
        says how to resume, as the pause itself does ("done" would count a set not begun)."""
        if progress is not None and progress.paused:
            return Speech().say(self.phrases.say("pause.reprompt")).ssml()
        first = progress is not None and progress.active and progress.sets_done == 0
        return Speech().say(self.way_on("set.reprompt_first" if first else "set.reprompt")).ssml()

    def go(self, progress: Progress) -> str:
        """What to say next at a set, after an answer: "done" ("Alexa, next", hands-free) when
        it is done, or, paused, how to resume."""
        if progress.paused:
            return self.phrases.say("answers.prompt_paused")
        return self.way_on("set.go")

    def way_on_at_set(self, progress: Progress, rest_left: float | None = None) -> Speech:
        """What to say next at a set, after an answer (`go`). Given over a rest paced in
        words (`rest_left` seconds of it, which runs on unspoken), how long it still runs and
        the set after it come first: "say done when you finish" alone sounds as if that set
        were under way."""
        speech = Speech()
        here = self.coach.position(progress)
        if rest_left is not None and here is not None and not progress.paused:
            seconds = max(1, round(rest_left))
            set_number, sets = here.set_number, here.exercise.sets
            speech.say(
                self.phrases.say("rest.left_then", seconds=seconds, set=set_number, sets=sets)
            )
        return speech.say(self.go(progress))

    def hands_free_reprompt(self, routine: str | None = None) -> str:
        """The way on once the microphone closes: "Alexa, next", for the set or, in a warm-up
        or cool-down (`routine`), its next part."""
        keys = {
            "warm_up": "warm_up.reprompt_hands_free",
            "cool_down": "cool_down.reprompt_hands_free",
        }
        key = keys.get(routine or "", "set.reprompt_hands_free")
        return Speech().say(self.phrases.say(key)).ssml()

    def ask(self, speech: Speech, reprompt_key: str, pending: str | None = None) -> Reply:
        return Reply(speech, Speech().say(self.phrases.say(reprompt_key)).ssml(), False, pending)

    def ask_yes_no(self, speech: Speech, pending: str) -> Reply:
        """A yes/no question, kept open as `pending`, reprompted with its own reprompt."""
        return self.ask(speech, question_reprompt(pending), pending)

    def hint(self, progress: Progress, routine: str | None = None, resting: bool = False) -> str:
        """What to say next, here: in a warm-up or cool-down ("warm_up"), at a set (paused or
        not), or idle; `resting` today after being told to stop, no way on (the place kept)."""
        if resting:
            kept = self.coach.position(progress) is not None
            return self.phrases.say("hints.resting_kept" if kept else "hints.resting")
        if routine is not None:
            return self.phrases.say(f"hints.{routine}")
        if self.coach.position(progress) is None:
            return self.phrases.say("hints.idle")
        return self.phrases.say("hints.paused") if progress.paused else self.way_on("hints.active")

    def load_change(self, after: Progress, chosen: ev.LoadChosen) -> Speech:
        """What the runner hears on "too hard" / "too easy": the other way to do it, kept."""
        exercise = self._plan(after.workout_id or "").exercises[chosen.exercise_index]
        if not chosen.available:
            key = "load.easiest" if chosen.load == "easier" else "load.hardest"
            return Speech().say(self.phrases.say(key, name=exercise.name))
        if chosen.load is None:
            return Speech().say(self.phrases.say("load.as_planned", name=exercise.name))
        option = self.way_words(after, exercise, chosen.load)
        key = "load.easier" if chosen.load == "easier" else "load.harder"
        return Speech().say(
            self.phrases.say(key, name=exercise.name, option=option),
            self.phrases.say("load.kept"),
        )

    def load_reminder(self, progress: Progress, exercise: Exercise, explained: bool = False) -> str:
        """Said as a set of an exercise done another way begins: which way (a stand-in for
        missing kit, unless `explained` just now; else the easier or harder way)."""
        stand_in = self.coach.stand_in(progress, exercise)
        if stand_in is not None:
            return "" if explained else self.phrases.say("kit.reminder", way=stand_in.name)
        load = progress.load_of(exercise.id)
        if load is None:
            return ""
        key = "load.reminder_easier" if load == "easier" else "load.reminder_harder"
        return self.phrases.say(key, option=self.way_words(progress, exercise, load))

    def way_words(self, progress: Progress, exercise: Exercise, load: str) -> str | None:
        """The easier or harder way (`load`) to do `exercise`, as said: with its own reps, where
        it has some, worded as the set call says them ("Do only 5 reps each letter")."""
        way = self.coach.load_way(progress, exercise, load)
        reps = exercise.load_reps(load)
        if way is None or reps is None:
            return way
        return way.replace(REPS_MARK, self.reps(exercise.at_reps(reps).reps))

    # --- missing kit ------------------------------------------------------------------------

    def kit_names(self, kit: Iterable[str], without: bool = False) -> str:
        """How the coach says pieces of kit: "a pull-up bar or a stability ball"; all of it is
        "any kit". `without`: as said after "without" ("ohne Klimmzugstange")."""
        ids = set(kit)
        library = self.coach.library
        if library.kit_ids and ids >= library.kit_ids:
            return self.phrases.say("kit.any")
        names = [p.without if without else p.name for p in library.kit if p.id in ids]
        return self.join(names, "or")

    def doing_name(self, progress: Progress, exercise: Exercise) -> str:
        """The name of the move the runner is doing for `exercise`: its other way when they
        lack its kit ("slow dumbbell row", not the L-sit chin-up they cannot do)."""
        stand_in = self.coach.stand_in(progress, exercise)
        return exercise.name if stand_in is None else stand_in.name

    def stand_in_way(self, stand_in: Substitute) -> str:
        """ "Without a pull-up bar, do the floor pull instead", and how."""
        kit = self.kit_names((stand_in.kit,), without=True)
        return self.phrases.say(
            "kit.stand_in", kit=kit, way=stand_in.name, instead=stand_in.instead
        )

    def introduce_stand_in(
        self, workout: WorkoutPlan, index: int, stand_in: Substitute, full: bool = False
    ) -> Speech:
        """An exercise done another way for missing kit: its name and the other way (the why,
        set-up and cues are for the kit). `full`, for "how do I do this": the muscles and any
        steps too."""
        exercise = workout.exercises[index]
        number, count = index + 1, len(workout.exercises)
        line = self.phrases.say("exercise.stand_in", number=number, count=count, name=exercise.name)
        speech = Speech().say(line, self.stand_in_way(stand_in))
        if not full:
            return speech
        speech.say(self.stand_in_works(exercise, stand_in))
        speech.extend(self.steps_told(exercise))
        return speech

    def stand_in_works(self, exercise: Exercise, stand_in: Substitute) -> str:
        """ "With the slow dumbbell row, you work your upper back and biceps": the muscles of
        the way the runner is doing `exercise` (its own, when the other way is the same move)."""
        works = stand_in.works or exercise.works
        return self.phrases.say("answers.stand_in_muscles", way=stand_in.name, works=works)

    def kit_words(self, after: Progress, event: ev.Event) -> Speech:
        """What a change of kit says, before the set is called (or what to say next is)."""
        plan = self._plan(after.workout_id or "")
        match event:
            case ev.StandInGiven(exercise_index=index):
                stand_in = self.coach.stand_in(after, plan.exercises[index])
                return Speech().say(self.stand_in_way(stand_in) if stand_in else "")
            case ev.KitNoted(kit=kit, exercise_index=index):
                return self.kit_noted(after, plan, kit, index)
            case ev.KitBack(kit=kit, changed=changed):
                speech = Speech().say(self.kit_back(kit))
                if not changed:  # the kit named as after "without": German's "ohne Hantelbank"
                    named = self.kit_names(kit, without=True)
                    speech.say(self.phrases.say("kit.back_noted", kit=named))
                here = self.coach.position(after)
                if here is not None and after.load_of(here.exercise.id) == "harder":
                    if set(kit) & set(here.exercise.harder_kit):  # its harder way uses it again
                        speech.say(self.load_reminder(after, here.exercise))
                return speech
            case ev.StandInLoad(exercise_index=index, harder=harder):
                stand_in = self.coach.stand_in(after, plan.exercises[index])
                key = "load.stand_in_harder" if harder else "load.stand_in_easier"
                return Speech().say(self.phrases.say(key, way=stand_in.name if stand_in else ""))
        return Speech()

    def kit_back(self, kit: tuple[str, ...]) -> str:
        if set(kit) >= self.coach.library.kit_ids:
            return self.phrases.say("kit.back_all")
        return self.phrases.say("kit.back", kit=self.kit_names(kit))

    def kit_noted(
        self, after: Progress, plan: WorkoutPlan, kit: tuple[str, ...], index: int
    ) -> Speech:
        """Kit the exercise the runner is on does not need: said so, and whether any exercise
        left in the workout does."""
        names = self.kit_names(kit, without=True)
        exercise = plan.exercises[index]
        speech = Speech()
        everything = set(kit) >= self.coach.library.kit_ids
        # "I only have dumbbells": what is had, not a list of kit the runner never named
        only = len(kit) > 2 and not everything
        if set(kit).isdisjoint(exercise.kit) and exercise.kit and only:
            kept = self.join([p.name for p in self.coach.library.kit if p.id in exercise.kit])
            speech.say(self.phrases.say("kit.needs_only", name=exercise.name, kit=kept))
        elif set(kit).isdisjoint(exercise.kit):
            speech.say(self.phrases.say("kit.not_needed", name=exercise.name, kit=names))
        later = plan.exercises[index:]
        needed = any(not set(kit).isdisjoint(e.kit) for e in later)
        if only:
            return speech.say(self.phrases.say("kit.noted_other" if needed else "kit.none_other"))
        key = "kit.noted" if needed else "kit.noted_not_here"
        return speech.say(self.phrases.say(key, kit=names))
