"""Turn what the coach did (events, positions) into what Alexa says: SSML, reprompt, and whether
the microphone stays open. `Composer` is every reply the skill gives, by concern:
skill.speech.wording (the building blocks), skill.speech.moves (a move of the workout),
skill.speech.answers (replies that move nothing) and, here, the questions asked before a move
that loses the runner's place."""

from __future__ import annotations

from skill.coaching.coach import partial_out_of, whole_set_reps
from skill.coaching.progress import Progress
from skill.speech.answers import Answers
from skill.speech.ssml import Speech
from skill.speech.wording import Reply, question_reprompt, reps_words

__all__ = ["Composer", "Reply", "question_reprompt", "reps_words"]


class Composer(Answers):
    # --- asking before a move that loses the runner's place ---------------------------------

    def _confirm(self, progress: Progress, key: str, pending: str, **values: str) -> Reply:
        here = self.coach.position(progress)
        assert here is not None  # only asked with a workout under way
        place = {"set": here.set_number, "sets": here.exercise.sets}
        text = self.phrases.say(
            key, 0, current=here.workout.name, name=here.exercise.name, **place, **values
        )
        return self.ask_yes_no(Speech().say(text), pending)

    def confirm_partial(self, progress: Progress, reps: int) -> Reply:
        """Before a set far short of its reps is counted as partial: of one side's reps when
        fewer ("Only 2 of 4 reps each side?", as it is then counted), else of the whole set."""
        here = self.coach.position(progress)
        assert here is not None  # only asked at a set
        out_of = partial_out_of(here.exercise, reps)
        if out_of < whole_set_reps(here.exercise):  # one side's: said as the set's reps are
            planned = reps_words(self.phrases, here.exercise.reps)
        else:
            planned = str(out_of)
        return self._confirm(
            progress, "confirm.partial", f"partial:{reps}", reps=str(reps), planned=planned
        )

    def confirm_end(self, progress: Progress, routine: str | None) -> Reply:
        """Before everyday words for stopping end a workout under way (or its warm-up)."""
        if routine == "warm_up":
            return self.ask_yes_no(Speech().say(self.phrases.say("confirm.end_warm_up")), "end")
        return self._confirm(progress, "confirm.end", "end")

    def confirm_start_over(self, progress: Progress, routine: str | None) -> Reply:
        if routine == "warm_up":  # not yet at the first set, whatever the position says
            current = self._plan(progress.workout_id or "").name
            text = self.phrases.say("confirm.start_over_warm_up", current=current)
            return self.ask_yes_no(Speech().say(text), "start_over")
        return self._confirm(progress, "confirm.start_over", "start_over")

    def confirm_start_fresh(self, progress: Progress) -> Reply:
        """The workout under way named while its place is held: started afresh, from its
        warm-up, after a yes (a no keeps the place)."""
        workout_id = progress.workout_id or ""
        return self._confirm(progress, "confirm.start_fresh", f"switch:{workout_id}")

    def confirm_switch(self, progress: Progress, workout_id: str) -> Reply:
        workout = self._plan(workout_id).name
        return self._confirm(progress, "confirm.switch", f"switch:{workout_id}", workout=workout)

    def confirm_another(self, finished: Progress, workout_id: str) -> Reply:
        """A workout named at the cool-down offer, straight after one: asked first."""
        text = self.phrases.say(
            "confirm.another",
            workout=self._plan(workout_id).name,
            current=self._plan(finished.workout_id or "").name,
        )
        return self.ask_yes_no(Speech().say(text), f"switch:{workout_id}")

    def confirm_another_go_to(self, finished: Progress, exercise_id: str) -> Reply:
        """A move named at the cool-down offer or in the cool-down: its workout, asked first."""
        found = self.coach.library.find_exercise(exercise_id)
        assert found is not None
        plan, index = found
        text = self.phrases.say(
            "confirm.another_go_to",
            workout=plan.name,
            exercise=plan.exercises[index].name,
            current=self._plan(finished.workout_id or "").name,
        )
        return self.ask_yes_no(Speech().say(text), f"go_to:{exercise_id}")

    def confirm_go_to(self, progress: Progress, exercise_id: str) -> Reply:
        found = self.coach.library.find_exercise(exercise_id)
        assert found is not None
        plan, index = found
        exercise = plan.exercises[index].name
        pending = f"go_to:{exercise_id}"
        return self._confirm(
            progress, "confirm.go_to", pending, exercise=exercise, workout=plan.name
        )

    def confirm_back(self, progress: Progress, back: Progress) -> Reply:
        """Before going back takes a set that was done off the count."""
        there = self.coach.position(back)
        assert there is not None
        return self._confirm(
            progress,
            "confirm.back",
            "back",
            back_name=there.exercise.name,
            back_set=str(there.set_number),
            back_sets=str(there.exercise.sets),
        )

    def confirm_take_back(self, before: Progress) -> Reply:
        """Before the workout's last set, counted by mistake, comes off the count (`before`:
        the place on that set), and the workout with it."""
        there = self.coach.position(before)
        assert there is not None  # only asked with a place to go back to
        text = self.phrases.say(
            "confirm.take_back",
            back_name=there.exercise.name,
            back_set=there.set_number,
            back_sets=there.exercise.sets,
        )
        return self.ask_yes_no(Speech().say(text), "take_back")

    def kept_place(self, progress: Progress, cold: bool = False) -> Reply:
        """No to leaving the set: the runner stays on it. `cold`: back after long enough away to
        have cooled down, so loosen up first, as the yes at "Continue?" says."""
        speech = self.where(progress, "confirm.kept")
        if cold:
            speech.say(self.phrases.say("set.loosen_up"))
        return self.answer(progress, speech)

    def already_on(self, progress: Progress) -> Reply:
        here = self.coach.position(progress)
        assert here is not None  # only said with a workout under way
        speech = Speech().say(self.phrases.say("confirm.already_on", workout=here.workout.name))
        # The set's announcement ends by saying what to say: no second prompt after it.
        speech.extend(
            self.announce_set(here.exercise, here.set_number, named=True, pace=progress.pace)
        )
        return Reply(speech, self.set_reprompt(progress), False)

    # --- resetting the runner's settings (docs/preferences.md) ------------------------------

    def settings_named(
        self,
        rest: int | None,
        exercise_ids: tuple[str, ...],
        kit: bool,
        music: bool,
        pace: bool = False,
    ) -> str:
        """What "reset my settings" clears, in words: only what the runner has set."""
        named = []
        if rest is not None:
            named.append(self.phrases.say("settings.rest", seconds=rest))
        if len(exercise_ids) == 1:
            found = self.coach.library.find_exercise(exercise_ids[0])
            if found is not None:
                plan, index = found
                named.append(self.phrases.say("settings.exercise", name=plan.exercises[index].name))
        elif exercise_ids:
            named.append(self.phrases.say("settings.exercises", count=len(exercise_ids)))
        if kit:
            named.append(self.phrases.say("settings.kit"))
        if music:
            named.append(self.phrases.say("settings.music"))
        if pace:
            named.append(self.phrases.say("settings.pace"))
        return self.join(named)

    def confirm_reset(self, named: str) -> Reply:
        return self.ask_yes_no(
            Speech().say(self.phrases.say("settings.confirm", named=named)), "reset"
        )

    def settings_said(
        self, progress: Progress, key: str, routine: str | None, named: str = ""
    ) -> Reply:
        """The reset done, declined, or with nothing to reset; then what to say next."""
        speech = Speech().say(self.phrases.say(key, named=named))
        return self.answer(progress, speech, routine)
