"""Turn what the coach did (events, positions) into what Alexa says: SSML, reprompt, and whether
the microphone stays open. All wording comes from the phrasebook and the workout content."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from skill.coaching import events as ev
from skill.coaching.coach import Coach, Transition
from skill.coaching.progress import MAX_REST_SECONDS, MIN_REST_SECONDS, Progress
from skill.content.models import Exercise, Reps, WorkoutPlan
from skill.speech.phrasebook import Phrasebook
from skill.speech.rest_pacing import Cue, Pause, RestBeat, Sound, pace_rest
from skill.speech.sounds import WORKOUT_DONE
from skill.speech.ssml import Speech
from skill.speech.timing import speech_seconds


@dataclass(frozen=True)
class Reply:
    speech: str  # SSML
    reprompt: str | None  # SSML; None when the session ends
    end_session: bool
    pending: str | None = None  # the yes/no question asked, so a bare yes or no can be read


class Composer:
    def __init__(self, coach: Coach, phrases: Phrasebook) -> None:
        self.coach = coach
        self.phrases = phrases
        self._rest_beats: dict[int, tuple[RestBeat, ...]] = {}
        # Rendered pieces that depend only on the content, kept per key (a hot path).
        self._rendered: dict[tuple[object, ...], tuple[str, ...]] = {}

    # --- small phrases ----------------------------------------------------------------------

    def reps(self, reps: Reps) -> str:
        if reps.count == 1:
            unit_one = self.phrases.say(f"units.{reps.unit}.one")
            amount = self.phrases.say("reps.one", unit_one=unit_one)
        else:
            unit = self.phrases.say(f"units.{reps.unit}.many")
            amount = self.phrases.say("reps.many", count=reps.count, unit=unit)
        if reps.per is None:
            return amount
        return self.phrases.say("reps.per", amount=amount, per=self.phrases.say(f"per.{reps.per}"))

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
        options = [
            self.phrases.say("workouts.option", name=w.name, summary=w.summary)
            for w in self.coach.library.workouts
        ]
        return " ".join(options)

    def _plan(self, workout_id: str) -> WorkoutPlan:
        plan = self.coach.library.get(workout_id)
        if plan is None:
            raise KeyError(workout_id)
        return plan

    # --- building blocks --------------------------------------------------------------------

    def _memo(self, key: tuple[object, ...], render: Callable[[], Speech]) -> Speech:
        parts = self._rendered.get(key)
        if parts is None:
            parts = render().parts
            self._rendered[key] = parts
        return Speech(parts)

    def introduce(self, workout: WorkoutPlan, index: int) -> Speech:
        return self._memo(("intro", workout.id, index), lambda: self._introduce(workout, index))

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

    def announce_set(self, exercise: Exercise, set_number: int, named: bool) -> Speech:
        reps = self.reps(exercise.reps)
        if named:
            line = self.phrases.say(
                "set.named", name=exercise.name, set=set_number, sets=exercise.sets, reps=reps
            )
        elif set_number == 1:
            line = self.phrases.say("set.first", sets=exercise.sets, reps=reps)
        else:
            line = self.phrases.say("set.next", set=set_number, sets=exercise.sets, reps=reps)
        speech = Speech().say(line)
        if exercise.steps:
            letters = self.join([step.name for step in exercise.steps], "then")
            speech.say(self.phrases.say("set.steps_order", letters=letters))
        return speech

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

    def ask(self, speech: Speech, reprompt_key: str, pending: str | None = None) -> Reply:
        return Reply(
            speech.ssml(), Speech().say(self.phrases.say(reprompt_key)).ssml(), False, pending
        )

    # --- transitions --------------------------------------------------------------------------

    def transition(self, before: Progress, move: Transition) -> Reply:
        after = move.progress
        speech = Speech()
        end_session = False
        announced = False
        introduced = False
        for event in move.events:
            match event:
                case ev.WorkoutStarted(workout_id=workout_id):
                    plan = self._plan(workout_id)
                    speech.say(
                        self.phrases.say(
                            "workout.start",
                            name=plan.name,
                            equipment=plan.equipment,
                            before=" ".join(plan.before),
                            count=len(plan.exercises),
                        )
                    )
                case ev.StartedOver(workout_id=workout_id):
                    speech.say(
                        self.phrases.say("workout.started_over", name=self._plan(workout_id).name)
                    )
                case ev.ExerciseIntroduced(exercise_index=index):
                    speech.extend(self.introduce(self._plan(after.workout_id or ""), index))
                    introduced = True
                case ev.SetAnnounced(exercise_index=index, set_number=number, with_name=named):
                    plan = self._plan(after.workout_id or "")
                    speech.extend(self.announce_set(plan.exercises[index], number, named))
                    announced = True
                case ev.RestStarted(seconds=seconds, last_set_of_exercise=last):
                    plan = self._plan(before.workout_id or "")
                    following = before.exercise_index + 1
                    finished = plan.exercises[following] if last else None
                    speech.extend(self.rest(seconds, before.sets_done, finished))
                case ev.ExerciseSkipped(exercise_index=index):
                    name = self._plan(before.workout_id or "").exercises[index].name
                    speech.say(self.phrases.say("exercise.skipped", name=name))
                case ev.MovedBack(exercise_index=index):
                    name = self._plan(after.workout_id or "").exercises[index].name
                    speech.say(self.phrases.say("exercise.moved_back", name=name))
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
                case ev.RestChanged(seconds=seconds):
                    speech.say(self.phrases.say("rest.changed", seconds=seconds))
                    if self.coach.position(after) is not None:  # then what to say next
                        speech.say(self.phrases.say("set.go"))
                case ev.RestRejected(asked=asked, minimum=low, maximum=high):
                    speech.say(
                        self.phrases.say(
                            "rest.out_of_range", asked=asked, minimum=low, maximum=high
                        )
                    )
                    return Reply(speech.ssml(), self.rest_reprompt(), False)
                case ev.WorkoutFinished():
                    speech.extend(self.finished(event))
                    end_session = True
                case ev.NoActiveWorkout(just_finished=just_finished):
                    speech.extend(self.no_workout(just_finished))
                    return self.ask(speech, "workouts.which")
        if announced and introduced:
            speech.say(self.phrases.say("set.go"))
        if end_session:
            return Reply(speech.ssml(), None, True)
        if self.coach.position(after) is None:
            return self.ask(speech, "workouts.which")
        return Reply(speech.ssml(), self.set_reprompt(), False)

    def rest_reprompt(self) -> str:
        text = self.phrases.say(
            "rest.ask_reprompt", minimum=MIN_REST_SECONDS, maximum=MAX_REST_SECONDS
        )
        return Speech().say(text).ssml()

    def finished(self, done: ev.WorkoutFinished) -> Speech:
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
        if done.skipped:
            names = [e.name for e in plan.exercises if e.id in done.skipped]
            speech.say(self.phrases.say("workout.skipped_some", skipped=self.join(names)))
        return speech.say(*plan.after)

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
            return self.ask(Speech().say(offer), "launch.resume_offer_reprompt", "continue")
        key = "launch.returning" if progress.workout_id else "launch.new"
        speech = Speech().say(self.phrases.say(key, workouts=self.workout_options()))
        return self.ask(speech, "launch.ask_workout")

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
        speech.extend(self.announce_set(here.exercise, here.set_number, named=False))
        return Reply(speech.ssml(), self.set_reprompt(), False)

    def repeat(self, progress: Progress) -> Reply:
        here = self.coach.position(progress)
        if here is None:
            return self.help(progress)
        speech = self.announce_set(here.exercise, here.set_number, named=True)
        return Reply(speech.ssml(), self.set_reprompt(), False)

    def help(self, progress: Progress) -> Reply:
        here = self.coach.position(progress)
        if here is None:
            return self.ask(Speech().say(self.phrases.say("help.idle")), "help.reprompt")
        text = self.phrases.say(
            "help.active", name=here.exercise.name, set=here.set_number, sets=here.exercise.sets
        )
        return self.ask(Speech().say(text), "help.reprompt")

    def hint(self, progress: Progress) -> str:
        return self.phrases.say("hints.active" if self.coach.position(progress) else "hints.idle")

    def fallback(self, progress: Progress) -> Reply:
        text = self.phrases.say("fallback.not_caught", hint=self.hint(progress))
        return self.ask(Speech().say(text), "help.reprompt")

    def goodbye(self, progress: Progress) -> Reply:
        speech = self.where(progress, "stop.saved")
        if speech.empty:
            speech.say(self.phrases.say("stop.goodbye"))
        return Reply(speech.ssml(), None, True)

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

    def ask_rest(self) -> Reply:
        return Reply(Speech().say(self.phrases.say("rest.ask")).ssml(), self.rest_reprompt(), False)

    def nothing_to_confirm(self, progress: Progress) -> Reply:
        text = self.phrases.say("confirm.nothing_pending", hint=self.hint(progress))
        return self.ask(Speech().say(text), "help.reprompt")

    def error(self, key: str = "error.generic", end_session: bool = False) -> Reply:
        speech = Speech().say(self.phrases.say(key))
        if end_session:
            return Reply(speech.ssml(), None, True)
        return self.ask(speech, "help.reprompt")

    # --- answers to questions mid-workout ---------------------------------------------------

    def answer(self, progress: Progress, speech: Speech) -> Reply:
        """An answer that leaves the microphone open ends with what to say next."""
        if self.coach.position(progress) is None:
            speech.say(self.phrases.say("workouts.which"))
            return self.ask(speech, "workouts.which")
        speech.say(self.phrases.say("answers.prompt_paused" if progress.paused else "set.go"))
        return Reply(speech.ssml(), self.set_reprompt(), False)

    def answer_then_offer(self, progress: Progress, speech: Speech) -> Reply:
        """An answer given while "Continue?" is still open: ask it again."""
        speech.say(self.phrases.say("answers.continue"))
        return self.ask(speech, "launch.resume_offer_reprompt", "continue")

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

    def load_option(self, progress: Progress, harder: bool) -> Reply:
        """An easier or a harder way to do the current exercise."""
        here = self.coach.position(progress)
        if here is None:
            return self.transition(progress, self.coach.nothing_active(progress))
        option = here.exercise.harder if harder else here.exercise.easier
        key = "load.none" if option is None else ("load.harder" if harder else "load.easier")
        speech = Speech().say(self.phrases.say(key, name=here.exercise.name, option=option))
        return self.answer(progress, speech)

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
        return self.ask(Speech().say(text), "confirm.reprompt", pending)

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
