"""What the coach's responses sound like in time: rendered segments, rests as heard, a timeline.

The `coach` command (harness.cli) does the I/O; everything here is small functions on
segments, PCM and plain data, so it can be tested without a device or a disk.

Rests are measured from the rendered audio, not from the timing model: each text segment lasts
as long as the voice's PCM for it, silences and clips as long as their samples. A rest starts at
the end of the text segment announcing it ("Rest 30 seconds.", the phrasebook's `rest.start`;
the first <break> follows it) and ends at the end of the REST_OVER beep, where the next set's
words begin, as skill.speech.rest_pacing paces it.

A hands-free session (a device with AudioPlayer) is a timeline instead: the speech of each turn
and every stretch of audio the device played, in the order heard, with the device's silences
between them (device_timeline, place_timeline). Speech takes its rendered length, audio its
played length, so with the estimate voice the render's times are the device's. Each entry's
start and end (timeline_entries, transcript.json's "timeline") measure what the audio holds:
a rest track's stretch, or the gap from one entry to the next.
"""

from __future__ import annotations

import re
import string
import textwrap
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from harness.segment_audio import render_segments
from harness.ssml_reader import Clip, Segment, Text, read_ssml
from harness.ssml_rules import speech_problems
from skill.speech.phrasebook import Phrasebook, default_phrasebook
from skill.speech.sounds import REST_OVER
from tracks.mp3 import FRAME_SAMPLES, mp3_sample_count, silent_mp3
from tracks.voices.base import Voice
from tracks.voices.pcm import SAMPLE_RATE, Pcm, concat, fit, silence

if TYPE_CHECKING:
    from harness.device import Device, Turn
    from harness.player import Played

REST_TOLERANCE_SECONDS = 1.0
DEFAULT_SET_SECONDS = 2.0  # the gap between turns in the session file: the runner's own set
WORD_GAP_SECONDS = 0.3  # between text segments when only the words are wanted (recognition)
WRAP_WIDTH = 100
_FILE_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


# ---- segments in time -----------------------------------------------------------------------


@dataclass(frozen=True)
class TimedSegment:
    segment: Segment
    start: float  # seconds from the start of the response
    seconds: float  # as rendered

    @property
    def end(self) -> float:
        return self.start + self.seconds


@dataclass(frozen=True)
class RenderedSpeech:
    pcm: Pcm
    timed: tuple[TimedSegment, ...]

    @property
    def seconds(self) -> float:
        return self.pcm.seconds


ClipLoader = Callable[[Clip], Pcm]


def render_timed(
    segments: Sequence[Segment], voice: Voice, *, clip_pcm: ClipLoader | None = None
) -> RenderedSpeech:
    """Render each segment on its own (as tracks.mp3 does) and keep its real length."""
    parts = [render_segments([segment], voice, clip_pcm=clip_pcm) for segment in segments]
    timed, clock = [], 0
    for segment, part in zip(segments, parts, strict=True):
        timed.append(TimedSegment(segment, clock / SAMPLE_RATE, len(part.samples) / SAMPLE_RATE))
        clock += len(part.samples)
    return RenderedSpeech(concat(parts), tuple(timed))


def render_ssml(ssml: str, voice: Voice, *, clip_pcm: ClipLoader | None = None) -> RenderedSpeech:
    """Raises SsmlSyntaxError or UnknownClipError (both ValueErrors) on unreadable SSML."""
    return render_timed(read_ssml(ssml), voice, clip_pcm=clip_pcm)


def words_only(rendered: RenderedSpeech) -> Pcm:
    """Just the spoken text segments, short gaps between: what a recogniser needs to hear."""
    gap = silence(WORD_GAP_SECONDS)
    parts: list[Pcm] = []
    for timed in rendered.timed:
        if isinstance(timed.segment, Text):
            first = round(timed.start * SAMPLE_RATE)
            count = round(timed.seconds * SAMPLE_RATE)
            parts += [Pcm(rendered.pcm.samples[first : first + count]), gap]
    return concat(parts)


