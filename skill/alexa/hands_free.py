"""Hands-free mode: when the coach holds the device's player, and what it plays there.

The coach holds the player when the device has one, the skill serves its tracks
(COACH_AUDIO_BASE_URL), and the runner has not asked to keep their own music. While it does,
"Alexa, next", "Alexa, pause" and the device's buttons reach the skill without its name.
"""

from __future__ import annotations

from typing import Literal

from skill.alexa import player
from skill.alexa.player import (
    Play,
    PlayerToken,
    Stop,
    first_of,
    following,
    skip_to_call,
    user_tag,
)
from skill.alexa.service import CoachService
from skill.alexa.turn import Turn
from skill.audio.catalog import Timed
from skill.audio.plans import Playing, plan_for
from skill.coaching import events as ev
from skill.coaching import pains
from skill.coaching.coach import Transition
from skill.coaching.progress import MAX_REST_SECONDS, MAX_SPOKEN_REST_SECONDS, Progress

CALL_AGAIN: Literal["call_again"] = "call_again"


def plays_audio(service: CoachService, turn: Turn) -> bool:
    """Hands-free mode is on for this runner on this device."""
    return (
        service.hands_free is not None and turn.asked.has_player and not turn.preferences.keep_music
    )


def longest_rest(service: CoachService, turn: Turn) -> int:
    """The longest rest this device can pace: the coach's audio plays up to five minutes, one
    spoken response two."""
    return MAX_REST_SECONDS if plays_audio(service, turn) else MAX_SPOKEN_REST_SECONDS


def holds_player(service: CoachService, turn: Turn) -> bool:
    """The coach's audio for this runner is what the device's player holds (on a shared device,
    another runner's audio is not theirs to stop)."""
    token = turn.asked.player_token
    return (
        service.hands_free is not None
        and turn.asked.has_player
        and token is not None
        and token.belongs_to(turn.asked.record_key)
    )


def stop_if_held(service: CoachService, turn: Turn) -> Stop | None:
    """Stop the player, when what it holds is this runner's coach audio."""
    return Stop() if holds_player(service, turn) else None


def playing_for(
    service: CoachService, turn: Turn, before: Progress, move: Transition
) -> Playing | None:
    """What the player plays for `move`, or None to answer as the conversation does."""
    hands_free = service.hands_free
    if hands_free is None or not plays_audio(service, turn):
        return None
    if turn.notice is not None:
        return None  # a notice (a fresh start) must be heard in words
    history = turn.history.read()
    # The easier way is offered in words, and so is another way for missing kit: a recorded
    # introduction has neither.
    reworded = pains.lately(turn.hurt, turn.now) | _done_another_way(service, move.progress)
    if turn.asked.may_speak and _introduces(service, move, reworded):
        return None
    return plan_for(
        before, move, service.coach, hands_free.catalog, turn.asked.may_speak, history.explained
    )


def _introduces(service: CoachService, move: Transition, exercise_ids: frozenset[str]) -> bool:
    """Whether `move` introduces one of `exercise_ids`."""
    plan = service.coach.library.get(move.progress.workout_id or "")
    if plan is None or not exercise_ids:
        return False
    return any(
        isinstance(event, ev.ExerciseIntroduced)
        and plan.exercises[event.exercise_index].id in exercise_ids
        for event in move.events
    )


def _done_another_way(service: CoachService, progress: Progress) -> frozenset[str]:
    """The exercises of the runner's workout done another way, for kit they lack."""
    plan = service.coach.library.get(progress.workout_id or "")
    if plan is None or not progress.missing_kit:
        return frozenset()
    return frozenset(e.id for e in plan.exercises if service.coach.stand_in(progress, e))


def play_now(turn: Turn, playing: Playing, leads_to: Progress) -> Play:
    tag = user_tag(turn.asked.record_key)
    first, token = first_of(playing.tracks, tag, leads_to, turn.asked.sent_at)
    return Play(first, token, title=playing.title)


