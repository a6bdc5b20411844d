"""Load the workouts, and the kit they use (kit_list.yaml), from YAML and validate them strictly.

The skill loads the library at start-up, so a bad file stops start-up with a ContentError
naming the file and the field, e.g.
``bodyweight.yaml: exercises[3].steps[0].reps.count: must be a whole number of at least 1``.
An exercise's `kit` names pieces kit_list.yaml lists, and for each its `substitutes` hold another
way to do it that needs no kit or the other workout's: whatever a runner lacks, one fits. A
warm-up or cool-down move's `figure` names a drawn move figures.yaml lists under `moves`.
"""

from __future__ import annotations

import functools
import itertools
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any

import yaml

from skill.content.models import (
    JOINTS,
    REPS_MARK,
    Exercise,
    Figure,
    Kit,
    Library,
    Move,
    Pose,
    Reps,
    Step,
    Substitute,
    WorkoutPlan,
)
from skill.locales import DEFAULT

CONTENT_DIR = Path(__file__).parent  # English here; another language in a folder of its locale
WORKOUTS_DIR = CONTENT_DIR / "workouts"
KIT_PATH = Path(__file__).parent / "kit_list.yaml"  # beside workouts/, which holds workouts only
FIGURES_PATH = Path(__file__).parent / "figures.yaml"  # the figures the screen draws

UNITS = ("reps", "yards", "metres", "circles", "seconds")
PERS = ("side", "direction", "letter", "hand")
REST_SECONDS = (10, 180)
CUES_PER_EXERCISE = (3, 5)
KEY_CUES = (2, 3)  # the cues said when an exercise is first introduced
MOVE_SECONDS = (10, 120)
ROUTINE_SECONDS = (120, 600)  # a whole warm-up or cool-down
# A warm-up or cool-down is led in parts of at most this long, one response each: with the
# words around it, a part stays well under the 240 s of audio Alexa plays in one response.
PART_SECONDS = 150
LONGEST_PART_SECONDS = 180  # a part may run over PART_SECONDS when a move will not divide

_ID = re.compile(r"[a-z][a-z0-9_]*")
# Lowercase words of any alphabet, as Alexa writes what it hears ("türreck", "straße").
_ALIAS = re.compile(r"[^\W_A-Z]+(?: [^\W_A-Z]+)*")
_FORBIDDEN = "<>&"  # would break the SSML the speech layer wraps the text in

# (required, optional) keys of each mapping; `order` places a workout and is not kept.
_Keys = tuple[frozenset[str], frozenset[str]]
_WORKOUT_KEYS: _Keys = (
    frozenset(
        "id order name aliases summary equipment works source before after exercises warm_up"
        " cool_down".split()
    ),
    frozenset(),
)
_EXERCISE_KEYS: _Keys = (
    frozenset(
        "id name aliases works why setup cues key_cues sets reps rest_seconds source".split()
    ),
    frozenset(
        "steps alternating needs easier harder harder_kit harder_without_kit load_source kit"
        " substitutes rep_range easier_reps harder_reps easier_needs harder_needs".split()
    ),
)
_SUBSTITUTE_KEYS: _Keys = (
    frozenset({"kit", "name", "instead", "source"}),
    frozenset({"uses", "works"}),
)
_KIT_FILE_KEYS: _Keys = (frozenset({"kit"}), frozenset())
_KIT_KEYS: _Keys = (frozenset({"id", "name", "aliases"}), frozenset({"without"}))
_STEP_KEYS: _Keys = (frozenset({"name", "cue", "reps"}), frozenset())
_RANGE_KEYS: _Keys = (frozenset({"low", "high", "source"}), frozenset())
_REPS_KEYS: _Keys = (frozenset({"count"}), frozenset({"unit", "per"}))
_MOVE_KEYS: _Keys = (frozenset({"move", "seconds"}), frozenset({"figure", "listed"}))
_FIGURES_FILE_KEYS: _Keys = (frozenset({"figures"}), frozenset({"moves"}))
_FIGURE_KEYS: _Keys = (frozenset({"view", "bench", "anchor", "positions"}), frozenset())
# A warm-up or cool-down move's figure also says how long one go (start, end, start) takes.
_MOVE_FIGURE_KEYS: _Keys = (_FIGURE_KEYS[0] | {"seconds"}, frozenset())
MOVE_FIGURE_SECONDS = (1, 10)
_POSE_KEYS: _Keys = (frozenset(JOINTS), frozenset())
VIEWS = ("side", "back")
BENCHES = ("none", "front", "back")
ANCHORS = ("foot", "hand", "hip")
ANGLE_DEGREES = 360  # an angle is from -360 to 360


