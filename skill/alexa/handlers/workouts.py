"""Starting, switching and ending workouts, going to an exercise, and the cool-down offer."""

from __future__ import annotations

from dataclasses import replace

from skill.alexa.handlers.answering import Answering
from skill.alexa.turn import Outcome, SlotValue, Turn

# "You pick" the next day after a workout suggests the other one (20 hours: yesterday
# evening's workout, asked about this evening); sooner, the choice is the runner's.
A_DAY_OFF_SECONDS = 20 * 3600


class WorkoutCommands(Answering):
    """Which workout, and its start and end."""

    def start_workout(self, turn: Turn) -> Outcome:
        workout = turn.asked.slot("workout")
        if workout.resolved_id is None and self.named_workout(turn) is not None:
            return self.switch_workout(turn)  # "let's do the other one"
        workout_id, progress = workout.resolved_id, turn.progress
        under_way = self.under_way(turn)
        if workout_id is None or self.coach.library.get(workout_id) is None:
            if not workout.spoken:
                return self.none_named(turn)
            if under_way:  # mid-set words that named no workout
                return self.fallback(turn)
            return Outcome(self.composer.which_workout(workout.spoken))
        if under_way and progress.workout_id == workout_id:
            if turn.asked.pending == "continue":  # "the dumbbell one" at "Continue?": yes
                return self.yes(turn)
            routine = turn.routine_part
            if self.pain_asked_in_routine(turn):  # not on with a warm-up that hurt, unasked
                return self.pain_asked_again(turn)
            if routine is not None and routine[0] == "warm_up":  # its warm-up goes on
                return self.next_routine_part(turn, *routine)
            if progress.paused and turn.asked.in_conversation:
                # named while the place is held (after a no to carrying on, say): a fresh
                # start is likely meant, and asked for
                return Outcome(self.composer.confirm_start_fresh(progress))
            return Outcome(self.composer.already_on(progress))
        if under_way:
            return Outcome(self.composer.confirm_switch(progress, workout_id))
        if turn.asked.pending == "cool_down" or self.cooling_down_now(turn):
            # a workout named straight after one, or in its cool-down: asked first
            return Outcome(self.composer.confirm_another(progress, workout_id))
        return self.start(turn, workout_id)

    def none_named(self, turn: Turn) -> Outcome:
        """A workout asked for without naming one ("you pick", "let's start"): at the cool-down
        offer the offer stands, in the cool-down it goes on, soon after the advice to stop for
        today that advice again; otherwise the one not done last time, or the choice."""
        if self.offer_open(turn):
            return self.offer_again(turn)
        if self.told_to_stop_today(turn):
            return self.launch(turn)
        if self.routine_kind(turn) == "cool_down":
            return Outcome(self.composer.acknowledged(turn.progress, "cool_down"))
        other = None if self.under_way(turn) else self.workout_to_suggest(turn)
        if other is not None:
            return Outcome(self.composer.suggest_workout(turn.progress.workout_id or "", other))
        return Outcome(self.composer.which_workout(None))

    def workout_to_suggest(self, turn: Turn) -> str | None:
        """For "you pick": the workout besides the last one, when that one had sets done the day
        before or earlier (arms get a day off); None when the choice is the runner's."""
        progress = turn.progress
        last = progress.last_move_at
        if progress.sets_done == 0 or last is None or turn.now - last < A_DAY_OFF_SECONDS:
            return None
        return self.coach.other_workout(progress)

    def start(self, turn: Turn, workout_id: str, warm_up: bool = True) -> Outcome:
        """A workout from its warm-up (or past it, asked), without the kit the runner lacks."""
        kit, now = turn.preferences.missing_kit, turn.now
        if warm_up:
            started = self.coach.start(turn.progress, workout_id, now, True, missing_kit=kit)
        else:
            started = self.coach.start_past_the_warm_up(turn.progress, workout_id, now, kit)
        return self.speak(turn, self.own_ways(turn, started))

    def switch_workout(self, turn: Turn) -> Outcome:
        """ "The other one": mid-workout, at the cool-down offer or in the cool-down, asked
        first; after a workout, the other one starts."""
        progress = turn.progress
        other = self.coach.other_workout(progress)
        if other is None:
            return Outcome(self.composer.which_workout(None))
        if self.under_way(turn):
            return Outcome(self.composer.confirm_switch(progress, other))
        if turn.asked.pending == "cool_down" or self.cooling_down_now(turn):
            # straight after a workout, or in its cool-down: asked first
            return Outcome(self.composer.confirm_another(progress, other))
        return self.start(turn, other)

    def go_to_exercise(self, turn: Turn) -> Outcome:
        exercise = turn.asked.slot("exercise")
        named = None if exercise.resolved_id is not None else self.workout_in(exercise.spoken)
        if named is not None:  # "i want to do dumbbell workout": a workout, not an exercise
            workout = {"workout": SlotValue(exercise.spoken, named)}
            return self.start_workout(replace(turn, asked=replace(turn.asked, slots=workout)))
        before = turn.progress
        move = None
        if exercise.resolved_id is not None:
            move = self.coach.go_to(before, exercise.resolved_id, turn.now)
        if move is None or exercise.resolved_id is None:
            return Outcome(self.composer.which_exercise(before, exercise.spoken))
        here = self.coach.position(before)
        if self.under_way(turn) and here and move.progress.workout_id != here.workout.id:
            return Outcome(self.composer.confirm_go_to(before, exercise.resolved_id))
        if self.offer_open(turn) or self.cooling_down_now(turn):
            # a move named straight after a workout starts a workout again: asked first
            return Outcome(self.composer.confirm_another_go_to(before, exercise.resolved_id))
        return self.speak(turn, self.own_ways(turn, move))

    def cool_down(self, turn: Turn) -> Outcome:
        """ "Let's cool down", "let's stretch": the cool-down of the workout just done is led,
        at its offer or later; during it, the way on is said; before the workout is done, when
        it comes. Nothing is counted, skipped or ended for it."""
        routine = turn.routine_part
        if routine is not None and routine[0] == "cool_down":
            return Outcome(self.composer.acknowledged(turn.progress, "cool_down"))
        move = self.coach.cool_down(turn.progress, 0) if routine is None else None
        if move is not None:
            return self.speak(turn, move)
        return self.answer(turn, self.composer.cool_down_later)

    def no_cool_down(self, turn: Turn) -> Outcome:
        """ "Skip the cool-down": at the offer, no; in a cool-down, it ends; before, the coach
        says to answer no at the offer."""
        routine = turn.routine_part
        if turn.asked.pending == "pain:cool_down":  # finishing it here, as offered
            return self.cool_down_finished_for_pain(turn)
        if turn.asked.pending == "cool_down" or (routine is not None and routine[0] == "cool_down"):
            return self.no(turn) if routine is None else self.stop(turn)
        if self.late_yes_to_the_cool_down(turn):
            return self.reminding.offer_after(turn, Outcome(self.composer.cool_down_declined()))
        return self.answer(turn, self.composer.cool_down_skipped_later)