def resume_mid_rest(service: CoachService, turn: Turn) -> Play | None:
    """A rest (or a warm-up or cool-down part) paused part-way plays on from where it stopped
    (its track is constant-bitrate, so the player can start at an offset); None when the runner
    was not mid-rest."""
    hands_free, token = service.hands_free, turn.asked.player_token
    if hands_free is None or token is None or not holds_player(service, turn):
        return None
    track = hands_free.catalog.by_id(token.track_id)
    offset = turn.asked.player_offset_ms
    if track is None or offset <= 0:
        return None
    if track.rest_seconds is None and player.routine_part_from_token(token) is None:
        return None
    if offset >= track.planned_seconds * 1000:  # past its end: the rest is over
        return None
    if not token.leads_to(turn.progress):
        return None
    return Play(track, token, offset_ms=offset)


def routine_playing(service: CoachService, turn: Turn) -> tuple[str, int] | None:
    """("warm_up" or "cool_down", the part) when the player is playing (or holds, while Alexa
    listens) that part of the runner's warm-up or cool-down, recorded; None otherwise."""
    token = _playing_the_way_to_the_set(service, turn)
    return None if token is None else player.routine_part_from_token(token)


def _queue_to_the_place(service: CoachService, turn: Turn) -> PlayerToken | None:
    """The token the player holds (playing or not) when it is this runner's coach audio and its
    queue leads to the place their record names; None otherwise."""
    token = turn.asked.player_token
    if token is None or not holds_player(service, turn) or not token.leads_to(turn.progress):
        return None
    return token


def routine_part_held(service: CoachService, turn: Turn) -> tuple[str, int] | None:
    """("warm_up" or "cool_down", the part) when the player holds, playing or stopped part-way,
    that recorded part of the runner's warm-up or cool-down, its queue leading to their place;
    None otherwise."""
    token = _queue_to_the_place(service, turn)
    if token is None or turn.asked.player_offset_ms <= 0:
        return None
    return player.routine_part_from_token(token)


def past_the_part(service: CoachService, turn: Turn) -> Play | None:
    """ "Next" over a recorded warm-up part the player holds (playing, or stopped part-way by
    the welcome): what its queue plays after it (the introduction, the set's call); None when
    no such part is held."""
    token, hands_free = turn.asked.player_token, service.hands_free
    if token is None or hands_free is None or routine_part_held(service, turn) is None:
        return None
    later = skip_to_call(token)
    track = None if later is None else hands_free.catalog.by_id(later.track_id)
    return None if later is None or track is None else Play(track, later)


def routine_again(service: CoachService, turn: Turn) -> Play | None:
    """The warm-up or cool-down part the player is playing, from its start ("Alexa, repeat")."""
    token = _playing_the_way_to_the_set(service, turn)
    if token is None or service.hands_free is None or player.routine_part_from_token(token) is None:
        return None
    track = service.hands_free.catalog.by_id(token.track_id)
    return None if track is None else Play(track, token)


def led_set_playing(service: CoachService, turn: Turn) -> Play | None:
    """The set the player is leading in the coach's voice (the Y-T-W-L raise letter by letter,
    the carry's "switch hands"), to play from its start ("one more time"); None otherwise."""
    token = _playing_the_way_to_the_set(service, turn)
    if token is None or service.hands_free is None:
        return None
    track = service.hands_free.catalog.by_id(token.track_id)
    if track is None or not any(isinstance(s, Timed) and s.kind == "led" for s in track.sections):
        return None
    return Play(track, token)


def _playing_the_way_to_the_set(service: CoachService, turn: Turn) -> PlayerToken | None:
    """The token of the coach's track the player is playing (or holds, while Alexa listens)
    when its queue leads to the set the runner's record names; None otherwise."""
    return _queue_to_the_place(service, turn) if turn.asked.player_playing else None


def resting(service: CoachService, turn: Turn) -> bool:
    """The player is playing (or holds, while Alexa listens) the runner's rest before the set
    their record names."""
    token = _playing_the_way_to_the_set(service, turn)
    if token is None or service.hands_free is None:
        return False
    track = service.hands_free.catalog.by_id(token.track_id)
    return track is not None and track.rest_seconds is not None


def rest_left(service: CoachService, turn: Turn) -> float | None:
    """Seconds still to run of the rest the player is playing before the set the runner's
    record names (resting); None when it plays none."""
    token = _playing_the_way_to_the_set(service, turn)
    if token is None or service.hands_free is None:
        return None
    track = service.hands_free.catalog.by_id(token.track_id)
    if track is None or track.rest_seconds is None:
        return None
    return max(0.0, track.planned_seconds - turn.asked.player_offset_ms / 1000)


