"""Typed, frozen shapes of a workout. Nothing here knows about Alexa or speech markup."""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import cached_property


@dataclass(frozen=True)
class Reps:
    """How much one set (or one step of a set) asks for, e.g. 4 each side, 15 yards each side."""

    count: int
    unit: str = "reps"  # "reps", "yards", "metres", "circles", "seconds"
    per: str | None = None  # "side", "direction", "letter" -> "each side"


@dataclass(frozen=True)
class Step:
    """One ordered part of a multi-part move, e.g. the Y of the Y-T-W-L raise."""

    name: str
    cue: str
    reps: Reps


@dataclass(frozen=True)
class Move:
    """One named move of a warm-up or cool-down, held for a number of seconds."""

    name: str
    seconds: int
    figure: str | None = None  # how the screen draws it: a move in figures.yaml, by name
    # How it is named in a list of moves ("Zuerst: langsames Gehen, Brustdehnung ..."), where
    # its words, led, are a sentence of their own ("Geh langsam und ...") that reads as no item.
    listed: str | None = None


@dataclass(frozen=True)
class Kit:
    """One piece of kit a workout uses (skill/content/kit_list.yaml)."""

    id: str  # "pull_up_bar"
    name: str  # as the coach names it in a sentence: "a pull-up bar", "dumbbells"
    aliases: tuple[str, ...]  # what runners call it: "chin up bar", "bar"
    without: str  # after "without": the name, unless the language says it otherwise ("ohne Matte")


@dataclass(frozen=True)
class Substitute:
    """Another way to do an exercise when the runner lacks one piece of its kit."""

    kit: str  # the id of the kit it stands in for
    name: str  # what the coach calls it: "floor pull"
    instead: str  # how to do it, spoken
    source: str  # where the idea comes from and why it stands in (not spoken)
    uses: tuple[str, ...] = ()  # the kit it needs itself (the other workout's), by id
    # The muscles it works, in plain words, where they are not the exercise's own (a row in
    # place of a chin-up works no core); None: the same move with another load, the same muscles.
    works: str | None = None


# Where an easier or harder way with its own reps says them: filled with the reps as the set
# call says them ("5 reps each letter"), so what the runner is told and what is led agree.
REPS_MARK = "{reps}"

# The halves a set is split into, by what its reps are counted per: the coach calls the switch.
HALVES = ("side", "direction", "hand")


@dataclass(frozen=True)
class Exercise:
    id: str
    name: str
    aliases: tuple[str, ...]  # other names a runner may say: "chin ups", "renegade rows"
    works: str  # the muscles, in plain words
    why: str  # why it helps a runner
    setup: str
    cues: tuple[str, ...]  # form cues, in the order they are spoken
    key_cues: tuple[int, ...]  # positions (0-based) of the cues said when first introduced
    sets: int
    reps: Reps
    rest_seconds: int
    steps: tuple[Step, ...] = ()  # non-empty for moves walked through step by step
    alternating: bool = False  # sides swap every rep, so no "switch sides" halfway through
    needs: str | None = None  # the equipment this exercise needs, in plain words
    # What the easier (harder) way needs, where it differs: "a bench or a sturdy box". The
    # harder way's is also offered beside `needs` ("or ... to make it harder") to a runner
    # who has its harder_kit.
    easier_needs: str | None = None
    harder_needs: str | None = None
    easier: str | None = None  # a regression, spoken when the runner finds it too hard
    harder: str | None = None  # a progression, spoken when the runner finds it too easy
    harder_kit: tuple[str, ...] = ()  # kit the harder way needs beyond the exercise's own
    harder_without_kit: str | None = None  # the harder way for a runner without that kit
    # The reps a set the easier (harder) way, where that way has its own count ("do 5 reps
    # of each letter"), in the exercise's unit; its text says them at REPS_MARK. None: the plan's.
    easier_reps: int | None = None
    harder_reps: int | None = None
    load_source: str = ""  # where the easier and harder options come from
    source: str = ""  # where the sets, reps and rest figures come from
    kit: tuple[str, ...] = ()  # the kit it needs, by id (skill/content/kit_list.yaml)
    substitutes: tuple[Substitute, ...] = ()  # in the order they are preferred
    # The reps a set may go up to as the runner gets stronger (skill.coaching.progression):
    # (fewest, most), the planned count within it. The planned count alone when the article
    # gives one figure: then a step up is the harder version.
    rep_range: tuple[int, int] | None = None
    rep_range_source: str | None = None  # where the range comes from (not spoken)

    def harder_with(self, lacking: frozenset[str]) -> str | None:
        """The harder way, for a runner without the kit `lacking`: the usual one, or, when it
        needs a piece of that kit, the one without."""
        if lacking & frozenset(self.harder_kit):
            return self.harder_without_kit
        return self.harder

    def needs_for(self, load: str | None, lacking: frozenset[str]) -> str | None:
        """What the `load` way ("easier", "harder", None: the plan's) needs, for a runner
        without the kit `lacking`: the harder way without that kit needs what the plan's does."""
        if load == "easier" and self.easier_needs is not None:
            return self.easier_needs
        if load == "harder" and self.harder_needs is not None and self.harder_with_kit(lacking):
            return self.harder_needs
        return self.needs

    def harder_with_kit(self, lacking: frozenset[str]) -> bool:
        """The harder way needs kit of its own, and the runner lacks none of it."""
        return bool(self.harder_kit) and lacking.isdisjoint(self.harder_kit)

    def load_reps(self, load: str | None) -> int | None:
        """The reps a set asks for done the `load` way ("easier" or "harder"), where that way
        has its own; None: the plan's (or the runner's own)."""
        if load == "easier":
            return self.easier_reps
        if load == "harder":
            return self.harder_reps
        return None

    def at_reps(self, count: int) -> Exercise:
        """This exercise at `count` reps a set, its steps too: each letter is led at the count
        the set is called with."""
        if count == self.reps.count:
            return self
        steps = tuple(
            replace(step, reps=replace(step.reps, count=count))
            if step.reps.count == self.reps.count
            else step
            for step in self.steps
        )
        return replace(self, reps=replace(self.reps, count=count), steps=steps)

    @property
    def led_in_halves(self) -> bool:
        """Done one side (direction, hand) then the other, so the coach calls the switch. A
        move that alternates every rep is not: the runner switches on each rep themselves."""
        return self.reps.per in HALVES and not self.alternating and not self.steps

    @property
    def led(self) -> bool:
        """The coach leads its sets: step by step, or half by half."""
        return bool(self.steps) or self.led_in_halves

    @property
    def reps_range(self) -> tuple[int, int]:
        return self.rep_range or (self.reps.count, self.reps.count)

    def stand_in(self, missing: frozenset[str]) -> Substitute | None:
        """The way to do it without the `missing` kit: the first substitute for a piece it
        lacks that needs none of the missing kit itself; None when it lacks nothing."""
        if missing.isdisjoint(self.kit):
            return None
        for substitute in self.substitutes:
            if substitute.kit in missing and missing.isdisjoint(substitute.uses):
                return substitute
        return None  # the loader refuses an exercise left without one

    @property
    def first_cues(self) -> tuple[str, ...]:
        """The cues that matter most, in the order of the full list."""
        return tuple(self.cues[index] for index in sorted(self.key_cues))


