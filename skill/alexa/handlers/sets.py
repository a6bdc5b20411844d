"""The commands that move through the sets: done, reps, an extra set, ready, skip, back, undo,
repeat, the pace, pause and resume, start over."""

from __future__ import annotations

from dataclasses import replace

from skill.alexa import hands_free as hf
from skill.alexa.handlers.answering import Answering
from skill.alexa.player import Stop
from skill.alexa.turn import Outcome, StoredHistory, Turn
from skill.coaching import events as ev
from skill.coaching import take_back
from skill.coaching.coach import Transition, partial_out_of
from skill.coaching.progress import Progress
from skill.speech.replies import Reply
from skill.speech.ssml import Speech

# The questions that "I'm ready" answers yes: carrying on, a workout or exercise to go to. To the
# others (did you finish it, going back over a set done, pain's offers) it is no answer: being
# ready is not having done the set, nor wanting one off the count. Nor is it to the cool-down
# offer, asked when the workout is over: "dinner's ready" is heard as ready too, and the
# cool-down has words of its own ("yes", "let's cool down").
READY_MEANS_YES = frozenset({"continue", "switch", "start", "go_to", "start_over"})


class SetCommands(Answering):
    """Moving through the workout, set by set."""

    def next_set(self, turn: Turn) -> Outcome:
        unanswered = self.carrying_on_unanswered(turn)
        if unanswered is not None:
            return unanswered
        routine = turn.routine_part
        if routine is not None:
            return self.next_routine_part(turn, *routine)
        if self.offer_open(turn):
            if not turn.asked.may_speak:  # the next button, which cannot ask: on to the cool-down
                return self.cool_down_pressed(turn)
            return self.offer_again(turn)  # "next", "done": nothing to count, the offer stands
        if turn.asked.pending == "continue" and self.under_way(turn):
            past = hf.past_the_part(self.service, turn)
            if past is not None:  # in a warm-up part played recorded: on to what follows it
                resumed = self.coach.resume(turn.progress, turn.now).progress
                return Outcome(progress=resumed, player=past)
            # Told to stop that set for pain, or its rest still playing (or stopped part-way,
            # its set never called): never counted, called
            before = hf.before_the_set(self.service, turn)
            stopped = hf.stopped_before_the_call(self.service, turn)
            if self.held_for_pain(turn) or before or stopped:
                return self.set_again_after_the_welcome(turn)
            return Outcome(self.composer.finished_question(turn.progress))
        if self.partial_asked(turn):
            # "Only 6 of 12?" then "done": counted whole it would count reps the runner just
            # said they did not do, so the question is asked again
            words = turn.asked.question_words
            return Outcome(self.composer.help_with_question(words, turn.asked.pending or ""))
        if self.offered(turn) is not None:  # the set was not called yet: it is, nothing counted
            return self.set_called_as_it_is(turn)
        by_player = hf.next_by_player(self.service, turn)
        if by_player == hf.CALL_AGAIN:
            return self.welcome_back_to_the_set(turn)
        if by_player is not None:
            return Outcome(player=by_player)
        if self.before_the_call(turn):  # the set after the rest starts: none was done
            return self.go_before_the_call(turn, "next")
        if self.back_at_the_set(turn):  # done before leaving, or "done for today"? Asked
            return Outcome(self.composer.finished_question(turn.progress))
        if self.pressed_long_after(turn):  # a button cannot ask: the set again, uncounted
            return self.set_called_again(turn)
        moved = self.move(turn, lambda p: self.coach.finish_set(p, turn.now))
        return self.loosened_up_first(turn, moved)

    def cool_down_pressed(self, turn: Turn) -> Outcome:
        """The device's next button at the cool-down offer: the workout is over and next is
        what comes after it, so the cool-down's first part plays, recorded (as the button
        plays a warm-up part); with no recording to play, nothing (a button may not speak)."""
        move = self.coach.cool_down(turn.progress, 0)
        return Outcome() if move is None else self.speak(turn, move)

    def partial_set(self, turn: Turn) -> Outcome:
        """ "I only managed 8", "I failed on rep ten": the set counts, kept as partial. In a
        warm-up, or said while the coach still leads up to a set (the one before it already
        counted whole), no set is under way to count: the way on is said instead."""
        if self.pain_asked(turn) or self.held_for_pain(turn):  # the set that hurt: never counted
            return self.help(turn)
        reps = turn.asked.slot("reps").whole_number
        failed = turn.asked.slot("failed_rep").whole_number
        if reps is None and failed is not None:
            reps = max(0, failed - 1)
        if hf.routine_part_held(self.service, turn) is not None:
            # a recorded warm-up part still plays on the way to the set: none is under way
            return self.fallback(turn)
        # A led set the player has led for a while is under way: reps said then are its own
        by_player = hf.before_the_set(self.service, turn) and not self.led_a_while(turn)
        if by_player or turn.asked.over_a_rest and self.before_the_call(turn):
            return self.last_set_partly(turn, reps, by_player)
        if self.just_called(turn):  # seconds after a set's call: the set before it, if any
            if turn.progress.sets_done == 0:  # none yet: the set is called again, uncounted
                return self.set_called_again(turn)
            return self.last_set_partly(turn, reps, False, before_this=True)
        if self.routine_kind(turn) is not None or self.before_the_call(turn):
            return self.fallback(turn)
        asked_back = self.back_at_the_set(turn) or self.back_at_a_held_set(turn)
        if asked_back and not self.partial_asked(turn):  # done before leaving? Asked first
            return Outcome(self.composer.finished_partly_question(turn.progress, reps))
        if turn.progress.paused and not self.partial_asked(turn):
            # Held ("hang on", a stop, a no to carrying on): the set held was never started,
            # as "next" there calls it again. The reps are the set before it, if any.
            return self.held_set_partly(turn, reps)
        if self.far_short(turn, reps):
            assert reps is not None  # far_short checked it
            # Held while asked: a "skip", or a "next" after the session closed, counts nothing
            held = self.coach.pause(turn.progress, turn.now).progress
            return Outcome(self.composer.confirm_partial(turn.progress, reps), held)
        return self.count_partly(turn, reps)

    def held_set_partly(self, turn: Turn, reps: int | None) -> Outcome:
        """Reps said while the place is held: of the set before the one held, noted as the
        reps said seconds after a set's call are; the set held stays held, still to do. With
        no set before it, the set held is called again, nothing counted."""
        if turn.progress.sets_done == 0:
            return self.set_called_again(turn)
        noted = self.coach.last_set_partly(replace(turn.progress, paused=False), reps)
        if noted is None:
            said = Speech().say(self.composer.phrases.say("set.partial_kept"))
            return self.answer(turn, lambda _: said)
        said = self.composer.transition(turn.progress, noted).said
        said.say(self.composer.phrases.say("set.partial_set_before"))
        answered = self.answer(turn, lambda _: said)  # the way on from the hold
        held = replace(noted.progress, paused=True)
        return replace(answered, progress=held, events=noted.events, same_place=True)

    def count_partly(self, turn: Turn, reps: int | None) -> Outcome:
        """The set counted as partial. Reps said of a set held while asked ("Only 2 of 12?")
        are that set's: it goes on from the hold."""
        progress = turn.progress
        if progress.paused:
            progress = self.coach.resume(progress, turn.now).progress
        return self.speak(turn, self.coach.finish_set_partly(progress, turn.now, reps))

    def far_short(self, turn: Turn, reps: int | None) -> bool:
        """Half the set or fewer: asked before it counts, as words with a number in them said to
        someone else can sound like it, and a one-shot's words misheard too ("I couldn't finish
        that one" heard as 1 rep)."""
        here = self.coach.position(turn.progress)
        if reps is None or here is None or not turn.asked.may_speak:
            return False
        return 2 * reps <= partial_out_of(here.exercise, reps)

    def last_set_partly(
        self, turn: Turn, reps: int | None, by_player: bool, before_this: bool = False
    ) -> Outcome:
        """ "I only managed 8" over the rest after a set (or, hands-free, anything the coach's
        audio plays before the next set begins): that set is kept as partial, and the rest runs
        on. Never the set after it, not yet done. One that cannot be noted (the whole set's
        reps, none, an extra set) stays counted as it was, and the runner is told so."""
        noted = self.coach.last_set_partly(turn.progress, reps)
        if noted is None:
            said = Speech().say(self.composer.phrases.say("set.partial_kept"))
            noted = Transition(turn.progress, ())
        else:
            said = self.composer.transition(turn.progress, noted).said
            if before_this:  # the set just called is not the one noted: said so
                said = said.say(self.composer.phrases.say("set.partial_set_before"))
        if by_player:  # the session ends, so the player plays the rest on
            return Outcome(Reply(said, None, True), noted.progress, events=noted.events)
        answered = self.answer(turn, lambda _: said)
        return replace(answered, progress=noted.progress, events=noted.events, same_place=True)

    def extra_set(self, turn: Turn) -> Outcome:
        """ "One more set": beyond the plan, of the exercise just finished, counted apart."""
        if self.routine_kind(turn) is not None:
            return self.fallback(turn)
        return self.move(turn, lambda p: self.coach.extra_set(p, turn.now))

    def ready(self, turn: Turn) -> Outcome:
        """I'm ready, let's go: yes to a question just asked; in a warm-up or cool-down, its
        next part; before a set, go (a paused workout resumes). Never a set counted: said long
        after the set was announced, it may mean the set is done, and that is asked."""
        pending = turn.asked.pending
        # Ready is no yes to an easier way, nor to going on gently: asked again, as "next" is
        unanswered = self.carrying_on_unanswered(turn)
        if unanswered is not None:
            return unanswered
        if self.offered(turn) is not None:  # ready for the set, as it is
            return self.set_called_as_it_is(turn)
        if (pending or "").startswith("finished"):  # ready for it: not done, so the set again
            return self.set_again_after_the_welcome(turn)
        if pending is not None and pending.partition(":")[0] in READY_MEANS_YES:
            return self.yes(turn)
        if pending == "cool_down":  # the offer, asked again as it was
            return Outcome(self.composer.answer_then_ask(Speech(), pending))
        if pending is not None:  # not an answer to this question: it is asked again
            return self.fallback(turn)
        routine = turn.routine_part
        if routine is not None:
            return self.next_routine_part(turn, *routine)
        if turn.progress.paused:
            return self.welcome_back_to_the_set(turn)
        if self.before_the_call(turn):
            return self.go_before_the_call(turn, "ready")
        if self.back_after_the_set(turn):  # done, or only now starting? Asked
            return Outcome(self.composer.done_already_question(turn.progress))
        return Outcome(self.composer.go_ahead(turn.progress))

    def skip_exercise(self, turn: Turn) -> Outcome:
        if self.routine_kind(turn) == "warm_up":  # "skip" then means the warm-up
            return self.skip_warm_up(turn)
        if self.offer_open(turn):  # "skip it": the cool-down offered is all there is to skip
            return self.no(turn)
        if turn.asked.pending == "pain:cool_down":  # "skip the rest": finishing it here
            return self.cool_down_finished_for_pain(turn)
        if turn.asked.over_a_rest and self.before_the_call(turn):
            # "Skip the rest", said over one: the set after it starts now. (Over an
            # introduction, "skip" is the exercise: skipping never counts a first set.)
            return self.go_before_the_call(turn, "skip")
        # On an exercise's last set "skip" counts it, as "next" would; not paused (after pain,
        # say), nor said too soon after the set was called for it to have been done (by the
        # player's clock too), nor in a new session long after it (where "next" asks), nor
        # while the player still leads up to it (its rest, hands-free): it was never called.
        soon, late = self.just_called(turn), self.back_at_the_set(turn)
        uncalled = hf.set_not_called(self.service, turn)
        done = not turn.progress.paused and not soon and not late and not uncalled
        return self.move(turn, lambda p: self.coach.skip_exercise(p, turn.now, set_done=done))

    def skip_warm_up(self, turn: Turn) -> Outcome:
        """Past the warm-up under way. At "Switch to the bodyweight workout?" (or "Shall we
        start it?") it is a yes, straight past that workout's warm-up, as said; at any other
        question it is no answer: there's no warm-up, and the question stands."""
        question, _, target = (turn.asked.pending or "").partition(":")
        if question == "pain":
            # Asked how to go on after it hurt: straight into loaded sets is no answer to that.
            # Safety first, and the question again (as help says).
            return self.help(turn)
        if question in ("switch", "start") and self.coach.library.get(target) is not None:
            return self.start(turn, target, warm_up=False)
        if self.routine_kind(turn) == "warm_up":
            return self.move(turn, self.coach.skip_warm_up)
        if turn.asked.pending is not None:
            none = Speech().say(self.composer.phrases.say("warm_up.none", hint=""))
            return self.answer(turn, lambda _: none)
        return Outcome(self.composer.skip_warm_up_unasked(turn.progress))

    def back_one_set(self, turn: Turn) -> Outcome:
        """Back a set, to do it again. In a conversation, it is asked first when it would take
        a set that was done off the count ("Alexa, previous" and the button are deliberate).
        In a warm-up or cool-down (or over one of its parts played recorded), the part before
        the one under way is led again (the first part, from the first): it is never left for
        it. At the cool-down offer, and in the cool-down for the words that take a set back
        ("undo", "I said done by accident": GoBackIntent), the workout's last set (and the
        finish with it) is taken back after a yes, while it can be (skill.coaching.take_back);
        after that, at the offer the runner is told plainly that the workout is saved as done.
        At the question after pain, going back would call a set of what hurt: safety first,
        and the question again."""
        if self.pain_asked(turn):
            return self.help(turn)
        routine = turn.routine_part
        playing = hf.routine_playing(self.service, turn)  # a part recorded, for a button
        if playing is not None:
            return self.routine_part_before(turn, playing[0], playing[1])
        in_cool_down = routine is not None and routine[0] == "cool_down"
        # Back after the session closed on a finished workout: its last set is still the one
        finished = routine is None and turn.progress.finished
        if (
            self.offer_open(turn)
            or finished
            or (in_cool_down and turn.asked.intent == "GoBackIntent")
        ):
            before = self.finish_to_take_back(turn)
            if before is not None and turn.asked.may_speak:
                return Outcome(self.composer.confirm_take_back(before))
        if routine is not None:
            return self.routine_part_before(turn, routine[0], routine[1] - 1)  # after this one
        if self.offer_open(turn):
            return self.offer_again(turn, Speech().say(self.composer.phrases.say("set.saved_done")))
        if turn.progress.extra_of is not None and turn.asked.intent == "GoBackIntent":
            # "Undo" with an extra set under way: that request is what is undone
            return self.speak(turn, self.coach.leave_extra(turn.progress))
        back = self.coach.back_one_set(turn.progress, turn.now)
        uncounts = back.progress.sets_done < turn.progress.sets_done
        if uncounts and turn.asked.in_conversation and turn.asked.pending != "back":
            return Outcome(self.composer.confirm_back(turn.progress, back.progress))
        return self.speak(turn, back)

    def finish_to_take_back(self, turn: Turn) -> Progress | None:
        """The place on the last set of the workout just finished, while that finish can be
        taken back; None otherwise."""
        finish = turn.finish
        if finish is None or not take_back.may_take_back(finish, turn.now):
            return None
        before = finish.place()
        if before is None:
            return None
        # As a turn reads a place: the runner's own reps, and the pace they lead sets at now.
        before = self.progression.loaded(before, finish.records())
        before = replace(before, pace=turn.progress.pace)
        if self.coach.take_back_finish(turn.progress, before) is None:
            return None
        return before

    def take_back(self, turn: Turn) -> Outcome:
        """Yes to taking back the last set: the record as it was before that set was counted
        (place, history, each exercise's counts and bests), and the set called again. The
        cool-down, if under way, ends with it."""
        finish, before = turn.finish, self.finish_to_take_back(turn)
        if finish is None or before is None:  # too late now: the workout stands as done
            said = Speech().say(self.composer.phrases.say("set.saved_done"))
            if turn.routine_part is None:
                return self.offer_again(turn, said)
            return self.answer(turn, lambda _: said)
        move = self.coach.take_back_finish(turn.progress, before)
        assert move is not None  # finish_to_take_back checked it
        records, past = finish.records(), finish.past()
        history = turn.history if past is None else StoredHistory(finish.history)
        restored = replace(turn, progress=before, exercises=records, history=history)
        outcome = self.speak(restored, move)
        kept = records if outcome.exercises is None else outcome.exercises
        return replace(outcome, history=past, exercises=kept)

    def routine_part_before(self, turn: Turn, kind: str, part: int) -> Outcome:
        """The part before `part` of the warm-up or cool-down, led again (the first part, from
        the first): the routine is never left for it. Held for pain, not led unasked."""
        if self.pain_asked_in_routine(turn):
            return self.pain_asked_again(turn)
        return self.next_routine_part(turn, kind, max(0, part - 1))

    def repeat(self, turn: Turn) -> Outcome:
        """The set said again; over a rest the coach's audio plays, the set after it, and the
        rest plays on. In hands-free mode the way on is "Alexa, next". In a warm-up or
        cool-down, the part just led is led again (the place stays: "next" leads the same part
        after it); at the cool-down offer, the offer is made again. A part or a led set the
        player plays, plays again from its start (said in words, the recorded lead would play
        on after them)."""
        if self.pain_asked_in_routine(turn):  # not the part that hurt again, unasked
            return self.pain_asked_again(turn)
        recorded = hf.routine_again(self.service, turn) or hf.led_set_playing(self.service, turn)
        if recorded is not None:
            return Outcome(player=recorded)
        again = self.part_again(turn)
        if again is not None:
            return again
        if hf.resting(self.service, turn):
            return Outcome(self.composer.repeat_in_rest(turn.progress))
        if self.offer_open(turn):  # the offer said again, still open
            return Outcome(self.composer.answer_then_cool_down_offer(turn.progress, Speech()))
        if turn.asked.pending is not None:  # a question open: what asked it, said again
            return Outcome(self.composer.asked_again(turn.asked.question_words, turn.asked.pending))
        done = turn.progress.finished and not self.under_way(turn)
        if done and turn.history.read().last() is not None:
            # After the workout, the session over too: where the runner is, the workout just
            # done summed up again, and the way on; not the help for someone new
            return self.in_own_time(turn, self.composer.last_workout_answer)
        return Outcome(self.composer.repeat(turn.progress))

    def lead_again(self, turn: Turn) -> Outcome:
        """ "One more time": the set said again, as "repeat" does. "I missed the T": its lead
        again from that letter on; with no such letter in the set under way (or in a warm-up,
        or over a rest the player plays), the set said again. Nothing is counted. Led from a
        letter in words over the lead the player plays, that recorded lead stops rather than
        play on after them."""
        step = turn.asked.slot("step").resolved_id
        move = self.coach.step_again(turn.progress, step)
        if move is None or self.routine_kind(turn) is not None or hf.resting(self.service, turn):
            return self.repeat(turn)
        again = next(e for e in move.events if isinstance(e, ev.StepLedAgain))
        said = Outcome(self.composer.step_again(turn.progress, again))
        if hf.led_set_playing(self.service, turn) is not None:  # not played on after the words
            said = replace(said, player=Stop())
        return said

    def pace(self, turn: Turn) -> Outcome:
        """ "Slow down", "speed up": the led sets' pace from now on, kept for later workouts;
        the set under way led again at it, unless a warm-up or a question is under way."""
        way = turn.asked.slot("pace").resolved_id
        if way not in ("slower", "faster"):  # words that named no way: not caught
            return self.fallback(turn)
        move = self.coach.change_pace(turn.progress, slower=way == "slower")
        changed = next(e for e in move.events if isinstance(e, ev.PaceChanged))
        routine, pending = self.routine_kind(turn), turn.asked.pending
        called = any(isinstance(e, ev.SetAnnounced) for e in move.events)
        lead_again = called and routine is None and pending is None
        rest_runs_on = self.place_kept_over_a_rest(turn, move)  # said over a rest, it runs on
        rest_left = self.rest_left_over(turn, move)
        reply = self.composer.pace_changed(
            move.progress, changed, lead_again, routine, pending, rest_left
        )
        said = Outcome(reply, move.progress)
        return replace(said, same_place=rest_runs_on)

    def pause(self, turn: Turn) -> Outcome:
        routine = turn.routine_part  # a warm-up or cool-down part waits as it is: no pause
        if not turn.asked.may_speak:  # the pause button: the player stops, the place is kept
            button = Stop() if turn.asked.has_player else None
            if routine is not None:
                return Outcome(player=button)
            return Outcome(
                progress=self.coach.pause(turn.progress, turn.now).progress, player=button
            )
        stop = hf.stop_if_held(self.service, turn)
        if hf.routine_playing(self.service, turn) is not None and not turn.asked.in_conversation:
            # Over a recorded warm-up or cool-down part, as over a rest: it stops where it is
            # ("Alexa, resume" plays on), and nothing of the workout is paused or kept.
            return Outcome(player=stop)
        pending = turn.asked.pending or ""
        if routine is not None and pending.startswith("pain:"):
            # "wait" at whether to go on after pain: take your time, and the question stands
            said = self.composer.take_your_time()
            words = turn.asked.question_words
            return Outcome(self.composer.answer_then_ask(said, pending, words), player=stop)
        if routine is not None:
            return Outcome(self.composer.routine_paused(turn.progress, routine[0]), player=stop)
        if self.offer_open(turn):  # "wait": take your time, and the offer stands
            return self.offer_again(turn, self.composer.take_your_time())
        paused = self.coach.pause(turn.progress, turn.now)
        if stop is not None and not turn.asked.in_conversation and turn.asked.player_playing:
            # "Alexa, pause" or "Alexa, stop" over the coach's audio (Alexa sends both as a
            # pause): it stops, the place kept, and the workout so far kept as partial, as a
            # spoken stop keeps it; finishing it later replaces that entry.
            so_far = self.so_far(turn, self.coach.stop(turn.progress, turn.now))
            return Outcome(progress=paused.progress, player=stop, history=so_far)
        # "Wait", "hold on" in a conversation: said as the conversation says it (a silent end of
        # the session would leave the runner not knowing they are paused), and any track of
        # the coach's held while Alexa listened is stopped too.
        reply = self.composer.transition(turn.progress, paused)
        return Outcome(reply, paused.progress, player=stop)

    def resume(self, turn: Turn) -> Outcome:
        """A rest paused part-way plays on from where it stopped; else the set is called again.
        In a warm-up or cool-down, the part paused: a recorded one plays on from where it
        stopped, one said in words is led again ("next" is what moves on)."""
        routine = turn.routine_part
        if self.pain_asked_in_routine(turn):  # not the move that hurt again, recorded or not
            return self.pain_asked_again(turn)
        mid_rest = hf.resume_mid_rest(self.service, turn)
        if routine is not None and mid_rest is not None:  # a recorded part, from where it stopped
            return Outcome(player=mid_rest)
        if routine is not None:  # the part the runner was doing, not the one after it
            return self.routine_part_before(turn, *routine)
        if self.offer_open(turn):
            return self.offer_again(turn)
        if self.pain_asked(turn):  # carrying on is no answer to the easier way: asked again
            return self.help(turn)
        resumed = self.coach.resume(turn.progress, turn.now)
        if mid_rest is None:
            return self.loosened_up_first(turn, self.speak(turn, resumed))
        return Outcome(progress=resumed.progress, player=mid_rest)

    def start_over(self, turn: Turn) -> Outcome:
        if self.under_way(turn):
            routine = self.routine_kind(turn)
            return Outcome(self.composer.confirm_start_over(turn.progress, routine))
        return self.restart(turn)

    def restart(self, turn: Turn) -> Outcome:
        """The workout again from the top, without the kit the runner said they lack."""
        kit = turn.preferences.missing_kit
        restarted = self.coach.start_over(turn.progress, turn.now, missing_kit=kit)
        return self.speak(turn, self.own_ways(turn, restarted))
