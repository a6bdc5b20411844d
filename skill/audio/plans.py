"""What the coach plays in hands-free mode after a move: pure, no Alexa.

The conversation starts a workout; the player carries it. A move that ends a set plays the
lead-in (praise, and the next exercise's name when it changes), the exact rest, then the next
set's call, all in the coach's recorded voice: a reply to a player event or a button may not
speak, and a turn keeps one voice. A move that leads to a set without a rest (resume, back a
set, a skip) plays the set's call.

Moves that need what only speech carries (starting a workout and its warm-up, a question, the
finishing summary and the cool-down offer) are spoken as in the conversation when the reply may
speak; a button press that finishes the workout plays the finish instead.
"""

from __future__ import annotations

from skill.audio.catalog import AudioCatalog, Track
from skill.coaching import events as ev
from skill.coaching.coach import Coach, Transition
from skill.coaching.progress import Progress

# Events whose words only speech carries: a reply that may speak says them as the conversation
# does, and leaves the player alone.
_SPOKEN = (
    ev.WorkoutStarted,
    ev.WarmUpPart,
    ev.WarmUpSkipped,
    ev.CoolDownOffered,
    ev.CoolDownPart,
    ev.StartedOver,
)


def plan_for(
    before: Progress, move: Transition, coach: Coach, catalog: AudioCatalog, can_speak: bool
) -> tuple[Track, ...] | None:
    """The tracks to play for `move` made from `before`, in order; None to answer as the
    conversation does. `can_speak` is False for replies that may carry only player directives
    (player events, buttons)."""
    after = move.progress
    kinds = {type(event) for event in move.events}
    if ev.Paused in kinds or after.workout_id is None:
        return None
    if ev.WorkoutFinished in kinds:
        return None if can_speak else (catalog.lead_in(before.sets_done), catalog.finished())
    here = coach.position(after)
    if here is None or ev.SetAnnounced not in kinds:
        return None
    if can_speak and any(isinstance(event, _SPOKEN) for event in move.events):
        return None
    call = catalog.set_call(after.workout_id, here.exercise_index, here.set_number)
    rest = next((e for e in move.events if isinstance(e, ev.RestStarted)), None)
    if rest is None:
        return (call,)
    if rest.last_set_of_exercise:
        lead = catalog.lead_in(before.sets_done, after.workout_id, here.exercise_index)
    else:
        lead = catalog.lead_in(before.sets_done)
    return (lead, catalog.rest(rest.seconds), call)