# ---- rests ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class RestMeasure:
    programmed: int  # the N of "Rest N seconds."
    heard: float | None  # end of the announcement to the end of the beep; None: no beep
    start: float  # when the rest starts, seconds from the start of the response

    @property
    def error(self) -> float | None:
        return None if self.heard is None else round(self.heard - self.programmed, 3)

    @property
    def ok(self) -> bool:
        return self.error is not None and abs(self.error) <= REST_TOLERANCE_SECONDS


def rest_announcement(phrases: Phrasebook | None = None) -> re.Pattern[str]:
    """A pattern for the phrasebook's `rest.start` ("Rest {seconds} seconds."), N captured."""
    template = (phrases or default_phrasebook()).phrases["rest.start"][0]
    pattern = ""
    for literal, name, _spec, _conversion in string.Formatter().parse(template):
        pattern += re.escape(literal)
        if name is not None:
            pattern += r"(\d+)" if name == "seconds" else r".*?"
    return re.compile(pattern, re.IGNORECASE)


def measure_rests(
    timed: Sequence[TimedSegment], announcement: re.Pattern[str] | None = None
) -> list[RestMeasure]:
    """Every rest announced in `timed`, as heard (see the module docstring)."""
    announcement = announcement or rest_announcement()
    rests = []
    for index, item in enumerate(timed):
        if not isinstance(item.segment, Text):
            continue
        found = announcement.search(item.segment.text)
        if found is None:
            continue
        beep = next(
            (
                later
                for later in timed[index + 1 :]
                if isinstance(later.segment, Clip) and later.segment.src == REST_OVER.src
            ),
            None,
        )
        heard = None if beep is None else round(beep.end - item.end, 3)
        rests.append(RestMeasure(int(found.group(1)), heard, round(item.end, 3)))
    return rests


def measure_ssml_rests(
    ssml: str, voice: Voice, *, clip_pcm: ClipLoader | None = None
) -> list[RestMeasure]:
    return measure_rests(render_ssml(ssml, voice, clip_pcm=clip_pcm).timed)


# ---- limits ---------------------------------------------------------------------------------


def limit_problems(speech_ssml: str, reprompt_ssml: str = "") -> list[str]:
    """Alexa's limits on one response (harness.ssml_rules), each naming speech or reprompt.
    PlainText speech (empty SSML here) has nothing to check."""
    problems = [f"speech: {p}" for p in speech_problems(speech_ssml)] if speech_ssml else []
    if reprompt_ssml:
        problems += [f"reprompt: {p}" for p in speech_problems(reprompt_ssml, reprompt=True)]
    return problems


# ---- a session ------------------------------------------------------------------------------


@dataclass(frozen=True)
class RenderedTurn:
    number: int  # 1-based
    said: str
    intent: str  # the intent sent, or "LaunchRequest"
    text: str  # the speech as plain text
    reprompt: str
    speech: RenderedSpeech
    problems: tuple[str, ...] = ()
    rests: tuple[RestMeasure, ...] = field(default=())

    @property
    def file_name(self) -> str:
        return turn_file_name(self.number, self.intent)


def turn_file_name(number: int, intent: str, suffix: str = ".mp3") -> str:
    """ "03-NextSetIntent.mp3": sorts in turn order, safe on any file system."""
    return f"{number:02d}-{_FILE_UNSAFE.sub('_', intent) or 'turn'}{suffix}"


def turn_starts(lengths: Sequence[float], gap: float) -> list[float]:
    """When each turn starts in the session: turns in order, `gap` seconds after each one."""
    starts, clock = [], 0.0
    for length in lengths:
        starts.append(round(clock, 3))
        clock += length + gap
    return starts


def join_session(pcms: Sequence[Pcm], gap: float) -> Pcm:
    """The turns one after another with `gap` seconds of silence after each but the last."""
    pause = silence(gap)
    parts: list[Pcm] = []
    for index, pcm in enumerate(pcms):
        parts.append(pcm)
        if index < len(pcms) - 1:
            parts.append(pause)
    return concat(parts)


