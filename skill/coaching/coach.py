"""The moves a runner can make mid-workout, as pure functions of (progress, command) -> result."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace

from skill.coaching import events as ev
from skill.coaching.progress import (
    MAX_REST_SECONDS,
    MAX_SPOKEN_REST_SECONDS,
    MIN_REST_SECONDS,
    QUICKEST_PACE,
    SLOWEST_PACE,
    Progress,
)
from skill.content.models import Exercise, Library, Substitute, WorkoutPlan

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


# Time allowed for doing one set, on top of the longest rest, before a gap between two moves
# stops counting as workout time. The longest sets in either workout (the Y-T-W-L raise at 8
# reps of each of four letters, the carry at 15 yards each side) take a runner about a minute
# and a half; the introduction said before an exercise's first set lasts 30 to 75 seconds at
# Alexa's pace (the Y-T-W-L raise's is the longest). Three minutes covers the longest set after
# the longest introduction with a little slack.
SET_ALLOWANCE_SECONDS = 180
# Away this long since the last move, warm muscles have cooled: loosen up before a set.
COOLED_SECONDS = 30 * 60
MAX_EXTRA_SETS = 3  # extra sets of one exercise in a workout: enough for anyone who asks


class Coach:
    """Moves through a library's workouts. Holds no per-runner state: that is `Progress`."""

    def __init__(self, library: Library) -> None:
        self.library = library

    # --- reading a position -------------------------------------------------------------

    def is_valid(self, progress: Progress) -> bool:
        """Whether a stored progress still points at real content (content can change)."""
        if progress.workout_id is None:
            return not (progress.skipped or progress.loads or progress.missing_kit or progress.reps)
        if not self.library.kit_ids.issuperset(progress.missing_kit):
            return False
        workout = self.library.get(progress.workout_id)
        if workout is None or progress.exercise_index >= len(workout.exercises):
            return False
        exercises = workout.exercises
        if len(progress.sets_by_exercise) > len(exercises):
            return False
        # Values, not only types: every count, skip and load must fit this workout, or the
        # summary would say nonsense ("-24 exercises").
        if any(n > e.sets for n, e in zip(progress.sets_by_exercise, exercises, strict=False)):
            return False
        ids = {exercise.id for exercise in exercises}
        if not ids.issuperset(progress.skipped):
            return False
        if not ids.issuperset(exercise_id for exercise_id, _ in progress.loads):
            return False
        if not ids.issuperset(exercise_id for exercise_id, _, _ in progress.partial_sets):
            return False
        if not ids.issuperset(exercise_id for exercise_id, _ in progress.extra_sets):
            return False
        if not ids.issuperset(exercise_id for exercise_id, _ in progress.reps):
            return False
        if any(count > MAX_EXTRA_SETS for _, count in progress.extra_sets):
            return False
        if progress.extra_of is not None and progress.extra_of >= len(exercises):
            return False
        return progress.set_number <= exercises[progress.exercise_index].sets

    def other_workout(self, progress: Progress) -> str | None:
        """ "The other one": the one workout besides the runner's current or last one; None when
        none was chosen yet or more than one other could be meant."""
        others = [w.id for w in self.library.workouts if w.id != progress.workout_id]
        return others[0] if progress.workout_id is not None and len(others) == 1 else None

    def position(self, progress: Progress) -> Position | None:
        if not progress.active or not self.is_valid(progress):
            return None
        workout = self.library.get(progress.workout_id or "")
        assert workout is not None  # is_valid checked it
        index = progress.exercise_index
        exercise = self.tuned(progress, workout.exercises[index])
        return Position(workout, index, exercise, progress.set_number)

    def exercise_before(self, progress: Progress) -> Exercise | None:
        """At an exercise's first set, the exercise before it when any of it was done: what the
        runner just finished, over the rest or introduction leading to this one."""
        here = self.position(progress)
        if here is None or here.set_number != 1 or progress.extra_of is not None:
            return None
        index = here.exercise_index - 1
        if index < 0 or progress.sets_of(index) < 1:
            return None
        return here.workout.exercises[index]

    def tuned(self, progress: Progress, exercise: Exercise) -> Exercise:
        """`exercise` at the reps a set the runner does: the easier or harder way's own, where
        they do that way and it has some ("do only 5 of each letter"), else their own, where
        they chose some. Done another way for missing kit, the way's reps are not the plan's
        options' (those need the kit)."""
        reps = None
        if self.stand_in(progress, exercise) is None:
            reps = exercise.load_reps(progress.load_of(exercise.id))
        if reps is None:
            reps = progress.reps_of(exercise.id)
        return exercise if reps is None else exercise.at_reps(reps)

    def called_at_new_reps(self, before: Progress, after: Progress) -> tuple[ev.Event, ...]:
        """The set under way called again when a change of way changed its reps (nothing
        counted): the runner does, and a led set leads, the count they were just told."""
        was, now = self.position(before), self.position(after)
        if was is None or now is None or after.paused or after.extra_of is not None:
            return ()
        if was.exercise.reps == now.exercise.reps:
            return ()
        return (ev.SetAnnounced(now.exercise_index, now.set_number, with_name=True),)

    def rest_for(self, progress: Progress, exercise: Exercise) -> int:
        return progress.rest_seconds or exercise.rest_seconds

    def longest_gap(self, progress: Progress) -> float:
        """The most one gap between two moves adds to the workout's time: the longest rest in
        effect plus SET_ALLOWANCE_SECONDS for the set (and any introduction) around it."""
        workout = self.library.get(progress.workout_id or "")
        rests = [self.rest_for(progress, e) for e in workout.exercises] if workout else []
        return max(rests, default=MAX_REST_SECONDS) + SET_ALLOWANCE_SECONDS

    def current_rest(self, progress: Progress) -> int | None:
        """The rest the coach paces after the current set; the runner's own when idle."""
        here = self.position(progress)
        if here is None:
            return progress.rest_seconds
        return self.rest_for(progress, here.exercise)

    def time_for_the_set(self, progress: Progress, now: float) -> bool:
        """Whether enough time has passed since the current set was announced for the runner to
        have done it: the rest before it, and SET_ALLOWANCE_SECONDS for any introduction and
        the set itself."""
        here = self.position(progress)
        last = progress.last_move_at
        if here is None or progress.paused or last is None:
            return False
        return now - last > self.rest_for(progress, here.exercise) + SET_ALLOWANCE_SECONDS

    def cooled_down(self, progress: Progress, now: float) -> bool:
        """Back at a set after long enough away for warm muscles to cool."""
        last = progress.last_move_at
        return (
            self.position(progress) is not None
            and last is not None
            and now - last >= COOLED_SECONDS
        )

    def back_cold(self, before: Progress, events: Iterable[ev.Event], now: float) -> bool:
        """A move with `events` made `now` from `before` calls the set again (the place held, or
        left) after long enough away for warm muscles to cool: loosen up first."""
        again = any(isinstance(event, ev.Resumed) for event in events)
        return again and self.cooled_down(before, now)

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

    def clocked(self, progress: Progress, now: float) -> Progress:
        """`progress` with the time since its last move counted, as a move at `now` does.

        A gap counts in full up to `longest_gap`, and no further: a runner who stops answering
        (the microphone closed, or back two days later) was not working out all that time. Time
        spent paused never counts. A progress upgraded from record version 1 has no last move:
        its time since the start counts, up to one longest gap per set done and one more.
        """
        if not progress.active:
            return progress
        cap = self.longest_gap(progress)
        last = progress.last_move_at
        if progress.paused:
            gap = 0.0
        elif last is not None:
            gap = min(max(0.0, now - last), cap)
        elif progress.started_at is not None:
            gap = min(max(0.0, now - progress.started_at), cap * (progress.sets_done + 1))
        else:
            gap = 0.0
        return replace(progress, active_seconds=progress.active_seconds + gap, last_move_at=now)

    def entry_set(self, progress: Progress, workout: WorkoutPlan, index: int) -> int:
        """The set to do on moving into exercise `index`: after the sets already done there,
        or set 1 when none or all of them are done."""
        done = progress.sets_of(index)
        return done + 1 if 0 < done < workout.exercises[index].sets else 1

    # --- moves ----------------------------------------------------------------------------
    # Every move that takes `now` counts the time since the previous move (see `clocked`).

    def start(
        self,
        progress: Progress,
        workout_id: str,
        now: float,
        warm_up: bool = False,
        missing_kit: Iterable[str] | None = None,
    ) -> Transition:
        """A fresh workout; with `warm_up`, its led warm-up comes before the first exercise.
        The runner lacks `missing_kit` (by default, what they lacked in `progress`)."""
        # A rest chosen with no workout under way is for this one; one chosen in another
        # workout stays with that workout.
        rest = None if progress.active else progress.rest_seconds
        kit = self.known_kit(progress.missing_kit if missing_kit is None else missing_kit)
        fresh = Progress(
            workout_id=workout_id,
            started_at=now,
            rest_seconds=rest,
            last_move_at=now,
            missing_kit=kit,
            pace=progress.pace,
        )
        plan = self.library.get(workout_id)
        left = self.left_partway(progress, now)
        if warm_up and plan is not None and plan.warm_up:
            return Transition(
                fresh, (*left, ev.WorkoutStarted(workout_id), ev.WarmUpPart(0, len(plan.warm_up)))
            )
        return Transition(
            fresh,
            (*left, ev.WorkoutStarted(workout_id), ev.ExerciseIntroduced(0), ev.SetAnnounced(0, 1)),
        )

    def start_past_the_warm_up(
        self, progress: Progress, workout_id: str, now: float, missing_kit: Iterable[str] | None
    ) -> Transition:
        """A fresh workout, its warm-up skipped as the runner asked: its first exercise now."""
        started = self.start(progress, workout_id, now, missing_kit=missing_kit)
        events: list[ev.Event] = []
        for event in started.events:
            if isinstance(event, ev.ExerciseIntroduced):
                events.append(ev.WarmUpSkipped())
            events.append(event)
        return Transition(started.progress, tuple(events))

    def left_partway(self, progress: Progress, now: float) -> tuple[ev.Event, ...]:
        """The workout under way, left for another (or for itself from the top) with sets done:
        kept as a partial one, as stopping keeps it, so no set done is lost."""
        return self.stop(progress, now).events

    def warm_up(self, progress: Progress, part: int) -> Transition:
        """Lead part `part` of the warm-up; after the last, the first exercise begins. The
        warm-up happens before any set, so the progress does not change."""
        here = self.position(progress)
        if here is None:
            return self.nothing_active(progress)
        parts = len(here.workout.warm_up)
        if not 0 <= part < parts:
            return self.skip_warm_up(progress)
        if part < parts - 1:
            return Transition(progress, (ev.WarmUpPart(part, parts),))
        return Transition(progress, (ev.WarmUpPart(part, parts), *self._begin(here)))

    def skip_warm_up(self, progress: Progress) -> Transition:
        here = self.position(progress)
        if here is None:
            return self.nothing_active(progress)
        return Transition(progress, (ev.WarmUpSkipped(), *self._begin(here)))

    def _begin(self, here: Position) -> tuple[ev.Event, ...]:
        return (
            ev.ExerciseIntroduced(here.exercise_index),
            ev.SetAnnounced(here.exercise_index, here.set_number),
        )

    def cool_down(self, progress: Progress, part: int) -> Transition | None:
        """Lead part `part` of the cool-down of the workout just finished; None when there is
        no such part (no finished workout, or no cool-down)."""
        plan = self.library.get(progress.workout_id or "")
        if not progress.finished or plan is None or not 0 <= part < len(plan.cool_down):
            return None
        return Transition(progress, (ev.CoolDownPart(part, len(plan.cool_down)),))

    def finish_set(self, progress: Progress, now: float) -> Transition:
        here = self.position(progress)
        if here is None:
            return self.nothing_active(progress)
        if progress.paused:
            return self.resume(progress, now)
        if progress.extra_of is not None:
            return self._extra_set_done(self.clocked(progress, now), here, progress.extra_of)
        return self._set_done(self.clocked(progress, now), here)

    def extra_set(self, progress: Progress, now: float) -> Transition:
        """One more set than planned: of the exercise whose planned sets are all done, the one
        just finished (or the current one, gone back to). The place in the plan stays; the
        extra set is counted apart, and afterwards the runner is back where they were."""
        here = self.position(progress)
        if here is None:
            return self.nothing_active(progress)
        if progress.extra_of is not None:  # asked again: the same extra set
            return Transition(progress, (ev.ExtraSetAnnounced(progress.extra_of),))
        index = here.exercise_index
        exercises = here.workout.exercises
        if progress.sets_of(index) < here.exercise.sets and progress.sets_of(index) == 0:
            index -= 1  # the exercise just finished, before this one began
        if index < 0 or progress.sets_of(index) < exercises[index].sets:
            index = here.exercise_index
            left = here.exercise.sets - progress.sets_of(index)
            return Transition(progress, (ev.ExtraSetNotYet(index, left),))
        extra = progress.extra_sets_of(exercises[index].id)
        if extra >= MAX_EXTRA_SETS:
            return Transition(progress, (ev.ExtraSetsEnough(index, extra),))
        moved = replace(self.clocked(progress, now), extra_of=index, paused=False)
        return Transition(moved, (ev.ExtraSetAnnounced(index),))

    def _extra_set_done(self, progress: Progress, here: Position, index: int) -> Transition:
        """The extra set counted; after a rest, the set the runner was on is called again."""
        exercise = here.workout.exercises[index]
        counts = {**dict(progress.extra_sets), exercise.id: progress.extra_sets_of(exercise.id) + 1}
        done = replace(progress, extra_of=None, extra_sets=tuple(sorted(counts.items())))
        rest = self.rest_for(progress, exercise)
        return Transition(
            done,
            (
                ev.ExtraSetDone(index),
                ev.RestStarted(rest, last_set_of_exercise=False),
                ev.SetAnnounced(here.exercise_index, here.set_number, with_name=True),
            ),
        )

    def finish_set_partly(self, progress: Progress, now: float, reps: int | None) -> Transition:
        """The set done, but not all of it: `reps` of it (None: the runner did not say). It
        counts, and is kept as partial. As many reps as the plan asks are the whole set."""
        here = self.position(progress)
        if here is None:
            return self.nothing_active(progress)
        if progress.paused or progress.extra_of is not None:
            return self.finish_set(progress, now)  # an extra set counts whole
        if reps is not None and reps >= whole_set_reps(here.exercise):
            return self._set_done(self.clocked(progress, now), here)
        reps = reps_of_one_side(here.exercise, reps)
        if reps == 0:  # not a rep done: nothing to count, the set again
            index, number = here.exercise_index, here.set_number
            return Transition(
                self.clocked(progress, now),
                (ev.NoRepsDone(index), ev.SetAnnounced(index, number, with_name=True)),
            )
        partial = (here.exercise.id, here.set_number, reps)
        # One note a set: a set done again (the exercise gone back to) replaces its first.
        clocked = self._without_partial(self.clocked(progress, now), *partial[:2])
        noted = replace(clocked, partial_sets=(*clocked.partial_sets, partial))
        done = self._set_done(noted, here)
        return Transition(
            done.progress, (ev.SetDonePartly(here.exercise_index, reps), *done.events)
        )

    def last_set_partly(self, progress: Progress, reps: int | None) -> Transition | None:
        """Said over the rest after a set: that set was not the whole set, `reps` of it (None:
        not said). It stays counted, now kept as partial, and the place does not move. None
        when no such set is there to note: before the first, an extra set (under way, or just
        done: extras count whole), paused, or as many reps as the set asks, or none."""
        here = self.position(progress)
        if here is None or progress.paused or progress.extra_of is not None:
            return None
        index, number = here.exercise_index, here.set_number - 1
        if number < 1:  # the rest after the exercise before: its last set
            index -= 1
            number = progress.sets_of(index) if index >= 0 else 0
        if number < 1:
            return None
        exercise = self.tuned(progress, here.workout.exercises[index])
        if index != here.exercise_index and progress.extra_sets_of(exercise.id):
            return None  # the set before this rest was an extra one, and extras count whole
        if reps is not None and not 0 < reps < whole_set_reps(exercise):
            return None
        reps = reps_of_one_side(exercise, reps)
        others = self._without_partial(progress, exercise.id, number).partial_sets
        noted = replace(progress, partial_sets=(*others, (exercise.id, number, reps)))
        return Transition(noted, (ev.SetDonePartly(index, reps),))

    def _set_done(self, progress: Progress, here: Position) -> Transition:
        """The set at `here` counted done, then a rest into the next set or exercise."""
        index = here.exercise_index
        # An exercise gone back to once all its sets were done is done again: its count stays
        # at the plan's (more would be a record no workout can hold, put aside as unreadable).
        counted = min(progress.sets_of(index) + 1, here.exercise.sets)
        done = replace(
            progress,
            paused=False,
            sets_by_exercise=progress.with_sets_of(index, counted),
            skipped=tuple(s for s in progress.skipped if s != here.exercise.id),
        )
        rest = self.rest_for(progress, here.exercise)
        if here.set_number < here.exercise.sets:
            moved = replace(done, set_number=here.set_number + 1)
            return Transition(
                moved,
                (
                    ev.RestStarted(rest, last_set_of_exercise=False),
                    ev.SetAnnounced(index, here.set_number + 1),
                ),
            )
        if here.next_exercise is None:
            return self._finish(done, here.workout)
        following = index + 1
        entry = self.entry_set(done, here.workout, following)
        moved = replace(done, exercise_index=following, set_number=entry)
        return Transition(
            moved,
            (
                ev.RestStarted(rest, last_set_of_exercise=True),
                ev.ExerciseIntroduced(following),
                ev.SetAnnounced(following, entry),
            ),
        )

    def skip_exercise(self, progress: Progress, now: float, set_done: bool = True) -> Transition:
        """Move on to the next exercise. On an exercise's last set, the runner who says so has
        done that set: it counts, and the exercise is not called skipped; unless `set_done` is
        False (skipped because it hurt), when nothing is counted."""
        here = self.position(progress)
        if here is None:
            return self.nothing_active(progress)
        if progress.extra_of is not None:  # skipping the extra set: back to the planned one
            dropped = replace(self.clocked(progress, now), extra_of=None, paused=False)
            return Transition(
                dropped, (ev.SetAnnounced(here.exercise_index, here.set_number, with_name=True),)
            )
        clocked = replace(self.clocked(progress, now), paused=False)
        if here.set_number == here.exercise.sets and set_done:
            return self._set_done(clocked, here)
        exercise_id = here.exercise.id
        if clocked.sets_of(here.exercise_index) >= here.exercise.sets:
            skipped = clocked  # done again, and left: all its sets were done, none is skipped
        else:
            others = (s for s in clocked.skipped if s != exercise_id)
            skipped = replace(clocked, skipped=(*others, exercise_id))
        if here.next_exercise is None:
            counts = (clocked.sets_of(i) for i in range(len(here.workout.exercises)))
            if not any(counts) and not clocked.extra_sets:  # an empty workout is none
                called = ev.SetAnnounced(here.exercise_index, here.set_number, with_name=True)
                return Transition(clocked, (ev.NothingToFinish(), called))
            finished = self._finish(skipped, here.workout)
            return Transition(
                finished.progress, (ev.ExerciseSkipped(here.exercise_index), *finished.events)
            )
        following = here.exercise_index + 1
        entry = self.entry_set(skipped, here.workout, following)
        moved = replace(skipped, exercise_index=following, set_number=entry)
        return Transition(
            moved,
            (
                ev.ExerciseSkipped(here.exercise_index),
                ev.ExerciseIntroduced(following),
                ev.SetAnnounced(following, entry),
            ),
        )

    def _without_partial(self, progress: Progress, exercise_id: str, set_number: int) -> Progress:
        """`progress` with the set no longer kept as partial (it comes off the count)."""
        kept = tuple(p for p in progress.partial_sets if p[:2] != (exercise_id, set_number))
        return replace(progress, partial_sets=kept)

    def back_one_set(self, progress: Progress, now: float) -> Transition:
        """Go back to the set done before this one, to do it again: its count is undone.

        From set 3, that is set 2 of the same exercise. From an exercise's first set, it is the
        last set done of the exercise before (in the workout's order); when none of that
        exercise was done (it was skipped or jumped over), its first set, introduced again.
        """
        here = self.position(progress)
        if here is None:
            return self.nothing_active(progress)
        clocked = replace(self.clocked(progress, now), paused=False, extra_of=None)
        index = here.exercise_index
        if here.set_number > 1:
            back_set = here.set_number - 1
            done = clocked.sets_of(index)
            # Doing an exercise again whose sets are all counted: going back takes none off.
            counted = done if done >= here.exercise.sets else done - 1
            moved = replace(
                self._without_partial(clocked, here.exercise.id, back_set),
                set_number=back_set,
                sets_by_exercise=clocked.with_sets_of(index, counted),
            )
            return Transition(moved, (ev.MovedBackASet(), ev.SetAnnounced(index, back_set)))
        if index == 0:
            return Transition(
                clocked, (ev.AlreadyFirst(), ev.SetAnnounced(0, here.set_number, with_name=True))
            )
        back = index - 1
        done = clocked.sets_of(back)
        if done == 0:
            moved = replace(clocked, exercise_index=back, set_number=1)
            return Transition(
                moved, (ev.MovedBack(back), ev.ExerciseIntroduced(back), ev.SetAnnounced(back, 1))
            )
        back_set = min(done, here.workout.exercises[back].sets)
        moved = replace(
            self._without_partial(clocked, here.workout.exercises[back].id, back_set),
            exercise_index=back,
            set_number=back_set,
            sets_by_exercise=clocked.with_sets_of(back, done - 1),
        )
        return Transition(moved, (ev.MovedBack(back), ev.SetAnnounced(back, back_set)))

    def take_back_finish(self, finished: Progress, before: Progress) -> Transition | None:
        """The workout `finished` by its last move taken back: the runner is at `before` again
        (the place that move started from, on the set it counted), called as it was. None when
        `finished` is no finished workout or `before` is no place in the same one. The clock is
        `before`'s: finishing the set again counts its time once."""
        if not finished.finished or before.workout_id != finished.workout_id:
            return None
        here = self.position(before)
        if here is None:
            return None
        back = replace(before, paused=False)
        return Transition(
            back,
            (
                ev.FinishTakenBack(),
                ev.SetAnnounced(here.exercise_index, here.set_number, with_name=True),
            ),
        )

    def go_to(self, progress: Progress, exercise_id: str, now: float) -> Transition | None:
        """Jump to an exercise by id; None when no workout has it. Exercises jumped over are
        neither done nor skipped."""
        found = self.library.find_exercise(exercise_id)
        if found is None:
            return None
        workout, index = found
        here = self.position(progress)
        if here is not None and here.workout.id == workout.id:
            clocked = self.clocked(progress, now)
            entry = self.entry_set(clocked, workout, index)
            moved = replace(
                clocked, exercise_index=index, set_number=entry, paused=False, extra_of=None
            )
            switched = False
        else:
            entry = 1
            started = self.start(progress, workout.id, now).progress
            moved = replace(started, exercise_index=index)
            switched = True
        return Transition(
            moved,
            (
                *(self.left_partway(progress, now) if switched else ()),
                ev.WentTo(index, switched),
                ev.ExerciseIntroduced(index),
                ev.SetAnnounced(index, entry),
            ),
        )

    def start_over(
        self, progress: Progress, now: float, missing_kit: Iterable[str] | None = None
    ) -> Transition:
        """The same workout again from the top, keeping the rest the runner chose for it; the
        runner lacks `missing_kit` (by default, what they lacked in `progress`)."""
        workout_id = progress.workout_id
        if workout_id is None or self.library.get(workout_id) is None:
            return self.nothing_active(progress)
        restarted = self.start(progress, workout_id, now, missing_kit=missing_kit).progress
        return Transition(
            replace(restarted, rest_seconds=progress.rest_seconds),
            (
                *self.left_partway(progress, now),
                ev.StartedOver(workout_id),
                ev.ExerciseIntroduced(0),
                ev.SetAnnounced(0, 1),
            ),
        )

    def leave_extra(self, progress: Progress) -> Transition:
        """ "Undo" just after "one more set": the extra set is left uncounted, and the planned
        set called again; nothing done comes off the count."""
        if progress.extra_of is None:
            return Transition(progress, ())
        return self._leaving_extra(progress, lambda p: Transition(p, ()))

    def _leaving_extra(
        self, progress: Progress, move: Callable[[Progress], Transition]
    ) -> Transition:
        """`move`, made from the planned set: an extra set under way is left uncounted, and the
        planned set is called again if the move does not call it."""
        assert progress.extra_of is not None
        made = move(replace(progress, extra_of=None))
        events: tuple[ev.Event, ...] = (ev.ExtraSetLeft(progress.extra_of), *made.events)
        here = self.position(made.progress)
        calls = any(isinstance(e, ev.SetAnnounced) for e in made.events)
        if here is not None and not calls and not made.progress.paused:
            events += (ev.SetAnnounced(here.exercise_index, here.set_number, with_name=True),)
        return Transition(made.progress, events)

    def change_load(self, progress: Progress, harder: bool) -> Transition:
        """One step easier or harder for the current exercise (harder after easier is back to
        the plan's own), kept for the rest of this workout."""
        if progress.extra_of is not None:
            return self._leaving_extra(progress, lambda p: self.change_load(p, harder))
        here = self.position(progress)
        if here is None:
            return self.nothing_active(progress)
        exercise = here.exercise
        if self.stand_in(progress, exercise) is not None:  # the plan's options need the kit
            return Transition(progress, (ev.StandInLoad(here.exercise_index, harder),))
        levels = ("easier", None, "harder")
        now_at = levels.index(progress.load_of(exercise.id))
        wanted = levels[min(2, now_at + 1) if harder else max(0, now_at - 1)]
        option = "plan" if wanted is None else self.load_way(progress, exercise, wanted)
        if wanted == progress.load_of(exercise.id) or option is None:
            unchanged = ev.LoadChosen(here.exercise_index, "harder" if harder else "easier", False)
            return Transition(progress, (unchanged,))
        chosen = replace(progress, loads=progress.with_load(exercise.id, wanted))
        events = (
            ev.LoadChosen(here.exercise_index, wanted),
            *self.called_at_new_reps(progress, chosen),
        )
        return Transition(chosen, events)

    def stop(self, progress: Progress, now: float) -> Transition:
        """Stopping for now. The place is kept (they can come back and go on), so the progress
        does not change; with a set done, the workout so far is summed up, to be kept as a
        partial one. Its time is the work up to the last move: after the last set counted comes
        no more work, and a runner who stops at "Continue?" days later did none that day."""
        here = self.position(progress)
        if here is None or progress.sets_done == 0:
            return Transition(progress, ())
        counts = [progress.sets_of(i) for i in range(len(here.workout.exercises))]
        so_far = ev.WorkoutStopped(
            here.workout.id,
            progress.started_at,
            exercises_done=sum(1 for n in counts if n > 0),
            sets_done=sum(counts),
            seconds_taken=progress.active_seconds,
            last_move_at=now if progress.last_move_at is None else progress.last_move_at,
        )
        return Transition(progress, (so_far,))

    def pause(self, progress: Progress, now: float) -> Transition:
        if self.position(progress) is None:
            return self.nothing_active(progress)
        if progress.paused:  # held already: no move, so its time stays that of the last one
            return Transition(progress, (ev.Paused(),))
        return Transition(replace(self.clocked(progress, now), paused=True), (ev.Paused(),))

    def hold(self, progress: Progress) -> Progress:
        """The place held where it is, as a no to carrying on (or stopping) at "Continue?"
        holds it: no move, so the time since the last one is not counted as work (days away
        would count as minutes done, and a workout kept from two days ago as today's)."""
        return progress if self.position(progress) is None else replace(progress, paused=True)

    def resume(self, progress: Progress, now: float) -> Transition:
        here = self.position(progress)
        if here is None:
            return self.nothing_active(progress)
        resumed = replace(self.clocked(progress, now), paused=False)
        if progress.extra_of is not None:
            return Transition(resumed, (ev.Resumed(), ev.ExtraSetAnnounced(progress.extra_of)))
        return Transition(
            resumed,
            (ev.Resumed(), ev.SetAnnounced(here.exercise_index, here.set_number, with_name=True)),
        )

    def set_rest(
        self, progress: Progress, seconds: int, longest: int = MAX_SPOKEN_REST_SECONDS
    ) -> Transition:
        """Rests of `seconds` from now on; at most `longest` (what the runner's device can pace:
        up to MAX_REST_SECONDS with the coach's audio)."""
        longest = min(longest, MAX_REST_SECONDS)
        if not MIN_REST_SECONDS <= seconds <= longest:
            return Transition(progress, (ev.RestRejected(seconds, MIN_REST_SECONDS, longest),))
        return Transition(replace(progress, rest_seconds=seconds), (ev.RestChanged(seconds),))

    # --- the pace of led sets ------------------------------------------------------------------

    def change_pace(self, progress: Progress, slower: bool) -> Transition:
        """ "Slow down" or "speed up": the led sets go one step slower or quicker, within
        QUICKEST_PACE and SLOWEST_PACE, from now on. A set the coach leads, under way, is called
        again at the new pace; nothing is counted or un-counted. At a bound nothing changes."""
        step = 1 if slower else -1
        pace = min(max(progress.pace + step, QUICKEST_PACE), SLOWEST_PACE)
        if pace == progress.pace:
            return Transition(progress, (ev.PaceChanged(pace, slower, changed=False),))
        paced = replace(progress, pace=pace)
        events: tuple[ev.Event, ...] = (ev.PaceChanged(pace, slower),)
        here = self.position(progress)
        if here is not None and here.exercise.led and progress.extra_of is None:
            events += (ev.SetAnnounced(here.exercise_index, here.set_number, with_name=True),)
        return Transition(paced, events)

    def step_again(self, progress: Progress, step: str | None) -> Transition | None:
        """ "I missed the T": the lead of the set under way again from that step, on through
        the steps after it, nothing counted. None when no set under way has that step (the set
        is then said again whole)."""
        here = self.position(progress)
        if here is None or step is None or progress.extra_of is not None:
            return None
        names = [s.name.casefold() for s in here.exercise.steps]
        if step.casefold() not in names:
            return None
        index = names.index(step.casefold())
        return Transition(progress, (ev.StepLedAgain(here.exercise_index, here.set_number, index),))

    # --- missing kit ------------------------------------------------------------------------

    def known_kit(self, kit: Iterable[str]) -> tuple[str, ...]:
        """`kit` as a progress keeps it: the ids the content knows, each once, sorted."""
        return tuple(sorted(set(kit) & self.library.kit_ids))

    def stand_in(self, progress: Progress, exercise: Exercise) -> Substitute | None:
        """How `exercise` is done without the kit the runner lacks; None: as planned."""
        return exercise.stand_in(frozenset(progress.missing_kit))

    def load_way(self, progress: Progress, exercise: Exercise, load: str) -> str | None:
        """The `load` way ("easier" or "harder") to do `exercise`, with the kit the runner has;
        None: it has no such way."""
        if load == "easier":
            return exercise.easier
        return exercise.harder_with(frozenset(progress.missing_kit))

    def kit_missing(
        self, progress: Progress, kit: Iterable[str], at_exercise: bool = True
    ) -> Transition:
        """The runner lacks `kit` for the rest of this workout, and every exercise that needs it
        is done another way. Nothing is counted and the place is kept; `at_exercise` (not in a
        warm-up), when the exercise they are on changes, its new way is given and the set
        called again (unless paused)."""
        if progress.extra_of is not None:
            return self._leaving_extra(progress, lambda p: self.kit_missing(p, kit, at_exercise))
        here = self.position(progress)
        if here is None:
            return self.nothing_active(progress)
        named = self.known_kit(kit)
        noted = replace(progress, missing_kit=self.known_kit((*progress.missing_kit, *named)))
        index, exercise = here.exercise_index, here.exercise
        now_done = self.stand_in(noted, exercise)
        changed = now_done != self.stand_in(progress, exercise)
        # Said again (or "no equipment" on a stand-in already), the way is given again too.
        concerns = not set(named).isdisjoint(exercise.kit)
        if not at_exercise or now_done is None or not (changed or concerns):
            return Transition(noted, (ev.KitNoted(named, index),))
        if noted.paused:
            return Transition(noted, (ev.StandInGiven(index),))
        return Transition(noted, (ev.StandInGiven(index), ev.SetAnnounced(index, here.set_number)))

    def kit_only(
        self, progress: Progress, kept: str | None, at_exercise: bool = True
    ) -> Transition:
        """The runner has only `kept` (None: no kit at all): they lack every other piece."""
        trimmed = replace(progress, missing_kit=tuple(k for k in progress.missing_kit if k != kept))
        return self.kit_missing(trimmed, self.library.kit_ids - {kept}, at_exercise)

    def kit_back(
        self, progress: Progress, kit: Iterable[str], at_exercise: bool = True
    ) -> Transition:
        """The runner has `kit` again: the exercises that need it are done as planned (or
        another way, for kit still missing). The place is kept, nothing counted."""
        if progress.extra_of is not None:
            return self._leaving_extra(progress, lambda p: self.kit_back(p, kit, at_exercise))
        here = self.position(progress)
        if here is None:
            return self.nothing_active(progress)
        named = self.known_kit(kit)
        back = replace(
            progress, missing_kit=tuple(k for k in progress.missing_kit if k not in named)
        )
        index, exercise = here.exercise_index, here.exercise
        now_done = self.stand_in(back, exercise)
        changed = at_exercise and now_done != self.stand_in(progress, exercise)
        events: tuple[ev.Event, ...] = (ev.KitBack(named, index, changed),)
        if changed:
            events += (
                (ev.ExerciseIntroduced(index),) if now_done is None else (ev.StandInGiven(index),)
            )
            if not back.paused:
                events += (ev.SetAnnounced(index, here.set_number),)
        return Transition(back, events)

    def best_workout(self, missing_kit: Iterable[str]) -> WorkoutPlan:
        """The workout that suits a runner without `missing_kit` best: the fewest exercises done
        another way, the first offered on a tie."""
        lacking = frozenset(missing_kit)
        return min(
            self.library.workouts,
            key=lambda plan: sum(e.stand_in(lacking) is not None for e in plan.exercises),
        )

    # --- helpers --------------------------------------------------------------------------

    def _finish(self, progress: Progress, workout: WorkoutPlan) -> Transition:
        """The summary of a clocked `progress`: what was done, what stayed skipped, how long."""
        counts = [progress.sets_of(i) for i in range(len(workout.exercises))]
        stayed = [
            (e.id, n)
            for e, n in zip(workout.exercises, counts, strict=True)
            if e.id in progress.skipped
        ]
        finished = replace(progress, finished=True, paused=False, rest_seconds=None)
        summary = ev.WorkoutFinished(
            workout.id,
            exercises_done=sum(1 for n in counts if n > 0),
            sets_done=sum(counts),
            skipped=tuple(exercise_id for exercise_id, n in stayed if n == 0),
            seconds_taken=progress.active_seconds,
            cut_short=tuple((exercise_id, n) for exercise_id, n in stayed if n > 0),
            partial_sets=len(progress.partial_sets),
            extra_sets=sum(count for _, count in progress.extra_sets),
            started_at=progress.started_at,
            not_reached=tuple(
                e.id
                for e, n in zip(workout.exercises, counts, strict=True)
                if n == 0 and e.id not in progress.skipped
            ),
        )
        if workout.cool_down:
            return Transition(finished, (summary, ev.CoolDownOffered()))
        return Transition(finished, (summary,))

    def nothing_active(self, progress: Progress) -> Transition:
        """The answer to any move that needs a workout under way."""
        just_finished = progress.workout_id if progress.finished else None
        return Transition(progress, (ev.NoActiveWorkout(just_finished),))


# How many times a set's reps are done, by what they are "each" of: 4 reps each side is 8 in all.
_SIDES = {"side": 2, "hand": 2, "direction": 2}


def whole_set_reps(exercise: Exercise) -> int:
    """The reps (or yards, circles) of the whole set, every side, letter or direction."""
    per = exercise.reps.per
    times = (len(exercise.steps) or 1) if per == "letter" else _SIDES.get(per or "", 1)
    return exercise.reps.count * times


def partial_out_of(exercise: Exercise, reps: int) -> int:
    """What `reps` said of a set cut short are counted out of: one side's reps when fewer than
    those ("2 of 4 each side"), else the whole set's ("6 of 8"), as reps_of_one_side reads them."""
    return exercise.reps.count if reps < exercise.reps.count else whole_set_reps(exercise)


def reps_of_one_side(exercise: Exercise, reps: int | None) -> int | None:
    """A partial set's reps as said of one side (of `exercise.reps.count`); None when the number
    said is more than one side's and so of the whole set ("only six" of 4 each side): that set
    is partial, with no number said back that could be taken for one side's."""
    if reps is not None and reps >= exercise.reps.count:
        return None
    return reps
