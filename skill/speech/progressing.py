"""The words of an exercise moving on over weeks (skill.coaching.progression): the step up
offered as it comes up, the answer to it, what went up in the summary, a new best."""

from __future__ import annotations

from skill.coaching.progression import Best, ExerciseRecord, Records, Step, record_of
from skill.content.models import Exercise, WorkoutPlan
from skill.speech.ssml import Speech
from skill.speech.wording import Wording


class ProgressWords(Wording):
    def reps_at(self, exercise: Exercise, reps: int) -> str:
        """ "13 reps", "6 reps each side": a count of the exercise's own reps."""
        return self.reps(exercise.reps.__class__(reps, exercise.reps.unit, exercise.reps.per))

    def step_up_offer(self, exercise: Exercise, now_reps: int, step: Step, load: str | None) -> str:
        """One sentence: what the runner did, and the step up, as a question."""
        if step.load == load:
            reps = self.reps_at(exercise, step.reps)
            return self.phrases.say("progression.offer_reps", name=exercise.name, reps=reps)
        if step.load is None:
            return self.phrases.say("progression.offer_plan", name=exercise.name)
        reps = self.reps_at(exercise, now_reps)
        return self.phrases.say("progression.offer_harder", name=exercise.name, reps=reps)

    def stepped(self, exercise: Exercise, step: Step, load: str | None) -> str:
        """Said on a yes to the step up, before the set is called."""
        if step.load == load:
            return self.phrases.say("progression.up_reps", reps=self.reps_at(exercise, step.reps))
        return self.phrases.say(
            "progression.up_plan" if step.load is None else "progression.up_harder"
        )

    def step_up_answer(self, exercise: Exercise, step: Step | None, load: str | None) -> str:
        """Said on the answer to the step up: the step taken, or kept as it was."""
        return self.kept_at(exercise) if step is None else self.stepped(exercise, step, load)

    def kept_at(self, exercise: Exercise) -> str:
        return self.phrases.say("progression.kept", reps=self.reps(exercise.reps))

    def chosen_reps_answer(self, exercise: Exercise | None, reps: int, chosen: bool) -> str:
        """ "Go back to 12": the reps taken (`chosen`), or the exercise's range when out of
        it; with no `exercise` under way, when to ask."""
        if exercise is None:
            return self.phrases.say("progression.reps_when")
        if chosen:
            said = self.reps_at(exercise, reps)
            return self.phrases.say("progression.reps_chosen", reps=said, name=exercise.name)
        low, high = exercise.reps_range
        if low == high:
            said = self.reps_at(exercise, low)
            return self.phrases.say("progression.reps_fixed", name=exercise.name, reps=said)
        top = self.reps_at(exercise, high)
        return self.phrases.say("progression.reps_range", name=exercise.name, low=low, high=top)

    def went_up(self, plan: WorkoutPlan, ids: list[str], records: Records) -> str:
        """At most one sentence: what went up in this workout ("Shoulder press: up to 13 reps",
        or "Up today: shoulder press to 13 reps and lateral raise to 14 reps")."""
        ups = [self._up(e, record_of(records, e.id)) for e in plan.exercises if e.id in ids]
        if not ups:
            return ""
        if len(ups) == 1:
            name, what = ups[0]
            return self.phrases.say("progression.went_up_one", name=name, what=what)
        items = [
            self.phrases.say("progression.up_item", name=name, what=what) for name, what in ups
        ]
        return self.phrases.say("progression.went_up_many", items=self.join(items))

    def _up(self, exercise: Exercise, record: ExerciseRecord) -> tuple[str, str]:
        """The exercise's name, and where it went up to: "13 reps", "the harder way"."""
        if record.reps_for(exercise) == exercise.reps.count and record.load != "easier":
            return exercise.name, self.phrases.say(f"progression.version.{record.load or 'plan'}")
        return exercise.name, self.reps_at(exercise, record.reps_for(exercise))

    def best_news(self, plan: WorkoutPlan, best: Best | None) -> str:
        exercise = next((e for e in plan.exercises if best and e.id == best.exercise_id), None)
        if best is None or exercise is None:
            return ""
        if best.load is not None:
            return self.phrases.say("progression.best_harder", name=exercise.name)
        reps = self.reps_at(exercise, best.reps or 0)
        return self.phrases.say("progression.best_reps", name=exercise.name, reps=reps)

    def best_answer(self, exercise: Exercise | None, record: ExerciseRecord) -> Speech:
        """ "What's my best on the chin-ups"."""
        if exercise is None:
            return Speech().say(self.phrases.say("progression.best_which"))
        if record.hardest is None:
            return Speech().say(self.phrases.say("progression.best_none", name=exercise.name))
        version = self.phrases.say(f"progression.version.{record.hardest}")
        reps = self.reps_at(exercise, record.best_reps)
        text = self.phrases.say(
            "progression.best_answer", name=exercise.name, reps=reps, version=version
        )
        return Speech().say(text)
