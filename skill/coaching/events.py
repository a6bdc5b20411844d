"""What happened in a move, for the speech layer to put into words. Plain frozen values."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class WorkoutStarted:
    workout_id: str
    lasting_rest: int | None = None  # the rest length the runner keeps, this workout started with


@dataclass(frozen=True)
class ExerciseIntroduced:
    exercise_index: int  # the full explanation: why, set-up, cues, steps


@dataclass(frozen=True)
class SetAnnounced:
    exercise_index: int
    set_number: int
    with_name: bool = False  # brief form that still names the exercise (after a resume)


@dataclass(frozen=True)
class SetDonePartly:
    """The set just counted was not the whole set: `reps` of it, when the runner said."""

    exercise_index: int
    reps: int | None


@dataclass(frozen=True)
class NoRepsDone:
    exercise_index: int  # "I failed on rep one": no set to count; the set is called again


@dataclass(frozen=True)
class ExtraSetAnnounced:
    exercise_index: int  # one more set of this exercise, beyond the plan


@dataclass(frozen=True)
class ExtraSetDone:
    exercise_index: int


@dataclass(frozen=True)
class ExtraSetLeft:
    exercise_index: int  # the extra set under way, left uncounted for the planned set


@dataclass(frozen=True)
class ExtraSetNotYet:
    exercise_index: int  # planned sets of it are still to come
    sets_left: int


@dataclass(frozen=True)
class ExtraSetsEnough:
    exercise_index: int
    extra: int  # extra sets of it already done


@dataclass(frozen=True)
class RestStarted:
    seconds: int
    last_set_of_exercise: bool


@dataclass(frozen=True)
class ExerciseSkipped:
    exercise_index: int


@dataclass(frozen=True)
class MovedBack:
    exercise_index: int  # the exercise moved back to


@dataclass(frozen=True)
class MovedBackASet:
    pass  # back one set within the exercise, to do it again


@dataclass(frozen=True)
class FinishTakenBack:
    """The workout's last set, counted by mistake, is off the count: the workout goes on."""


@dataclass(frozen=True)
class AlreadyFirst:
    pass


@dataclass(frozen=True)
class NothingToFinish:
    """The last exercise skipped with no set of the workout done: no workout to finish or
    count, and the set stays to do."""


@dataclass(frozen=True)
class WentTo:
    exercise_index: int
    switched_workout: bool


@dataclass(frozen=True)
class StartedOver:
    workout_id: str


@dataclass(frozen=True)
class Paused:
    pass


@dataclass(frozen=True)
class Resumed:
    pass


@dataclass(frozen=True)
class RestChanged:
    seconds: int
    lasting: bool = False  # kept for later workouts too (skill.coaching.lasting_rest)


@dataclass(frozen=True)
class PaceChanged:
    """The runner's led sets go at `pace` from now on (skill.coaching.progress), in this workout
    and later ones; `slower` is the way they asked. `pace` unchanged: it was at its bound."""

    pace: int
    slower: bool
    changed: bool = True


@dataclass(frozen=True)
class StepLedAgain:
    """ "I missed the T": the set's lead again from its step `step_index`, nothing counted."""

    exercise_index: int
    set_number: int
    step_index: int


@dataclass(frozen=True)
class RestRejected:
    asked: int
    minimum: int
    maximum: int


@dataclass(frozen=True)
class WorkoutFinished:
    workout_id: str
    exercises_done: int  # exercises with at least one set done
    sets_done: int
    skipped: tuple[str, ...]  # exercises skipped with none of their sets done, in order
    seconds_taken: float  # active time: pauses and long gaps left out
    cut_short: tuple[tuple[str, int], ...] = ()  # (exercise, sets done) skipped partway
    partial_sets: int = 0  # of sets_done, how many were not whole sets
    extra_sets: int = 0  # done beyond the plan, besides sets_done
    started_at: float | None = None  # names the workout in the history (it may end a partial one)
    not_reached: tuple[str, ...] = ()  # jumped over ("go to ...") with none of their sets done


@dataclass(frozen=True)
class WorkoutStopped:
    """The runner stopped for now with sets done: the workout so far, kept as a partial one. The
    place is kept too: they can come back and go on."""

    workout_id: str
    started_at: float | None
    exercises_done: int
    sets_done: int
    seconds_taken: float  # active time up to the last move
    last_move_at: float  # when the work so far was done (not when it was stopped)


@dataclass(frozen=True)
class WarmUpPart:
    part: int  # 0-based
    parts: int


@dataclass(frozen=True)
class WarmUpHeld:
    """The warm-up's part `part`, played recorded and stopped part-way (for pain): the runner
    is back in the warm-up, at that part, rather than at the set the recording led on to."""

    part: int  # 0-based


@dataclass(frozen=True)
class WarmUpSkipped:
    pass


@dataclass(frozen=True)
class CoolDownOffered:
    pass


@dataclass(frozen=True)
class CoolDownPart:
    part: int  # 0-based
    parts: int


@dataclass(frozen=True)
class CoolDownLeft:
    """The runner stopped during the cool-down, or declined it at its offer: it is over."""


@dataclass(frozen=True)
class NoActiveWorkout:
    just_finished: str | None = None  # the workout finished last, if any


@dataclass(frozen=True)
class LoadChosen:
    exercise_index: int
    load: str | None  # "easier", "harder", or None: back to the exercise as planned
    available: bool = True  # False: the exercise has no such option; nothing changed


@dataclass(frozen=True)
class StandInGiven:
    """The exercise at `exercise_index` is done another way from now on: the runner lacks kit
    it needs (the way is the exercise's stand-in for the progress after the move)."""

    exercise_index: int


@dataclass(frozen=True)
class KitNoted:
    """The runner lacks `kit` (ids), which the exercise at `exercise_index` does not need as it
    is being done: noted for the exercises that do."""

    kit: tuple[str, ...]
    exercise_index: int


@dataclass(frozen=True)
class KitBack:
    """The runner has `kit` (ids) again; `changed`: the exercise at `exercise_index` is done
    differently now (as planned, or another stand-in)."""

    kit: tuple[str, ...]
    exercise_index: int
    changed: bool


@dataclass(frozen=True)
class StandInLoad:
    """ "Too hard" or "too easy" while a stand-in is done: its own way to change it."""

    exercise_index: int
    harder: bool


Event = (
    WorkoutStarted
    | ExerciseIntroduced
    | SetAnnounced
    | SetDonePartly
    | NoRepsDone
    | ExtraSetAnnounced
    | ExtraSetDone
    | ExtraSetLeft
    | ExtraSetNotYet
    | ExtraSetsEnough
    | RestStarted
    | ExerciseSkipped
    | MovedBack
    | MovedBackASet
    | FinishTakenBack
    | AlreadyFirst
    | NothingToFinish
    | WentTo
    | StartedOver
    | Paused
    | Resumed
    | RestChanged
    | RestRejected
    | PaceChanged
    | StepLedAgain
    | WorkoutFinished
    | WorkoutStopped
    | NoActiveWorkout
    | WarmUpPart
    | WarmUpHeld
    | WarmUpSkipped
    | CoolDownOffered
    | CoolDownPart
    | CoolDownLeft
    | LoadChosen
    | StandInGiven
    | KitNoted
    | KitBack
    | StandInLoad
)
