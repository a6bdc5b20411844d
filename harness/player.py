"""The device's audio player: what an Echo does with AudioPlayer directives, on a simulated clock.

The player holds the current stream and a queue, plays on the device's clock (seconds, moved
only by the device: speech, waits) and says which events to send when. It never talks to the
skill itself: the Device sends each event as an AudioPlayer request and hands the response's
directives back (`apply`). Times are the device's `now`; offsets are milliseconds into a track.

A track's length is its audio's: the stream URL is resolved to bytes (`Resolver`) and decoded
with miniaudio. A URL that cannot be resolved or decoded, or is not HTTPS (Alexa plays only
HTTPS), fails: PlaybackFailed is sent and the player stops.

Event timing (Amazon documents the order, not the moments):
- PlaybackStarted when a track begins to play: after the speech of the response that started
  it, once no session is open (with `shouldEndSession: false` the stream waits while Alexa
  listens), or at once when the one before it finishes.
- PlaybackNearlyFinished `nearly_finished_lead` seconds before the end (default 10 s), or right
  after PlaybackStarted for a track shorter than that. Amazon says only "when the stream is
  nearly complete and the device is ready for the next one"; devices that buffer a short file
  at once send it early, so a skill must not count on the moment: set the lead to `math.inf`
  to test that.
- PlaybackFinished at the end (offset = the track's length); the first queued track then
  starts.
- PlaybackStopped when a Stop directive, a REPLACE_ALL Play or a ClearQueue CLEAR_ALL ends the
  track that is playing, with the offset reached.
- PlaybackFailed when a track cannot be played, with `error` and `currentPlaybackState`.

While Alexa listens to the runner and speaks a voice request's answer the track is held (not
played, still PLAYING in the context) and carries on afterwards unless a directive replaced or
stopped it.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from harness.envelopes import JsonDict
from harness.recent import Recent

Resolver = Callable[[str], bytes | None]  # stream URL -> the audio's bytes, None: not found
Activity = Literal["IDLE", "PLAYING", "PAUSED", "STOPPED", "FINISHED", "BUFFER_UNDERRUN"]
PLAY_BEHAVIORS = ("REPLACE_ALL", "ENQUEUE", "REPLACE_ENQUEUED")
CLEAR_BEHAVIORS = ("CLEAR_ENQUEUED", "CLEAR_ALL")
NEARLY_FINISHED_LEAD = 10.0
FINISHED_SLACK = 1e-6  # seconds: floating point; a track this close to its end has ended


class AudioRuleError(ValueError):
    """A response breaks Alexa's rules for AudioPlayer (the message says which)."""


@dataclass(frozen=True)
class Stream:
    url: str
    token: str
    offset_ms: int = 0
    title: str | None = None

    def describe(self) -> str:
        return f"{self.title or self.url} (token {self.token!r})"


@dataclass(frozen=True)
class Audio:
    """A resolved track: its decoded samples (24 kHz mono, see tracks.mp3)."""

    url: str
    pcm: Any  # tracks.voices.pcm.Pcm; Any keeps miniaudio out of the import of this module

    @property
    def seconds(self) -> float:
        return float(self.pcm.seconds)


@dataclass(frozen=True)
class Played:
    """A stretch of a track heard on the device: `start`..`end` in device time, from offset
    `from_ms` to `to_ms` in the track. `ended` says why it stopped: finished, stopped,
    replaced, held (a voice request or an open session paused it), or playing (still on)."""

    stream: Stream
    start: float
    end: float
    from_ms: int
    to_ms: int
    ended: str

    @property
    def seconds(self) -> float:
        return self.end - self.start

    def mentions(self, text: str) -> bool:
        """Whether `text` is in the track's URL, token or title (case-insensitive)."""
        wanted = text.lower()
        names = (self.stream.url, self.stream.token, self.stream.title or "")
        return any(wanted in name.lower() for name in names)


@dataclass(frozen=True)
class PendingEvent:
    """An event the device must send now, as AudioPlayer.<name>."""

    name: str
    token: str
    offset_ms: int
    context: JsonDict  # context.AudioPlayer when the event happened
    fields: Mapping[str, Any] = field(default_factory=dict)

    @property
    def type(self) -> str:
        return f"AudioPlayer.{self.name}"