class ContentError(ValueError):
    """A workout file is unreadable or breaks the schema; the message names file and field."""


class _FieldError(Exception):
    """A problem at one field path inside a file; load_workout prefixes the file name."""

    def __init__(self, where: str, problem: str) -> None:
        super().__init__(f"{where}: {problem}" if where else problem)


# --- small readers: each checks one value and returns it typed -------------------------------


def _at(where: str, key: str | int) -> str:
    if isinstance(key, int):
        return f"{where}[{key}]"
    return f"{where}.{key}" if where else key


def _show(value: object) -> str:
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _fields(value: object, where: str, keys: _Keys) -> dict[str, object]:
    """A mapping with every required key and no unknown ones (a typo must not pass silently)."""
    required, optional = keys
    if not isinstance(value, dict):
        raise _FieldError(where, f"must be a mapping of keys (got {_show(value)})")
    for key in value:
        if key not in required | optional:
            known = ", ".join(sorted(required | optional))
            raise _FieldError(_at(where, str(key)), f"is not a known key (known keys: {known})")
    for key in sorted(required):
        if key not in value:
            raise _FieldError(_at(where, key), "is required")
    return {str(key): item for key, item in value.items()}


def _list(value: object, where: str, at_least: int = 0, at_most: int | None = None) -> list[object]:
    if not isinstance(value, list):
        raise _FieldError(where, f"must be a list (got {_show(value)})")
    if len(value) < at_least or (at_most is not None and len(value) > at_most):
        span = f"{at_least} to {at_most}" if at_most is not None else f"at least {at_least}"
        raise _FieldError(where, f"must have {span} items (got {len(value)})")
    return value


