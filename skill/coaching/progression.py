"""How each exercise moves on for one runner, across workouts: the reps and the version they do
it at, how many workouts in a row they did every set of it whole, and their bests.

When the last two workouts had every set of an exercise done (none partial, no "too hard", no
pain), the coach offers one step up as it comes up: a rep more, within the article's range, or
the harder version once the reps are at the top of it. After "too hard", a partial set or pain
the count starts again, so the runner stays where they are ("too hard" itself moves them to the
easier version). Kept as one small entry per exercise: the record stays bounded however many
workouts there are. Plain frozen values that round-trip through a plain dict; an entry this
version cannot read is dropped rather than the record refused (it is read every turn)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from typing import Any

from skill.coaching import events as ev
from skill.coaching.coach import Coach, Transition
from skill.coaching.progress import LOADS, Progress
from skill.content.models import Exercise, WorkoutPlan

CLEAN_TO_STEP_UP = 2  # workouts in a row with every set of it done whole before a step up
REPS_A_STEP = 1  # the step up in reps (the issue allows 1 or 2; one keeps the change gentle)
_LEVELS: tuple[str | None, ...] = ("easier", None, "harder")


@dataclass(frozen=True)
class Step:
    """Where a step up (or a change the runner asked for) puts an exercise."""

    reps: int
    load: str | None  # "easier", "harder", or None: the plan's own version


@dataclass(frozen=True)
class ExerciseRecord:
    reps: int | None = None  # the runner's reps a set; None: the plan's
    load: str | None = None  # the version they do: "easier", "harder"; None: the plan's
    clean: int = 0  # workouts in a row with every set of it done whole, no "too hard", no pain
    # The workout (its start) counted last, and `clean` before it: stopping a workout and
    # finishing it later counts it once.
    counted: float | None = None
    clean_before: int = 0
    eased_at: float | None = None  # when "too hard" was last said of it
    raised_in: float | None = None  # the workout (its start) in which it went up
    best_reps: int = 0  # the most reps done in one set of it, 0: none done yet
    hardest: str | None = None  # the hardest version done: "easier", "plan", "harder"
    offered_in: float | None = None  # the workout (its start) in which a step up was offered
    # The offer is still unanswered and its set not called: kept here, not only in the session,
    # so that "next" in a new session calls the set rather than counting it.
    held: bool = False

    def reps_for(self, exercise: Exercise) -> int:
        return exercise.reps.count if self.reps is None else self.reps

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {}
        for name, value in (
            ("reps", self.reps),
            ("load", self.load),
            ("counted", self.counted),
            ("eased_at", self.eased_at),
            ("raised_in", self.raised_in),
            ("hardest", self.hardest),
            ("offered_in", self.offered_in),
        ):
            if value is not None:
                data[name] = value
        for name, count in (
            ("clean", self.clean),
            ("clean_before", self.clean_before),
            ("best_reps", self.best_reps),
        ):
            if count:
                data[name] = count
        if self.held:
            data["held"] = True
        return data

    @classmethod
    def from_dict(cls, data: object) -> ExerciseRecord | None:
        """The entry stored; None when it is not one this version can read."""
        if not isinstance(data, dict):
            return None
        reps = data.get("reps")
        load = data.get("load")
        hardest = data.get("hardest")
        counts = [data.get(name, 0) for name in ("clean", "clean_before", "best_reps")]
        times = [data.get(name) for name in ("counted", "eased_at", "raised_in", "offered_in")]
        if reps is not None and not (_whole(reps) and reps >= 1):
            return None
        if load is not None and load not in LOADS:
            return None
        if hardest is not None and hardest not in ("easier", "plan", "harder"):
            return None
        if not all(_whole(count) and count >= 0 for count in counts):
            return None
        if not all(t is None or (_number(t) and t >= 0) for t in times):
            return None
        held = data.get("held", False)
        if not isinstance(held, bool):
            return None
        clean, clean_before, best = counts
        counted, eased_at, raised_in, offered_in = (None if t is None else float(t) for t in times)
        return cls(
            reps,
            load,
            clean,
            counted,
            clean_before,
            eased_at,
            raised_in,
            best,
            hardest,
            offered_in,
            held,
        )


Records = Mapping[str, ExerciseRecord]


def read(stored: object) -> dict[str, ExerciseRecord]:
    """The records stored, by exercise id; entries this version cannot read are left out."""
    if not isinstance(stored, dict):
        return {}
    records = {}
    for exercise_id, entry in stored.items():
        record = ExerciseRecord.from_dict(entry)
        if isinstance(exercise_id, str) and record is not None:
            records[exercise_id] = record
    return records


def to_store(records: Records) -> dict[str, Any]:
    return {exercise_id: record.to_dict() for exercise_id, record in sorted(records.items())}


def record_of(records: Records, exercise_id: str) -> ExerciseRecord:
    return records.get(exercise_id, ExerciseRecord())


def step_up(exercise: Exercise, record: ExerciseRecord) -> Step | None:
    """One step up from where the runner is: a rep more within the range, else the next
    version up at the planned reps; None at the top of both."""
    reps = record.reps_for(exercise)
    top = exercise.reps_range[1]
    if reps < top:
        return Step(min(top, reps + REPS_A_STEP), record.load)
    level = _LEVELS.index(record.load)
    if level + 1 < len(_LEVELS):
        load = _LEVELS[level + 1]
        if load is None or exercise.harder is not None:
            return Step(exercise.reps.count, load)
    return None


def offer(exercise: Exercise, record: ExerciseRecord) -> Step | None:
    """The step up offered as the exercise comes up: after CLEAN_TO_STEP_UP clean workouts."""
    if record.clean < CLEAN_TO_STEP_UP:
        return None
    return step_up(exercise, record)


def taken(record: ExerciseRecord, step: Step, workout_started: float | None) -> ExerciseRecord:
    """The runner said yes to `step` (or asked for it): kept, and counted afresh from here."""
    return replace(
        record,
        reps=step.reps,
        load=step.load,
        clean=0,
        clean_before=0,
        raised_in=workout_started,
        held=False,
    )


def kept_the_same(record: ExerciseRecord) -> ExerciseRecord:
    """ "Keep it the same": no offer again until two more clean workouts."""
    return replace(record, clean=0, clean_before=0, held=False)


def reps_wanted(exercise: Exercise, reps: int) -> bool:
    """Whether `reps` is within the exercise's range (what "go back to 12" may ask)."""
    low, high = exercise.reps_range
    return low <= reps <= high


