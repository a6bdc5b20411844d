"""The moves a runner can make mid-workout, as pure functions of (progress, command) -> result."""

from __future__ import annotations

from dataclasses import dataclass, replace

from skill.coaching import events as ev
from skill.coaching.progress import MAX_REST_SECONDS, MIN_REST_SECONDS, Progress
from skill.content.models import Exercise, Library, WorkoutPlan

# Our estimate of how long one set takes, for "how much longer": 10 to 15 reps, a carry or a
# plank circle at a steady pace take about 40 seconds. The articles give no figure.
SECONDS_PER_SET = 40


@dataclass(frozen=True)
class Transition:
    progress: Progress
    events: tuple[ev.Event, ...]


@dataclass(frozen=True)
class Position:
    """The runner's place, resolved against the workout it refers to."""

    workout: WorkoutPlan
    exercise_index: int
    exercise: Exercise
    set_number: int

    @property
    def sets_left_after_this(self) -> int:
        return self.exercise.sets - self.set_number

    @property
    def next_exercise(self) -> Exercise | None:
        following = self.exercise_index + 1
        exercises = self.workout.exercises
        return exercises[following] if following < len(exercises) else None


class Coach:
    """Moves through a library's workouts. Holds no per-runner state: that is `Progress`."""

    def __init__(self, library: Library) -> None:
        self.library = library

    # --- reading a position -------------------------------------------------------------

    def is_valid(self, progress: Progress) -> bool:
        """Whether a stored progress still points at real content (content can change)."""
        if progress.workout_id is None:
            return True
        workout = self.library.get(progress.workout_id)
        if workout is None or progress.exercise_index >= len(workout.exercises):
            return False
        return progress.set_number <= workout.exercises[progress.exercise_index].sets

    def position(self, progress: Progress) -> Position | None:
        if not progress.active or not self.is_valid(progress):
            return None
        workout = self.library.get(progress.workout_id or "")
        assert workout is not None  # is_valid checked it
        index = progress.exercise_index
        return Position(workout, index, workout.exercises[index], progress.set_number)

    def rest_for(self, progress: Progress, exercise: Exercise) -> int:
        return progress.rest_seconds or exercise.rest_seconds

    def current_rest(self, progress: Progress) -> int | None:
        """The rest the coach paces after the current set; the runner's own when idle."""
        here = self.position(progress)
        if here is None:
            return progress.rest_seconds
        return self.rest_for(progress, here.exercise)

    def seconds_left(self, progress: Progress) -> float:
        """An estimate of the workout still to do, the current set included; 0 when idle."""
        here = self.position(progress)
        if here is None:
            return 0.0
        later = here.workout.exercises[here.exercise_index + 1 :]
        sets = here.exercise.sets - here.set_number + 1 + sum(e.sets for e in later)
        rest = self.rest_for(progress, here.exercise)
        return sets * SECONDS_PER_SET + max(0, sets - 1) * rest

    def workout_seconds(self, workout: WorkoutPlan, progress: Progress) -> float:
        """An estimate of a whole workout, start to finish, with the runner's rests."""
        sets = sum(e.sets for e in workout.exercises)
        rests = sum(
            progress.rest_seconds or e.rest_seconds
            for e in workout.exercises
            for _ in range(e.sets)
        )
        return sets * SECONDS_PER_SET + rests

    # --- moves ----------------------------------------------------------------------------

    def start(self, progress: Progress, workout_id: str, now: float) -> Transition:
        fresh = Progress(workout_id=workout_id, started_at=now, rest_seconds=progress.rest_seconds)
        return Transition(
            fresh, (ev.WorkoutStarted(workout_id), ev.ExerciseIntroduced(0), ev.SetAnnounced(0, 1))
        )

    def finish_set(self, progress: Progress, now: float) -> Transition:
        here = self.position(progress)
        if here is None:
            return self.nothing_active(progress)
        if progress.paused:
            return self.resume(progress)
        done = replace(progress, sets_done=progress.sets_done + 1)
        rest = self.rest_for(progress, here.exercise)
        if here.set_number < here.exercise.sets:
            moved = replace(done, set_number=here.set_number + 1)
            return Transition(
                moved,
                (
                    ev.RestStarted(rest, last_set_of_exercise=False),
                    ev.SetAnnounced(here.exercise_index, here.set_number + 1),
                ),
            )
        if here.next_exercise is None:
            return self._finish(done, here.workout, now)
        following = here.exercise_index + 1
        moved = replace(done, exercise_index=following, set_number=1)
        return Transition(
            moved,
            (
                ev.RestStarted(rest, last_set_of_exercise=True),
                ev.ExerciseIntroduced(following),
                ev.SetAnnounced(following, 1),
            ),
        )

    def skip_exercise(self, progress: Progress, now: float) -> Transition:
        here = self.position(progress)
        if here is None:
            return self.nothing_active(progress)
        skipped = replace(progress, skipped=(*progress.skipped, here.exercise.id), paused=False)
        if here.next_exercise is None:
            finished = self._finish(skipped, here.workout, now)
            return Transition(
                finished.progress, (ev.ExerciseSkipped(here.exercise_index), *finished.events)
            )
        following = here.exercise_index + 1
        moved = replace(skipped, exercise_index=following, set_number=1)
        return Transition(
            moved,
            (
                ev.ExerciseSkipped(here.exercise_index),
                ev.ExerciseIntroduced(following),
                ev.SetAnnounced(following, 1),
            ),
        )

    def previous_exercise(self, progress: Progress) -> Transition:
        here = self.position(progress)
        if here is None:
            return self.nothing_active(progress)
        if here.exercise_index == 0:
            unpaused = replace(progress, paused=False)
            return Transition(
                unpaused, (ev.AlreadyFirst(), ev.SetAnnounced(0, here.set_number, with_name=True))
            )
        back = here.exercise_index - 1
        moved = replace(progress, exercise_index=back, set_number=1, paused=False)
        return Transition(
            moved, (ev.MovedBack(back), ev.ExerciseIntroduced(back), ev.SetAnnounced(back, 1))
        )

    def go_to(self, progress: Progress, exercise_id: str, now: float) -> Transition | None:
        """Jump to an exercise by id; None when no workout has it."""
        found = self.library.find_exercise(exercise_id)
        if found is None:
            return None
        workout, index = found
        here = self.position(progress)
        if here is not None and here.workout.id == workout.id:
            moved = replace(progress, exercise_index=index, set_number=1, paused=False)
            switched = False
        else:
            started = self.start(progress, workout.id, now).progress
            moved = replace(started, exercise_index=index)
            switched = True
        return Transition(
            moved,
            (ev.WentTo(index, switched), ev.ExerciseIntroduced(index), ev.SetAnnounced(index, 1)),
        )

    def start_over(self, progress: Progress, now: float) -> Transition:
        workout_id = progress.workout_id
        if workout_id is None or self.library.get(workout_id) is None:
            return self.nothing_active(progress)
        restarted = self.start(progress, workout_id, now)
        return Transition(
            restarted.progress,
            (ev.StartedOver(workout_id), ev.ExerciseIntroduced(0), ev.SetAnnounced(0, 1)),
        )

    def pause(self, progress: Progress) -> Transition:
        if self.position(progress) is None:
            return self.nothing_active(progress)
        return Transition(replace(progress, paused=True), (ev.Paused(),))

    def resume(self, progress: Progress) -> Transition:
        here = self.position(progress)
        if here is None:
            return self.nothing_active(progress)
        resumed = replace(progress, paused=False)
        return Transition(
            resumed,
            (ev.Resumed(), ev.SetAnnounced(here.exercise_index, here.set_number, with_name=True)),
        )

    def set_rest(self, progress: Progress, seconds: int) -> Transition:
        if not MIN_REST_SECONDS <= seconds <= MAX_REST_SECONDS:
            return Transition(
                progress, (ev.RestRejected(seconds, MIN_REST_SECONDS, MAX_REST_SECONDS),)
            )
        return Transition(replace(progress, rest_seconds=seconds), (ev.RestChanged(seconds),))

    # --- helpers --------------------------------------------------------------------------

    def _finish(self, progress: Progress, workout: WorkoutPlan, now: float) -> Transition:
        skipped = progress.skipped
        exercises_done = len(workout.exercises) - len(set(skipped))
        taken = max(0.0, now - progress.started_at) if progress.started_at is not None else 0.0
        finished = replace(progress, finished=True, paused=False)
        summary = ev.WorkoutFinished(workout.id, exercises_done, progress.sets_done, skipped, taken)
        return Transition(finished, (summary,))

    def nothing_active(self, progress: Progress) -> Transition:
        """The answer to any move that needs a workout under way."""
        just_finished = progress.workout_id if progress.finished else None
        return Transition(progress, (ev.NoActiveWorkout(just_finished),))