def _text(value: object, where: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise _FieldError(where, f"must be non-empty text (got {_show(value)})")
    bad = [char for char in _FORBIDDEN if char in value]
    if bad:
        shown = " or ".join(repr(char) for char in bad)
        raise _FieldError(where, f"must not contain {shown}; write it out in words")
    return " ".join(value.split())  # folded YAML text may carry line breaks


def _texts(
    value: object, where: str, at_least: int = 1, at_most: int | None = None
) -> tuple[str, ...]:
    items = _list(value, where, at_least, at_most)
    return tuple(_text(item, _at(where, index)) for index, item in enumerate(items))


def _whole(value: object, where: str, low: int = 1, high: int | None = None) -> int:
    # bool is an int in Python; "sets: yes" must not read as 1.
    if isinstance(value, int) and not isinstance(value, bool):
        if value >= low and (high is None or value <= high):
            return value
    span = f"from {low} to {high}" if high is not None else f"of at least {low}"
    raise _FieldError(where, f"must be a whole number {span} (got {_show(value)})")


def _optional[T](
    data: Mapping[str, object], key: str, where: str, read: Callable[[object, str], T]
) -> T | None:
    """An optional field read by `read`, or None where it is left out."""
    return read(data[key], _at(where, key)) if key in data else None


def _flag(value: object, where: str) -> bool:
    if not isinstance(value, bool):
        raise _FieldError(where, f"must be true or false (got {_show(value)})")
    return value


def _key_cues(value: object, where: str, cues: int) -> tuple[int, ...]:
    """Cue numbers (1 for the first cue) of the ones that matter most; kept 0-based."""
    items = _list(value, where, *KEY_CUES)
    numbers: list[int] = []
    for index, item in enumerate(items):
        at = _at(where, index)
        number = _whole(item, at, 1, cues)
        if number in numbers:
            raise _FieldError(at, f"repeats cue {number}")
        numbers.append(number)
    return tuple(number - 1 for number in numbers)


def _choice(value: object, where: str, allowed: tuple[str, ...]) -> str:
    if value not in allowed:
        raise _FieldError(where, f"must be one of {', '.join(allowed)} (got {_show(value)})")
    return str(value)


def _identifier(value: object, where: str) -> str:
    if not isinstance(value, str) or not _ID.fullmatch(value):
        problem = "lowercase letters, digits and underscores, starting with a letter"
        raise _FieldError(where, f"must be {problem} (got {_show(value)})")
    return value


def _aliases(value: object, where: str) -> tuple[str, ...]:
    items = _list(value, where)
    aliases: list[str] = []
    for index, item in enumerate(items):
        at = _at(where, index)
        if not isinstance(item, str) or not _ALIAS.fullmatch(item) or item != item.lower():
            problem = "lowercase letters, digits and single spaces only"
            raise _FieldError(at, f"must be {problem} (got {_show(item)})")
        if item in aliases:
            raise _FieldError(at, f"repeats {item!r}")
        aliases.append(item)
    return tuple(aliases)


# --- builders: one per dataclass --------------------------------------------------------------


def _reps(value: object, where: str) -> Reps:
    data = _fields(value, where, _REPS_KEYS)
    per = data.get("per")
    return Reps(
        count=_whole(data["count"], _at(where, "count")),
        unit=_choice(data.get("unit", "reps"), _at(where, "unit"), UNITS),
        per=None if "per" not in data else _choice(per, _at(where, "per"), PERS),
    )


def _step(value: object, where: str) -> Step:
    data = _fields(value, where, _STEP_KEYS)
    return Step(
        name=_text(data["name"], _at(where, "name")),
        cue=_text(data["cue"], _at(where, "cue")),
        reps=_reps(data["reps"], _at(where, "reps")),
    )


def _routine(value: object, where: str, figures: frozenset[str]) -> tuple[tuple[Move, ...], ...]:
    """A warm-up or cool-down: named moves, each drawn by one of `figures` (the moves
    figures.yaml draws) if it names one, split into parts of at most PART_SECONDS."""
    items = _list(value, where, at_least=1)
    moves: list[Move] = []
    for index, item in enumerate(items):
        at = _at(where, index)
        data = _fields(item, at, _MOVE_KEYS)
        seconds = _whole(data["seconds"], _at(at, "seconds"), *MOVE_SECONDS)
        name = _text(data["move"], _at(at, "move"))
        figure = data.get("figure")
        if "figure" in data and figure not in figures:
            listed = ", ".join(sorted(figures)) or "none"
            raise _FieldError(
                _at(at, "figure"),
                f"must be a figure that {FIGURES_PATH.name} lists under moves: {listed}"
                f" (got {_show(figure)})",
            )
        in_a_list = _text(data["listed"], _at(at, "listed")) if "listed" in data else None
        moves.append(Move(name, seconds, None if figure is None else str(figure), in_a_list))
    total = sum(move.seconds for move in moves)
    low, high = ROUTINE_SECONDS
    if not low <= total <= high:
        raise _FieldError(where, f"must last from {low} to {high} seconds in all (got {total})")
    # As few parts as PART_SECONDS allows, as even as the moves allow: each move goes to the
    # part its middle falls in.
    count = -(-total // PART_SECONDS)
    parts: list[list[Move]] = [[] for _ in range(count)]
    clock = 0
    for move in moves:
        parts[min(count - 1, int((clock + move.seconds / 2) * count // total))].append(move)
        clock += move.seconds
    for index, part in enumerate(parts):
        seconds = sum(move.seconds for move in part)
        if not part or seconds > LONGEST_PART_SECONDS:
            raise _FieldError(
                where,
                f"cannot be split into parts of at most {LONGEST_PART_SECONDS} seconds "
                f"(part {index + 1} would last {seconds}); use shorter moves",
            )
    return tuple(tuple(part) for part in parts)


def _kit_ids(value: object, where: str, known: frozenset[str]) -> tuple[str, ...]:
    """Ids of pieces of kit, each once, each one kit_list.yaml lists."""
    ids: list[str] = []
    for index, item in enumerate(_list(value, where)):
        at = _at(where, index)
        if item not in known:
            listed = ", ".join(sorted(known))
            raise _FieldError(
                at, f"must be kit that {KIT_PATH.name} lists: {listed} (got {_show(item)})"
            )
        if item in ids:
            raise _FieldError(at, f"repeats {item!r}")
        ids.append(str(item))
    return tuple(ids)


def _substitute(
    value: object, where: str, needed: tuple[str, ...], known: frozenset[str]
) -> Substitute:
    data = _fields(value, where, _SUBSTITUTE_KEYS)
    kit = str(data["kit"])
    if data["kit"] not in needed:
        shown = ", ".join(needed) or "none"
        raise _FieldError(
            _at(where, "kit"),
            f"must be kit the exercise needs ({shown}) (got {_show(data['kit'])})",
        )
    uses = _kit_ids(data.get("uses", []), _at(where, "uses"), known)
    if kit in uses:
        raise _FieldError(_at(where, "uses"), f"cannot need {kit!r}, the kit it stands in for")
    return Substitute(
        kit=kit,
        name=_text(data["name"], _at(where, "name")),
        instead=_text(data["instead"], _at(where, "instead")),
        source=_text(data["source"], _at(where, "source")),
        uses=uses,
        works=_optional(data, "works", where, _text),
    )


def _check_stand_ins(exercise: Exercise, where: str, known: frozenset[str]) -> None:
    """Whatever the runner lacks of the exercise's kit, and with none of the other kit at hand
    either, one of its substitutes still does the job."""
    for piece in exercise.kit:
        if not any(s.kit == piece for s in exercise.substitutes):
            raise _FieldError(_at(where, "substitutes"), f"has none for {piece!r}")
    others = known - set(exercise.kit)
    for size in range(1, len(exercise.kit) + 1):
        for lacking in itertools.combinations(exercise.kit, size):
            if exercise.stand_in(others | set(lacking)) is None:
                raise _FieldError(
                    _at(where, "substitutes"),
                    f"has none without {' and '.join(lacking)} that needs no other kit",
                )


def _exercise(value: object, where: str, known: frozenset[str]) -> Exercise:
    data = _fields(value, where, _EXERCISE_KEYS)
    steps = _list(data.get("steps", []), _at(where, "steps"))
    cues = _texts(data["cues"], _at(where, "cues"), *CUES_PER_EXERCISE)
    kit = _kit_ids(data.get("kit", []), _at(where, "kit"), known)
    substitutes = _list(data.get("substitutes", []), _at(where, "substitutes"))
    exercise = Exercise(
        id=_identifier(data["id"], _at(where, "id")),
        name=_text(data["name"], _at(where, "name")),
        aliases=_aliases(data["aliases"], _at(where, "aliases")),
        works=_text(data["works"], _at(where, "works")),
        why=_text(data["why"], _at(where, "why")),
        setup=_text(data["setup"], _at(where, "setup")),
        cues=cues,
        key_cues=_key_cues(data["key_cues"], _at(where, "key_cues"), len(cues)),
        sets=_whole(data["sets"], _at(where, "sets")),
        reps=_reps(data["reps"], _at(where, "reps")),
        rest_seconds=_whole(data["rest_seconds"], _at(where, "rest_seconds"), *REST_SECONDS),
        steps=tuple(_step(step, _at(_at(where, "steps"), i)) for i, step in enumerate(steps)),
        needs=_optional(data, "needs", where, _text),
        easier_needs=_optional(data, "easier_needs", where, _text),
        harder_needs=_optional(data, "harder_needs", where, _text),
        easier=_optional(data, "easier", where, _text),
        harder=_optional(data, "harder", where, _text),
        harder_kit=_kit_ids(data.get("harder_kit", []), _at(where, "harder_kit"), known),
        harder_without_kit=_optional(data, "harder_without_kit", where, _text),
        easier_reps=_optional(data, "easier_reps", where, _whole),
        harder_reps=_optional(data, "harder_reps", where, _whole),
        load_source=(
            _text(data["load_source"], _at(where, "load_source")) if "load_source" in data else ""
        ),
        source=_text(data["source"], _at(where, "source")),
        alternating=_flag(data.get("alternating", False), _at(where, "alternating")),
        kit=kit,
        substitutes=tuple(
            _substitute(item, _at(_at(where, "substitutes"), i), kit, known)
            for i, item in enumerate(substitutes)
        ),
    )
    _check_stand_ins(exercise, where, known)
    if exercise.harder_kit and (exercise.harder is None or exercise.harder_without_kit is None):
        # a runner without that kit would be told to use it, or told nothing
        raise _FieldError(_at(where, "harder_kit"), "needs harder and harder_without_kit too")
    if exercise.harder_needs is not None and not exercise.harder_kit:
        # offered as "or ... to make it harder" only to a runner who has the harder way's kit
        raise _FieldError(_at(where, "harder_needs"), "needs harder_kit too")
    if exercise.harder_without_kit is not None and not exercise.harder_kit:
        raise _FieldError(
            _at(where, "harder_without_kit"), "needs harder_kit: the kit it is without"
        )
    _check_load_reps(exercise, where)
    if "rep_range" in data:
        if exercise.easier_reps is not None or exercise.harder_reps is not None:
            # its reps move within the range: a way with its own would fight it
            raise _FieldError(_at(where, "rep_range"), "cannot go with easier_reps or harder_reps")
        exercise = _with_range(exercise, data["rep_range"], _at(where, "rep_range"))
    return exercise


def _check_load_reps(exercise: Exercise, where: str) -> None:
    """An easier or harder way with its own reps says them where its text has REPS_MARK (so the
    words and the set led agree), and a way without says no count of its own there."""
    ways = (
        ("easier", exercise.easier, exercise.easier_reps),
        ("harder", exercise.harder, exercise.harder_reps),
        ("harder_without_kit", exercise.harder_without_kit, exercise.harder_reps),
    )
    for field, text, reps in ways:
        if text is None:
            if reps is not None and field != "harder_without_kit":
                raise _FieldError(_at(where, f"{field}_reps"), f"needs {field}: the way itself")
            continue
        marks = text.count(REPS_MARK)
        if reps is None and ("{" in text or "}" in text):
            raise _FieldError(_at(where, field), f"says {REPS_MARK} but has no reps of its own")
        if reps is not None and marks != 1:
            raise _FieldError(_at(where, field), f"must say its reps once, as {REPS_MARK}")
        if reps is not None and reps == exercise.reps.count:
            raise _FieldError(_at(where, f"{field}_reps"), "must differ from the plan's reps")


def _with_range(exercise: Exercise, value: object, where: str) -> Exercise:
    """`exercise` with the reps its sets may go up to, the planned count within them."""
    data = _fields(value, where, _RANGE_KEYS)
    low = _whole(data["low"], _at(where, "low"))
    high = _whole(data["high"], _at(where, "high"))
    if not low <= exercise.reps.count <= high:
        raise _FieldError(where, f"must hold the planned {exercise.reps.count} reps")
    source = _text(data["source"], _at(where, "source"))
    return replace(exercise, rep_range=(low, high), rep_range_source=source)


def _workout(
    value: object, known: frozenset[str], figures: frozenset[str]
) -> tuple[int, WorkoutPlan]:
    """The plan and its place in the library (the `order` key, which the plan doesn't keep);
    `known` is the kit there is, `figures` the warm-up and cool-down moves drawn."""
    data = _fields(value, "", _WORKOUT_KEYS)
    exercises = _list(data["exercises"], "exercises", at_least=1)
    plan = WorkoutPlan(
        id=_identifier(data["id"], "id"),
        name=_text(data["name"], "name"),
        aliases=_aliases(data["aliases"], "aliases"),
        summary=_text(data["summary"], "summary"),
        equipment=_text(data["equipment"], "equipment"),
        works=_text(data["works"], "works"),
        before=_texts(data["before"], "before"),
        after=_texts(data["after"], "after"),
        exercises=tuple(
            _exercise(item, _at("exercises", i), known) for i, item in enumerate(exercises)
        ),
        source=_text(data["source"], "source"),
        warm_up=_routine(data["warm_up"], "warm_up", figures),
        cool_down=_routine(data["cool_down"], "cool_down", figures),
    )
    return _whole(data["order"], "order"), plan


# --- uniqueness across files ------------------------------------------------------------------


def _spoken_form(name: str) -> str:
    """What a runner would say for a display name: "T push-up" -> "t push up" (any alphabet:
    "Schulterdrücken" stays whole)."""
    return " ".join(re.sub(r"[\W_]+", " ", name.lower()).split())


def _ids(file: str, plan: WorkoutPlan) -> Iterator[tuple[str, str, str]]:
    """(id, owner, where) for the workout and each exercise; each id is its own owner."""
    yield plan.id, f"{file}: id", f"{file}: id"
    for index, exercise in enumerate(plan.exercises):
        where = f"{file}: exercises[{index}].id"
        yield exercise.id, where, where


def _phrases(file: str, plan: WorkoutPlan) -> Iterator[tuple[str, str, str]]:
    """(phrase, owner, where) for every name and alias a runner may say."""
    yield _spoken_form(plan.name), plan.id, f"{file}: name"
    for index, alias in enumerate(plan.aliases):
        yield alias, plan.id, f"{file}: aliases[{index}]"
    for index, exercise in enumerate(plan.exercises):
        where = f"{file}: exercises[{index}]"
        yield _spoken_form(exercise.name), exercise.id, f"{where}.name"
        for alias_index, alias in enumerate(exercise.aliases):
            yield alias, exercise.id, f"{where}.aliases[{alias_index}]"


def _check_unique(entries: Iterable[tuple[str, str, str]], what: str) -> None:
    """Each value belongs to one owner; an alias may repeat its own item's name, nothing else."""
    seen: dict[str, tuple[str, str]] = {}
    for value, owner, where in entries:
        first_owner, first_where = seen.setdefault(value, (owner, where))
        if first_owner != owner:
            raise ContentError(f"{where}: {what} {value!r} is already used by {first_where}")


def _check_library(files: list[tuple[str, WorkoutPlan]]) -> None:
    _check_unique((entry for file, plan in files for entry in _ids(file, plan)), "id")
    _check_unique((entry for file, plan in files for entry in _phrases(file, plan)), "phrase")


# --- public API -------------------------------------------------------------------------------


# libyaml's parser when PyYAML was built with it (its wheels are): a seventh of the load time.
try:
    from yaml import CSafeLoader as _SafeLoader
except ImportError:  # pragma: no cover - a PyYAML built without libyaml
    from yaml import SafeLoader as _SafeLoader  # type: ignore[assignment]


class _StrictLoader(_SafeLoader):
    """safe_load, except that a key given twice is an error instead of the last one winning."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[object, object]:
        seen: set[object] = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            if key in seen:
                raise yaml.constructor.ConstructorError(
                    None, None, f"key {key!r} appears twice", key_node.start_mark
                )
            seen.add(key)
        return super().construct_mapping(node, deep=deep)


def _parse(path: Path) -> object:
    try:
        return yaml.load(path.read_text(encoding="utf-8"), Loader=_StrictLoader)  # noqa: S506
    except (OSError, UnicodeDecodeError) as err:
        raise ContentError(f"{path.name}: cannot read the file ({err})") from err
    except yaml.YAMLError as err:
        raise ContentError(f"{path.name}: not valid YAML: {_yaml_problem(err)}") from err


def _yaml_problem(err: yaml.YAMLError) -> str:
    if isinstance(err, yaml.MarkedYAMLError) and err.problem_mark is not None:
        mark = err.problem_mark
        return f"line {mark.line + 1}, column {mark.column + 1}: {err.problem}"
    return " ".join(str(err).split())


def _kit(value: object) -> tuple[Kit, ...]:
    data = _fields(value, "", _KIT_FILE_KEYS)
    pieces: list[Kit] = []
    for index, item in enumerate(_list(data["kit"], "kit", at_least=1)):
        where = _at("kit", index)
        entry = _fields(item, _at("kit", index), _KIT_KEYS)
        name = _text(entry["name"], _at(where, "name"))
        pieces.append(
            Kit(
                id=_identifier(entry["id"], _at(where, "id")),
                name=name,
                aliases=_aliases(entry["aliases"], _at(where, "aliases")),
                without=_text(entry["without"], _at(where, "without"))
                if "without" in entry
                else name,
            )
        )
    # A name a runner says must mean one piece of kit.
    _check_unique(((k.id, f"kit[{i}]", f"kit[{i}].id") for i, k in enumerate(pieces)), "id")
    _check_unique(
        (
            (alias, kit.id, f"kit[{i}].aliases[{j}]")
            for i, kit in enumerate(pieces)
            for j, alias in enumerate(kit.aliases)
        ),
        "name",
    )
    return tuple(pieces)


def _read[T](path: Path, read: Callable[[Any], T]) -> T:
    """`read` of the YAML in `path`; a problem is a ContentError naming the file, then the field."""
    data = _parse(path)
    if data is None:
        raise ContentError(f"{path.name}: the file is empty")
    try:
        return read(data)
    except (_FieldError, ContentError) as err:
        raise ContentError(f"{path.name}: {err}") from None


def load_kit(path: Path = KIT_PATH) -> tuple[Kit, ...]:
    """The kit file, validated; raises ContentError naming the file and field."""
    return _read(path, _kit)


def _load_ordered(
    path: Path, kit: tuple[Kit, ...], figures: frozenset[str]
) -> tuple[int, WorkoutPlan]:
    kit_ids = frozenset(piece.id for piece in kit)
    order, plan = _read(path, lambda data: _workout(data, kit_ids, figures))
    if plan.id != path.stem:
        raise ContentError(f"{path.name}: id: must match the file name {path.stem!r}")
    _check_library([(path.name, plan)])
    return order, plan


def load_workout(
    path: Path, kit: tuple[Kit, ...] | None = None, figures: frozenset[str] | None = None
) -> WorkoutPlan:
    """One workout file, validated against the kit (default: kit_list.yaml) and the moves drawn
    (`figures`, default: figures.yaml's); raises ContentError naming the file and field."""
    drawn = _move_figure_names(FIGURES_PATH) if figures is None else figures
    return _load_ordered(path, load_kit() if kit is None else kit, drawn)[1]


def load_library(
    directory: Path | None = None, kit_path: Path = KIT_PATH, figures_path: Path = FIGURES_PATH
) -> Library:
    """Every *.yaml workout in the folder (default: workouts/ beside this module), by `order`,
    and the kit they use; each move's figure one that `figures_path` draws."""
    kit = load_kit(kit_path)
    drawn = _move_figure_names(figures_path)
    folder = WORKOUTS_DIR if directory is None else directory
    paths = sorted(folder.glob("*.yaml"))
    if not paths:
        raise ContentError(f"{folder}: no workout files (*.yaml) found")
    loaded = [(path.name, *_load_ordered(path, kit, drawn)) for path in paths]
    orders: dict[int, str] = {}
    for file, order, _plan in loaded:
        if order in orders:
            raise ContentError(f"{file}: order: {order} is already used by {orders[order]}")
        orders[order] = file
    _check_library([(file, plan) for file, _order, plan in loaded])
    loaded.sort(key=lambda entry: entry[1])
    return Library(workouts=tuple(plan for _file, _order, plan in loaded), kit=kit)


# --- figures: the drawn positions of each exercise ---------------------------------------------


def _angle(value: object, where: str) -> float:
    # bool is an int in Python; "trunk: yes" must not read as 1.
    if isinstance(value, int | float) and not isinstance(value, bool):
        if -ANGLE_DEGREES <= value <= ANGLE_DEGREES:
            return float(value)
    span = f"from -{ANGLE_DEGREES} to {ANGLE_DEGREES}"
    raise _FieldError(where, f"must be an angle in degrees {span} (got {_show(value)})")


def _figure(value: object, where: str, exercise: Exercise) -> Figure:
    data = _fields(value, where, _FIGURE_KEYS)
    # A move led step by step has a position per step; any other, where it starts and ends.
    steps = tuple(step.name for step in exercise.steps)
    return _drawn(data, where, exercise.id, ("start", *steps) if steps else ("start", "end"))


def _drawn(data: dict[str, object], where: str, name: str, names: tuple[str, ...]) -> Figure:
    """The figure `name` with the positions `names`, from its checked keys."""
    at = _at(where, "positions")
    positions = _fields(data["positions"], at, (frozenset(names), frozenset()))
    poses = []
    for pose in names:
        fields = _fields(positions[pose], _at(at, pose), _POSE_KEYS)
        angles = {joint: _angle(fields[joint], _at(_at(at, pose), joint)) for joint in JOINTS}
        poses.append(Pose(name=pose, **angles))
    return Figure(
        name=name,
        view=_choice(data["view"], _at(where, "view"), VIEWS),
        bench=_choice(data["bench"], _at(where, "bench"), BENCHES),
        anchor=_choice(data["anchor"], _at(where, "anchor"), ANCHORS),
        positions=tuple(poses),
    )


def _move_figures(data: object) -> tuple[Figure, ...]:
    """The `moves` of a figures file: each warm-up or cool-down move drawn, by its name, going
    from start to end and back once every `seconds`."""
    entries = _fields(data, "", _FIGURES_FILE_KEYS).get("moves", {})
    if not isinstance(entries, dict):
        raise _FieldError("moves", f"must be a mapping of keys (got {_show(entries)})")
    found = []
    for key, value in entries.items():
        where = _at("moves", str(key))
        name = _identifier(key, where)
        fields = _fields(value, where, _MOVE_FIGURE_KEYS)
        seconds = _whole(fields["seconds"], _at(where, "seconds"), *MOVE_FIGURE_SECONDS)
        found.append(replace(_drawn(fields, where, name, ("start", "end")), seconds=seconds))
    return tuple(found)


def load_move_figures(path: Path = FIGURES_PATH) -> tuple[Figure, ...]:
    """The figures of the warm-up and cool-down moves (`moves` in the file), validated; raises
    ContentError naming the file and field."""
    return _read(path, _move_figures)


def _move_figure_names(path: Path) -> frozenset[str]:
    """The moves `path` draws, which a workout's moves may name: the shipped file's read once a
    process, shared with the screen (default_move_figures), not parsed again for it."""
    if path == FIGURES_PATH:
        return frozenset(default_move_figures())
    return frozenset(figure.name for figure in load_move_figures(path))


def load_figures(path: Path = FIGURES_PATH, library: Library | None = None) -> tuple[Figure, ...]:
    """The figure of every exercise of `library` (default: the shipped workouts), validated:
    one for each exercise and none for an exercise it lacks; raises ContentError naming the file
    and field."""
    exercises = {e.id: e for w in (library or default_library()).workouts for e in w.exercises}

    def read(data: Any) -> tuple[Figure, ...]:
        entries = _fields(data, "", _FIGURES_FILE_KEYS)["figures"]
        by_id = _fields(entries, "figures", (frozenset(exercises), frozenset()))  # one each
        return tuple(
            _figure(by_id[exercise_id], _at("figures", exercise_id), exercise)
            for exercise_id, exercise in exercises.items()
        )

    return _read(path, read)


@functools.cache
def default_figures() -> dict[str, Figure]:
    """The shipped figures by exercise id, loaded once per process."""
    return {figure.name: figure for figure in load_figures()}


@functools.cache
def default_move_figures() -> dict[str, Figure]:
    """The shipped figures of the warm-up and cool-down moves by name, loaded once per process."""
    return {figure.name: figure for figure in load_move_figures()}


def content_locale(locale: str = DEFAULT) -> str:
    """Whose content `locale` speaks: its own folder's (skill/content/de-DE/) where it has one,
    else the English content here, which every English locale shares."""
    return locale if locale != DEFAULT and (CONTENT_DIR / locale).is_dir() else DEFAULT


def default_library(locale: str = DEFAULT) -> Library:
    """The shipped workouts in `locale`'s words, loaded once per process (the same object for
    every locale that shares them)."""
    return _shipped_library(content_locale(locale))


@functools.cache
def _shipped_library(locale: str) -> Library:
    if locale == DEFAULT:
        return load_library()
    folder = CONTENT_DIR / locale
    return load_library(folder / "workouts", kit_path=folder / "kit_list.yaml")
