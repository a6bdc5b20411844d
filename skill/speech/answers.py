"""Replies that move nothing: the welcome, help, "where am I", how to do an exercise, the
answers to questions mid-workout, what the coach remembers, and apologies."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from skill.coaching import events as ev
from skill.coaching.history import SESSIONS_A_WEEK, History, PastWorkout, Week
from skill.coaching.progress import MAX_SPOKEN_REST_SECONDS, USUAL_PACE, Progress
from skill.coaching.schedule import local
from skill.content.models import Exercise, WorkoutPlan
from skill.speech.moves import MoveReplies
from skill.speech.ssml import Speech
from skill.speech.wording import (
    Reply,
    call_heard_at,
    question_reprompt,
    routine_seconds,
    said_mid_sentence,
)

# Feeling dizzy or faint (FaintIntent) and struggling to breathe (BreathlessIntent), met as
# pain in URGENT_PARTS is.
FAINT = "dizzy"
BREATHLESS = "breathing"
# Body parts whose pain, feeling faint and struggling to breathe are met with medical help
# now, never with a way to carry on.
URGENT_PARTS = frozenset({"chest", FAINT, BREATHLESS})


class Answers(MoveReplies):
    # --- replies that are not moves -------------------------------------------------------

    def launch(
        self,
        progress: Progress,
        routine: tuple[str, int] | None = None,
        urgent: bool = False,
        hurt: bool = False,
        cool_down_offered: bool = False,
    ) -> Reply:
        """The welcome; `urgent`: soon after stopping for chest pain, faintness or breathing,
        that advice again and the place kept for another day, never an offer to carry on;
        `hurt`: the place is held where the exercise (or the warm-up or cool-down part) hurt,
        said before the offer to carry on; `cool_down_offered`: the session closed at the
        cool-down offer minutes ago, which is asked again."""
        here = self.coach.position(progress)
        if urgent:
            speech = Speech().say(self.phrases.say("launch.after_urgent"))
            if here is not None:
                name, sets = here.exercise.name, here.exercise.sets
                speech.say(
                    self.phrases.say(
                        "launch.urgent_kept", exercise=name, set=here.set_number, sets=sets
                    )
                )
            return self.ask(speech.say(self.phrases.say("help.reprompt")), "help.reprompt")
        if routine is not None and hurt:  # held in a warm-up or cool-down for pain
            return self.pain_in_routine_again(routine[0], welcome=True)
        if here is not None and routine is not None and routine[0] == "warm_up":
            offer = self.phrases.say(
                "launch.resume_warm_up",
                workout=here.workout.name,
                part=routine[1] + 1,
                parts=len(here.workout.warm_up),
            )
            return self.ask_yes_no(Speech().say(offer), "continue")
        if here is not None and hurt:
            speech = Speech().say(
                self.phrases.say(
                    "launch.resume_after_pain",
                    exercise=self.doing_name(progress, here.exercise),
                    set=here.set_number,
                    sets=here.exercise.sets,
                )
            )
            if here.exercise.easier is not None and progress.load_of(here.exercise.id) != "easier":
                speech.say(self.phrases.say("launch.pain_easier"))
            return self.ask_yes_no(speech.say(self.phrases.say("answers.continue")), "continue")
        if here is not None and progress.extra_of is not None:  # not "Did you finish...?"
            extra = here.workout.exercises[progress.extra_of].name
            offer = self.phrases.say("launch.resume_extra", exercise=extra)
            return self.ask_yes_no(Speech().say(offer), "continue")
        if here is not None:
            return self._ask_about_the_set(progress, "launch.resume_offer", "continue")
        plan = self._offered_cool_down(progress) if cool_down_offered else None
        if plan is not None:
            speech = Speech().say(self.phrases.say("launch.cool_down_offer", workout=plan.name))
            offer = self.phrases.say("cool_down.offer", minutes=self.length(plan.cool_down))
            return self.ask_yes_no(speech.say(offer), "cool_down")
        if progress.workout_id:
            text = self.phrases.say("launch.returning", workouts=self.workout_names())
        else:
            text = self.phrases.say("launch.new", workouts=self.workout_options())
        return self.ask(Speech().say(text), "launch.ask_workout")

    def warm_up_where(self, progress: Progress, part: int) -> Speech:
        """Where the runner is in the warm-up: the part "next" leads, how long the rest of the
        warm-up takes, and the first exercise after it."""
        here = self.coach.position(progress)
        if here is None:
            return self._no_workout(progress)
        parts = here.workout.warm_up
        moves = self.join([said_mid_sentence(move, self.phrases) for move in parts[part]])
        text = self.phrases.say(
            "warm_up.where",
            moves=moves,
            workout=here.workout.name,
            part=part + 1,
            parts=len(parts),
            minutes=self.minutes(routine_seconds(parts[part:])),
            exercise=here.exercise.name,
        )
        return Speech().say(text)

    def warm_up_how(self, progress: Progress, part: int, exercise_id: str | None = None) -> Speech:
        """ "How do I do this" in the warm-up: the moves of part `part` (the one under way) and
        how to do them; with an exercise named, its full explanation, no set called for it."""
        found = self.coach.library.find_exercise(exercise_id) if exercise_id else None
        if found is not None:
            return self.introduce(*found)
        here = self.coach.position(progress)
        if here is None:
            return self._no_workout(progress)
        parts = here.workout.warm_up
        moves = [said_mid_sentence(move, self.phrases) for move in parts[min(part, len(parts) - 1)]]
        return Speech().say(self.phrases.say("warm_up.how", moves=self.join(moves)))

    def warm_up_answer(self, progress: Progress, part: int) -> Speech:
        """A question about the warm-up asked in it ("how long is the warm-up", "why bother"):
        how long it takes and what it is for, then the part next and its time."""
        here = self.coach.position(progress)
        if here is None:
            return self._no_workout(progress)
        parts = here.workout.warm_up
        text = self.phrases.say(
            "warm_up.in_it",
            total=self.minutes(routine_seconds(parts)),
            minutes=self.minutes(routine_seconds(parts[part : part + 1])),
            part=part + 1,
            parts=len(parts),
        )
        return Speech().say(text)

    def cool_down_where(self, progress: Progress, part: int) -> Speech:
        """Where the runner is in the cool-down: the part "next" leads, how long the rest of
        it takes, and its moves."""
        plan = self.coach.library.get(progress.workout_id or "")
        if plan is None or not 0 <= part < len(plan.cool_down):
            return self.status_answer(progress)
        parts = plan.cool_down
        moves = self.join([said_mid_sentence(move, self.phrases) for move in parts[part]])
        text = self.phrases.say(
            "cool_down.where",
            moves=moves,
            workout=plan.name,
            part=part + 1,
            parts=len(parts),
            minutes=self.minutes(routine_seconds(parts[part:])),
        )
        return Speech().say(text)

    def warm_up_then_workout(self, progress: Progress, part: int) -> Speech:
        """ "How long is left" in the warm-up: the rest of it, then how long the workout after
        it takes."""
        speech = self.warm_up_where(progress, part)
        here = self.coach.position(progress)
        if here is not None:
            minutes = self.minutes(self.coach.workout_seconds(here.workout, progress))
            speech.say(
                self.phrases.say("answers.workout_length", name=here.workout.name, minutes=minutes)
            )
        return speech

    def warm_up_about(self, progress: Progress) -> Speech:
        """A question about the warm-up outside it: how long the chosen workout's takes, what
        it is for and its first moves; with none chosen, every workout's length and purpose."""
        plan = self.coach.library.get(progress.workout_id or "")
        if plan is None:
            longest = max(routine_seconds(p.warm_up) for p in self.coach.library.workouts)
            text = self.phrases.say("warm_up.about_each", minutes=self.minutes(longest))
            return Speech().say(text)
        names = [said_mid_sentence(move, self.phrases) for part in plan.warm_up for move in part]
        text = self.phrases.say(
            "warm_up.about",
            workout=plan.name,
            minutes=self.minutes(routine_seconds(plan.warm_up)),
            parts=len(plan.warm_up),
            moves=self.join(names[:3]),
        )
        return Speech().say(text)

    def status(self, progress: Progress) -> Reply:
        return self.answer(progress, self.status_answer(progress))

    def status_answer(self, progress: Progress) -> Speech:
        """Where the runner is: exercise, set, sets left and what follows."""
        here = self.coach.position(progress)
        if here is None:
            return self._no_workout(progress)
        if progress.extra_of is not None:  # one more set, then back to the planned one
            extra = here.workout.exercises[progress.extra_of]
            return Speech().say(
                self.phrases.say(
                    "status.extra",
                    extra=extra.name,
                    name=here.exercise.name,
                    set=here.set_number,
                    sets=here.exercise.sets,
                )
            )
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
        stand_in = self.coach.stand_in(progress, here.exercise)
        if stand_in is not None:  # the name alone is an exercise the runner is not doing
            kit = self.kit_names((stand_in.kit,), without=True)
            speech.say(self.phrases.say("kit.answer", kit=kit, way=stand_in.name))
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

    def how_to(
        self, progress: Progress, exercise_id: str | None = None, resting: bool = False
    ) -> Reply:
        """The full explanation of the current exercise, or of one the runner named; `resting`
        today after being told to stop, without the set called after it."""
        here = self.coach.position(progress)
        found = self.coach.library.find_exercise(exercise_id) if exercise_id else None
        if found is not None and (here is None or here.exercise.id != exercise_id):
            plan, index = found
            return self.answer(progress, self.introduce(plan, index))
        if here is None:
            return self.transition(progress, self.coach.nothing_active(progress))
        extra = self.extra_under_way(progress)
        if extra is not None and not resting and exercise_id is None:
            # One more set of the exercise before: that one explained, and its set again
            speech = self.explained(progress)
            speech.extend(self.announce_extra(extra, progress.sets_done))
            return Reply(speech, self.set_reprompt(progress), False)
        speech = self.explained(progress)
        if resting:
            return self.answer_resting_today(progress, speech)
        set_number = here.set_number
        # At a slow pace the set may not fit after the whole explanation: "repeat" leads it.
        lead = self.room_to_lead(here.exercise, speech.seconds, False, progress.pace)
        call = self.announce_set(
            here.exercise, set_number, False, progress.sets_done, lead, progress.pace
        )
        speech.extend(call)
        return Reply(speech, self.set_reprompt(progress), False)

    def explained(self, progress: Progress) -> Speech:
        """The exercise under way explained in full (its other way, without kit the runner
        lacks), with no set called after it: during an extra set, the extra set's exercise,
        not the planned one after it that `position` names."""
        here = self.coach.position(progress)
        if here is None:
            return Speech()
        index = here.exercise_index if progress.extra_of is None else progress.extra_of
        stand_in = self.coach.stand_in(progress, here.workout.exercises[index])
        if stand_in is not None:  # the plan's set-up and cues need the kit the runner lacks
            return self.introduce_stand_in(here.workout, index, stand_in, True)
        return self.introduce(here.workout, index)

    def go_ahead(
        self, progress: Progress, rest_over: bool = False, skip_hint: bool = False
    ) -> Reply:
        """Ready before a set: go, with the set said again (led, where it has steps). Being
        ready is never the set done. `rest_over`: said over the rest before the set, which it
        ends early; `skip_hint`: "skip" was said before the set was called, and skipping the
        exercise itself is said to be one word away."""
        here = self.coach.position(progress)
        if here is None:
            return self.help(progress)
        speech = Speech().say(self.phrases.say("rest.cut_short" if rest_over else "set.ready"))
        extra = self.extra_under_way(progress)
        if extra is not None:  # the extra set under way, never the planned one
            speech.extend(self.announce_extra(extra, progress.sets_done))
            return Reply(speech, self.set_reprompt(progress), False, ends_rest=True)
        if skip_hint and here.set_number < here.exercise.sets:
            # Skipping the exercise itself is one word away (on its last set, "skip" once the
            # set could have been done counts it: no hint then).
            speech.say(self.phrases.say("rest.then_skip", name=here.exercise.name))
        call = self.announce_set(
            here.exercise, here.set_number, True, progress.sets_done, pace=progress.pace
        )
        heard = call_heard_at(speech.seconds, call)
        speech.extend(call)
        return Reply(speech, self.set_reprompt(progress), False, ends_rest=True, started=heard)

    def repeat(self, progress: Progress) -> Reply:
        here = self.coach.position(progress)
        if here is None:
            return self.help(progress)
        if progress.paused:  # what was said last: the place held, and how to resume
            return self.ask(self.where(progress, "pause.paused"), "pause.reprompt")
        extra = self.extra_under_way(progress)
        if extra is not None:  # the extra set under way, said again
            speech = self.announce_extra(extra, progress.sets_done)
            return Reply(speech, self.set_reprompt(progress), False)
        speech = Speech().say(self.load_reminder(progress, here.exercise))
        speech.extend(
            self.announce_set(
                here.exercise, here.set_number, True, progress.sets_done, pace=progress.pace
            )
        )
        return Reply(speech, self.set_reprompt(progress), False)

    def step_again(self, progress: Progress, again: ev.StepLedAgain) -> Reply:
        """ "I missed the T": the set's lead again from that letter, on through the rest."""
        here = self.coach.position(progress)
        assert here is not None  # only led again in a set under way
        speech = self.lead_from(here.exercise, again.step_index, progress.sets_done, progress.pace)
        return Reply(speech, self.set_reprompt(progress), False)

    def pace_changed(
        self,
        after: Progress,
        changed: ev.PaceChanged,
        lead_again: bool,
        routine: str | None = None,
        pending: str | None = None,
        rest_left: float | None = None,
    ) -> Reply:
        """ "Slow down", "speed up": the pace said, and with `lead_again` the set under way led
        again at it; else what to say next (a question still open is asked again; over a rest
        paced in words, `rest_left` seconds of it, how long it runs on first)."""
        speech = Speech().say(self.pace_words(changed))
        if lead_again:
            led = self.repeat(after)
            return replace(led, said=speech.extend(led.said))
        if pending is not None:
            speech.say(self.phrases.say(question_reprompt(pending)))
            return self.ask(speech, question_reprompt(pending), pending)
        return self.answer(after, speech, routine, rest_left=rest_left)

    def pace_words(self, changed: ev.PaceChanged) -> str:
        seconds = self.rep_seconds(changed.pace)
        if not changed.changed:
            key = "pace.slowest" if changed.slower else "pace.quickest"
        elif changed.pace == USUAL_PACE:
            key = "pace.usual"
        else:
            key = "pace.slower" if changed.slower else "pace.quicker"
        return self.phrases.say(key, seconds=seconds)

    def repeat_in_rest(self, progress: Progress) -> Reply:
        """ "Alexa, repeat" (or "where am I") over a rest the coach's audio plays: the set after
        it. The session ends, so the player plays the rest on."""
        return self._in_rest(progress, Speech(), "audio.rest_up_next")

    def answer_in_rest(self, progress: Progress, speech: Speech) -> Reply:
        """An answer over a rest the coach's audio plays, then that the runner is resting and
        which set the player calls when it ends ("When you're done" would say that set was
        under way). The session ends, so the rest plays on."""
        return self._in_rest(progress, speech, "audio.rest_then")

    def _in_rest(self, progress: Progress, speech: Speech, key: str) -> Reply:
        here = self.coach.position(progress)
        if here is None:
            return self.help(progress)
        exercise = here.exercise
        said = self.phrases.say(
            key,
            name=exercise.name,
            set=here.set_number,
            sets=exercise.sets,
            reps=self.reps(exercise.reps),
        )
        return Reply(speech.say(said), None, True)

    def help(self, progress: Progress, routine: str | None = None) -> Reply:
        """What the runner can say here; `routine` is "warm_up" or "cool_down" during one; in
        hands-free mode the player's commands come first."""
        if routine is not None:
            return self.ask(Speech().say(self.phrases.say(f"help.{routine}")), "help.reprompt")
        here = self.coach.position(progress)
        if here is None:
            return self.ask(Speech().say(self.phrases.say("help.idle")), "help.reprompt")
        key = "help.active_hands_free" if self.hands_free else "help.active"
        text = self.phrases.say(
            key, name=here.exercise.name, set=here.set_number, sets=here.exercise.sets
        )
        speech = Speech()
        if self.hands_free:
            speech.say(self.phrases.say("help.hands_free"))
        return self.ask(speech.say(text), "help.reprompt")

    def fallback(
        self,
        progress: Progress,
        pending: str | None = None,
        routine: str | None = None,
        resting: bool = False,
        said: str = "fallback.not_caught",
        asked: tuple[str, ...] = (),
    ) -> Reply:
        """Words meant for no command: a short way on that fits the place, after `said` (not
        caught, or thanks welcomed); `resting` today after being told to stop, none. A question
        still waiting for its yes or no is asked again and stays asked, its words `asked` kept
        as what asked it."""
        if pending is not None:
            question = self.phrases.say(question_reprompt(pending))
            text = self.phrases.say(said, hint=question)
            reply = self.ask(Speech().say(text), "confirm.reprompt", pending)
            return replace(reply, asked_with=asked)
        text = self.phrases.say(said, hint=self.hint(progress, routine, resting))
        return self.ask(Speech().say(text), "help.reprompt")

    def goodbye(
        self,
        progress: Progress,
        routine: tuple[str, int] | None = None,
        so_far: ev.WorkoutStopped | None = None,
    ) -> Reply:
        """The place saved and how to come back; with sets done, first the workout `so_far`."""
        if routine is not None and routine[0] == "warm_up" and progress.active:
            saved = self.phrases.say("stop.saved_warm_up", part=routine[1] + 1)
            return Reply(Speech().say(saved), None, True)
        speech = Speech()
        if so_far is not None:
            speech.say(
                self.phrases.say(
                    "stop.summary",
                    sets=so_far.sets_done,
                    set_word=self.unit("sets", so_far.sets_done),
                    exercises=so_far.exercises_done,
                    exercise_word=self.unit("exercises", so_far.exercises_done),
                    minutes=self.minutes(so_far.seconds_taken),
                )
            )
        speech.extend(self.where(progress, "stop.saved"))
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

    def suggest_workout(self, last_id: str, other_id: str) -> Reply:
        """A workout asked for without naming one, after another was done: the other one,
        offered (a yes starts it)."""
        last, other = self.coach.library.get(last_id), self.coach.library.get(other_id)
        if last is None or other is None:
            return self.which_workout(None)
        text = self.phrases.say("workouts.suggest", last=last.name, other=other.name)
        return self.ask_yes_no(Speech().say(text), f"start:{other_id}")

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

    def finished_question(self, progress: Progress) -> Reply:
        """ "Next" or "done" at "Continue?": the set might have been done before the runner left,
        or not. Asked rather than counted."""
        return self._ask_about_the_set(progress, "launch.finished_question", "finished")

    def finished_partly_question(self, progress: Progress, reps: int | None) -> Reply:
        """ "I only managed 8" on coming back to a set called before the runner left: whether
        those reps were done before they left is asked, and they are kept for a yes."""
        if reps is None:
            return self._ask_about_the_set(progress, "launch.partly_question", "finished:part")
        return self._ask_about_the_set(progress, "launch.reps_question", f"finished:{reps}", reps)

    def done_already_question(self, progress: Progress) -> Reply:
        """ "Ready" long after the set was announced: done, or only now starting? Asked."""
        return self._ask_about_the_set(progress, "set.done_already_question", "finished")

    def _ask_about_the_set(
        self, progress: Progress, key: str, pending: str, reps: int | None = None
    ) -> Reply:
        """A yes/no question `key` about the set the runner is on."""
        here = self.coach.position(progress)
        assert here is not None
        if progress.extra_of is not None:  # the set under way is an extra one
            extra = here.workout.exercises[progress.extra_of].name
            question = self.phrases.say("set.extra_question", exercise=extra)
            return self.ask_yes_no(Speech().say(question), pending)
        name, number, sets = here.exercise.name, here.set_number, here.exercise.sets
        question = self.phrases.say(key, exercise=name, set=number, sets=sets, reps=reps)
        return self.ask_yes_no(Speech().say(question), pending)

    def routine_paused(self, progress: Progress, kind: str) -> Reply:
        """ "Wait" in a warm-up or cool-down: nothing runs on, so the part simply waits."""
        speech = Speech().say(self.phrases.say("pause.routine"), self.hint(progress, kind))
        reprompt = Speech().say(self.hint(progress, kind)).ssml()
        return Reply(speech, reprompt, False)

    def pain(
        self,
        paused: Progress,
        part: str | None = None,
        offer: str | None = None,
        routine: str | None = None,
        begun: bool = True,
        just_done: bool = False,
    ) -> Reply:
        """Pain or an injury: stop, don't push through, and when to get help; never a diagnosis.
        At a set, then `offer` ("easier" or "skip") asked as a yes/no question; in a warm-up or
        cool-down (`routine`, kept), whether to go on with the warm-up, gently, or to finish the
        cool-down here: no more moves of what hurts are led unasked. Chest pain and feeling
        faint (URGENT_PARTS) are met with stopping for today and getting medical help, first
        and only: no way to carry on is offered, and the session ends with the place kept. Not
        `begun`: said over the way to an exercise's first set, so the stop comes before it.
        `just_done`: soon after the workout (or its cool-down) ended, when no workout is
        offered: the runner may still be on its last stretches."""
        say = self.phrases.say
        speech = Speech()
        if part in URGENT_PARTS:
            here = self.coach.position(paused)
            if part == FAINT:  # not pain: stop, and sit down where you are
                speech.say(say("pain.stop_faint"))
            elif part == BREATHLESS:  # when to get help says what to watch the breathing for
                speech.say(say("pain.stop_breathless"), say("pain.urgent_breathless"))
            elif routine is not None:
                speech.say(say("pain.stop_routine"))
            elif here is None:
                speech.say(say("pain.stop_idle"))
            else:  # not `begun`: the exercise just done hurt, so stop before the next
                stop = "pain.stop" if begun else "pain.stop_before"
                speech.say(say(stop, name=self.doing_name(paused, here.exercise)))
            if part != BREATHLESS:
                speech.say(say("pain.urgent"))
            if here is not None:
                speech.say(say("pain.urgent_kept"))
            return Reply(speech, None, True, routine=routine)
        if routine is not None:  # "warm_up:1": how to go on is asked, the part kept
            kind = routine.partition(":")[0]
            speech.say(say(f"pain.{kind}_stop"), say("pain.advice"), say(f"pain.{kind}_offer"))
            return self.ask_yes_no(speech, f"pain:{kind}")
        here = self.coach.position(paused)
        if here is None:
            way_on = "pain.done_next" if just_done else "pain.idle_next"
            speech.say(say("pain.stop_idle"), say("pain.advice"), say(way_on))
            return self.ask(speech, way_on)
        name = self.doing_name(paused, here.exercise)  # what hurt: the move being done
        # Only a body part the wording knows is named back: a slot can carry any words.
        part_key = f"body_parts.{part}"
        if part is not None and part_key in self.phrases.phrases:
            stop = "pain.stop_part" if begun else "pain.stop_before_part"
            speech.say(say(stop, name=name, part=say(part_key)))
        else:
            speech.say(say("pain.stop" if begun else "pain.stop_before", name=name))
        speech.say(say("pain.advice"))
        if offer is None:
            return self.pain_declined(paused, speech)
        speech.say(say("pain.offer_easier" if offer == "easier" else "pain.offer_skip", name=name))
        return self.ask_yes_no(speech, f"pain:{offer}")

    def pain_declined(self, paused: Progress, speech: Speech | None = None) -> Reply:
        """No to the easier way or to skipping: the place is held, and what to say next."""
        speech = speech or Speech()
        here = self.coach.position(paused)
        if here is not None:
            speech.say(
                self.phrases.say(
                    "pain.declined",
                    name=self.doing_name(paused, here.exercise),
                    set=here.set_number,
                    sets=here.exercise.sets,
                )
            )
        return self.ask(speech, "pause.reprompt")

    def pain_routine_declined(self, kind: str, part: int) -> Reply:
        """No to going on with the warm-up, or to finishing the cool-down, after pain: the part
        "next" leads (`part`, from 0) is kept, and what to say next."""
        say = self.phrases.say
        speech = Speech().say(say(f"pain.{kind}_declined", part=part + 1))
        return Reply(speech, Speech().say(say("pain.routine_next")).ssml(), False)

    def pain_in_routine_again(self, kind: str, welcome: bool) -> Reply:
        """Back at a warm-up or cool-down (`kind`) held for pain: why the runner stopped ("Welcome
        back" first, in a new session), and whether to go on asked again, as it was then."""
        say = self.phrases.say
        why = say(f"launch.{kind}_after_pain" if welcome else f"pain.{kind}_held")
        return self.ask_yes_no(Speech().say(why, say(f"pain.{kind}_offer")), f"pain:{kind}")

    def pain_cool_down_finished(self) -> Reply:
        """Yes to finishing the cool-down after pain: it ends, and when to have it looked at."""
        return Reply(Speech().say(self.phrases.say("pain.cool_down_finished")), None, True)

    def acknowledged(self, progress: Progress, routine: str | None = None) -> Reply:
        """ "Yes" or "ok" when nothing was asked: taken as agreement, and the way on said."""
        word = self.phrases.say("confirm.okay")
        return self.ask(Speech().say(word, self.hint(progress, routine)), "help.reprompt")

    def nothing_to_confirm(self, progress: Progress, routine: str | None = None) -> Reply:
        text = self.phrases.say("confirm.nothing_pending", hint=self.hint(progress, routine))
        return self.ask(Speech().say(text), "help.reprompt")

    # --- missing kit, with no workout under way ---------------------------------------------

    def kit_idle(self, said: str, lacking: tuple[str, ...]) -> Reply:
        """Kit said before a workout: `said` is what the runner told ("Got it: just
        dumbbells."); the workout that suits `lacking` best is offered."""
        best = self.coach.best_workout(lacking)
        other_ways = any(e.stand_in(frozenset(lacking)) for e in best.exercises)
        suits = self.phrases.say(
            "kit.suits_other_ways" if other_ways else "kit.suits", workout=best.name
        )
        speech = Speech().say(said, suits, self.phrases.say("kit.start_offer"))
        return self.ask_yes_no(speech, f"start:{best.id}")

    def kit_lacking(self, kit: tuple[str, ...]) -> str:
        if set(kit) >= self.coach.library.kit_ids:
            return self.phrases.say("kit.idle_none")
        return self.phrases.say("kit.idle_missing", kit=self.kit_names(kit, without=True))

    def kit_only(self, kit: str) -> str:
        return self.phrases.say("kit.idle_only", kit=self.kit_names((kit,)))

    def kit_back_idle(self, kit: tuple[str, ...]) -> Reply:
        return self.answer(Progress(), Speech().say(self.kit_back(kit)))

    def which_kit(self, progress: Progress, routine: str | None = None) -> Reply:
        """Kit named that the coach does not know."""
        return self.answer(progress, Speech().say(self.phrases.say("kit.which")), routine)

    def needs_no_kit(self, progress: Progress) -> Speech:
        """ "I don't have that" at an exercise that needs only the floor."""
        here = self.coach.position(progress)
        name = here.exercise.name if here is not None else ""
        return Speech().say(self.phrases.say("kit.needs_none", name=name))

    # --- what the coach remembers -----------------------------------------------------------

    def week_so_far(self, history: History, now: float, zone: str | None = None) -> str:
        """Said after a workout: where this week stands against two sessions a week (the
        runner's calendar week when `zone` is known, else the last seven days), and the streak
        when this workout carried it on."""
        week = history.week_to(now, zone)
        if week.partial:
            said = self._full_and_partial(_week_key("after_with_partial", zone), week)
        elif week.full <= 1:
            said = self.phrases.say(_week_key("after_first", zone))
        elif week.full == SESSIONS_A_WEEK:
            said = self.phrases.say(_week_key("after_second", zone))
        else:
            said = self.phrases.say(_week_key("after_more", zone), count=week.full)
        news = self.streak_news(history, now, zone) if week.full == SESSIONS_A_WEEK else None
        return f"{said} {news}" if news else said

    def streak_news(self, history: History, now: float, zone: str | None) -> str | None:
        """One sentence when this week's two carry a streak of weeks on (the first week's two
        are said by the week line itself)."""
        streak = history.streak_to(now, zone)
        if streak.weeks < 2 or streak.maybe_longer:
            return None
        return self.phrases.say("history.streak_news", weeks=streak.weeks)

    def week_answer(self, history: History, now: float, zone: str | None = None) -> Speech:
        """ "How many workouts this week": full and partial ones, and the last one."""
        week = history.week_to(now, zone)
        speech = Speech()
        if week.partial and week.full:
            speech.say(self._full_and_partial(_week_key("full_and_partial", zone), week))
        elif week.partial:
            speech.say(
                self.phrases.say(
                    _week_key("partial_only", zone),
                    partial=self.count(week.partial),
                    workout_word=self.unit("workouts", week.partial),
                )
            )
        else:
            keys = {0: "none", 1: "one", SESSIONS_A_WEEK: "two"}
            key = _week_key(keys.get(week.full, "more"), zone)
            speech.say(self.phrases.say(key, count=week.full))
        last = history.last()
        if last is not None and (plan := self.coach.library.get(last.workout_id)) is not None:
            key = "week.last_partial" if last.partial else "week.last"
            speech.say(self.phrases.say(key, name=plan.name, when=self.when(last, now, zone)))
        return speech

    def _full_and_partial(self, key: str, week: Week) -> str:
        """Full and partial workouts counted apart, then the aim, which counts full ones."""
        counted = self.phrases.say(
            key,
            full=self.count(week.full),
            workout_word=self.unit("workouts", week.full),
            partial=self.count(week.partial),
        )
        aim = {1: "week.aim_one", SESSIONS_A_WEEK: "week.aim_two"}.get(week.full, "week.aim_more")
        return f"{counted} {self.phrases.say(aim)}"

    def last_workout_answer(
        self,
        history: History,
        now: float,
        zone: str | None = None,
        progress: Progress | None = None,
    ) -> Speech:
        """ "How did I do", "what did I do last time": the workout under way, if any sets of it
        are done, then the last workout kept, full or partial."""
        last = history.last()
        so_far = self._so_far(progress) if progress is not None else None
        if so_far and last is not None and last.partial and progress is not None:
            # the workout under way, left partway before: said once, as it was left (its time
            # too) or, with sets done since, as it is now
            if last.started_at is not None and last.started_at == progress.started_at:
                if last.sets_done == progress.sets_done:
                    so_far = None
                else:
                    last = None
        speech = Speech().say(so_far) if so_far else Speech()
        if last is None:
            return speech if so_far else speech.say(self.phrases.say("history.none"))
        plan = self.coach.library.get(last.workout_id)
        sets, set_word = last.sets_done, self.unit("sets", last.sets_done)
        if last.seconds is None:  # kept before the time was
            done = self.phrases.say("history.sets", sets=sets, set_word=set_word)
        else:
            minutes = self.minutes(last.seconds)
            done = self.phrases.say(
                "history.sets_in", sets=sets, set_word=set_word, minutes=minutes
            )
        key = "history.last_partial" if last.partial else "history.last_finished"
        if not last.partial and plan is not None:
            planned = sum(exercise.sets for exercise in plan.exercises)
            if last.sets_done < planned:  # to the end, with exercises jumped over: not all of it
                key = "history.last_ended"
        return speech.say(
            self.phrases.say(
                key,
                name=plan.name if plan is not None else self.phrases.say("history.retired"),
                when=self.when(last, now, zone),
                done=done,
            )
        )

    def _so_far(self, progress: Progress) -> str | None:
        """The sets done in the workout under way, if any."""
        here = self.coach.position(progress)
        sets = progress.sets_done
        if here is None or not sets:
            return None
        return self.phrases.say(
            "history.under_way", name=here.workout.name, sets=sets, set_word=self.unit("sets", sets)
        )

    def streak_answer(self, history: History, now: float, zone: str | None = None) -> Speech:
        """ "What's my streak": weeks in a row with two workouts or more."""
        streak = history.streak_to(now, zone)
        if streak.weeks == 0:
            key = "history.streak_none"
        elif streak.maybe_longer:
            key = "history.streak_at_least"
        else:
            key = "history.streak_one" if streak.weeks == 1 else "history.streak"
        return Speech().say(self.phrases.say(key, weeks=streak.weeks))

    def total_answer(self, history: History, progress: Progress | None = None) -> Speech:
        """ "How many workouts in total": those kept, full and partial; with none kept yet and
        sets done in the workout under way, not "none" but those sets."""
        finished, partial = history.finished_total, history.partial_total
        if finished + partial == 0:
            so_far = self._so_far(progress) if progress is not None else None
            if so_far:
                return Speech().say(self.phrases.say("history.none_finished"), so_far)
            return Speech().say(self.phrases.say("history.none"))
        if finished == 0:
            text = self.phrases.say("history.total_only_partial", partial=self.count(partial))
            return Speech().say(text)
        return Speech().say(
            self.phrases.say(
                "history.total_partial" if partial else "history.total",
                finished=self.count(finished),
                workout_word=self.unit("workouts", finished),
                partial=self.count(partial),
            )
        )

    def when(self, workout: PastWorkout, now: float, zone: str | None = None) -> str:
        """ "today", "yesterday", "3 days ago": days on the runner's calendar when `zone` is
        known, else whole days of 24 hours."""
        if zone is not None:
            days = max(0, (local(now, zone).date() - local(workout.finished_at, zone).date()).days)
        else:
            days = max(0, int((now - workout.finished_at) // 86400))
        key = {0: "week.today", 1: "week.yesterday"}.get(days, "week.days_ago")
        return self.phrases.say(key, days=days)

    def error(self, key: str = "error.generic", end_session: bool = False) -> Reply:
        speech = Speech().say(self.phrases.say(key))
        if end_session:
            return Reply(speech, None, True)
        return self.ask(speech, "help.reprompt")

    # --- answers to questions mid-workout ---------------------------------------------------

    def answer(
        self,
        progress: Progress,
        speech: Speech,
        routine: str | None = None,
        rest_left: float | None = None,
    ) -> Reply:
        """An answer that leaves the microphone open ends with what to say next: in a warm-up or
        cool-down (`routine`), what to say there; at a set, the way on (hands-free, "Alexa,
        next", which reaches the coach once the microphone has closed); over a rest paced in
        words, how much of it is left first (`way_on_at_set`)."""
        if self.coach.position(progress) is None and routine is None:
            speech.say(self.phrases.say("workouts.which"))
            return self.ask(speech, "workouts.which")
        if routine is not None:
            speech.say(self.hint(progress, routine))
            return Reply(speech, Speech().say(self.hint(progress, routine)).ssml(), False)
        speech.extend(self.way_on_at_set(progress, rest_left))
        return Reply(speech, self.set_reprompt(progress), False)

    def help_resting(self, progress: Progress) -> Reply:
        """Help soon after being told to stop for today: what there is besides training."""
        speech = Speech().say(self.hint(progress, resting=True), self.phrases.say("help.resting"))
        return self.ask(speech, "help.reprompt")

    def answer_resting_today(self, progress: Progress, speech: Speech) -> Reply:
        """An answer soon after being told to stop for today (chest pain, faintness, breathing):
        no way on is offered ("say resume"); a place under way is kept for another day."""
        speech.say(self.hint(progress, resting=True))
        return self.ask(speech.say(self.phrases.say("help.reprompt")), "help.reprompt")

    def answer_then_offer(self, progress: Progress, speech: Speech) -> Reply:
        """An answer given while "Continue?" is still open: ask it again."""
        speech.say(self.phrases.say("answers.continue"))
        return self.ask_yes_no(speech, "continue")

    def _offered_cool_down(self, progress: Progress) -> WorkoutPlan | None:
        """The workout just done, whose cool-down is offered; None when it has none."""
        plan = self.coach.library.get(progress.workout_id or "")
        return plan if plan is not None and plan.cool_down else None

    def cool_down_answer(self, progress: Progress) -> Reply:
        """Any question at the cool-down offer is about the cool-down: how long, and what is in
        it; then the offer again, still open."""
        plan = self._offered_cool_down(progress)
        if plan is None:
            return self.help(progress)
        speech = self._cool_down_of(plan).say(self.phrases.say("cool_down.offer_again"))
        return self.ask_yes_no(speech, "cool_down")

    def cool_down_offer_help(self, progress: Progress) -> Reply:
        """Help at the cool-down offer: what it is and how to answer; the offer stays open."""
        plan = self._offered_cool_down(progress)
        if plan is None:
            return self.help(progress)
        text = self.phrases.say("help.cool_down_offer", minutes=self.length(plan.cool_down))
        return self.ask_yes_no(Speech().say(text), "cool_down")

    def asked_again(self, words: tuple[str, ...], pending: str) -> Reply:
        """ "Repeat" with a question open: what asked it, said again, and still open; when
        unknown, the question's own reprompt."""
        if not words:
            return self.fallback(Progress(), pending, said="fallback.again")
        return self.ask_yes_no(Speech().say(*words), pending)

    def pain_at_cool_down_offer(self) -> Reply:
        """Pain said at the cool-down offer: stop and when to get help, first; then the offer,
        still open, only as gentle stretches that do not hurt."""
        say = self.phrases.say
        speech = Speech().say(say("pain.stop_idle"), say("pain.advice"), say("pain.cool_down"))
        return self.ask_yes_no(speech, "cool_down")

    def take_your_time(self) -> Speech:
        return Speech().say(self.phrases.say("pause.routine"))

    def answer_then_cool_down_offer(self, progress: Progress, speech: Speech) -> Reply:
        """A question about a workout by name, asked at the cool-down offer: answered, then the
        offer again, still open."""
        plan = self._offered_cool_down(progress)
        if plan is None:
            return self.help(progress)
        speech.say(self.phrases.say("cool_down.offer", minutes=self.length(plan.cool_down)))
        return self.ask_yes_no(speech, "cool_down")

    def cool_down_about(self, progress: Progress) -> Speech:
        """A question about the cool-down away from its offer: the one after this workout (or,
        with none chosen, the first), and, during the workout, when it comes."""
        plan = self.coach.library.get(progress.workout_id or "")
        if plan is None:  # none chosen yet: what every workout ends with
            longest = max(routine_seconds(p.cool_down) for p in self.coach.library.workouts)
            return Speech().say(
                self.phrases.say("cool_down.after_each", minutes=self.minutes(longest))
            )
        if not plan.cool_down:
            return Speech().say(self.phrases.say("cool_down.none", workout=plan.name))
        speech = self._cool_down_of(plan)
        if self.coach.position(progress) is not None:
            speech.say(self.phrases.say("cool_down.comes_after"))
        return speech

    def cool_down_later(self, progress: Progress) -> Speech:
        """The cool-down asked for before there is one to lead."""
        under_way = self.coach.position(progress) is not None
        return Speech().say(
            self.phrases.say("cool_down.not_yet" if under_way else "cool_down.after_a_workout")
        )

    def cool_down_skipped_later(self, progress: Progress) -> Speech:
        return Speech().say(self.phrases.say("cool_down.skip_later"))

    def _cool_down_of(self, plan: WorkoutPlan) -> Speech:
        """How long the cool-down of `plan` is, and its first moves by name ("now your right
        arm...", the other side of the stretch before it, drawn the same, is not a move of its
        own)."""
        moves_in_order = [move for part in plan.cool_down for move in part]
        names = [
            said_mid_sentence(replace(move, name=move.name.partition(":")[0]), self.phrases)
            for before, move in zip([None, *moves_in_order], moves_in_order, strict=False)
            if before is None or move.figure is None or before.figure != move.figure
        ]
        moves = self.join(names[:4])
        text = self.phrases.say(
            "cool_down.about",
            minutes=self.minutes(routine_seconds(plan.cool_down)),
            parts=len(plan.cool_down),
        )
        return Speech().say(text, self.phrases.say("cool_down.starts_with", moves=moves))

    def the_question(self, words: tuple[str, ...], pending: str) -> tuple[str, ...]:
        """The question itself among the words that last asked it: their last piece that is
        not its reprompt (help says that after the question); none when unknown."""
        reprompt = self.phrases.say(question_reprompt(pending))
        return tuple([word for word in words if word != reprompt][-1:])

    def answer_then_ask(self, speech: Speech, pending: str, words: tuple[str, ...] = ()) -> Reply:
        """An answer given while a yes/no question is open: the question, asked again (its own
        words when kept, else its reprompt)."""
        asked = self.the_question(words, pending)
        speech.say(*(asked or (self.phrases.say(question_reprompt(pending)),)))
        return self.ask_yes_no(speech, pending)

    def help_with_question(self, words: tuple[str, ...], pending: str) -> Reply:
        """Help with a yes/no question open: the question again, and how to answer it; it
        stays open (a later yes still answers it). A question with a reprompt of its own
        ("Shall we carry on where you left off? Say yes, or name a workout.") says just that."""
        reprompt = question_reprompt(pending)
        asked = self.the_question(words, pending) if reprompt == "confirm.reprompt" else ()
        return self.ask_yes_no(Speech().say(*asked, self.phrases.say(reprompt)), pending)

    def help_after_pain(self, words: tuple[str, ...], pending: str) -> Reply:
        """Help asked at the question after pain: when to stop and get help, how to stop for
        today, then the question again (still open)."""
        say = self.phrases.say
        speech = Speech().say(say("pain.help_first"), say("pain.advice"), say("pain.help_stop"))
        asked = self.the_question(words, pending)
        return self.ask_yes_no(speech.say(*asked, say("confirm.reprompt")), pending)

    def _here_or_idle(self, progress: Progress, key: str, idle: Callable[[], Speech]) -> Speech:
        here = self.coach.position(progress)
        if here is None:
            return idle()
        extra = self.extra_under_way(progress)
        if extra is not None:  # the set under way is one more of the exercise before
            if key == "answers.reps":
                return Speech().say(
                    self.phrases.say("set.extra", name=extra.name, reps=self.reps(extra.reps))
                )
            return Speech().say(self.phrases.say(key, name=extra.name, works=extra.works))
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

    def muscles_answer(self, progress: Progress, workout_id: str | None = None) -> Speech:
        """What the workout named works; else this exercise, or with none under way each
        workout."""

        def workouts() -> Speech:
            plans = [p for p in self.coach.library.workouts if workout_id in (None, p.id)]
            return Speech().say(
                *(
                    self.phrases.say("answers.workout_muscles", name=plan.name, works=plan.works)
                    for plan in plans
                )
            )

        if workout_id is not None:
            return workouts()
        here = self.coach.position(progress)
        stand_in = None if here is None else self.coach.stand_in(progress, here.exercise)
        if here is not None and stand_in is not None:  # what the runner is doing, not the plan
            return Speech().say(self.stand_in_works(here.exercise, stand_in))
        return self._here_or_idle(progress, "answers.muscles", workouts)

    def sets_answer(self, progress: Progress) -> Speech:
        """ "How many sets left" and "how many sets have I done" (one intent): the sets of this
        exercise counted done and the ones to go, this one among them."""
        here = self.coach.position(progress)
        if here is None:
            return self._no_workout(progress)
        if progress.extra_of is not None:  # not "that's set 1 of 3" of the planned one next
            return self.status_answer(progress)
        done = progress.sets_of(here.exercise_index)
        left = here.exercise.sets - done
        if done >= here.exercise.sets:  # gone back to once all were done: done again
            key = "answers.sets_all_done"
        elif done == 0 and progress.sets_done > 0:  # none of this one, some of the workout's
            key = "answers.sets_none_done_so_far"
        elif done == 0:
            key = "answers.sets_none_done"
        elif left <= 1:
            key = "answers.last_set"
        else:
            key = "answers.sets_left"
        return Speech().say(
            self.phrases.say(
                key,
                name=here.exercise.name,
                done=done,
                sets=here.exercise.sets,
                left=left,
                set_word=self.unit("sets", left),
                total=progress.sets_done,
                total_word=self.unit("sets", progress.sets_done),
                set=here.set_number,
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
        """What the exercise under way needs, the way the runner does it; with none under way,
        or a workout named, what the workout (each workout) needs."""
        here = self.coach.position(progress)
        if workout_id is None and here is not None:
            return self.exercise_needs(progress, here.exercise)
        plans = list(self.coach.library.workouts)
        if workout_id is not None:
            plans = [p for p in plans if p.id == workout_id]
        speech = Speech().say(
            *(
                self.phrases.say("answers.equipment", name=plan.name, equipment=plan.equipment)
                for plan in plans
            )
        )
        if here is not None and [plan.id for plan in plans] == [here.workout.id]:
            speech.say(self.kit_remembered(progress, here.workout))  # kit the runner lacks
        return speech

    def exercise_needs(self, progress: Progress, exercise: Exercise) -> Speech:
        """What `exercise` needs done the way the runner does it: without the kit they lack
        (another way, or the harder way without its kit) and at the easier or harder way."""
        speech = Speech()
        name = exercise.name
        lacking = frozenset(progress.missing_kit)
        stand_in = self.coach.stand_in(progress, exercise)
        if stand_in is not None:  # what the planned way needs, then the way done instead
            if exercise.needs:
                planned = exercise.needs
                speech.say(self.phrases.say("answers.exercise_needs", name=name, needs=planned))
            kit = self.kit_names((stand_in.kit,), without=True)
            return speech.say(self.phrases.say("kit.answer", kit=kit, way=stand_in.name))
        load = progress.load_of(exercise.id)
        needs = exercise.needs_for(load, lacking)
        if needs is None:
            return speech
        if load is not None and needs != exercise.needs:
            return speech.say(self.phrases.say(f"answers.{load}_needs", name=name, needs=needs))
        if load is None and exercise.harder_needs and exercise.harder_with_kit(lacking):
            # the harder way's kit offered only to a runner who has not said they lack it
            harder = exercise.harder_needs
            key = "answers.exercise_needs_or_harder"
            return speech.say(self.phrases.say(key, name=name, needs=needs, harder=harder))
        return speech.say(self.phrases.say("answers.exercise_needs", name=name, needs=needs))

    def rest_at_limit(self, progress: Progress, seconds: int, longer: bool) -> Reply:
        key = "rest.at_longest" if longer else "rest.at_shortest"
        return self.answer(progress, Speech().say(self.phrases.say(key, seconds=seconds)))


# Each count of the week, said of the last seven days, or of the runner's calendar week when
# their time zone is known.
_WEEK_KEYS = {
    "after_first": ("week.after_first", "week_local.after_first"),
    "after_second": ("week.after_second", "week_local.after_second"),
    "after_more": ("week.after_more", "week_local.after_more"),
    "after_with_partial": ("week.after_with_partial", "week_local.after_with_partial"),
    "none": ("week.none", "week_local.none"),
    "one": ("week.one", "week_local.one"),
    "two": ("week.two", "week_local.two"),
    "more": ("week.more", "week_local.more"),
    "partial_only": ("week.partial_only", "week_local.partial_only"),
    "full_and_partial": ("week.full_and_partial", "week_local.full_and_partial"),
}


def _week_key(name: str, zone: str | None) -> str:
    rolling, calendar = _WEEK_KEYS[name]
    return calendar if zone is not None else rolling
