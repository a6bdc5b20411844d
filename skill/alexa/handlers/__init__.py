"""What the coach does for each command: read the turn, ask the coach for a move, have the
composer put it into words, and return the `Outcome`. Which request is which command is
skill.alexa.commands' table; the workout logic itself lives in skill.coaching.

One module per concern, each a class of commands on the shared ways of answering:
reading.py (what a turn says about the runner's moment) ← answering.py (saying a move, an
answer, the welcome, help, stop) ← sets.py, pain.py, fitting.py (easier, kit, rests, reps over
weeks), questions.py, workouts.py, session.py (settings, reminders, the player's own events)
← answers.py (yes, no, cancel, and `Handlers`, all of them at once)."""

from skill.alexa.handlers.answers import Action, Handlers

__all__ = ["Action", "Handlers"]
