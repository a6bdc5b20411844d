"""The runner's questions: how to do it, where they are, what's next, what it works, and their
history."""

from __future__ import annotations

from dataclasses import replace

from skill.alexa import hands_free as hf
from skill.alexa.handlers.answering import Answering
from skill.alexa.turn import Outcome, Turn


class QuestionCommands(Answering):
    """Answers to the runner's questions; none moves the workout."""

    def how_to(self, turn: Turn) -> Outcome:
        """How to do the exercise under way (or one named). In a warm-up, how to do its part
        under way (or the exercise named, with no set called); at the cool-down offer, what
        the cool-down is, and the offer again; in the cool-down, the part just led again."""
        named = turn.asked.slot("exercise").resolved_id
        kind = self.routine_kind(turn)
        if named is None and kind is not None and self.pain_asked_in_routine(turn):
            # "How do I do this stretch" after it hurt: not how, but why they stopped, and
            # whether to go on (a yes leads the part, in full)
            return Outcome(self.composer.pain_in_routine_again(kind, welcome=False))
        part = self.warm_up_part(turn)
        if part is not None:
            under_way = max(0, part - 1)
            return self.answer(turn, lambda p: self.composer.warm_up_how(p, under_way, named))
        if self.offer_open(turn):
            return Outcome(self.composer.cool_down_answer(turn.progress))
        again = self.part_again(turn) if named is None else None  # in the cool-down
        if again is not None:
            return again
        if named is None and not self.under_way(turn) and not turn.progress.finished:
            return self.help(turn)  # "what do i do?" before choosing: how the coach works
        resting = self.told_to_stop_today(turn)
        here = self.coach.position(turn.progress)
        this_one = named is None or here is not None and here.exercise.id == named
        if turn.progress.paused and this_one and not resting:
            # Held (after pain, or "wait"): how it is done, with no set called after it, and
            # the question still open or how to resume ("done" would start a set not begun)
            return self.answer(turn, self.composer.explained)
        return Outcome(self.composer.how_to(turn.progress, named, resting))

    def status(self, turn: Turn) -> Outcome:
        """Where the runner is; while "Only 2 of 12?" is open the set is held for the question
        alone, so it is not said to be paused (the question is asked again after)."""
        if self.partial_asked(turn):
            unheld = replace(turn.progress, paused=False)
            return self.answer(turn, lambda _: self.composer.status_answer(unheld))
        if hf.resting(self.service, turn) and turn.asked.pending is None:
            # over the rest the player plays: resting, before which set (not "you're on it")
            return Outcome(self.composer.repeat_in_rest(turn.progress))
        return self.answer(turn, self.where_in_the_routine(turn) or self.composer.status_answer)

    def whats_next(self, turn: Turn) -> Outcome:
        """What comes next: in a warm-up or cool-down, its next part (after a warm-up's last
        part, the first exercise)."""
        return self.answer(turn, self.where_in_the_routine(turn) or self.composer.next_answer)

    def sets_left(self, turn: Turn) -> Outcome:
        if self.offer_open(turn):  # "how many sets did I do": the workout just done
            return self.last_workout(turn)
        return self.answer(turn, self.where_in_the_routine(turn) or self.composer.sets_answer)

    def reps(self, turn: Turn) -> Outcome:
        """The set's reps; in the cool-down (no sets), where it is. In the warm-up, the first
        set's reps, which come next."""
        cooling = self.routine_kind(turn) == "cool_down"
        return self.answer(
            turn,
            (self.where_in_the_routine(turn) if cooling else None) or self.composer.reps_answer,
        )

    def remaining(self, turn: Turn) -> Outcome:
        """ "How long is left": in the warm-up, the rest of it and then the workout's length; in
        the cool-down, the rest of it."""
        named = self.workout_asked_about(turn)
        part = self.warm_up_part(turn)
        if named is None and part is not None:
            return self.answer(turn, lambda p: self.composer.warm_up_then_workout(p, part))
        if named is None and self.routine_kind(turn) == "cool_down":
            return self.answer(turn, self.where_in_the_routine(turn) or self.composer.status_answer)
        return self.answer(turn, lambda p: self.composer.remaining_answer(p, named))

    def rest_length(self, turn: Turn) -> Outcome:
        return self.answer(turn, self.composer.rest_answer)

    def muscles(self, turn: Turn) -> Outcome:
        named = self.workout_asked_about(turn)
        if named is None and self.routine_kind(turn) is not None:
            named = turn.progress.workout_id  # in a warm-up or cool-down: its workout's muscles
        if named is None and self.offer_open(turn):  # the workout just done, then the offer
            speech = self.composer.muscles_answer(turn.progress, turn.progress.workout_id)
            return Outcome(self.composer.answer_then_cool_down_offer(turn.progress, speech))
        return self.answer(turn, lambda p: self.composer.muscles_answer(p, named))

    def equipment(self, turn: Turn) -> Outcome:
        """The exercise under way, the way the runner does it; in a warm-up or cool-down,
        its workout."""
        named = self.workout_asked_about(turn)
        if named is None and self.routine_kind(turn) is not None:
            named = turn.progress.workout_id
        return self.answer(turn, lambda p: self.composer.equipment_answer(p, named))

    # The history questions: answered from what the coach remembers, then what to say next.

    def workouts_this_week(self, turn: Turn) -> Outcome:
        return self.in_own_time(turn, self.composer.week_answer)

    def last_workout(self, turn: Turn) -> Outcome:
        """ "How did I do", "what did I do last time"."""
        progress = turn.progress
        return self.in_own_time(
            turn,
            lambda history, now, zone: self.composer.last_workout_answer(
                history, now, zone, progress
            ),
        )

    def streak(self, turn: Turn) -> Outcome:
        return self.in_own_time(turn, self.composer.streak_answer)

    def total_workouts(self, turn: Turn) -> Outcome:
        answer = self.composer.total_answer(turn.history.read(), turn.progress)
        return self.from_history(turn, answer)

    def warm_up_question(self, turn: Turn) -> Outcome:
        """A question about the warm-up ("how long is the warm-up", "what's in it", "why bother":
        one intent): how long and what for; in it, the part next too; elsewhere, the chosen
        workout's first moves."""
        part = self.warm_up_part(turn)
        if part is not None:
            return self.answer(turn, lambda p: self.composer.warm_up_answer(p, part))
        return self.answer(turn, self.composer.warm_up_about)

    def cool_down_question(self, turn: Turn) -> Outcome:
        return self.answer(turn, self.composer.cool_down_about)
