"""The tempo at which the coach leads a set step by step: each letter of a multi-part move, or
each side, direction or hand of a move done one half at a time.

A led set is: the set's announcement, a moment to get set, then each step's call followed by
the time its reps take at a steady tempo, with a short breather between steps. The figures are
our choice for controlled strength work (the articles give reps, not tempo).
"""

from __future__ import annotations

from skill.coaching.progress import QUICKEST_PACE, SLOWEST_PACE, USUAL_PACE
from skill.content.models import Exercise, Reps

GET_SET_SECONDS = 3.0  # from the announcement to the first call
BREATHER_SECONDS = 3.0  # between two steps (letters) of a set
# Seconds one unit takes at the usual pace: a controlled rep up, a pause and down; a circle; a
# yard walked carrying a weight; a second.
UNIT_SECONDS = {
    "reps": 3.0,
    "circles": 2.5,
    "yards": 1.0,
    "metres": 1.1,  # a yard is 0.91 metres
    "seconds": 1.0,
}
# The runner's pace ("slow down", "speed up": Progress.pace) as the seconds one rep takes; every
# unit of a led set is stretched or shortened alike. 2.5 s is still a controlled rep with a pause
# at the top; 5 s is as slow as a set fits one response after a short rest (RESPONSE_SECONDS).
REP_SECONDS_AT_PACE = {-1: 2.5, 0: 3.0, 1: 4.0, 2: 5.0}
assert set(REP_SECONDS_AT_PACE) == set(range(QUICKEST_PACE, SLOWEST_PACE + 1))
assert REP_SECONDS_AT_PACE[USUAL_PACE] == UNIT_SECONDS["reps"]
# One response must stay within about 240 s of audio (Alexa's limit on clips; we keep all
# speech and breaks within it too). A set is led in the same response as the rest before it
# only when the rest, the words around it and the led set fit in RESPONSE_SECONDS; otherwise
# the runner is told to say "repeat" when in position, and that answer leads the set.
RESPONSE_SECONDS = 230.0
INTRODUCTION_SECONDS = 40.0  # a first introduction and its set's words, with room to spare
TALK_SECONDS = 12.0  # a later set's words around its rest


def rep_seconds(pace: int = USUAL_PACE) -> float:
    """The seconds one rep of a led set takes at `pace` (out of range: the nearest bound)."""
    return REP_SECONDS_AT_PACE[min(max(pace, QUICKEST_PACE), SLOWEST_PACE)]


def work_seconds(reps: Reps, pace: int = USUAL_PACE) -> float:
    """How long one step (or one half) of `reps` takes at the coach's tempo, at `pace`."""
    stretch = rep_seconds(pace) / UNIT_SECONDS["reps"]
    return reps.count * UNIT_SECONDS[reps.unit] * stretch


def led_in_halves(exercise: Exercise) -> bool:
    """Done one side (direction, hand) then the other, so the coach calls the switch. A move
    that alternates every rep is not: the runner switches on each rep themselves."""
    return exercise.led_in_halves


def is_led(exercise: Exercise) -> bool:
    return exercise.led