def join_session_mp3(encoded: Sequence[bytes], lengths: Sequence[int], gap: float) -> bytes | None:
    """join_session as MP3, from the turns' own MP3s (`encoded`, each from `lengths[i]` samples
    of PCM at SAMPLE_RATE), so the session is not encoded a second time.

    Each file starts with the encoder's delay and ends padded to a whole frame, so the silence
    after a turn is made that much shorter, in whole frames of encoded silence: every turn
    starts where join_session puts it to within half a frame (12 ms), after the same delay as
    the first, and the session is as long to within that. None when a gap is too short to take
    up a file's delay and padding: encode join_session's PCM then."""
    pause = round(gap * SAMPLE_RATE)
    parts: list[bytes] = []
    clock = target = 0  # samples: the MP3 so far, and where the next turn should start
    for index, (data, length) in enumerate(zip(encoded, lengths, strict=True)):
        if index:
            frames = round((target - clock) / FRAME_SAMPLES)
            if frames < 0:
                return None
            parts.append(silent_mp3(frames))
            clock += frames * FRAME_SAMPLES
        parts.append(data)
        clock += mp3_sample_count(data)
        target += length + pause
    return b"".join(parts)


def cue_entries(timed: Sequence[TimedSegment], offset: float) -> list[dict[str, Any]]:
    """The heard cues (text and clips; silences are the gaps between them) at session times."""
    cues: list[dict[str, Any]] = []
    for item in timed:
        entry: dict[str, Any] = {
            "start": round(offset + item.start, 3),
            "seconds": round(item.seconds, 3),
        }
        if isinstance(item.segment, Text):
            cues.append({"kind": "text", "text": item.segment.text, **entry})
        elif isinstance(item.segment, Clip):
            cues.append({"kind": "clip", "src": item.segment.src, **entry})
    return cues


def rest_entry(turn: RenderedTurn, rest: RestMeasure) -> dict[str, Any]:
    return {
        "turn": turn.number,
        "programmed": rest.programmed,
        "heard": rest.heard,
        "error": rest.error,
        "ok": rest.ok,
    }


def transcript(
    turns: Sequence[RenderedTurn],
    gap: float,
    about: Mapping[str, Any] | None = None,
    starts: Sequence[float] | None = None,
) -> dict[str, Any]:
    """The session as JSON-ready data: turns with their start and cues, rests, limits.
    `starts` places the turns (a hands-free session's timeline); by default each turn follows
    the one before after `gap`."""
    if starts is None:
        starts = turn_starts([turn.speech.seconds for turn in turns], gap)
    entries = []
    for turn, start in zip(turns, starts, strict=True):
        entries.append(
            {
                "number": turn.number,
                "said": turn.said,
                "intent": turn.intent,
                "file": turn.file_name,
                "start": start,
                "seconds": round(turn.speech.seconds, 3),
                "text": turn.text,
                "reprompt": turn.reprompt,
                "cues": cue_entries(turn.speech.timed, start),
                "problems": list(turn.problems),
            }
        )
    total = starts[-1] + turns[-1].speech.seconds if turns else 0.0
    return {
        **dict(about or {}),
        "set_seconds": gap,
        "total_seconds": round(total, 3),
        "turns": entries,
        "rests": [rest_entry(turn, rest) for turn in turns for rest in turn.rests],
        "problems": [f"turn {t.number} ({t.intent}): {p}" for t in turns for p in t.problems],
    }


# ---- a hands-free session: speech and played audio on one timeline -------------------------


@dataclass(frozen=True)
class TimelineEntry:
    """Something heard on the device, at device time `device_start` (harness.device: speech
    at the timing model's length, audio as played). `turn` for speech, `played` for audio."""

    kind: str  # "speech" or "audio"
    device_start: float
    device_end: float
    turn: Turn | None = None
    played: Played | None = None


def device_timeline(device: Device) -> list[TimelineEntry]:
    """Everything the device said and played, in the order it was heard."""
    entries = [
        TimelineEntry("speech", spoken.start, spoken.end, turn=spoken.turn)
        for spoken in device.spoken
    ]
    if device.player is not None:
        entries += [
            TimelineEntry("audio", played.start, played.end, played=played)
            for played in device.player.heard(0.0, device.now, device.now)
            if played.end > played.start
        ]
    return sorted(entries, key=lambda e: (e.device_start, e.device_end))


