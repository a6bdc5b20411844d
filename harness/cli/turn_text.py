"""Turns as text: a turn's name, and what `coach chat` prints for it."""

from __future__ import annotations

import textwrap
from typing import TYPE_CHECKING

from harness.utterances import FALLBACK_INTENT

if TYPE_CHECKING:
    from harness.device import Turn

WRAP_WIDTH = 100


def turn_name(turn: Turn) -> str:
    return turn.intent or turn.request_type or "turn"


def labelled(label: str, text: str) -> str:
    """'  coach:    words...' wrapped to the width of a terminal, continued under the words."""
    return textwrap.fill(
        text, width=WRAP_WIDTH, initial_indent=f"  {label:<9} ", subsequent_indent=" " * 12
    )


def describe_turn(turn: Turn) -> list[str]:
    """What chat prints for a turn: what was matched, what the coach said, the session."""
    from harness.dialog import LAUNCH

    heard = LAUNCH if turn.match is not None and turn.match.kind == "launch" else turn.intent
    slots = {name: (s.id or s.value) for name, s in turn.slots.items()}
    heard = heard or (turn.request_type if turn.sent else None)  # e.g. a button's request
    lines = [f"  intent:   {heard or '-'}" + (f" {slots}" if slots else "") + _how_heard(turn)]
    if not turn.sent:
        return [*lines, f"  not sent: {turn.note}"]
    if turn.note:
        lines.append(f"  note:     {turn.note}")
    lines.append(labelled("coach:", turn.speech_text or "(nothing)"))
    if turn.reprompt_text:
        lines.append(labelled("reprompt:", turn.reprompt_text))
    lines.append(f"  session:  {'open' if turn.session_open else 'closed'}")
    return lines


def _how_heard(turn: Turn) -> str:
    """How the statistical stand-in came to the intent, when no sample was said word for word."""
    found = turn.match
    if found is None or found.confidence is None or found.sample is not None:
        return ""
    if found.guessed == FALLBACK_INTENT:
        return " (the stand-in: for no intent of this skill)"
    if found.intent == FALLBACK_INTENT:
        return f" (the stand-in: nothing sure enough; its first guess {found.guessed})"
    return f" (the stand-in, {found.confidence:.0%} sure)"
