"""Hands-free mode on Alexa's player: when it is on, the tokens the coach's tracks carry, and the
directives that play them.

The coach holds the player when the device has one (`supportedInterfaces.AudioPlayer`), the skill
has somewhere to serve its tracks from (COACH_AUDIO_BASE_URL), and the runner has not asked to
keep their own music. While it does, "Alexa, next", "Alexa, pause" and the device's buttons reach
the skill without its name.

A token names the runner (a tag of their record key), the place the queue leads to (workout,
exercise, set), the step in the queue and the queue's track ids:

    ubc1.<tag>.<workout>.<exercise index>.<set number>.<step>.<id>,<id>,...

Tokens only choose what to play next; they never change what is stored. A token that is not
ours, is another runner's, or leads to a place that is no longer the runner's (stale: they moved
on by voice since) gets no directive.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from ask_sdk_model.interfaces.audioplayer import (
    AudioItem,
    AudioItemMetadata,
    PlayBehavior,
    PlayDirective,
    StopDirective,
    Stream,
)

from skill.alexa.service import HandsFree
from skill.coaching.progress import Progress
from skill.speech.places import place_labels

if TYPE_CHECKING:  # imported only where the skill serves tracks (skill_builder)
    from skill.audio.catalog import AudioCatalog, Track

TOKEN_PREFIX = "ubc1"
_TOKEN = re.compile(
    r"ubc1\.(?P<tag>[0-9a-f]{12})\.(?P<workout>[a-z0-9_]+)\.(?P<exercise>\d{1,3})\.(?P<set>\d{1,3})"
    r"\.(?P<step>\d{1,2})\.(?P<ids>[a-z0-9,-]{1,400})(?:\.(?P<at>\d{1,12}))?"
)


def user_tag(record_key: str) -> str:
    """Twelve hex digits that tie a token to one runner without naming them."""
    return hashlib.sha256(record_key.encode("utf-8", "surrogatepass")).hexdigest()[:12]


@dataclass(frozen=True)
class PlayerToken:
    tag: str
    workout_id: str
    exercise_index: int
    set_number: int
    step: int  # which of `track_ids` this token's stream is
    track_ids: tuple[str, ...]
    # When the queue began (the request that made it, epoch seconds): its tracks' planned
    # lengths then say when its set was called. None in tokens made before it was kept.
    queued_at: int | None = None

    def encode(self) -> str:
        place = f"{self.workout_id}.{self.exercise_index}.{self.set_number}"
        at = "" if self.queued_at is None else f".{self.queued_at}"
        return f"{TOKEN_PREFIX}.{self.tag}.{place}.{self.step}.{','.join(self.track_ids)}{at}"

    @classmethod
    def decode(cls, text: object) -> PlayerToken | None:
        """The token `text` spells, or None if it is not one of ours (or is malformed)."""
        if not isinstance(text, str):
            return None
        found = _TOKEN.fullmatch(text)
        if found is None:
            return None
        ids = tuple(found["ids"].split(","))
        step = int(found["step"])
        if step >= len(ids) or not all(ids):
            return None
        at = None if found["at"] is None else int(found["at"])
        return cls(
            found["tag"], found["workout"], int(found["exercise"]), int(found["set"]), step, ids, at
        )

    def leads_to(self, progress: Progress) -> bool:
        """Whether the runner is still where this queue leads."""
        return (
            progress.workout_id == self.workout_id
            and progress.exercise_index == self.exercise_index
            and progress.set_number == self.set_number
            and not progress.finished
        ) or (progress.finished and progress.workout_id == self.workout_id)

    @property
    def track_id(self) -> str:
        """The id of the track this token's stream plays."""
        return self.track_ids[self.step]

    def belongs_to(self, record_key: str) -> bool:
        """Whether this is the runner's own token (on a shared device it may be another's)."""
        return self.tag == user_tag(record_key)

    def next(self) -> PlayerToken | None:
        if self.step + 1 >= len(self.track_ids):
            return None
        return replace(self, step=self.step + 1)


@dataclass(frozen=True)
class Play:
    """Play `track` now (REPLACE_ALL), from `offset_ms`; or `queued`, after the track playing
    (REPLACE_ENQUEUED: the queue holds just this one, however often it is sent)."""

    track: Track
    token: PlayerToken
    queued: bool = False
    offset_ms: int = 0
    title: str | None = None  # shown instead of the set the queue leads to (a warm-up part's)


@dataclass(frozen=True)
class Stop:
    """Stop the player."""