@dataclass
class _Current:
    stream: Stream
    audio: Audio
    position_ms: float  # where the track is at `since`
    since: float
    running: bool = False
    started: bool = False  # PlaybackStarted sent
    nearly_sent: bool = False
    segment_start: float = 0.0  # when `running` last became true
    segment_from_ms: float = 0.0

    def offset_at(self, now: float) -> float:
        if not self.running:
            return self.position_ms
        return self.position_ms + (now - self.since) * 1000.0

    @property
    def length_ms(self) -> float:
        return self.audio.seconds * 1000.0


class AudioPlayer:
    def __init__(
        self,
        resolver: Resolver,
        *,
        nearly_finished_lead: float = NEARLY_FINISHED_LEAD,
        keep: int | None = None,
        tracks_kept: int | None = None,
    ) -> None:
        """`keep`: how many of the latest stretches heard and notes to remember; `tracks_kept`:
        how many decoded tracks (the latest resolved). None keeps all, as a render of a whole
        session reads them; a player left on for days keeps a few (harness.simulator)."""
        if tracks_kept is not None and tracks_kept < 1:
            raise ValueError(f"keep at least one decoded track, not {tracks_kept}")
        self.resolver = resolver
        self.nearly_finished_lead = nearly_finished_lead
        self.activity: Activity = "IDLE"
        self.token: str | None = None  # the last track's, kept after it stops
        self.offset_ms = 0
        self.queue: list[Stream] = []
        self.played: Recent[Played] = Recent(keep)  # closed stretches, in time order
        self.notes: Recent[str] = Recent(keep)  # directives ignored, as a device would ignore them
        self.has_played = False  # the skill played audio here: name-free commands reach it
        self._current: _Current | None = None
        self._audio: dict[str, Audio | str] = {}  # url -> audio, or why it cannot play
        self._tracks_kept = tracks_kept

    # -- what the skill sees --

    def context(self, now: float) -> JsonDict:
        """context.AudioPlayer: no token before anything has played."""
        if self.token is None:
            return {"playerActivity": self.activity}
        return {
            "token": self.token,
            "offsetInMilliseconds": self.current_offset(now),
            "playerActivity": self.activity,
        }

    def current_offset(self, now: float) -> int:
        if self._current is not None:
            return round(self._current.offset_at(now))
        return self.offset_ms

    @property
    def current(self) -> Stream | None:
        return None if self._current is None else self._current.stream

    @property
    def playing(self) -> bool:
        return self.activity == "PLAYING" and self._current is not None

    @property
    def sounding(self) -> bool:
        """A track is heard now: playing, and not held while Alexa listens or speaks."""
        return self.playing and self._current is not None and self._current.running

    def heard(self, start: float, end: float, now: float) -> list[Played]:
        """The stretches heard between `start` and `end` (one still playing included): those
        playing after `start` or beginning in the span (a stretch that ended at `start` is
        not)."""
        stretches = list(self.played)
        running = self._running_stretch(now)
        if running is not None:
            stretches.append(running)
        return [p for p in stretches if p.start <= end and (p.end > start or p.start >= start)]

    def audio(self, url: str) -> Audio | None:
        found = self._audio.get(url)
        return found if isinstance(found, Audio) else None

    # -- time --

    def next_moment(self, now: float) -> float:
        """When the next event is due (math.inf when nothing is playing)."""
        current = self._current
        if current is None or not current.running:
            return math.inf
        remaining = (current.length_ms - current.offset_at(now)) / 1000.0
        end = now + max(0.0, remaining)
        if not current.nearly_sent:
            return min(end, max(now, end - self.nearly_finished_lead))
        return end

    def due(self, now: float) -> list[PendingEvent]:
        """The events due at `now` (the device has moved its clock to next_moment)."""
        current = self._current
        if current is None or not current.running:
            return []
        offset = current.offset_at(now)
        end = now + (current.length_ms - offset) / 1000.0
        if not current.nearly_sent and now + FINISHED_SLACK >= end - self.nearly_finished_lead:
            current.nearly_sent = True
            return [self._event("PlaybackNearlyFinished", current.stream.token, offset, now)]
        if now + FINISHED_SLACK >= end:
            return self._finish(now)
        return []

    def hold(self, now: float) -> None:
        """Alexa listens or speaks: the track waits where it is."""
        current = self._current
        if current is not None and current.running:
            self._close_stretch(now, "held")
            current.position_ms = current.offset_at(now)
            current.since = now
            current.running = False

    def release(self, now: float) -> list[PendingEvent]:
        """Play on (or begin) the current track; PlaybackStarted if it had not begun."""
        current = self._current
        if current is None or current.running or self.activity != "PLAYING":
            return []
        current.running = True
        current.since = current.segment_start = now
        current.segment_from_ms = current.position_ms
        if current.started:
            return []
        current.started = True
        self.has_played = True
        return [self._event("PlaybackStarted", current.stream.token, current.position_ms, now)]

    # -- directives --

    def apply(self, directives: list[JsonDict], now: float) -> list[PendingEvent]:
        """Apply AudioPlayer directives in order; the events they cause, to send at once."""
        events: list[PendingEvent] = []
        for directive in directives:
            kind = directive.get("type")
            if kind == "AudioPlayer.Play":
                events += self._play(directive, now)
            elif kind == "AudioPlayer.Stop":
                events += self._stop(now, "stopped")
            elif kind == "AudioPlayer.ClearQueue":
                events += self._clear(directive, now)
        return events

    def _play(self, directive: JsonDict, now: float) -> list[PendingEvent]:
        behavior = directive.get("playBehavior")
        item = directive.get("audioItem")
        stream = item.get("stream") if isinstance(item, dict) else None
        if behavior not in PLAY_BEHAVIORS:
            raise AudioRuleError(f"Play needs playBehavior {' or '.join(PLAY_BEHAVIORS)}")
        if not isinstance(stream, dict) or not stream.get("url") or not stream.get("token"):
            raise AudioRuleError("Play needs audioItem.stream with a url and a token")
        expected = stream.get("expectedPreviousToken")
        if behavior == "ENQUEUE" and not expected:
            raise AudioRuleError("Play ENQUEUE needs stream.expectedPreviousToken")
        if behavior != "ENQUEUE" and expected:
            raise AudioRuleError(f"Play {behavior} must not carry expectedPreviousToken")
        metadata = item.get("metadata") if isinstance(item, dict) else None
        title = metadata.get("title") if isinstance(metadata, dict) else None
        new = Stream(
            url=str(stream["url"]),
            token=str(stream["token"]),
            offset_ms=int(stream.get("offsetInMilliseconds") or 0),
            title=str(title) if title else None,
        )
        if behavior == "ENQUEUE":
            last = self.queue[-1].token if self.queue else (self.token or None)
            if expected != last:
                self.notes.append(
                    f"ENQUEUE of {new.describe()} ignored: expectedPreviousToken "
                    f"{expected!r}, but the stream before it would be {last!r}"
                )
                return []
            self.queue.append(new)
            if self._current is None:
                self.notes.append(f"{new.describe()} enqueued while nothing plays: it waits")
            return []
        self.queue.clear()
        if behavior == "REPLACE_ENQUEUED":
            self.queue.append(new)
            return []
        events = self._stop(now, "replaced")
        return events + self._begin(new, now)

    def _stop(self, now: float, why: str) -> list[PendingEvent]:
        current = self._current
        if current is None or self.activity != "PLAYING":
            return []
        offset = round(current.offset_at(now))
        self._close_stretch(now, why)
        self._current = None
        self.activity, self.offset_ms = "STOPPED", offset
        if not current.started:  # never heard: nothing to report
            return []
        return [self._event("PlaybackStopped", current.stream.token, offset, now)]

    def _clear(self, directive: JsonDict, now: float) -> list[PendingEvent]:
        behavior = directive.get("clearBehavior")
        if behavior not in CLEAR_BEHAVIORS:
            raise AudioRuleError(f"ClearQueue needs clearBehavior {' or '.join(CLEAR_BEHAVIORS)}")
        self.queue.clear()
        return self._stop(now, "stopped") if behavior == "CLEAR_ALL" else []

    def _begin(self, stream: Stream, now: float) -> list[PendingEvent]:
        """Make `stream` current (not yet running: `release` starts it)."""
        self.token, self.offset_ms = stream.token, stream.offset_ms
        audio = self._resolve(stream.url)
        if isinstance(audio, str):
            self._current = None
            self.activity = "STOPPED"
            self.has_played = True  # it tried: the skill holds the player all the same
            error = {"type": _failure_type(audio), "message": audio}
            state = {
                "token": stream.token,
                "offsetInMilliseconds": stream.offset_ms,
                "playerActivity": "STOPPED",
            }
            fields = {"error": error, "currentPlaybackState": state}
            return [self._event("PlaybackFailed", stream.token, stream.offset_ms, now, fields)]
        self._current = _Current(stream, audio, float(stream.offset_ms), now)
        self.activity = "PLAYING"
        return []

    def _finish(self, now: float) -> list[PendingEvent]:
        current = self._current
        assert current is not None
        length = round(current.length_ms)
        self._close_stretch(now, "finished", to_ms=length)
        self._current = None
        self.activity, self.offset_ms = "FINISHED", length
        events = [self._event("PlaybackFinished", current.stream.token, length, now)]
        if self.queue:
            events += self._begin(self.queue.pop(0), now)
        return events

    def _event(
        self,
        name: str,
        token: str,
        offset: float,
        now: float,
        fields: Mapping[str, Any] | None = None,
    ) -> PendingEvent:
        return PendingEvent(name, token, round(offset), self.context(now), dict(fields or {}))

    # -- audio --

    def _resolve(self, url: str) -> Audio | str:
        found = self._audio.pop(url, None)
        if found is None:
            found = self._load(url)
        self._audio[url] = found  # the latest resolved last: the oldest go first
        if self._tracks_kept is not None:
            for old in list(self._audio)[: -self._tracks_kept]:
                del self._audio[old]
        return found

    def _load(self, url: str) -> Audio | str:
        if not url.lower().startswith("https://"):
            return f"not HTTPS: Alexa plays only https:// streams ({url})"
        try:
            data = self.resolver(url)
        except Exception as error:  # a resolver that fails is a stream that cannot be fetched
            return f"cannot fetch {url}: {type(error).__name__}: {error}"
        if data is None:
            return f"not found: {url}"
        from tracks.mp3 import decode_mp3_bytes

        try:
            pcm = decode_mp3_bytes(data)
        except Exception as error:  # miniaudio raises its own DecodeError
            return f"cannot decode {url}: {error}"
        if not pcm.samples:
            return f"cannot decode {url}: no audio in it"
        return Audio(url, pcm)

    # -- the log --

    def _running_stretch(self, now: float, why: str = "playing") -> Played | None:
        current = self._current
        if current is None or not current.running:
            return None
        return Played(
            current.stream,
            current.segment_start,
            now,
            round(current.segment_from_ms),
            round(current.offset_at(now)),
            why,
        )

    def _close_stretch(self, now: float, why: str, to_ms: int | None = None) -> None:
        stretch = self._running_stretch(now, why)
        if stretch is None or stretch.end <= stretch.start:  # not heard at all
            return
        if to_ms is not None:
            stretch = Played(stretch.stream, stretch.start, now, stretch.from_ms, to_ms, why)
        self.played.append(stretch)


def _failure_type(reason: str) -> str:
    if reason.startswith("cannot decode"):
        return "MEDIA_ERROR_INTERNAL_DEVICE_ERROR"
    if reason.startswith("cannot fetch"):
        return "MEDIA_ERROR_SERVICE_UNAVAILABLE"
    return "MEDIA_ERROR_INVALID_REQUEST"


def mapping_resolver(tracks: Mapping[str, bytes]) -> Resolver:
    """Serve streams from a dict of URL -> MP3 bytes (tests, local files)."""
    return lambda url: tracks.get(url)
