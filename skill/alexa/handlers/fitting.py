"""The workout fitted to the runner: easier or harder, the kit they have, their rests, and each
exercise over weeks (skill.coaching.progression)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from skill.alexa import hands_free as hf
from skill.alexa.handlers.answering import Answering
from skill.alexa.turn import Outcome, Preferences, Turn
from skill.coaching import events as ev
from skill.coaching import lasting_rest, progression
from skill.coaching.coach import Transition
from skill.coaching.progress import MIN_REST_SECONDS, Progress
from skill.speech.ssml import Speech

REST_STEP_SECONDS = 15  # "more rest" or "shorter rests" moves the rest by this much
ALL_KIT = "all"  # the KIT slot's id for every piece at once: "no equipment", "my kit"


class FittingCommands(Answering):
    """Easier, harder, missing kit, rests, reps over weeks."""

    def easier(self, turn: Turn) -> Outcome:
        if turn.asked.pending == "pain:skip" and self.pain_asked(turn):
            # Already the easiest way, and it hurt again: not the set called, but the offer to
            # skip it asked again
            here = self.coach.position(turn.progress)
            name = "" if here is None else self.composer.doing_name(turn.progress, here.exercise)
            easiest = self.composer.phrases.say("load.easiest", name=name)
            return self.answer(turn, lambda _: Speech().say(easiest))
        if turn.progress.paused:  # after pain: the easier way, and on with the set
            return self.easier_and_go(turn)
        if self.offered(turn) is not None:  # "use the easier one" at the offer: the set follows
            return self.easier_and_go(turn)
        return self.load_kept(turn, self.coach.change_load(turn.progress, harder=False))

    def easier_and_go(self, turn: Turn) -> Outcome:
        """The easier way, and the workout resumed on the same set (nothing counted)."""
        chosen = self.coach.change_load(turn.progress, harder=False)
        resumed = self.coach.resume(chosen.progress, turn.now)
        # held for pain, the set at its new reps is called as it resumes (else it was already)
        paused = turn.progress.paused
        called = self.coach.called_at_new_reps(turn.progress, resumed.progress) if paused else ()
        return self.load_kept(turn, Transition(resumed.progress, (*chosen.events, *called)))

    def harder(self, turn: Turn) -> Outcome:
        unanswered = self.carrying_on_unanswered(turn)  # pushing on through pain
        if unanswered is not None:
            return unanswered
        return self.load_kept(turn, self.coach.change_load(turn.progress, harder=True))

    def step_up_answered(self, turn: Turn, exercise_id: str, yes: bool) -> Outcome:
        """Yes or no to the step up: remembered for this exercise, then its set called."""
        if self.offered(turn) != exercise_id:
            return self.fallback(turn)
        answer = self.progression.answered(turn.progress, turn.exercises, yes)
        outcome = self.speak(turn, self.progression.set_called(answer.progress))
        said = self.composer.step_up_answer(answer.exercise, answer.step, answer.load)
        return replace(outcome, notice=said, exercises=answer.records)

    def keep_same(self, turn: Turn) -> Outcome:
        """ "Keep it the same": at the offer, no; elsewhere nothing changes, and it is said."""
        offered = self.offered(turn)
        if offered is not None:
            return self.step_up_answered(turn, offered, False)
        if self.pain_asked_in_routine(turn):  # "no, I'll keep going": no clear answer there
            return self.pain_asked_again(turn)
        if self.pain_asked(turn):  # "no, I'll just keep going": no easier way, nor skipping
            return self.no(turn)
        kept = self.composer.phrases.say("progression.kept_as_is")
        return self.answer(turn, lambda _: Speech().say(kept))

    def set_reps(self, turn: Turn) -> Outcome:
        """ "Go back to 12": this exercise's reps, within its range, remembered; at the offer,
        its set is called with them."""
        reps = turn.asked.slot("reps").whole_number
        if reps is None:
            return self.fallback(turn)
        chosen = self.progression.reps_chosen(turn.progress, turn.exercises, reps)
        exercise = None if chosen is None else chosen.exercise
        done = chosen is not None and chosen.records is not None
        said = self.composer.chosen_reps_answer(exercise, reps, done)
        if chosen is None or chosen.records is None:
            return self.answer(turn, lambda _: Speech().say(said))
        if self.offered(turn) is not None:
            outcome = self.speak(turn, self.progression.set_called(chosen.progress))
            return replace(outcome, notice=said, exercises=chosen.records)
        # Only the record changes (the reps live there, and the progress is given them from
        # it each turn): a new place in the outcome would end a rest this was said over.
        answered = self.answer(
            replace(turn, progress=chosen.progress), lambda _: Speech().say(said)
        )
        return replace(answered, exercises=chosen.records)

    def best(self, turn: Turn) -> Outcome:
        """ "What's my best on the chin-ups": the most reps in a set, at the hardest way done."""
        named = turn.asked.slot("exercise")
        if named.spoken is not None and named.resolved_id is None:
            return Outcome(self.composer.which_exercise(turn.progress, named.spoken))
        exercise = self.progression.best_of(turn.progress, named.resolved_id)
        record = progression.record_of(turn.exercises, exercise.id if exercise else "")
        return self.from_history(turn, self.composer.best_answer(exercise, record))

    def load_kept(self, turn: Turn, move: Transition) -> Outcome:
        """ "Too hard" or "too easy": the version is kept for later workouts too."""
        outcome = self.speak(turn, move)
        kept = self.progression.load_kept(turn.progress, move, turn.exercises, turn.now)
        return outcome if kept is None else replace(outcome, exercises=kept)

    def missing_kit(self, turn: Turn) -> Outcome:
        """ "I don't have a pull-up bar": the exercise is done another way (nothing counted, the
        place kept), and so is every later one that needs it, in this workout and the next.
        Before a workout, the one that suits the kit best is offered."""
        kit = self.kit_said(turn)
        if kit is None:
            return self.which_kit(turn)
        if not kit:  # "i don't have that" at an exercise that needs only the floor
            return self.answer(turn, self.composer.needs_no_kit)
        lacking = self.coach.known_kit((*turn.preferences.missing_kit, *kit))
        said = self.composer.kit_lacking(kit)
        return self.kit_lacked(
            turn, lacking, said, lambda p, at: self.coach.kit_missing(p, kit, at)
        )

    def only_kit(self, turn: Turn) -> Outcome:
        """ "I only have dumbbells", "I've only got a mat", "no equipment": every other piece
        is missing."""
        slot = turn.asked.slot("kit")
        kept = None if slot.resolved_id == ALL_KIT else slot.resolved_id  # None: no kit at all
        if (slot.spoken is not None and slot.resolved_id is None) or (
            kept is not None and self.coach.library.kit_named(kept) is None
        ):
            return self.which_kit(turn)
        lacking = self.coach.known_kit(self.coach.library.kit_ids - {kept})
        said = self.composer.kit_lacking(lacking) if kept is None else self.composer.kit_only(kept)
        return self.kit_lacked(turn, lacking, said, lambda p, at: self.coach.kit_only(p, kept, at))

    def have_kit(self, turn: Turn) -> Outcome:
        """ "I have a pull-up bar now": the exercises that need it are done as planned again."""
        kit = self.kit_said(turn)
        if kit is None:
            return self.which_kit(turn)
        if not kit:  # "i've got it now" at an exercise that needs only the floor
            return self.answer(turn, self.composer.needs_no_kit)
        kept = tuple(k for k in turn.preferences.missing_kit if k not in kit)
        chosen = replace(turn.preferences, missing_kit=kept)
        if not self.under_way(turn):
            if self.told_to_stop_today(turn):
                return self.kit_noted_resting(turn, self.composer.kit_back(kit), chosen)
            return Outcome(self.composer.kit_back_idle(kit), preferences=chosen)
        at_exercise = self.routine_kind(turn) is None
        return self.kit_changed(turn, self.coach.kit_back(turn.progress, kit, at_exercise), chosen)

    def which_kit(self, turn: Turn) -> Outcome:
        return Outcome(self.composer.which_kit(turn.progress, self.routine_kind(turn)))

    def kit_lacked(
        self,
        turn: Turn,
        lacking: tuple[str, ...],
        said: str,
        step: Callable[[Progress, bool], Transition],
    ) -> Outcome:
        """The runner lacks `lacking`, remembered for later workouts. Before a workout, `said`
        and the workout that suits it offered; in one, the coach's `step`, told whether the
        runner is at an exercise (not in a warm-up)."""
        chosen = replace(turn.preferences, missing_kit=lacking)
        if not self.under_way(turn):
            if self.told_to_stop_today(turn):  # no workout offered today
                return self.kit_noted_resting(turn, said, chosen)
            return Outcome(self.composer.kit_idle(said, lacking), preferences=chosen)
        return self.kit_changed(turn, step(turn.progress, self.routine_kind(turn) is None), chosen)

    def kit_noted_resting(self, turn: Turn, said: str, chosen: Preferences) -> Outcome:
        """Kit said with no workout under way soon after being told to stop for today: `said`,
        kept for later workouts (`chosen`), and no workout offered."""
        reply = self.composer.answer_resting_today(turn.progress, Speech().say(said))
        return Outcome(reply, preferences=chosen)

    def kit_said(self, turn: Turn) -> tuple[str, ...] | None:
        """The kit the runner named, by id: every piece for "no equipment"; with none named
        ("i don't have that"), the kit of the exercise they are on, or before a workout all of
        it. None: words that name no kit the coach knows, or none named in a warm-up."""
        slot = turn.asked.slot("kit")
        library = self.coach.library
        if slot.resolved_id == ALL_KIT or (slot.spoken is None and not self.under_way(turn)):
            return tuple(sorted(library.kit_ids))
        if slot.resolved_id is not None:
            return (slot.resolved_id,) if library.kit_named(slot.resolved_id) else None
        here = self.coach.position(turn.progress)
        if slot.spoken is not None or here is None or self.routine_kind(turn) is not None:
            return None
        return here.exercise.kit

    def kit_changed(self, turn: Turn, move: Transition, chosen: Preferences) -> Outcome:
        """A change of kit said: with the set called again, as any move is; else its words,
        then what to say next there (at "Continue?", the question again). The kit the runner
        lacks is remembered for later workouts (`chosen`)."""
        if any(isinstance(event, ev.SetAnnounced) for event in move.events):
            return replace(self.speak(turn, move), preferences=chosen)
        speech = Speech()
        for event in move.events:
            speech.extend(self.composer.kit_words(move.progress, event))
        if turn.asked.pending == "continue":
            reply = self.composer.answer_then_offer(move.progress, speech)
        elif self.told_to_stop_today(turn):  # the other way to do it, and no way on today
            reply = self.composer.answer_resting_today(move.progress, speech)
        else:
            reply = self.composer.answer(move.progress, speech, self.routine_kind(turn))
        return Outcome(reply, move.progress, preferences=chosen, events=move.events)

    def longer_rest(self, turn: Turn) -> Outcome:
        return self.change_rest(turn, longer=True)

    def shorter_rest(self, turn: Turn) -> Outcome:
        return self.change_rest(turn, longer=False)

    def change_rest(self, turn: Turn, longer: bool) -> Outcome:
        """Longer or shorter rests, by REST_STEP_SECONDS, within what the coach can pace."""
        progress = turn.progress
        longest = hf.longest_rest(self.service, turn)
        current = self.coach.current_rest(progress)
        if current is None:
            return Outcome(self.composer.ask_rest(longest))
        if longer and current >= longest:
            # Rests set longer with the coach's audio stay as they are: "longer" never shortens.
            return Outcome(self.composer.rest_at_limit(progress, min(current, longest), True))
        step = REST_STEP_SECONDS if longer else -REST_STEP_SECONDS
        wanted = min(longest, max(MIN_REST_SECONDS, current + step))
        if wanted == current:
            return Outcome(self.composer.rest_at_limit(progress, current, longer))
        return self.rest_chosen(turn, self.coach.set_rest(progress, wanted, longest), False)

    def set_rest(self, turn: Turn) -> Outcome:
        seconds = turn.asked.slot("seconds").whole_number
        minutes = turn.asked.slot("minutes").whole_number
        if seconds is None and minutes is not None:
            seconds = minutes * 60
        if seconds is None:  # "a minute and a half": the spoken length's id is its seconds
            length = turn.asked.slot("length").resolved_id
            seconds = int(length) if length is not None and length.isdigit() else None
        longest = hf.longest_rest(self.service, turn)
        if seconds is None:
            return Outcome(self.composer.ask_rest(longest))
        always = turn.asked.slot("lasting").resolved_id == "always"  # "from now on" too
        return self.rest_chosen(turn, self.coach.set_rest(turn.progress, seconds, longest), always)

    def rest_chosen(self, turn: Turn, move: Transition, always: bool) -> Outcome:
        """A rest length chosen: counted towards keeping it for later workouts (at once with
        "always"), and said so when it is kept."""
        changed = next((e for e in move.events if isinstance(e, ev.RestChanged)), None)
        if changed is None:  # out of range: nothing chosen
            return self.speak(turn, move)
        rest = lasting_rest.chose(turn.rest, changed.seconds, always)
        if lasting_rest.says_kept(turn.rest, rest, always):
            said = replace(changed, lasting=True)
            move = Transition(
                move.progress, tuple(said if e is changed else e for e in move.events)
            )
        longer = self.rest_under_way_longer(turn, move)
        if longer:  # "I need a longer rest" said over one: this one too, not only the next
            turn = replace(turn, asked=turn.asked.rest_longer(longer))
        return replace(self.speak(turn, move), rest=rest, rest_longer=longer)

    def rest_under_way_longer(self, turn: Turn, move: Transition) -> int:
        """Seconds a rest change said over a rest adds to it: as much as rests grew. A shorter
        one starts with the next rest ("next" ends this one now)."""
        if turn.asked.rest_left is None or not self.place_kept_over_a_rest(turn, move):
            return 0
        before = self.coach.current_rest(turn.progress)
        after = self.coach.current_rest(move.progress)
        return max(0, after - before) if before is not None and after is not None else 0