def load_chosen(record: ExerciseRecord, load: str | None, now: float) -> ExerciseRecord:
    """ "Too hard" or "too easy" said: the version is kept for later workouts, and "too hard"
    stops this workout counting towards a step up."""
    eased = _LEVELS.index(load) < _LEVELS.index(record.load)
    return replace(record, load=load, eased_at=now if eased else record.eased_at, held=False)


def tuned(progress: Progress, records: Records) -> Progress:
    """`progress` of a workout just started with the runner's own reps and versions."""
    reps = tuple(sorted((i, r.reps) for i, r in records.items() if r.reps is not None))
    loads = tuple(sorted((i, r.load) for i, r in records.items() if r.load is not None))
    return replace(progress, reps=reps, loads=loads)


@dataclass(frozen=True)
class Best:
    """A new best, said at the end of a workout: more reps than before, or a harder version."""

    exercise_id: str
    reps: int | None = None
    load: str | None = None  # the harder version, when that is the news


def counted(
    records: Records,
    plan: WorkoutPlan,
    progress: Progress,
    hurt: Mapping[str, float],
    stand_ins: frozenset[str] = frozenset(),
) -> tuple[dict[str, ExerciseRecord], Best | None]:
    """The records after the workout in `progress` ended (finished or stopped), and the first
    new best in it, if any. An exercise done another way for missing kit (`stand_ins`) is not
    counted: its sets were not the exercise."""
    started = progress.started_at
    updated = dict(records)
    news: Best | None = None
    for index, exercise in enumerate(plan.exercises):
        if exercise.id in stand_ins:
            continue
        record = record_of(records, exercise.id)
        done = progress.sets_of(index)
        partial = [reps for i, _, reps in progress.partial_sets if i == exercise.id]
        eased = started is not None and record.eased_at is not None and record.eased_at >= started
        hurt_at = hurt.get(exercise.id)
        in_pain = started is not None and hurt_at is not None and hurt_at >= started
        clean = done >= exercise.sets and not partial and not eased and not in_pain
        before = record.clean if record.counted != started or started is None else None
        base = record.clean_before if before is None else before
        record = replace(record, clean=base + 1 if clean else 0, clean_before=base, counted=started)
        if done:
            whole = max(0, done - len(partial))  # never a whole set from partial ones
            load = progress.load_of(exercise.id)
            # a whole set had the way's own reps, where it has some ("only 5 of each letter")
            own = exercise.load_reps(load) or record.reps_for(exercise)
            reps = own if whole else max((r or 0 for r in partial), default=0)
            version = load or "plan"
            best = _better(record, exercise.id, reps, version)
            news = news or best
            record = _with_best(record, reps, version)
        updated[exercise.id] = record
    return updated, news


