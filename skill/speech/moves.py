"""The reply to a move of the workout: started, a set done and the rest paced, an exercise
skipped or gone back to, a warm-up or cool-down part led, the workout finished."""

from __future__ import annotations

from collections.abc import Mapping

from skill.coaching import events as ev
from skill.coaching.coach import Transition
from skill.coaching.progress import (
    MAX_SPOKEN_REST_SECONDS,
    MIN_REST_SECONDS,
    USUAL_PACE,
    Progress,
)
from skill.coaching.progression import Step
from skill.content.models import Exercise, WorkoutPlan
from skill.speech.progressing import ProgressWords
from skill.speech.sounds import WORKOUT_DONE
from skill.speech.ssml import Speech
from skill.speech.wording import Reply, call_heard_at


class MoveReplies(ProgressWords):
    # --- transitions --------------------------------------------------------------------------

    def transition(
        self,
        before: Progress,
        move: Transition,
        week: str | None = None,
        known: frozenset[str] = frozenset(),
        hurt: frozenset[str] = frozenset(),
        offers: Mapping[str, tuple[Step, str | None]] | None = None,
        rest_left: float | None = None,
    ) -> Reply:
        """`move` in words; `week`, if given, is said after a finished workout's summary; the
        exercises in `known` were explained to this runner before and get a one-line reminder;
        those in `hurt` caused pain lately, and the easier way is offered as they come up; those
        in `offers` have a step up offered as they come up (with the version they are done at),
        asked before their set is called; `rest_left`: made over a rest paced in words, with
        that many seconds of it still to run (said before what to say next)."""
        after = move.progress
        speech = Speech()
        end_session = False
        pending: str | None = None
        routine: str | None = None
        paced = 0.0  # seconds of rest or warm-up already paced in this response
        rest_ends: float | None = None  # when the rest paced in words ends, into the speech
        set_called: float | None = None  # when the set after a rest or introduction is called
        warm_up_ends: float | None = None  # when the warm-up's last part, before the set, ends
        introduced = False
        way_said = False  # the easier or harder way was just said: no reminder of it
        held: int | None = None  # the exercise whose set waits for the answer to an offer
        for event in move.events:
            match event:
                case ev.WorkoutStarted(workout_id=workout_id, lasting_rest=lasting_rest):
                    plan = self._plan(workout_id)
                    speech.say(
                        self.phrases.say(
                            "workout.start",
                            name=plan.name,
                            before=" ".join(plan.before),
                            count=len(plan.exercises),
                        )
                    )
                    if lasting_rest is not None:  # kept across workouts: said in a few words
                        speech.say(self.phrases.say("rest.lasting", seconds=lasting_rest))
                    if after.pace != USUAL_PACE:  # the pace kept for led sets, in a few words
                        speech.say(self.pace_kept(after.pace))
                    elif after.rest_seconds is not None and any(
                        e.rest_seconds != after.rest_seconds for e in plan.exercises
                    ):
                        speech.say(self.phrases.say("rest.kept", seconds=after.rest_seconds))
                    speech.say(self.kit_remembered(after, plan))
                case ev.WarmUpPart(part=part, parts=parts):
                    plan = self._plan(after.workout_id or "")
                    # Said as the workout starts; not when "go back" leads the first part again.
                    starting = any(isinstance(e, ev.WorkoutStarted) for e in move.events)
                    if part == 0 and starting:
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
                        warm_up_ends = speech.seconds
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
                case ev.WorkoutStopped(workout_id=left_id, sets_done=sets):
                    # left for another start: what was done is kept, and the runner hears so
                    speech.say(
                        self.phrases.say(
                            "workout.left_kept",
                            name=self._plan(left_id).name,
                            sets=sets,
                            set_word=self.unit("sets", sets),
                        )
                    )
                case ev.StartedOver(workout_id=workout_id):
                    speech.say(
                        self.phrases.say("workout.started_over", name=self._plan(workout_id).name)
                    )
                case ev.ExerciseIntroduced(exercise_index=index):
                    plan = self._plan(after.workout_id or "")
                    exercise = plan.exercises[index]
                    stand_in = self.coach.stand_in(after, exercise)
                    if stand_in is not None:  # without the kit, the other way instead
                        speech.extend(self.introduce_stand_in(plan, index, stand_in))
                    elif exercise.id in known:
                        speech.extend(self.remind(plan, index))
                    else:
                        speech.extend(self.introduce_first(plan, index))
                    if exercise.id in hurt and exercise.easier is not None:
                        if after.load_of(exercise.id) != "easier":
                            speech.say(self.phrases.say("pain.remembered", name=exercise.name))
                    offered = (offers or {}).get(exercise.id)
                    if offered is not None and stand_in is None:
                        step, load = offered
                        reps = self.coach.tuned(after, exercise).reps.count
                        speech.say(self.step_up_offer(exercise, reps, step, load))
                        pending, held = f"step_up:{exercise.id}", index
                    introduced = True
                case ev.SetAnnounced(exercise_index=index) if index == held:
                    pass  # called once the offer is answered
                case ev.SetAnnounced(exercise_index=index, set_number=number, with_name=named):
                    plan = self._plan(after.workout_id or "")
                    exercise = self.coach.tuned(after, plan.exercises[index])
                    if (number == 1 or named) and not way_said:
                        speech.say(self.load_reminder(after, exercise, introduced))
                    lead = self.room_to_lead(exercise, paced, introduced, after.pace)
                    call = self.announce_set(
                        exercise, number, named, after.sets_done, lead, after.pace
                    )
                    if paced or introduced:
                        set_called = call_heard_at(speech.seconds, call)
                    speech.extend(call)
                case ev.SetDonePartly(exercise_index=index, reps=reps):
                    plan = self._plan(before.workout_id or "")
                    exercise = self.coach.tuned(before, plan.exercises[index])
                    if reps is None:
                        speech.say(self.phrases.say("set.partial_unsaid"))
                    else:
                        planned = self.reps(exercise.reps)
                        speech.say(self.phrases.say("set.partial", reps=reps, planned=planned))
                case ev.ExtraSetAnnounced(exercise_index=index):
                    plan = self._plan(after.workout_id or "")
                    exercise = self.coach.tuned(after, plan.exercises[index])
                    speech.extend(self.announce_extra(exercise, after.sets_done))
                case ev.ExtraSetDone(exercise_index=index):
                    exercise = self._plan(before.workout_id or "").exercises[index]
                    speech.say(self.phrases.say("set.extra_done", name=exercise.name))
                case ev.NoRepsDone():
                    speech.say(self.phrases.say("set.no_reps"))
                case ev.ExtraSetLeft():
                    speech.say(self.phrases.say("set.extra_left"))
                case ev.ExtraSetNotYet(exercise_index=index, sets_left=left):
                    exercise = self._plan(after.workout_id or "").exercises[index]
                    speech.say(
                        self.phrases.say(
                            "set.extra_not_yet",
                            name=exercise.name,
                            left=left,
                            set_word=self.unit("sets", left),
                        )
                    )
                case ev.ExtraSetsEnough(exercise_index=index, extra=extra):
                    exercise = self._plan(after.workout_id or "").exercises[index]
                    speech.say(
                        self.phrases.say("set.extra_enough", name=exercise.name, extra=extra)
                    )
                case ev.RestStarted(seconds=seconds, last_set_of_exercise=last):
                    plan = self._plan(before.workout_id or "")
                    following = before.exercise_index + 1
                    finished = plan.exercises[following] if last else None
                    # A rest set longer with the coach's audio, on a device that cannot play it,
                    # is paced as long as one response can.
                    spoken = min(seconds, MAX_SPOKEN_REST_SECONDS)
                    speech.extend(self.rest(spoken, before.sets_done, finished))
                    rest_ends = speech.seconds
                    paced += seconds
                case ev.ExerciseSkipped(exercise_index=index):
                    name = self._plan(before.workout_id or "").exercises[index].name
                    speech.say(self.phrases.say("exercise.skipped", name=name))
                case ev.MovedBack(exercise_index=index):
                    name = self._plan(after.workout_id or "").exercises[index].name
                    speech.say(self.phrases.say("exercise.moved_back", name=name))
                case ev.MovedBackASet():
                    speech.say(self.phrases.say("set.moved_back"))
                case ev.FinishTakenBack():
                    speech.say(self.phrases.say("set.taken_back"))
                case ev.AlreadyFirst():
                    speech.say(self.phrases.say("exercise.already_first"))
                case ev.NothingToFinish():
                    speech.say(self.phrases.say("exercise.nothing_to_finish"))
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
                case ev.StandInGiven() | ev.KitBack():
                    speech.extend(self.kit_words(after, event))
                    introduced = True  # the way was just given: no reminder of it
                case ev.KitNoted() | ev.StandInLoad():
                    speech.extend(self.kit_words(after, event))
                    if self.coach.position(after) is not None:
                        speech.extend(self.way_on_at_set(after, rest_left))
                case ev.LoadChosen():
                    speech.extend(self.load_change(after, event))
                    called = any(isinstance(e, ev.SetAnnounced) for e in move.events)
                    if called:  # at the way's own reps, the set is called again: said once
                        way_said = True
                    elif self.coach.position(after) is not None:
                        speech.extend(self.way_on_at_set(after, rest_left))
                case ev.RestChanged(seconds=seconds, lasting=lasting):
                    key = "rest.changed" if after.active else "rest.changed_for_next"
                    if lasting:
                        key = "rest.changed_lasting" if after.active else "rest.lasting_idle"
                    speech.say(self.phrases.say(key, seconds=seconds))
                    if self.coach.position(after) is not None:  # then what to say next
                        speech.extend(self.way_on_at_set(after, rest_left))
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
                    speech.say(self.phrases.say("workouts.which"))  # how to start one
                    return self.ask(speech, "workouts.which")
        if pending == "cool_down":
            return self.ask_yes_no(speech, pending)
        if pending is not None and pending.startswith("step_up:"):
            return self.ask(speech, "progression.reprompt", pending)
        if end_session:
            return Reply(speech, None, True)
        if self.coach.position(after) is None:
            return self.ask(speech, "workouts.which")
        if routine is not None:
            return Reply(speech, self.routine_reprompt(), False, routine=routine)
        return Reply(
            speech,
            self.set_reprompt(after),
            False,
            rest_ends=rest_ends,
            set_called=set_called,
            warm_up_ends=warm_up_ends,
        )

    def kit_remembered(self, started: Progress, plan: WorkoutPlan) -> str:
        """Said as a workout starts without kit the runner said they lack: how many exercises
        are done another way, and how to have them as planned again."""
        count = sum(self.coach.stand_in(started, e) is not None for e in plan.exercises)
        if count == 0:
            return ""
        if count == 1:
            return self.phrases.say("kit.remembered_one")
        return self.phrases.say("kit.remembered", count=count)

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
        if done.not_reached:
            names_left = self.join([names[exercise_id].name for exercise_id in done.not_reached])
            speech.say(self.phrases.say("workout.not_reached", exercises=names_left))
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
        if done.extra_sets:
            many = "one" if done.extra_sets == 1 else "many"
            speech.say(self.phrases.say(f"workout.extra_sets.{many}", count=done.extra_sets))
        if done.partial_sets:
            many = "one" if done.partial_sets == 1 else "many"
            speech.say(self.phrases.say(f"workout.partial_sets.{many}", count=done.partial_sets))
        speech.say(*plan.after)
        if week:
            speech.say(week)
        return speech

    def no_workout(self, just_finished: str | None) -> Speech:
        plan = self.coach.library.get(just_finished) if just_finished else None
        if plan is None:
            return Speech().say(self.phrases.say("workout.no_active"))
        return Speech().say(self.phrases.say("workout.just_finished", name=plan.name))

    def extra_under_way(self, progress: Progress) -> Exercise | None:
        """The exercise of the extra set under way ("one more set"), as tuned for the runner;
        None with none. `position` is then the planned set after it, not what they are doing."""
        here = self.coach.position(progress)
        if here is None or progress.extra_of is None:
            return None
        return self.coach.tuned(progress, here.workout.exercises[progress.extra_of])

    def where(self, progress: Progress, key: str) -> Speech:
        here = self.coach.position(progress)
        if here is None:
            return Speech()
        extra = self.extra_under_way(progress)
        if key == "pause.paused" and extra is not None:  # held in the extra set
            return Speech().say(self.phrases.say("pause.paused_extra", name=extra.name))
        return Speech().say(
            self.phrases.say(
                key, name=here.exercise.name, set=here.set_number, sets=here.exercise.sets
            )
        )