def before_the_set(service: CoachService, turn: Turn) -> bool:
    """The player is playing (or holds, while Alexa listens) the coach's queue up to the set
    the runner's record names, its call included: that set has not begun."""
    token = _playing_the_way_to_the_set(service, turn)
    return token is not None and player.before_the_set(token)


def stopped_before_the_call(service: CoachService, turn: Turn) -> bool:
    """The player holds, stopped part-way ("Alexa, pause", or the welcome opening over it), the
    coach's queue before the call of the set the runner's record names (its rest, praise or
    introduction): that set was never called, let alone done."""
    return not turn.asked.player_playing and set_not_called(service, turn)


def set_not_called(service: CoachService, turn: Turn) -> bool:
    """The player plays (or holds, stopped part-way) the coach's queue before the call of the
    set the runner's record names (its praise, rest or introduction): that set was never
    called, so nothing said now can mean it was done."""
    token = _queue_to_the_place(service, turn)
    held = turn.asked.player_playing or turn.asked.player_offset_ms > 0
    return token is not None and held and player.before_the_call(token)


def seconds_since_the_call(service: CoachService, turn: Turn) -> float | None:
    """Outside a conversation, how long before this request the coach's queue finished
    calling the set the runner's record names: the queue (praise, rest, introduction, the call)
    began with the request that made it, and each track lasts its planned length. None when
    the player is not past that call, or the queue is not the runner's. (A pause mid-rest
    makes the call later than this says: reps said just after it then count as the set
    called, as they did before tokens carried the time.)"""
    hands_free, now = service.hands_free, turn.asked.sent_at
    if hands_free is None or now is None or turn.asked.in_conversation:
        return None
    token = _queue_to_the_place(service, turn)
    began = None if token is None else token.queued_at
    if token is None or began is None:
        return None
    calls = [step for step, track_id in enumerate(token.track_ids) if track_id.startswith("set-")]
    if not calls or token.step < calls[-1]:
        return None
    tracks = [hands_free.catalog.by_id(track_id) for track_id in token.track_ids[: calls[-1] + 1]]
    if any(track is None for track in tracks):
        return None
    before = sum(track.planned_seconds for track in tracks[:-1] if track is not None)
    call = tracks[-1]
    assert call is not None  # checked above
    # a led set's track leads the whole set after its call: the call is its words before it
    return now - (began + before + call.seconds_before_led)


def next_by_player(service: CoachService, turn: Turn) -> Play | Literal["call_again"] | None:
    """ "Alexa, next" (or the next button) outside a conversation, where the player shows the
    runner has not begun the set their record names; None when "next" ends that set.

    Mid-rest (or mid-lead-in or introduction) of the coach's own queue, "next" skips to what
    comes next in it: the set was never called, so it is not counted. When the player's last
    queue led somewhere else (a warm-up in a session since closed, a workout started since,
    another runner's audio on a shared device), the set is called again (CALL_AGAIN) rather
    than counted done unheard."""
    hands_free, token = service.hands_free, turn.asked.player_token
    if hands_free is None or not plays_audio(service, turn) or turn.asked.in_conversation:
        return None  # words in a conversation: the set just announced is done
    progress = turn.progress
    if token is None or progress.paused or service.coach.position(progress) is None:
        return None
    if token.belongs_to(turn.asked.record_key) and token.leads_to(progress):
        later = skip_to_call(token)
        track = None if later is None else hands_free.catalog.by_id(later.track_id)
        if later is None or track is None:
            return None
        return Play(track, later)
    return CALL_AGAIN


def queue_next(service: CoachService, turn: Turn) -> Play | None:
    """The track to queue after the one the player event names, if the queue is still the
    runner's (a stale queue, from before they moved on by voice, gets none)."""
    hands_free, token = service.hands_free, turn.asked.player_token
    if hands_free is None or token is None:
        return None
    if not token.belongs_to(turn.asked.record_key) or not token.leads_to(turn.progress):
        return None
    after = following(token, hands_free.catalog)
    if after is None:
        return None
    track, next_token = after
    # A track that failed to play is skipped for the next one, at once.
    return Play(track, next_token, queued=turn.asked.kind != "AudioPlayer.PlaybackFailed")