def let_go(records: Records) -> dict[str, ExerciseRecord] | None:
    """The records with no offer held (the set was called, or the runner moved on); None when
    none was."""
    if not any(record.held for record in records.values()):
        return None
    return {i: replace(r, held=False) if r.held else r for i, r in records.items()}


def went_up(records: Records, plan: WorkoutPlan, started: float | None) -> list[str]:
    """The exercises of `plan` that went up in the workout started at `started`, in order."""
    if started is None:
        return []
    return [e.id for e in plan.exercises if record_of(records, e.id).raised_in == started]


def forgotten_settings(records: Records) -> dict[str, ExerciseRecord]:
    """ "Reset my settings": the reps and versions go back to the plan's; the bests and the
    counts towards a step up stay (they are what was done, not what was chosen)."""
    return {i: replace(r, reps=None, load=None) for i, r in records.items()}


_ORDER = ("easier", "plan", "harder")


def _with_best(record: ExerciseRecord, reps: int, version: str) -> ExerciseRecord:
    """The best kept: the hardest version done, and the most reps in a set of it."""
    if record.hardest is None or _ORDER.index(version) > _ORDER.index(record.hardest):
        return replace(record, hardest=version, best_reps=reps)
    if version == record.hardest and reps > record.best_reps:
        return replace(record, best_reps=reps)
    return record


def _better(record: ExerciseRecord, exercise_id: str, reps: int, version: str) -> Best | None:
    """News only against a best already kept: a first time is not a best."""
    if record.hardest is None:
        return None
    if _ORDER.index(version) > _ORDER.index(record.hardest):
        return Best(exercise_id, load=version)
    if version == record.hardest and reps > record.best_reps:
        return Best(exercise_id, reps=reps)
    return None


# An offer: the step up, and the version the exercise is done at when it is offered.
Offers = Mapping[str, tuple[Step, str | None]]


@dataclass(frozen=True)
class Ended:
    """A workout ended (finished or stopped): each exercise's record after it, what went up in
    it, and its first new best."""

    records: dict[str, ExerciseRecord]
    went_up: list[str]
    best: Best | None


@dataclass(frozen=True)
class Answered:
    """The runner's answer to a step up: the progress and records after it, the exercise as it
    was offered, and the step taken (None: kept as it was, at the version `load`)."""

    progress: Progress
    records: dict[str, ExerciseRecord]
    exercise: Exercise
    step: Step | None
    load: str | None


