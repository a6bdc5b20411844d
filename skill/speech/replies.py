"""Turn what the coach did (events, positions) into what Alexa says: SSML, reprompt, and whether
the microphone stays open. All wording comes from the phrasebook and the workout content."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from skill.coaching import events as ev
from skill.coaching.coach import Coach, Transition
from skill.coaching.history import SESSIONS_A_WEEK, History
from skill.coaching.progress import MAX_SPOKEN_REST_SECONDS, MIN_REST_SECONDS, Progress
from skill.content.models import Exercise, Move, Reps, Step, WorkoutPlan
from skill.speech.phrasebook import Phrasebook
from skill.speech.rest_pacing import Cue, Pause, RestBeat, Sound, pace_rest
from skill.speech.set_pacing import (
    BREATHER_SECONDS,
    GET_SET_SECONDS,
    INTRODUCTION_SECONDS,
    RESPONSE_SECONDS,
    TALK_SECONDS,
    led_in_halves,
    work_seconds,
)
from skill.speech.sounds import REST_OVER, WORKOUT_DONE
from skill.speech.ssml import Piece, Speech
from skill.speech.timing import speech_seconds


@dataclass(frozen=True)
class Reply:
    said: Speech  # what is said, with its own record of when (skill.speech.ssml)
    reprompt: str | None  # SSML; None when the session ends
    end_session: bool
    pending: str | None = None  # the yes/no question asked, so a bare yes or no can be read
    routine: str | None = None  # the warm-up or cool-down part "next" leads: "warm_up:1"

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
}


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


class Composer:
    def __init__(self, coach: Coach, phrases: Phrasebook) -> None:
        self.coach = coach
        self.phrases = phrases
        self._rest_beats: dict[int, tuple[RestBeat, ...]] = {}
        self._leads: dict[str, tuple[Speech, float] | None] = {}
        # Rendered pieces that depend only on the content, kept per key (a hot path).
        self._rendered: dict[tuple[object, ...], tuple[Piece, ...]] = {}

    # --- small phrases ----------------------------------------------------------------------

    def reps(self, reps: Reps) -> str:
        return reps_words(self.phrases, reps)

    def unit(self, unit: str, count: int) -> str:
        """The unit's word for `count` of it: set or sets."""
        return self.phrases.say(f"units.{unit}.{'one' if count == 1 else 'many'}")

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
        seconds = sum(move.seconds for part in moves for move in part)
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
        if exercise.steps:
            speech.say(self.phrases.say("exercise.steps", count=len(exercise.steps)))
            for step in exercise.steps:
                speech.say(
                    self.phrases.say(
                        "exercise.step",
                        name=step.name,
                        cue=step.cue.rstrip("."),
                        reps=self.reps(step.reps),
                    )
                )
        speech.say(self.phrases.say("exercise.cues", cues=" ".join(exercise.cues)))
        return speech

    def announce_set(
        self, exercise: Exercise, set_number: int, named: bool, variant: int = 0, lead: bool = True
    ) -> Speech:
        """The set's announcement, the set led step by step where it has steps or halves, and
        what to say when it is done. Without `lead` (no room left in the response), the runner
        is told how to be led: "repeat" announces the set again, led."""
        key = ("set", exercise.id, set_number, named, variant % 12, lead)
        return self._memo(key, lambda: self._announce(exercise, set_number, named, variant, lead))

    def _announce(
        self, exercise: Exercise, set_number: int, named: bool, variant: int, lead: bool
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
        led = self.lead_set(exercise)
        if led is None:
            return speech.say(self.phrases.say("set.go", variant))
        if not lead:
            return speech.say(self.phrases.say("set.lead_on_repeat"))
        return speech.extend(led[0]).say(self.phrases.say("set.led_done", variant))

    def lead_set(self, exercise: Exercise) -> tuple[Speech, float] | None:
        """Each step called with its cue and reps, or each half with the switch between them,
        paced at the coach's tempo, and how long that lasts; None for a set the runner does at
        their own pace."""
        led = self._leads.get(exercise.id)
        if led is None and exercise.id not in self._leads:
            led = self._lead(exercise)
            self._leads[exercise.id] = led
        return led

    def _lead(self, exercise: Exercise) -> tuple[Speech, float] | None:
        if exercise.steps:
            speech = Speech().pause(GET_SET_SECONDS)
            seconds = GET_SET_SECONDS
            for number, step in enumerate(exercise.steps):
                if number:
                    speech.pause(BREATHER_SECONDS)
                    seconds += BREATHER_SECONDS
                call = self.step_call(step)
                speech.say(call).pause(work_seconds(step.reps))
                seconds += speech_seconds(call) + work_seconds(step.reps)
            return speech, seconds
        if led_in_halves(exercise):
            half = work_seconds(exercise.reps)
            switch = self.phrases.say(f"set.switch.{exercise.reps.per}")
            begin = self.phrases.say("set.begin")
            speech = Speech().pause(GET_SET_SECONDS).say(begin).pause(half).say(switch)
            seconds = GET_SET_SECONDS + speech_seconds(begin) + 2 * half + speech_seconds(switch)
            return speech.pause(half), seconds
        return None

    def step_call(self, step: Step) -> str:
        """How a led set calls one of its steps (the screen finds it in the speech too)."""
        return self.phrases.say("set.step", name=step.name, cue=step.cue, reps=self.reps(step.reps))

    def room_to_lead(self, exercise: Exercise, paced: float, introduced: bool) -> bool:
        """Whether the set can be led in a response that already paces `paced` seconds (a rest,
        a warm-up part) and, when `introduced`, explains the exercise: the whole response must
        stay within RESPONSE_SECONDS."""
        led = self.lead_set(exercise)
        if led is None:
            return True
        talk = INTRODUCTION_SECONDS if introduced else TALK_SECONDS
        return paced + talk + led[1] <= RESPONSE_SECONDS

    def lead_moves(self, moves: tuple[Move, ...]) -> Speech:
        """A part of a warm-up or cool-down: each move called, held for its seconds (its call
        included), and the beep at the end, paced like a rest."""
        speech = Speech()
        for move in moves:
            name = move.name.rstrip(".")
            call = self.phrases.say("routine.move", move=name, seconds=move.seconds)
            speech.say(call).pause(max(0.0, move.seconds - speech_seconds(call)))
        return speech.sound(REST_OVER)

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

    def set_reprompt(self) -> str:
        return Speech().say(self.phrases.say("set.reprompt")).ssml()

    def hands_free_reprompt(self) -> str:
        return Speech().say(self.phrases.say("set.reprompt_hands_free")).ssml()

    def ask(self, speech: Speech, reprompt_key: str, pending: str | None = None) -> Reply:
        return Reply(speech, Speech().say(self.phrases.say(reprompt_key)).ssml(), False, pending)

    def ask_yes_no(self, speech: Speech, pending: str) -> Reply:
        """A yes/no question, kept open as `pending`, reprompted with its own reprompt."""
        return self.ask(speech, question_reprompt(pending), pending)

    # --- transitions --------------------------------------------------------------------------

    def transition(
        self,
        before: Progress,
        move: Transition,
        week: str | None = None,
        known: frozenset[str] = frozenset(),
    ) -> Reply:
        """`move` in words; `week`, if given, is said after a finished workout's summary; the
        exercises in `known` were explained to this runner before and get a one-line reminder."""
        after = move.progress
        speech = Speech()
        end_session = False
        pending: str | None = None
        routine: str | None = None
        paced = 0.0  # seconds of rest or warm-up already paced in this response
        introduced = False
        for event in move.events:
            match event:
                case ev.WorkoutStarted(workout_id=workout_id):
                    plan = self._plan(workout_id)
                    speech.say(
                        self.phrases.say(
                            "workout.start",
                            name=plan.name,
                            before=" ".join(plan.before),
                            count=len(plan.exercises),
                        )
                    )
                    if after.rest_seconds is not None and any(
                        e.rest_seconds != after.rest_seconds for e in plan.exercises
                    ):
                        speech.say(self.phrases.say("rest.kept", seconds=after.rest_seconds))
                case ev.WarmUpPart(part=part, parts=parts):
                    plan = self._plan(after.workout_id or "")
                    if part == 0:
                        speech.say(
                            self.phrases.say(
                                "warm_up.start", minutes=self.length(plan.warm_up), parts=parts
                            )
                        )
                    speech.say(self.phrases.say("warm_up.part", part=part + 1, parts=parts))
                    speech.extend(self.lead_moves(plan.warm_up[part]))
                    paced += sum(move.seconds for move in plan.warm_up[part])
                    if part + 1 < parts:
                        speech.say(self.phrases.say("warm_up.part_done", part, next=part + 2))
                        routine = f"warm_up:{part + 1}"
                    else:
                        speech.say(self.phrases.say("warm_up.done"))
                case ev.WarmUpSkipped():
                    speech.say(self.phrases.say("warm_up.skipped"))
                case ev.CoolDownOffered():
                    plan = self._plan(after.workout_id or "")
                    offer = self.phrases.say("cool_down.offer", minutes=self.length(plan.cool_down))
                    speech.say(offer)
                    pending = "cool_down"
                case ev.CoolDownPart(part=part, parts=parts):
                    plan = self._plan(after.workout_id or "")
                    speech.say(self.phrases.say("cool_down.part", part=part + 1, parts=parts))
                    speech.extend(self.lead_moves(plan.cool_down[part]))
                    if part + 1 < parts:
                        speech.say(self.phrases.say("cool_down.part_done", part, next=part + 2))
                        reprompt = Speech().say(self.phrases.say("cool_down.reprompt")).ssml()
                        routine = f"cool_down:{part + 1}"
                        return Reply(speech, reprompt, False, routine=routine)
                    speech.say(self.phrases.say("cool_down.done"))
                    return Reply(speech, None, True)
                case ev.StartedOver(workout_id=workout_id):
                    speech.say(
                        self.phrases.say("workout.started_over", name=self._plan(workout_id).name)
                    )
                case ev.ExerciseIntroduced(exercise_index=index):
                    plan = self._plan(after.workout_id or "")
                    if plan.exercises[index].id in known:
                        speech.extend(self.remind(plan, index))
                    else:
                        speech.extend(self.introduce_first(plan, index))
                    introduced = True
                case ev.SetAnnounced(exercise_index=index, set_number=number, with_name=named):
                    plan = self._plan(after.workout_id or "")
                    exercise = plan.exercises[index]
                    if number == 1 or named:
                        speech.say(self.load_reminder(after, exercise))
                    lead = self.room_to_lead(exercise, paced, introduced)
                    speech.extend(self.announce_set(exercise, number, named, after.sets_done, lead))
                case ev.RestStarted(seconds=seconds, last_set_of_exercise=last):
                    plan = self._plan(before.workout_id or "")
                    following = before.exercise_index + 1
                    finished = plan.exercises[following] if last else None
                    # A rest set longer with the coach's audio, on a device that cannot play it,
                    # is paced as long as one response can.
                    spoken = min(seconds, MAX_SPOKEN_REST_SECONDS)
                    speech.extend(self.rest(spoken, before.sets_done, finished))
                    paced += seconds
                case ev.ExerciseSkipped(exercise_index=index):
                    name = self._plan(before.workout_id or "").exercises[index].name
                    speech.say(self.phrases.say("exercise.skipped", name=name))
                case ev.MovedBack(exercise_index=index):
                    name = self._plan(after.workout_id or "").exercises[index].name
                    speech.say(self.phrases.say("exercise.moved_back", name=name))
                case ev.MovedBackASet():
                    speech.say(self.phrases.say("set.moved_back"))
                case ev.AlreadyFirst():
                    speech.say(self.phrases.say("exercise.already_first"))
                case ev.WentTo(exercise_index=index, switched_workout=switched):
                    plan = self._plan(after.workout_id or "")
                    speech.say(
                        self.phrases.say("exercise.went_to", name=plan.exercises[index].name)
                    )
                    if switched and before.active:
                        speech.say(self.phrases.say("exercise.switched_workout", workout=plan.name))
                case ev.Paused():
                    speech.extend(self.where(after, "pause.paused"))
                    return self.ask(speech, "pause.reprompt")
                case ev.Resumed():
                    speech.say(self.phrases.say("resume.resumed"))
                case ev.LoadChosen():
                    speech.extend(self.load_change(after, event))
                    if self.coach.position(after) is not None:
                        speech.say(self.phrases.say("set.go"))
                case ev.RestChanged(seconds=seconds):
                    key = "rest.changed" if after.active else "rest.changed_for_next"
                    speech.say(self.phrases.say(key, seconds=seconds))
                    if self.coach.position(after) is not None:  # then what to say next
                        speech.say(self.phrases.say("set.go"))
                case ev.RestRejected(asked=asked, minimum=low, maximum=high):
                    speech.say(
                        self.phrases.say(
                            "rest.out_of_range", asked=asked, minimum=low, maximum=high
                        )
                    )
                    return Reply(speech, self.rest_reprompt(high), False)
                case ev.WorkoutFinished():
                    speech.extend(self.finished(event, week))
                    end_session = True
                case ev.NoActiveWorkout(just_finished=just_finished):
                    speech.extend(self.no_workout(just_finished))
                    return self.ask(speech, "workouts.which")
        if pending == "cool_down":
            return self.ask_yes_no(speech, pending)
        if end_session:
            return Reply(speech, None, True)
        if self.coach.position(after) is None:
            return self.ask(speech, "workouts.which")
        if routine is not None:
            return Reply(speech, self.routine_reprompt(), False, routine=routine)
        return Reply(speech, self.set_reprompt(), False)

    def routine_reprompt(self) -> str:
        return Speech().say(self.phrases.say("warm_up.reprompt")).ssml()

    def skip_warm_up_unasked(self, progress: Progress) -> Reply:
        text = self.phrases.say("warm_up.none", hint=self.hint(progress))
        return self.ask(Speech().say(text), "help.reprompt")

    def cool_down_declined(self) -> Reply:
        return Reply(Speech().say(self.phrases.say("cool_down.declined")), None, True)

    def rest_reprompt(self, longest: int = MAX_SPOKEN_REST_SECONDS) -> str:
        text = self.phrases.say("rest.ask_reprompt", minimum=MIN_REST_SECONDS, maximum=longest)
        return Speech().say(text).ssml()

    def finished(self, done: ev.WorkoutFinished, week: str | None = None) -> Speech:
        plan = self._plan(done.workout_id)
        speech = Speech().sound(WORKOUT_DONE)
        speech.say(
            self.phrases.say(
                "workout.finished",
                name=plan.name,
                exercises=done.exercises_done,
                exercise_word=self.unit("exercises", done.exercises_done),
                sets=done.sets_done,
                set_word=self.unit("sets", done.sets_done),
                minutes=self.minutes(done.seconds_taken),
            )
        )
        names = {e.id: e for e in plan.exercises}
        if done.skipped:
            skipped = self.join([names[exercise_id].name for exercise_id in done.skipped])
            speech.say(self.phrases.say("workout.skipped_some", skipped=skipped))
        if done.cut_short:
            parts = [
                self.phrases.say(
                    "workout.cut_short_one",
                    name=names[exercise_id].name,
                    done=count,
                    sets=names[exercise_id].sets,
                )
                for exercise_id, count in done.cut_short
            ]
            speech.say(self.phrases.say("workout.cut_short", exercises=self.join(parts)))
        speech.say(*plan.after)
        if week:
            speech.say(week)
        return speech

    def no_workout(self, just_finished: str | None) -> Speech:
        plan = self.coach.library.get(just_finished) if just_finished else None
        if plan is None:
            return Speech().say(self.phrases.say("workout.no_active"))
        return Speech().say(
            self.phrases.say("workout.just_finished", name=plan.name, short=plan.id)
        )

    def where(self, progress: Progress, key: str) -> Speech:
        here = self.coach.position(progress)
        if here is None:
            return Speech()
        return Speech().say(
            self.phrases.say(
                key, name=here.exercise.name, set=here.set_number, sets=here.exercise.sets
            )
        )

    # --- replies that are not moves -------------------------------------------------------

    def launch(self, progress: Progress) -> Reply:
        here = self.coach.position(progress)
        if here is not None:
            offer = self.phrases.say(
                "launch.resume_offer",
                exercise=here.exercise.name,
                set=here.set_number,
                sets=here.exercise.sets,
            )
            return self.ask_yes_no(Speech().say(offer), "continue")
        if progress.workout_id:
            text = self.phrases.say("launch.returning", workouts=self.workout_names())
        else:
            text = self.phrases.say("launch.new", workouts=self.workout_options())
        return self.ask(Speech().say(text), "launch.ask_workout")

    def status(self, progress: Progress) -> Reply:
        return self.answer(progress, self.status_answer(progress))

    def status_answer(self, progress: Progress) -> Speech:
        """Where the runner is: exercise, set, sets left and what follows."""
        here = self.coach.position(progress)
        if here is None:
            return self._no_workout(progress)
        speech = Speech().say(
            self.phrases.say(
                "status.where",
                name=here.exercise.name,
                number=here.exercise_index + 1,
                count=len(here.workout.exercises),
                set=here.set_number,
                sets=here.exercise.sets,
            )
        )
        left = here.sets_left_after_this
        if left == 0:
            speech.say(self.phrases.say("status.last_set"))
        else:
            set_word = self.unit("sets", left)
            speech.say(self.phrases.say("status.sets_left", left=left, set_word=set_word))
        following = here.next_exercise
        if following is None:
            speech.say(self.phrases.say("status.last_exercise"))
        else:
            speech.say(self.phrases.say("status.next_exercise", name=following.name))
        if progress.paused:
            speech.say(self.phrases.say("status.paused"))
        return speech

    def how_to(self, progress: Progress, exercise_id: str | None = None) -> Reply:
        """The full explanation of the current exercise, or of one the runner named."""
        here = self.coach.position(progress)
        found = self.coach.library.find_exercise(exercise_id) if exercise_id else None
        if found is not None and (here is None or here.exercise.id != exercise_id):
            plan, index = found
            return self.answer(progress, self.introduce(plan, index))
        if here is None:
            return self.transition(progress, self.coach.nothing_active(progress))
        speech = self.introduce(here.workout, here.exercise_index)
        set_number = here.set_number
        speech.extend(self.announce_set(here.exercise, set_number, False, progress.sets_done))
        return Reply(speech, self.set_reprompt(), False)

    def go_ahead(self, progress: Progress) -> Reply:
        """Ready before a set: go, with the set said again (led, where it has steps). Being
        ready is never the set done."""
        here = self.coach.position(progress)
        if here is None:
            return self.help(progress)
        speech = Speech().say(self.phrases.say("set.ready"))
        speech.extend(self.announce_set(here.exercise, here.set_number, True, progress.sets_done))
        return Reply(speech, self.set_reprompt(), False)

    def repeat(self, progress: Progress) -> Reply:
        here = self.coach.position(progress)
        if here is None:
            return self.help(progress)
        speech = Speech().say(self.load_reminder(progress, here.exercise))
        speech.extend(self.announce_set(here.exercise, here.set_number, True, progress.sets_done))
        return Reply(speech, self.set_reprompt(), False)

    def help(
        self, progress: Progress, routine: str | None = None, hands_free: bool = False
    ) -> Reply:
        """What the runner can say here; `routine` is "warm_up" or "cool_down" during one;
        `hands_free` when the coach holds the device's player (its commands come first)."""
        if routine is not None:
            return self.ask(Speech().say(self.phrases.say(f"help.{routine}")), "help.reprompt")
        here = self.coach.position(progress)
        if here is None:
            return self.ask(Speech().say(self.phrases.say("help.idle")), "help.reprompt")
        text = self.phrases.say(
            "help.active", name=here.exercise.name, set=here.set_number, sets=here.exercise.sets
        )
        speech = Speech()
        if hands_free:
            speech.say(self.phrases.say("help.hands_free"))
        return self.ask(speech.say(text), "help.reprompt")

    def hint(self, progress: Progress, routine: str | None = None) -> str:
        """What to say next, here: in a warm-up or cool-down ("warm_up"), at a set, or idle."""
        if routine is not None:
            return self.phrases.say(f"hints.{routine}")
        return self.phrases.say("hints.active" if self.coach.position(progress) else "hints.idle")

    def fallback(
        self, progress: Progress, pending: str | None = None, routine: str | None = None
    ) -> Reply:
        """Words meant for no command: a short way on that fits the place. A question still
        waiting for its yes or no is asked again and stays asked."""
        if pending is not None:
            question = self.phrases.say(question_reprompt(pending))
            text = self.phrases.say("fallback.not_caught", hint=question)
            return self.ask(Speech().say(text), "confirm.reprompt", pending)
        text = self.phrases.say("fallback.not_caught", hint=self.hint(progress, routine))
        return self.ask(Speech().say(text), "help.reprompt")

    def goodbye(self, progress: Progress) -> Reply:
        speech = self.where(progress, "stop.saved")
        if speech.empty:
            speech.say(self.phrases.say("stop.goodbye"))
        return Reply(speech, None, True)

    def which_workout(self, heard: str | None) -> Reply:
        """Ask which workout; words that named none are not said back as if they were one."""
        speech = Speech()
        if heard:
            speech.say(self.phrases.say("workouts.unknown"))
        speech.say(self.phrases.say("workouts.which"))
        return self.ask(speech, "workouts.which")

    def which_exercise(self, progress: Progress, heard: str | None) -> Reply:
        """Ask which exercise; words that named none are not said back as if they were one."""
        here = self.coach.position(progress)
        plans = [here.workout] if here else list(self.coach.library.workouts)
        names = self.join([e.name for plan in plans for e in plan.exercises])
        if heard:
            key = "exercise.unknown" if here else "exercise.unknown_idle"
        else:
            key = "exercise.which"
        return self.ask(Speech().say(self.phrases.say(key, names=names)), "help.reprompt")

    def ask_rest(self, longest: int = MAX_SPOKEN_REST_SECONDS) -> Reply:
        speech = Speech().say(self.phrases.say("rest.ask"))
        return Reply(speech, self.rest_reprompt(longest), False)

    def nothing_to_confirm(self, progress: Progress, routine: str | None = None) -> Reply:
        text = self.phrases.say("confirm.nothing_pending", hint=self.hint(progress, routine))
        return self.ask(Speech().say(text), "help.reprompt")

    # --- what the coach remembers -----------------------------------------------------------

    def week_so_far(self, history: History, now: float) -> str:
        """Said after a workout: where this week stands against two sessions a week."""
        count = history.workouts_in_week_to(now)
        if count <= 1:
            return self.phrases.say("week.after_first")
        if count == SESSIONS_A_WEEK:
            return self.phrases.say("week.after_second")
        return self.phrases.say("week.after_more", count=count)

    def workouts_this_week(self, progress: Progress, history: History, now: float) -> Reply:
        count = history.workouts_in_week_to(now)
        key = {0: "week.none", 1: "week.one", SESSIONS_A_WEEK: "week.two"}.get(count, "week.more")
        speech = Speech().say(self.phrases.say(key, count=count))
        last = history.last()
        if last is not None and (plan := self.coach.library.get(last.workout_id)) is not None:
            days = max(0, int((now - last.finished_at) // 86400))
            when = self.phrases.say(
                {0: "week.today", 1: "week.yesterday"}.get(days, "week.days_ago"), days=days
            )
            speech.say(self.phrases.say("week.last", name=plan.name, when=when))
        speech.say(self.hint(progress))
        return self.ask(speech, "help.reprompt")

    def error(self, key: str = "error.generic", end_session: bool = False) -> Reply:
        speech = Speech().say(self.phrases.say(key))
        if end_session:
            return Reply(speech, None, True)
        return self.ask(speech, "help.reprompt")

    # --- answers to questions mid-workout ---------------------------------------------------

    def answer(self, progress: Progress, speech: Speech) -> Reply:
        """An answer that leaves the microphone open ends with what to say next."""
        if self.coach.position(progress) is None:
            speech.say(self.phrases.say("workouts.which"))
            return self.ask(speech, "workouts.which")
        speech.say(self.phrases.say("answers.prompt_paused" if progress.paused else "set.go"))
        return Reply(speech, self.set_reprompt(), False)

    def answer_then_offer(self, progress: Progress, speech: Speech) -> Reply:
        """An answer given while "Continue?" is still open: ask it again."""
        speech.say(self.phrases.say("answers.continue"))
        return self.ask_yes_no(speech, "continue")

    def _here_or_idle(self, progress: Progress, key: str, idle: Callable[[], Speech]) -> Speech:
        here = self.coach.position(progress)
        if here is None:
            return idle()
        return Speech().say(
            self.phrases.say(
                key,
                name=here.exercise.name,
                set=here.set_number,
                sets=here.exercise.sets,
                reps=self.reps(here.exercise.reps),
                works=here.exercise.works,
            )
        )

    def _no_workout(self, progress: Progress) -> Speech:
        return self.no_workout(progress.workout_id if progress.finished else None)

    def reps_answer(self, progress: Progress) -> Speech:
        return self._here_or_idle(progress, "answers.reps", lambda: self._no_workout(progress))

    def muscles_answer(self, progress: Progress) -> Speech:
        return self._here_or_idle(progress, "answers.muscles", lambda: self._no_workout(progress))

    def sets_answer(self, progress: Progress) -> Speech:
        here = self.coach.position(progress)
        if here is None:
            return self._no_workout(progress)
        left = here.sets_left_after_this
        return Speech().say(
            self.phrases.say(
                "answers.last_set" if left == 0 else "answers.sets_left",
                name=here.exercise.name,
                set=here.set_number,
                sets=here.exercise.sets,
                left=left,
                set_word=self.unit("sets", left),
            )
        )

    def next_answer(self, progress: Progress) -> Speech:
        here = self.coach.position(progress)
        if here is None:
            return self._no_workout(progress)
        following = here.next_exercise
        if following is None:
            return Speech().say(self.phrases.say("answers.next_last", name=here.exercise.name))
        return Speech().say(
            self.phrases.say("answers.next", name=here.exercise.name, next=following.name)
        )

    def remaining_answer(self, progress: Progress, workout_id: str | None) -> Speech:
        here = self.coach.position(progress)
        if here is None or (workout_id is not None and workout_id != here.workout.id):
            plans = [p for p in self.coach.library.workouts if workout_id in (None, p.id)]
            return Speech().say(
                *(
                    self.phrases.say(
                        "answers.workout_length",
                        name=plan.name,
                        minutes=self.minutes(self.coach.workout_seconds(plan, progress)),
                    )
                    for plan in plans
                )
            )
        left = len(here.workout.exercises) - here.exercise_index - 1
        minutes = self.minutes(self.coach.seconds_left(progress))
        if left == 0:
            key = "answers.remaining_last"
        else:
            key = "answers.remaining"
        return Speech().say(
            self.phrases.say(
                key,
                name=here.exercise.name,
                left=left,
                exercise_word=self.unit("exercises", left),
                minutes=minutes,
            )
        )

    def rest_answer(self, progress: Progress) -> Speech:
        seconds = self.coach.current_rest(progress)
        if seconds is not None:
            return Speech().say(self.phrases.say("answers.rest", seconds=seconds))
        return Speech().say(
            *(
                self.phrases.say(
                    "answers.rest_by_workout",
                    name=plan.name,
                    seconds=plan.exercises[0].rest_seconds,
                )
                for plan in self.coach.library.workouts
            )
        )

    def equipment_answer(self, progress: Progress, workout_id: str | None) -> Speech:
        """What the current exercise and its workout need, or the workout named, or both."""
        here = self.coach.position(progress)
        plans = list(self.coach.library.workouts)
        speech = Speech()
        if workout_id is not None:
            plans = [p for p in plans if p.id == workout_id]
        elif here is not None:
            plans = [here.workout]
            if here.exercise.needs:
                speech.say(
                    self.phrases.say(
                        "answers.exercise_needs", name=here.exercise.name, needs=here.exercise.needs
                    )
                )
        return speech.say(
            *(
                self.phrases.say("answers.equipment", name=plan.name, equipment=plan.equipment)
                for plan in plans
            )
        )

    def load_change(self, after: Progress, chosen: ev.LoadChosen) -> Speech:
        """What the runner hears on "too hard" / "too easy": the other way to do it, kept."""
        exercise = self._plan(after.workout_id or "").exercises[chosen.exercise_index]
        if not chosen.available:
            key = "load.easiest" if chosen.load == "easier" else "load.hardest"
            return Speech().say(self.phrases.say(key, name=exercise.name))
        if chosen.load is None:
            return Speech().say(self.phrases.say("load.as_planned", name=exercise.name))
        option = exercise.easier if chosen.load == "easier" else exercise.harder
        key = "load.easier" if chosen.load == "easier" else "load.harder"
        return Speech().say(
            self.phrases.say(key, name=exercise.name, option=option),
            self.phrases.say("load.kept"),
        )

    def load_reminder(self, progress: Progress, exercise: Exercise) -> str:
        """Said as a set of an exercise done another way begins: which way."""
        load = progress.load_of(exercise.id)
        if load is None:
            return ""
        if load == "easier":
            return self.phrases.say("load.reminder_easier", option=exercise.easier)
        return self.phrases.say("load.reminder_harder", option=exercise.harder)

    def rest_at_limit(self, progress: Progress, seconds: int, longer: bool) -> Reply:
        key = "rest.at_longest" if longer else "rest.at_shortest"
        return self.answer(progress, Speech().say(self.phrases.say(key, seconds=seconds)))

    # --- asking before a move that loses the runner's place ---------------------------------

    def _confirm(self, progress: Progress, key: str, pending: str, **values: str) -> Reply:
        here = self.coach.position(progress)
        assert here is not None  # only asked with a workout under way
        place = {"set": here.set_number, "sets": here.exercise.sets}
        text = self.phrases.say(
            key, 0, current=here.workout.name, name=here.exercise.name, **place, **values
        )
        return self.ask_yes_no(Speech().say(text), pending)

    def confirm_start_over(self, progress: Progress) -> Reply:
        return self._confirm(progress, "confirm.start_over", "start_over")

    def confirm_switch(self, progress: Progress, workout_id: str) -> Reply:
        workout = self._plan(workout_id).name
        return self._confirm(progress, "confirm.switch", f"switch:{workout_id}", workout=workout)

    def confirm_go_to(self, progress: Progress, exercise_id: str) -> Reply:
        found = self.coach.library.find_exercise(exercise_id)
        assert found is not None
        plan, index = found
        exercise = plan.exercises[index].name
        pending = f"go_to:{exercise_id}"
        return self._confirm(
            progress, "confirm.go_to", pending, exercise=exercise, workout=plan.name
        )

    def kept_place(self, progress: Progress) -> Reply:
        return self.answer(progress, self.where(progress, "confirm.kept"))

    def already_on(self, progress: Progress) -> Reply:
        here = self.coach.position(progress)
        assert here is not None  # only said with a workout under way
        speech = Speech().say(self.phrases.say("confirm.already_on", workout=here.workout.name))
        speech.extend(self.announce_set(here.exercise, here.set_number, named=True))
        return self.answer(progress, speech)
