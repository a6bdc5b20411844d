"""What happened in a move, for the speech layer to put into words. Plain frozen values."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class WorkoutStarted:
    workout_id: str


@dataclass(frozen=True)
class ExerciseIntroduced:
    exercise_index: int  # the full explanation: why, set-up, cues, steps


@dataclass(frozen=True)
class SetAnnounced:
    exercise_index: int
    set_number: int
    with_name: bool = False  # brief form that still names the exercise (after a resume)


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
class AlreadyFirst:
    pass


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
    started_at: float | None = None  # names the workout in the history (it may end a partial one)


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
    """The runner stopped during the cool-down: it is over."""


@dataclass(frozen=True)
class NoActiveWorkout:
    just_finished: str | None = None  # the workout finished last, if any


@dataclass(frozen=True)
class LoadChosen:
    exercise_index: int
    load: str | None  # "easier", "harder", or None: back to the exercise as planned
    available: bool = True  # False: the exercise has no such option; nothing changed


Event = (
    WorkoutStarted
    | ExerciseIntroduced
    | SetAnnounced
    | RestStarted
    | ExerciseSkipped
    | MovedBack
    | MovedBackASet
    | AlreadyFirst
    | WentTo
    | StartedOver
    | Paused
    | Resumed
    | RestChanged
    | RestRejected
    | WorkoutFinished
    | WorkoutStopped
    | NoActiveWorkout
    | WarmUpPart
    | WarmUpSkipped
    | CoolDownOffered
    | CoolDownPart
    | CoolDownLeft
    | LoadChosen
)