@dataclass(frozen=True)
class RepsChosen:
    """The runner asked for a number of reps ("go back to 12") of the exercise they are on:
    the progress and records after it (None: out of its range, nothing changed), and the
    exercise as planned (its range)."""

    progress: Progress
    records: dict[str, ExerciseRecord] | None
    exercise: Exercise


class Progression:
    """The decisions of each exercise over weeks, made against the coach's plans: the runner's
    own reps and versions at a start, which exercise gets an offer, what an answer does, what a
    workout's end counts. Nothing here knows how it is said or asked."""

    def __init__(self, coach: Coach) -> None:
        self.coach = coach

    def started(self, move: Transition, records: Records) -> Transition:
        """A workout (re)started: with the runner's own reps and versions of its exercises."""
        plan = self._plan(move.progress)
        if plan is None:
            return move
        ids = {e.id for e in plan.exercises}
        mine = {i: r for i, r in records.items() if i in ids}
        return Transition(tuned(move.progress, mine), move.events)

    def loaded(self, progress: Progress, records: Records) -> Progress:
        """A stored progress with the runner's own reps, kept in the record's `exercises` field
        (where an older version leaves them untouched) rather than in the progress."""
        plan = self._plan(progress)
        if plan is None:
            return progress
        own = ((e.id, record_of(records, e.id).reps) for e in plan.exercises)
        return replace(progress, reps=tuple(sorted((i, r) for i, r in own if r is not None)))

    def offers(
        self,
        progress: Progress,
        events: tuple[ev.Event, ...],
        records: Records,
        hurt: frozenset[str],
        pain_at: Iterable[float] = (),
    ) -> tuple[dict[str, tuple[Step, str | None]], dict[str, ExerciseRecord] | None]:
        """The step up offered as the move introduces an exercise at its first set, when it is
        done as planned (not another way for missing kit), did not hurt lately (`hurt`) and was
        not changed in this workout already; and the records with the offer marked. None for
        the rest of a workout in which pain was said of any exercise (`pain_at`: when each
        was): more is not what to ask of a runner who just hurt.

        At most one offer a workout (more questions than that is too many in one workout): the
        first exercise due one as it comes up. The others keep their count and are offered in
        later workouts, one at a time."""
        started = progress.started_at
        plan = self._plan(progress)
        if started is None or plan is None:
            return {}, None
        if any(record.offered_in == started for record in records.values()):
            return {}, None  # this workout had its offer
        if any(at >= started for at in pain_at):
            return {}, None
        for event in events:
            if not isinstance(event, ev.ExerciseIntroduced):
                continue
            exercise = plan.exercises[event.exercise_index]
            if progress.sets_of(event.exercise_index) or exercise.id in hurt:
                continue
            if self.coach.stand_in(progress, exercise) is not None:
                continue
            record = record_of(records, exercise.id)
            if progress.reps_of(exercise.id) != record.reps:
                continue
            if progress.load_of(exercise.id) != record.load:
                continue
            step = offer(exercise, record)
            if step is not None:
                marked = {**records, exercise.id: replace(record, offered_in=started, held=True)}
                return {exercise.id: (step, record.load)}, marked
        return {}, None

    def ended(
        self,
        progress: Progress,
        events: tuple[ev.Event, ...],
        records: Records,
        hurt: Mapping[str, float],
    ) -> Ended | None:
        """Each exercise's count towards a step up and its bests, after a workout finished or
        stopped partway; None when the move ended none."""
        if not any(isinstance(e, ev.WorkoutFinished | ev.WorkoutStopped) for e in events):
            return None
        plan = self._plan(progress)
        if plan is None:
            return None
        others = frozenset(
            e.id for e in plan.exercises if self.coach.stand_in(progress, e) is not None
        )
        updated, best = counted(records, plan, progress, hurt, others)
        return Ended(updated, went_up(updated, plan, progress.started_at), best)

    def offered(self, progress: Progress, pending: str | None, records: Records) -> str | None:
        """The exercise whose step up was offered (the question `pending`, or in a new session
        the offer the record still holds), when it is still the one the runner is on, its set
        not yet called."""
        question, _, exercise_id = (pending or "").partition(":")
        here = self.coach.position(progress)
        if here is None:
            return None
        if question == "step_up" and here.exercise.id == exercise_id:
            return exercise_id
        record = record_of(records, here.exercise.id)
        started = progress.started_at
        held = record.held and started is not None and record.offered_in == started
        if held and here.set_number == 1 and not progress.sets_of(here.exercise_index):
            return here.exercise.id
        return None

    def set_called(self, progress: Progress) -> Transition:
        """The set held for the offer, called: nothing counted, nothing moved."""
        here = self.coach.position(progress)
        assert here is not None
        called = ev.SetAnnounced(here.exercise_index, here.set_number, with_name=True)
        return Transition(progress, (called,))

    def answered(self, progress: Progress, records: Records, yes: bool) -> Answered:
        """Yes or no to the step up offered for the exercise the runner is on: remembered for
        it; yes puts it at the step from this set on."""
        here = self.coach.position(progress)
        assert here is not None
        exercise_id = here.exercise.id
        plain = here.workout.exercises[here.exercise_index]  # as planned: the record says more
        record = record_of(records, exercise_id)
        step = offer(plain, record)
        if not yes or step is None:
            kept = {**records, exercise_id: kept_the_same(record)}
            return Answered(progress, kept, here.exercise, None, record.load)
        progress = replace(
            progress,
            reps=progress.with_reps(exercise_id, step.reps),
            loads=progress.with_load(exercise_id, step.load),
        )
        up = {**records, exercise_id: taken(record, step, progress.started_at)}
        return Answered(progress, up, here.exercise, step, record.load)

    def reps_chosen(self, progress: Progress, records: Records, reps: int) -> RepsChosen | None:
        """ "Go back to 12": the exercise the runner is on at `reps` a set from now on, this
        workout and later ones, when that is within its range; its count towards a step up
        starts again. None when no exercise is under way."""
        here = self.coach.position(progress)
        if here is None:
            return None
        plain = here.workout.exercises[here.exercise_index]
        if not reps_wanted(plain, reps):
            return RepsChosen(progress, None, plain)
        own = None if reps == plain.reps.count else reps
        record = replace(
            record_of(records, plain.id), reps=own, clean=0, clean_before=0, held=False
        )
        chosen = replace(progress, reps=progress.with_reps(plain.id, own))
        return RepsChosen(chosen, {**records, plain.id: record}, plain)

    def best_of(self, progress: Progress, exercise_id: str | None) -> Exercise | None:
        """The exercise a "what's my best" asks about: the one named, else the one the runner
        is on; None when neither is known."""
        if exercise_id is not None:
            found = self.coach.library.find_exercise(exercise_id)
            return None if found is None else found[0].exercises[found[1]]
        here = self.coach.position(progress)
        return None if here is None else here.workout.exercises[here.exercise_index]

    def load_kept(
        self, before: Progress, move: Transition, records: Records, now: float
    ) -> dict[str, ExerciseRecord] | None:
        """ "Too hard" or "too easy" (the move from `before`): the version kept for later
        workouts too; None when no version was chosen."""
        chosen = next((e for e in move.events if isinstance(e, ev.LoadChosen)), None)
        here = self.coach.position(before)
        if chosen is None or not chosen.available or here is None:
            return None
        record = record_of(records, here.exercise.id)
        return {**records, here.exercise.id: load_chosen(record, chosen.load, now)}

    def _plan(self, progress: Progress) -> WorkoutPlan | None:
        return self.coach.library.get(progress.workout_id or "")


def _whole(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)
