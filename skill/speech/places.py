"""A place in a workout named in words, the same on the coach's screen and on the player's."""

from __future__ import annotations

from skill.content.models import Library
from skill.speech.phrasebook import Phrasebook, with_capital


def place_labels(
    phrases: Phrasebook, library: Library, workout_id: str, exercise_index: int, set_number: int
) -> tuple[str, str, str] | None:
    """(workout, exercise, "Set N of M") as the screen shows them; None for no such place. The
    player's metadata uses them too, so the now-playing screen says the same."""
    plan = library.get(workout_id)
    if plan is None or not 0 <= exercise_index < len(plan.exercises):
        return None
    exercise = plan.exercises[exercise_index]
    if not 1 <= set_number <= exercise.sets:
        return None
    label = phrases.say("screen.set", set=set_number, sets=exercise.sets)
    return with_capital(plan.name), with_capital(exercise.name), label