@dataclass(frozen=True)
class PlacedEntry:
    """A timeline entry where it is heard in the render: `start`, `seconds` as rendered."""

    entry: TimelineEntry
    start: float
    seconds: float

    @property
    def end(self) -> float:
        return self.start + self.seconds


def place_timeline(
    entries: Sequence[TimelineEntry], speech_seconds: Callable[[Turn], float]
) -> list[PlacedEntry]:
    """Lay the entries out as the render hears them: each speech at its rendered length
    (`speech_seconds`), audio at its played length, and the device's silences between them
    kept. With the estimate voice the render's times are the device's."""
    placed: list[PlacedEntry] = []
    clock = device_end = 0.0
    for entry in entries:
        clock += max(0.0, entry.device_start - device_end)
        if entry.turn is not None:
            seconds = speech_seconds(entry.turn)
        else:
            seconds = entry.device_end - entry.device_start
        placed.append(PlacedEntry(entry, round(clock, 6), seconds))
        clock += seconds
        device_end = max(device_end, entry.device_end)
    return placed


def render_time(placed: Sequence[PlacedEntry], moment: float) -> float:
    """Where device time `moment` falls in the render laid out by place_timeline."""
    clock = device_end = 0.0
    for item in placed:
        if item.entry.device_start > moment:
            break
        if moment <= item.entry.device_end:
            return item.start + min(item.seconds, moment - item.entry.device_start)
        clock, device_end = item.end, item.entry.device_end
    return clock + max(0.0, moment - device_end)


def render_timeline(
    placed: Sequence[PlacedEntry],
    speech_pcm: Callable[[Turn], Pcm],
    track_pcm: Callable[[str], Pcm | None],
) -> Pcm:
    """The session's audio: each placed entry at its start, silence between. A track's stretch
    is cut from its decoded audio (`track_pcm(url)`), from offset to offset."""
    parts: list[Pcm] = []
    samples = 0
    for item in placed:
        gap = round(item.start * SAMPLE_RATE) - samples
        if gap > 0:
            parts.append(silence(gap / SAMPLE_RATE))
            samples += gap
        if item.entry.turn is not None:
            pcm = speech_pcm(item.entry.turn)
        else:
            assert item.entry.played is not None
            pcm = _stretch(item.entry.played, track_pcm(item.entry.played.stream.url))
        parts.append(pcm)
        samples += len(pcm.samples)
    return concat(parts)


def _stretch(played: Played, pcm: Pcm | None) -> Pcm:
    count = round(played.seconds * SAMPLE_RATE)
    if pcm is None:
        return silence(count / SAMPLE_RATE)
    first = round(played.from_ms * SAMPLE_RATE / 1000)
    cut = Pcm(pcm.samples[first : first + count], pcm.sample_rate)
    return fit(cut, count / SAMPLE_RATE)


def timeline_entries(
    placed: Sequence[PlacedEntry], turn_numbers: Mapping[int, int] | None = None
) -> list[dict[str, Any]]:
    """The timeline as JSON-ready data: each entry's `start`, `end` and `seconds` in the
    render, what it is (a turn's speech, or a track's stretch with its token, URL, title and
    offsets) and, for audio, why it ended. `turn_numbers` maps id(turn) to its number."""
    numbers = turn_numbers or {}
    rows: list[dict[str, Any]] = []
    for item in placed:
        row: dict[str, Any] = {
            "kind": item.entry.kind,
            "start": round(item.start, 3),
            "end": round(item.end, 3),
            "seconds": round(item.seconds, 3),
        }
        turn, played = item.entry.turn, item.entry.played
        if turn is not None:
            row.update(turn=numbers.get(id(turn)), said=turn.said, text=turn.speech_text)
        elif played is not None:
            row.update(
                token=played.stream.token,
                url=played.stream.url,
                title=played.stream.title,
                from_ms=played.from_ms,
                to_ms=played.to_ms,
                ended=played.ended,
            )
        rows.append(row)
    return rows


