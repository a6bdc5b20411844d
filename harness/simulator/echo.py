"""One simulated Echo for the browser simulator: a harness Device whose clock follows the wall.

The page acts (says, touches, presses, stays silent) and polls; this class keeps a harness
`Device` on the skill and turns what happened into a transcript the page can show and play. The
Device sends exactly the envelopes the harness and the dialog tests send: this adds only time.

Time: the Device has its own clock (speech takes its length by the timing model, waits pass).
Here that clock follows the wall clock: each call first lets the time since the last one pass on
the device (`sync`), so the microphone closes, tracks end and AudioPlayer events are sent as
they would be on a real Echo. The microphone is modelled as Alexa does it: after the answer, 8 s
of listening, then the reprompt spoken and 8 s more, then the session ends
(EXCEEDED_MAX_REPROMPTS). A runner who speaks while the coach is still talking cuts it off.
"""

from __future__ import annotations

import threading
import time
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

from harness.device import MIC_OPEN_SECONDS, Device, DeviceError, Turn, ssml_seconds, ssml_to_text
from harness.recent import Recent

EntryKind = Literal["runner", "coach", "reprompt", "player", "note", "error"]
SAY, TOUCH, PRESS = "say", "touch", "press"
MAX_ENTRIES = 2000  # a long workout has a few hundred; a page left open for days stays bounded
# The device's own logs need hold only what came since the transcript last looked (every act and
# every poll, twice a second) and the last speech (a runner talks over it): a page left open for
# a week keeps these, not a week of requests and responses.
DEVICE_KEEPS = 50  # turns, player events, speeches, stretches heard
TRACKS_KEPT = 4  # decoded tracks: the one playing is held anyway; these spare a repeat a fetch


@dataclass
class Entry:
    """A line of the transcript."""

    number: int
    kind: EntryKind
    text: str
    at: float  # the device's clock, seconds
    detail: str = ""  # what was matched (intent and slots), or the player's track
    ssml: str = ""  # what the line says as SSML, for its audio; empty: no audio

    def as_json(self, speech_url: Callable[[int], str]) -> dict[str, Any]:
        data: dict[str, Any] = {
            "number": self.number,
            "kind": self.kind,
            "text": self.text,
            "at": round(self.at, 3),
        }
        if self.detail:
            data["detail"] = self.detail
        if self.ssml:
            data["audio"] = speech_url(self.number)
        return data


@dataclass
class Listening:
    """The microphone after an answer: open until `until` (device time); `reprompt` is said
    then, once, and the microphone opens again."""

    until: float
    reprompt_ssml: str = ""


