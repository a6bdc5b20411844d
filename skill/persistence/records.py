"""The versioned progress record that every store (SQLite and DynamoDB) keeps per user.

A record is `{"version": N, "attributes": {...}}`. Stores keep it as JSON text (`encode`/`decode`)
rather than as a native structure, so no store has to care about floats, Decimals or key types:
what the coaching layer saves is exactly what it gets back.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from typing import Any

from ask_sdk_core.exceptions import PersistenceException

RECORD_VERSION = 2


class UnreadableRecordError(PersistenceException):
    """A stored record is not valid JSON, not a well-formed record, or of an unknown version."""


class NewerRecordError(UnreadableRecordError):
    """A record written by a newer version of the skill (a canary, or before a rollback): this
    version must leave it exactly as it is."""


class UnencodableAttributesError(PersistenceException):
    """The attributes hold something that would not come back unchanged from JSON text."""


# Upgrades a record's attributes from version N to N + 1, keyed by N. To change the shape of
# the attributes: bump RECORD_VERSION, add MIGRATIONS[old_version] turning old attributes into
# new ones, and test it with a stored old record. Never edit or remove a migration once shipped:
# records of every older version may still be sitting in a store.
MIGRATIONS: dict[int, Callable[[dict[str, Any]], dict[str, Any]]] = {}


# The workouts as version 1 records were written against: (exercise id, sets), in order. Frozen
# here, not read from the content, so that this migration never changes once shipped.
_V1_WORKOUTS: dict[str, tuple[tuple[str, int], ...]] = {
    "bodyweight": (
        ("t_push_up", 4),
        ("l_sit_chin_up", 4),
        ("suspension_row", 3),
        ("ytwl_raise", 3),
        ("overhead_carry", 3),
        ("stir_the_pot", 3),
    ),
    "dumbbell": tuple(
        (exercise_id, 3)
        for exercise_id in (
            "shoulder_press",
            "bent_over_row",
            "chest_press",
            "lateral_raise",
            "plank_row",
            "curl_to_press",
        )
    ),
}


def _whole(value: object, least: int) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= least


def _v1_to_v2(attributes: dict[str, Any]) -> dict[str, Any]:
    """Version 2 counts sets per exercise and the workout's active time.

    Version 1 kept one total, `sets_done`. It is shared out as a workout taken in order would
    have left it: the current exercise gets the sets before the current one, then each earlier
    exercise not skipped gets up to its sets, nearest first; what remains (sets done again after
    going back) stays with the current exercise, so the total is kept. The position is left as
    it was, so the runner carries on at the same set. The active time starts at 0 with no last
    move: the coach then counts the time since `started_at`, bounded (Coach.clocked). A rest
    change in a finished workout is dropped: version 2 keeps a rest to the workout it was made
    in. A progress that is not a well-formed version 1 one is left alone for the reader to
    refuse.
    """
    progress = attributes.get("progress")
    if not isinstance(progress, dict):
        return dict(attributes)
    total = progress.get("sets_done", 0)
    index = progress.get("exercise_index", 0)
    set_number = progress.get("set_number", 1)
    skipped = progress.get("skipped", [])
    well_formed = (
        _whole(total, 0)
        and _whole(index, 0)
        and _whole(set_number, 1)
        and isinstance(skipped, list)
    )
    if not well_formed:
        return dict(attributes)
    upgraded = {key: value for key, value in progress.items() if key != "sets_done"}
    counts: list[int] = []
    plan = _V1_WORKOUTS.get(str(progress.get("workout_id")), ())
    if plan and index < len(plan):
        counts = [0] * (index + 1)
        counts[index] = min(set_number - 1, total)
        left = total - counts[index]
        for earlier in range(index - 1, -1, -1):
            exercise_id, sets = plan[earlier]
            if exercise_id not in skipped:
                counts[earlier] = min(sets, left)
                left -= counts[earlier]
        counts[index] += left
    upgraded["sets_by_exercise"] = counts
    upgraded["active_seconds"] = 0.0
    upgraded["last_move_at"] = None
    if progress.get("finished") is True:
        upgraded["rest_seconds"] = None
    return {**attributes, "progress": upgraded}


MIGRATIONS[1] = _v1_to_v2


def _check_plain(value: object, where: tuple[object, ...] = ()) -> None:
    """Refuse anything json would silently change (tuples, non-str keys) or cannot write.

    `where` is the path to `value`, put into words only when something is refused (a hot path).
    """
    if value is None or isinstance(value, str | bool | int):
        return
    if isinstance(value, float):
        if not math.isfinite(value):
            raise UnencodableAttributesError(
                f"{_place(where)} is {value!r}, which JSON cannot hold"
            )
        return
    if isinstance(value, list | dict) and value and len(where) >= MAX_NESTING:
        raise UnencodableAttributesError(_TOO_DEEP)  # as _is_plain refuses it
    if isinstance(value, list):
        for index, item in enumerate(value):
            _check_plain(item, (*where, index))
        return
    if isinstance(value, dict):
        for key, item in value.items():
            if not isinstance(key, str):
                raise UnencodableAttributesError(
                    f"{_place(where)} has key {key!r}: keys must be strings to survive JSON"
                )
            _check_plain(item, (*where, key))
        return
    raise UnencodableAttributesError(
        f"{_place(where)} is a {type(value).__name__}; only dict, list, str, int, float, bool"
        " and None can be saved"
    )


def _place(where: tuple[object, ...]) -> str:
    """attributes['progress']['skipped'][0], as the refusal names it."""
    return "attributes" + "".join(f"[{part!r}]" for part in where)


_PLAIN_SCALARS = frozenset({str, bool, int, type(None)})
_STR_ONLY = frozenset({str})
MAX_NESTING = 100  # levels of lists and objects in a record; the coach's have fewer than 10
MAX_VALUES = 1_000_000  # a cycle through two branches doubles at every level
_TOO_DEEP = "attributes nest too deeply (or contain a cycle)"


def _is_plain(value: object) -> bool:
    """What _check_plain accepts, without tracking where: every save runs this, so it walks the
    record a level at a time rather than by recursion (half the time). Too deep a record, or
    one that holds itself, is refused here."""
    level: list[Any] = [value]
    values = 1
    for _ in range(MAX_NESTING + 1):
        below: list[Any] = []
        for item in level:
            kind = type(item)
            if kind in _PLAIN_SCALARS:
                continue
            if kind is float:
                if not math.isfinite(item):
                    return False
            elif kind is list or kind is dict:
                if kind is dict and not _STR_ONLY.issuperset(map(type, item)):  # keys, in C
                    return False
                values += len(item)
                if values > MAX_VALUES:  # before the level grows: a cycle may branch widely
                    raise UnencodableAttributesError(_TOO_DEEP)
                below.extend(item.values() if kind is dict else item)
            else:
                return False
        if not below:
            return True
        level = below
    raise UnencodableAttributesError(_TOO_DEEP)


def wrap(attributes: dict[str, Any]) -> dict[str, Any]:
    """The record for `attributes`; raises UnencodableAttributesError if they are not plain JSON."""
    if not isinstance(attributes, dict):
        raise UnencodableAttributesError(
            f"attributes must be a dict, not {type(attributes).__name__}"
        )
    try:
        if not _is_plain(attributes):
            _check_plain(attributes)  # says what and where; subclasses of str etc. pass here
    except RecursionError:
        raise UnencodableAttributesError(_TOO_DEEP) from None
    return {"version": RECORD_VERSION, "attributes": dict(attributes)}


def unwrap(record: object) -> dict[str, Any]:
    """The attributes held by `record`, upgraded to RECORD_VERSION through MIGRATIONS."""
    if not isinstance(record, dict):
        raise UnreadableRecordError(f"a record must be an object, not {type(record).__name__}")
    version = record.get("version")
    # bool is an int subclass: `True` must not pass for version 1.
    if not isinstance(version, int) or isinstance(version, bool):
        raise UnreadableRecordError(f"record has no usable version: {version!r}")
    if version > RECORD_VERSION:
        raise NewerRecordError(
            f"record version {version} is newer than this skill understands ({RECORD_VERSION})"
        )
    if version < 1:
        raise UnreadableRecordError(f"record version {version} is unknown")
    attributes = record.get("attributes")
    if not isinstance(attributes, dict):
        raise UnreadableRecordError("record attributes are missing or not an object")
    while version < RECORD_VERSION:
        migrate = MIGRATIONS.get(version)
        if migrate is None:
            raise UnreadableRecordError(f"no migration from record version {version}")
        attributes = migrate(attributes)
        version += 1
    return attributes


def encode(attributes: dict[str, Any]) -> str:
    """Compact, key-sorted JSON text of the record for `attributes`."""
    return json.dumps(wrap(attributes), sort_keys=True, separators=(",", ":"), allow_nan=False)


def _refuse_constant(name: str) -> object:
    raise ValueError(f"{name} is not JSON")


def _finite_float(text: str) -> float:
    """A JSON number as a float; 1e999 and the like, read as infinity, are refused: no record
    this version writes can hold one (encode refuses them), and a time of infinity is none."""
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(f"{text} is out of range")
    return value


def decode(text: str) -> dict[str, Any]:
    """The attributes stored in record text `text`; UnreadableRecordError if it is not one."""
    if not isinstance(text, str):
        raise UnreadableRecordError(f"a stored record must be text, not {type(text).__name__}")
    try:
        record = json.loads(text, parse_constant=_refuse_constant, parse_float=_finite_float)
    except (ValueError, RecursionError) as error:  # JSONDecodeError is a ValueError
        raise UnreadableRecordError(f"stored record is not valid JSON: {error}") from error
    return unwrap(record)