def audio_heard(timeline: Sequence[Mapping[str, Any]], text: str) -> list[Mapping[str, Any]]:
    """The audio entries of a timeline (timeline_entries, or transcript.json's "timeline")
    whose token, URL or title holds `text` (case-insensitive): e.g. every stretch of a rest
    track, to measure it by its start and end."""
    wanted = text.lower()
    return [
        row
        for row in timeline
        if row["kind"] == "audio"
        and any(wanted in str(row.get(key) or "").lower() for key in ("token", "url", "title"))
    ]


def format_timeline(timeline: Sequence[Mapping[str, Any]]) -> str:
    """One line per entry: when, how long, and what (speech words, or the track)."""
    lines = []
    for row in timeline:
        if row["kind"] == "speech":
            what = f"speech (turn {row['turn']}): {row['text']}"
        else:
            name = row.get("title") or row["url"]
            what = (
                f"audio {name} (token {row['token']}), {row['from_ms'] / 1000:.2f} s to "
                f"{row['to_ms'] / 1000:.2f} s, {row['ended']}"
            )
        line = f"[{clock(row['start'])} - {clock(row['end'])}] {row['seconds']:7.2f} s  {what}"
        lines.append(line if len(line) <= WRAP_WIDTH else line[: WRAP_WIDTH - 3] + "...")
    return "\n".join(lines)


def clock(seconds: float) -> str:
    """75.5 -> "01:15.50"."""
    minutes, rest = divmod(max(0.0, seconds), 60)
    return f"{int(minutes):02d}:{rest:05.2f}"


def format_transcript(data: Mapping[str, Any]) -> str:
    """The transcript as text: each turn, then each cue at the time it is heard."""
    head = ", ".join(
        f"{key} {data[key]}" for key in ("workout", "engine") if data.get(key) is not None
    )
    lines = [
        f"Upper Body Coach session ({head}): {len(data['turns'])} turns, "
        f"{clock(data['total_seconds'])} long, {data['set_seconds']:g} s after each turn",
        "",
    ]
    for turn in data["turns"]:
        lines.append(
            f"[{clock(turn['start'])}] turn {turn['number']}: you say {turn['said']!r} "
            f"-> {turn['intent']} ({turn['file']}, {turn['seconds']:.2f} s)"
        )
        for cue in turn["cues"]:
            what = cue["text"] if cue["kind"] == "text" else f"<{cue['src']}>"
            lines.append(
                textwrap.fill(
                    what,
                    width=WRAP_WIDTH,
                    initial_indent=f"    {clock(cue['start'])}  ",
                    subsequent_indent=" " * 16,
                )
            )
        lines += [f"    ! {problem}" for problem in turn["problems"]]
        lines.append("")
    if data.get("timeline"):
        lines += [
            "Heard, in order (speech and the skill's audio):",
            format_timeline(data["timeline"]),
        ]
        lines.append("")
    return "\n".join(lines)


def pacing_table(rests: Sequence[Mapping[str, Any]]) -> str:
    """One line per rest: programmed, heard, error and whether it is within tolerance."""
    lines = [
        " rest  turn  programmed     heard     error",
        " ----  ----  ----------  --------  --------",
    ]
    for index, rest in enumerate(rests, start=1):
        if rest["heard"] is None:
            heard, error, verdict = "   -    ", "   -    ", "NO BEEP"
        else:
            heard, error = f"{rest['heard']:7.2f}s", f"{rest['error']:+7.2f}s"
            verdict = "ok" if rest["ok"] else f"OFF by more than {REST_TOLERANCE_SECONDS:g} s"
        lines.append(
            f" {index:4d}  {rest['turn']:4d}  {rest['programmed']:9d}s  {heard}  {error}  {verdict}"
        )
    return "\n".join(lines)


def pacing_failures(rests: Sequence[Mapping[str, Any]]) -> list[str]:
    """Why the pacing fails, if it does: a rest off by more than the tolerance, or no rest."""
    if not rests:
        return ["no rest was announced in the session"]
    return [
        f"turn {rest['turn']}: rest of {rest['programmed']} s heard as "
        + ("no beep" if rest["heard"] is None else f"{rest['heard']:.2f} s")
        for rest in rests
        if not rest["ok"]
    ]
