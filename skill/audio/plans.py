"""What the coach plays in hands-free mode after a move: pure, no Alexa.

The conversation starts a workout; the player carries it. A move that ends a set plays the
lead-in (praise), the exact rest, the next exercise's introduction when the set starts a new one
(in full the first time the runner meets it, else a reminder), then the next set's call, all in
the coach's recorded voice: a reply to a player event or a button may not
speak, and a turn keeps one voice. A move that leads to a set without a rest (resume, back a
set, a skip) plays the set's call.

Moves that need what only speech carries (starting a workout and its warm-up, a question, the
finishing summary and the cool-down offer) are spoken as in the conversation when the reply may
speak; a set counted as partial says its reps ("Counted: 8 of 12 reps.", in no track) and then
plays the rest and the next call as "next" does; a button press that finishes the workout plays
the finish instead, and one that leads a warm-up or cool-down part plays that part, recorded. A
spoken move that announces a set, or leads a warm-up or cool-down part with another after it,
also plays the ready tone (no words: one voice), which starts once the microphone closes: from
then on the coach holds the player, and "Alexa, next" ends the set or leads the next part.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from skill.coaching import events as ev
from skill.coaching.coach import Coach, Transition
from skill.coaching.progress import Progress

if TYPE_CHECKING:  # a catalog is handed in where the skill serves tracks
    from skill.audio.catalog import AudioCatalog, Track

# Events whose words only speech carries: a reply that may speak says them as the conversation
# does, and leaves the player alone.
_SPOKEN = (
    ev.WorkoutStarted,
    ev.WarmUpPart,
    ev.WarmUpSkipped,
    ev.CoolDownOffered,
    ev.CoolDownPart,
    ev.StartedOver,
    ev.FinishTakenBack,  # the workout is not done after all: said, then the set called
    ev.StandInGiven,  # the way to do it without the kit is the content's, in no track
    ev.KitBack,
    # the easier or harder way, and its set called again at the way's own reps: its words are
    # the content's, in no track
    ev.LoadChosen,
)


def routine_part_led_by(move: Transition) -> tuple[str, int, int] | None:
    """("warm_up" or "cool_down", the part, how many) when `move` leads a part of either."""
    for event in move.events:
        if isinstance(event, ev.WarmUpPart):
            return "warm_up", event.part, event.parts
        if isinstance(event, ev.CoolDownPart):
            return "cool_down", event.part, event.parts
    return None


@dataclass(frozen=True)
class Playing:
    tracks: tuple[Track, ...]  # played one after another
    spoken: bool = False  # the move is also spoken, first (the tracks are then a tone)
    # "Counted: 8 of 12 reps." (a set counted as partial: its reps are in no track) is said
    # first, then the tracks play the rest and the next set, as after "Alexa, next"
    partly: bool = False
    title: str | None = None  # the player's screen shows this, not the set the queue leads to


def plan_for(
    before: Progress,
    move: Transition,
    coach: Coach,
    catalog: AudioCatalog,
    can_speak: bool,
    explained: frozenset[str] = frozenset(),
) -> Playing | None:
    """What to play for `move` made from `before`; None to answer as the conversation does.
    `can_speak` is False for replies that may carry only player directives (player events,
    buttons); `explained` are the exercises the runner has heard in full."""
    after = move.progress
    kinds = {type(event) for event in move.events}
    if ev.Paused in kinds or after.workout_id is None:
        return None
    if ev.WorkoutFinished in kinds:
        return (
            None if can_speak else Playing((catalog.lead_in(before.sets_done), catalog.finished()))
        )
    routine = routine_part_led_by(move)
    if routine is not None and ev.SetAnnounced not in kinds:
        kind, part, parts = routine
        if not can_speak:  # a button: the part in the coach's recorded voice
            return Playing((catalog.routine_part(after.workout_id, kind, part),))
        if kind == "cool_down" and part + 1 == parts:
            return None  # the cool-down's last part: nothing follows it to hold the player for
        # Spoken; the tone behind it makes the coach the device's player, so "Alexa, next"
        # reaches it once the microphone closes. A screen names the part, not the first set.
        title = catalog.routine_title(kind, part, parts)
        return Playing((catalog.ready(),), spoken=True, title=title)
    if ev.ExtraSetAnnounced in kinds:
        # No track calls an extra set: it is said in words, and the tone behind them takes
        # the player from the rest and the next exercise's call, which would play on over it.
        return Playing((catalog.ready(),), spoken=True) if can_speak else None
    here = coach.position(after)
    if here is None or ev.SetAnnounced not in kinds:
        return None
    if can_speak and any(isinstance(event, _SPOKEN) for event in move.events):
        return Playing((catalog.ready(),), spoken=True)
    tracks: list[Track] = []
    if routine is not None:  # the warm-up's last part, for a button: then the first set
        tracks.append(catalog.routine_part(after.workout_id, *routine[:2]))
    rest = next((e for e in move.events if isinstance(e, ev.RestStarted)), None)
    if rest is not None:
        if rest.last_set_of_exercise:  # "Good. Next up: chest press.", as the spoken rest says
            lead_in = catalog.lead_in(before.sets_done, after.workout_id, here.exercise_index)
        else:
            lead_in = catalog.lead_in(before.sets_done)
        tracks += [lead_in, catalog.rest(rest.seconds)]
    # A recorded introduction needs the exercise's kit: one done another way gets none.
    if ev.ExerciseIntroduced in kinds and coach.stand_in(after, here.exercise) is None:
        first_time = here.exercise.id not in explained
        tracks.append(catalog.introduction(after.workout_id, here.exercise_index, first_time))
    # The call says the runner's own reps (`here.exercise` carries them), as the voice turn does
    # and the record credits; a count no track has (outside the exercise's range: a record the
    # skill did not write) is spoken where the reply may speak, else the plan's call is played.
    reps = here.exercise.reps.count
    try:
        call = catalog.set_call(after.workout_id, here.exercise_index, here.set_number, reps)
    except ValueError:
        if can_speak:
            return None
        call = catalog.set_call(after.workout_id, here.exercise_index, here.set_number)
    tracks.append(call)
    return Playing(tuple(tracks), partly=can_speak and ev.SetDonePartly in kinds)