# The segments of a drawn figure, each pointing one way (skill/content/figures.yaml).
JOINTS = ("shin", "thigh", "trunk", "head", "upper_arm", "forearm")


@dataclass(frozen=True)
class Pose:
    """One key position of an exercise's figure: the direction each segment points, in degrees
    clockwise from straight up as drawn (0 up, 90 the way a side-on figure faces, 180 down)."""

    name: str  # "start", "end", or a step's name ("Y")
    shin: float  # ankle to knee
    thigh: float  # knee to hip
    trunk: float  # hip to shoulders
    head: float  # from the shoulders
    upper_arm: float  # shoulder to elbow
    forearm: float  # elbow to hand


@dataclass(frozen=True)
class Figure:
    """How the screen draws an exercise, or a move of a warm-up or cool-down: from the side or
    from behind, on a bench or not, what stays put as it moves, and its key positions."""

    name: str  # the exercise's id, or the move's name in figures.yaml's `moves`
    view: str  # "side" or "back"
    bench: str  # "none", "front" (lying face down on it) or "back" (face up)
    anchor: str  # "foot", "hand" or "hip": what stays put
    positions: tuple[Pose, ...]  # "start" first
    seconds: int = 0  # a move's: one go from start to end and back (an exercise's: the coach's)

    def position(self, name: str) -> Pose | None:
        return next((pose for pose in self.positions if pose.name == name), None)


@dataclass(frozen=True)
class WorkoutPlan:
    id: str  # "bodyweight", "dumbbell"
    name: str  # "bodyweight workout"
    # What a runner may call it: "runners workout", "weights"; the first is its short name,
    # as the coach says it ("say start the dumbbell workout").
    aliases: tuple[str, ...]
    summary: str  # one sentence: what it is and what it needs
    equipment: str
    works: str  # the muscles it works, as a list after "works your" ("shoulders, back and core")
    before: tuple[str, ...]  # said when the workout starts (warm-up advice)
    after: tuple[str, ...]  # said when it ends (cool-down, how often)
    exercises: tuple[Exercise, ...]
    source: str  # the article the facts come from
    # The led warm-up and cool-down, split into parts short enough for one response each.
    warm_up: tuple[tuple[Move, ...], ...] = ()
    cool_down: tuple[tuple[Move, ...], ...] = ()

    def exercise_index(self, exercise_id: str) -> int | None:
        for index, exercise in enumerate(self.exercises):
            if exercise.id == exercise_id:
                return index
        return None


@dataclass(frozen=True)
class Library:
    """Every workout the coach knows, in the order they are offered."""

    workouts: tuple[WorkoutPlan, ...]
    kit: tuple[Kit, ...] = ()  # every piece of kit the workouts use, in the order it is listed

    def kit_named(self, kit_id: str) -> Kit | None:
        return next((kit for kit in self.kit if kit.id == kit_id), None)

    @cached_property
    def kit_ids(self) -> frozenset[str]:
        return frozenset(kit.id for kit in self.kit)

    def get(self, workout_id: str) -> WorkoutPlan | None:
        return self._by_id.get(workout_id)

    @cached_property
    def _by_id(self) -> dict[str, WorkoutPlan]:  # every turn looks a workout up by id
        return {workout.id: workout for workout in self.workouts}

    def find_exercise(self, exercise_id: str) -> tuple[WorkoutPlan, int] | None:
        for workout in self.workouts:
            index = workout.exercise_index(exercise_id)
            if index is not None:
                return workout, index
        return None