def directive_for(
    action: Play | Stop, hands_free: HandsFree | None
) -> PlayDirective | StopDirective:
    if isinstance(action, Stop):
        return StopDirective()
    assert hands_free is not None  # only hands-free mode plays the coach's tracks
    url = action.track.url(hands_free.base_url)
    stream = Stream(token=action.token.encode(), url=url, offset_in_milliseconds=action.offset_ms)
    behavior = PlayBehavior.REPLACE_ENQUEUED if action.queued else PlayBehavior.REPLACE_ALL
    metadata = now_showing(action.track, action.token, hands_free.catalog, action.title)
    return PlayDirective(
        play_behavior=behavior, audio_item=AudioItem(stream=stream, metadata=metadata)
    )


def now_showing(
    track: Track, token: PlayerToken, catalog: AudioCatalog, title: str | None = None
) -> AudioItemMetadata:
    """What a screen device shows while the track plays: the exercise and set the queue leads
    to, as the coach's own screen names them (skill.screen); the track's title (or `title`)
    otherwise, and for a warm-up or cool-down part, which is no set's."""
    labels = place_labels(
        catalog.phrases, catalog.library, token.workout_id, token.exercise_index, token.set_number
    )
    app_name = catalog.phrases.say("audio.titles.app")
    if title is not None or track.id.startswith(_ROUTINE):
        labels = None
    if labels is None:
        return AudioItemMetadata(title=title or track.title, subtitle=app_name)
    workout, exercise, set_label = labels
    return AudioItemMetadata(title=f"{exercise}: {set_label}", subtitle=f"{workout} · {app_name}")


def first_of(
    tracks: tuple[Track, ...], tag: str, progress: Progress, queued_at: float | None = None
) -> tuple[Track, PlayerToken]:
    """The first track of a queue leading to `progress`, begun at `queued_at`, and its token."""
    token = PlayerToken(
        tag,
        progress.workout_id or "",
        progress.exercise_index,
        progress.set_number,
        0,
        tuple(track.id for track in tracks),
        None if queued_at is None else int(queued_at),
    )
    return tracks[0], token


# Tracks that come before the set they lead to: the runner has not begun that set while one of
# them is the player's.
_BEFORE_THE_SET = ("praise-", "rest-", "intro-", "reminder-")
_LEAD_AND_REST = ("praise-", "rest-")
# A warm-up part played for a button: "next" over the last one goes on to the first exercise's
# introduction, as "next" over a rest does (no set is under way to end).
_WARM_UP = ("warmup-",)
_ROUTINE = ("warmup-", "cooldown-")


_ROUTINE_TRACK = re.compile(r"(warmup|cooldown)-[a-z0-9_]+-(\d{1,2})")


def routine_part_from_token(token: PlayerToken) -> tuple[str, int] | None:
    """("warm_up" or "cool_down", the 0-based part) when `token`'s track is one of those parts."""
    found = _ROUTINE_TRACK.fullmatch(token.track_id)
    if found is None:
        return None
    return ("warm_up" if found[1] == "warmup" else "cool_down"), int(found[2]) - 1


def before_the_set(token: PlayerToken) -> bool:
    """Whether `token`'s track comes before the set it leads to begins: the praise, rest,
    introduction or reminder before it, or its call (the "ready" tone plays during the set)."""
    return token.track_id.startswith((*_BEFORE_THE_SET, "set-"))


def before_the_call(token: PlayerToken) -> bool:
    """Whether `token`'s track comes before the call of the set it leads to (the praise, rest,
    introduction or reminder): that set was not called yet."""
    return token.track_id.startswith(_BEFORE_THE_SET)


def skip_to_call(token: PlayerToken) -> PlayerToken | None:
    """The token of the track to jump to when the runner says "next" while `token`'s track
    still leads up to the set: past the lead-in and the rest (to the new exercise's
    introduction, if any), or past the introduction to the set's call. None when `token`'s
    track is the call itself (or the ready tone): "next" then ends the set."""
    current = token.track_id
    if not current.startswith((*_BEFORE_THE_SET, *_WARM_UP)):
        return None
    lead = (*_LEAD_AND_REST, *_WARM_UP)
    skipped = lead if current.startswith(lead) else _BEFORE_THE_SET
    for step in range(token.step + 1, len(token.track_ids)):
        if not token.track_ids[step].startswith(skipped):
            return replace(token, step=step)
    return None


def following(token: PlayerToken, catalog: AudioCatalog) -> tuple[Track, PlayerToken] | None:
    """The track queued after `token`'s, if its queue has one and the catalog knows it."""
    later = token.next()
    if later is None:
        return None
    track = catalog.by_id(later.track_id)
    return None if track is None else (track, later)