@dataclass
class SimulatedEcho:
    device: Device
    viewport: str  # the page's name for the screen ("show-8", "spot", "none")
    clock: Callable[[], float] = time.monotonic
    entries: Recent[Entry] = field(default_factory=lambda: Recent(MAX_ENTRIES))
    screen_version: int = 0  # counts the RenderDocuments received
    _listening: Listening | None = None
    _shown: object = None
    _history_seen: int = 0
    _events_seen: int = 0
    _lock: threading.RLock = field(default_factory=threading.RLock)

    def __post_init__(self) -> None:
        self._wall_start = self.clock()
        self._device_start = self.device.now

    # -- what the page does --

    def act(self, kind: str, text: str) -> None:
        """The runner says `text`, touches the control that sends `text`, or presses the
        device button `text`."""
        with self._lock:
            self.sync()
            self._barge_in()
            label = {SAY: text, TOUCH: f"(touches {text})", PRESS: f"(presses {text})"}[kind]
            self._add("runner", label)
            try:
                if kind == SAY:
                    self.device.say(text)
                elif kind == TOUCH:
                    self.device.touch(text)
                else:
                    self.device.press(text)
            except (DeviceError, ValueError) as error:
                self._add("error", str(error))
            self._collect()

    def heard_nothing(self, hypothesis: str) -> None:
        """The microphone picked up speech the recogniser could not take as a command."""
        with self._lock:
            self.sync()
            note = "Nothing recognised: the device sends nothing"
            self._add("note", note + (f" (it sounded like {hypothesis!r})" if hypothesis else ""))

    def stay_silent(self) -> None:
        """The runner says nothing: the coach's words end and the microphone closes now (the
        rest of the answer and the reprompt are skipped, so what follows starts at once)."""
        with self._lock:
            self.sync()
            self._barge_in()
            if self.device.session_open:
                self._listening = None
                self._close_microphone()
            self._collect()

    # -- time --

    def sync(self) -> None:
        """Let the wall-clock time since the last call pass on the device."""
        with self._lock:
            target = self._wall_device_time()
            while self.device.session_open and self._listening is not None:
                if target < self._listening.until:
                    self._advance(target)
                    return
                self._advance(self._listening.until)
                if self._listening.reprompt_ssml:
                    self._say_reprompt(self._listening.reprompt_ssml)
                else:
                    self._listening = None
                    self._close_microphone()
            if self.device.session_open:
                self._advance(target)  # a session the page holds open: nothing plays
                return
            self._listening = None
            if target > self.device.now:
                try:
                    self.device.wait(target - self.device.now)
                except DeviceError as error:
                    self._add("error", str(error))
                    self.device.now = max(self.device.now, target)
            self._collect()

    def _wall_device_time(self) -> float:
        return self._device_start + (self.clock() - self._wall_start)

    def _advance(self, target: float) -> None:
        """Time passes while Alexa listens: nothing plays (the session holds the player)."""
        self.device.now = max(self.device.now, target)

    def _barge_in(self) -> None:
        """Speaking to Alexa stops its speech: the device's clock, ahead while it was talking,
        comes back to the wall's: the answer is cut off there, and the request says so by its
        timestamp (a rest spoken in words is talked over). Where the device cannot go back (the
        answer started audio, or events came since), the wall's clock jumps ahead instead."""
        wall = self._wall_device_time()
        spoken = self.device.spoken
        if self.device.now > wall and spoken and spoken[-1].start <= wall:
            try:
                self.device.talk_over(wall - spoken[-1].start)
            except DeviceError:
                pass
        ahead = self.device.now - self._wall_device_time()
        if ahead > 0:
            self._device_start += ahead

    def _say_reprompt(self, ssml: str) -> None:
        self._add("reprompt", ssml_to_text(ssml), ssml=ssml)
        self.device.now += ssml_seconds(ssml)
        self._listening = Listening(self.device.now + MIC_OPEN_SECONDS)

    def _close_microphone(self) -> None:
        try:
            self.device.mic_timeout()
        except DeviceError as error:
            self._add("error", str(error))
        self._add("note", "The microphone closed: the session is over")

    # -- the transcript --

    def _collect(self) -> None:
        """Entries for the turns and player events the device recorded since the last look."""
        history, events = self.device.history, self.device.events
        new_turns = history.since(self._history_seen)
        new_events = events.since(self._events_seen)
        lost = max(0, history.first - self._history_seen) + max(0, events.first - self._events_seen)
        if lost:  # more requests in one wait than the device keeps: rare, and said
            self._add("note", f"{lost} earlier requests were sent but not kept for the transcript")
        self._history_seen, self._events_seen = history.added, events.added
        happened = [(t, False) for t in new_turns] + [(t, True) for t in new_events]
        for turn, is_event in sorted(happened, key=lambda pair: pair[0].at):
            if is_event:
                self._player_entry(turn)
            else:
                self._turn_entries(turn)
        if new_turns and new_turns[-1].session_open and new_turns[-1].sent:
            last = new_turns[-1]
            self._listening = Listening(self.device.now + MIC_OPEN_SECONDS, last.reprompt_ssml)
        if self.device.shows is not None and self.device.shows is not self._shown:
            self._shown = self.device.shows
            self.screen_version += 1

    def _turn_entries(self, turn: Turn) -> None:
        kind = turn.request_type or ""
        if not turn.sent:
            self._add("note", turn.note or "Not sent")
            return
        if kind == "SessionEndedRequest":
            return  # the note that closed it says so
        if turn.note:
            self._add("note", turn.note)
        detail = _matched(turn)
        if turn.answer_ssml:
            self._add("coach", turn.speech_text, detail=detail, ssml=turn.answer_ssml)
        elif detail:
            self._add("coach", "(no speech)", detail=detail)

    def _player_entry(self, turn: Turn) -> None:
        request = (turn.request or {}).get("request", {})
        name = str(request.get("type", "")).removeprefix("AudioPlayer.")
        token = str(request.get("token", ""))
        self._add("player", name, detail=token)

    def _add(self, kind: EntryKind, text: str, *, detail: str = "", ssml: str = "") -> None:
        number = self.entries.added
        self.entries.append(Entry(number, kind, text, self.device.now, detail, ssml))

    def speech(self, number: int) -> str | None:
        """The SSML of transcript line `number`, if it has audio and is still kept."""
        with self._lock:
            index = number - self.entries.first
            kept = 0 <= index < len(self.entries)
            return (self.entries[index].ssml or None) if kept else None

    # -- what the page shows --

    def state(
        self, since: int, speech_url: Callable[[int], str], screen_version: int = -1
    ) -> dict[str, Any]:
        """Everything the page shows, with the transcript from entry `since` on; the document
        shown only when the page has not got it yet (its version is not `screen_version`)."""
        with self._lock:
            self.sync()
            device = self.device
            listening = self._listening if device.session_open else None
            wall = self._wall_device_time()
            return {
                "viewport": self.viewport,
                "locale": device.locale,  # what its requests carry: whose words it hears
                "screen": device.screen,
                "handsFree": device.player is not None,
                "deviceSeconds": round(device.now, 3),
                "entries": [e.as_json(speech_url) for e in self.entries.since(since)],
                "nextEntry": self.entries.added,
                "session": {
                    "open": device.session_open,
                    "id": device.session.session_id if device.session else None,
                    "attributes": device.session.attributes if device.session else {},
                    "listeningMs": _ms(listening.until - wall) if listening else None,
                },
                "shown": self._shown_json(screen_version),
                "player": self._player_json(wall),
                # The reminders set on the runner's account (the stand-in of Alexa's APIs).
                "reminders": device.reminder_lines(),
            }

    def _shown_json(self, page_has: int) -> dict[str, Any] | None:
        shows = self.device.shows
        if shows is None or not self.device.screen:
            return None
        if page_has == self.screen_version:
            return {"version": self.screen_version}
        return {
            "version": self.screen_version,
            "token": shows.get("token"),
            "document": shows.get("document"),
            "datasources": shows.get("datasources"),
        }

    def _player_json(self, wall: float) -> dict[str, Any] | None:
        player = self.device.player
        if player is None:
            return None
        stream = player.current
        data: dict[str, Any] = {"activity": player.activity, "sounding": player.sounding}
        if stream is not None:
            offset = player.current_offset(wall)
            data.update(
                url=urllib.parse.urlsplit(stream.url).path,
                token=stream.token,
                title=stream.title or "",
                offsetMs=max(0, offset),
                startsInMs=max(0, -offset),
            )
        return data


def _matched(turn: Turn) -> str:
    slots = {name: (s.id or s.value) for name, s in turn.slots.items() if s.value}
    heard = turn.intent or turn.request_type or ""
    return heard + (f" {slots}" if slots else "")


def _ms(seconds: float) -> int:
    return max(0, round(seconds * 1000))
