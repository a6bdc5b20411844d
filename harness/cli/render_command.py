"""`coach render`: a whole workout to MP3s, a transcript with a timeline, and a pacing check.

harness.session_render does the measuring; this drives the workout and writes the files.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from collections import deque
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import Future
from pathlib import Path
from typing import TYPE_CHECKING, Any

from harness.cli.audio import RENDERS_DIR, Mp3Encoder, make_voice, speech_audio
from harness.cli.connection import connect, fresh_devices
from harness.cli.errors import CliError
from harness.cli.recognition import check_words, listen_module
from harness.cli.turn_text import turn_name
from harness.session_render import (
    PlacedEntry,
    RenderedSpeech,
    RenderedTurn,
    device_timeline,
    format_timeline,
    format_transcript,
    join_session,
    join_session_mp3,
    limit_problems,
    measure_rests,
    pacing_failures,
    pacing_table,
    place_timeline,
    render_time,
    render_timeline,
    timeline_entries,
    transcript,
)
from skill.locales import language_of

if TYPE_CHECKING:
    from harness.device import Device, Turn
    from harness.progress_bar import ProgressBar
    from tracks.voices.base import Voice
    from tracks.voices.pcm import Pcm

SESSION_FILE = "session.mp3"
WORKOUTS = ("bodyweight", "dumbbell")
PLAYED_REST_TOLERANCE_S = 0.1  # a rest the player plays is one exact track
MAX_RENDER_TURNS = 200  # a workout that never ends is a bug, not a long render
MAX_AUDIO_WAIT = 15 * 60.0  # seconds of audio after one answer before the render gives up
NAME_FREE_NEXT = "alexa, next"


def drive_workout(device: Device, workout: str, rest: int | None) -> list[tuple[str, Turn]]:
    """Launch, start `workout` and skip its led warm-up, maybe set the rest, then "next set"
    until the coach is done, declining the cool-down it offers at the end (a yes or no
    question: the only question a set's answer asks)."""
    from harness.device import DeviceError

    said = opening_words(workout, rest)
    turns: list[tuple[str, Turn]] = []
    try:
        for words in said:
            turns.append((words, _sent(device.say(words))))
        while device.session_open:
            if len(turns) >= MAX_RENDER_TURNS:
                raise CliError(f"the workout did not end within {MAX_RENDER_TURNS} turns")
            words = "no" if turns[-1][1].speech_text.rstrip().endswith("?") else "next set"
            turns.append((words, _sent(device.say(words))))
    except DeviceError as error:
        raise CliError(f"the skill failed during the workout: {error}") from error
    return turns


def opening_words(workout: str, rest: int | None) -> list[str]:
    """What the runner says to start `workout`, asking for `rest` first if given."""
    from skill.content.loader import default_library

    plan = default_library().get(workout)
    if plan is None:
        raise CliError(f"no workout {workout!r}")
    said = ["open upper body coach", f"start the {plan.name}", "skip the warm up"]
    if rest is not None:
        said.append(f"make my rests {rest} seconds")
    return said


def drive_hands_free(
    device: Device, workout: str, rest: int | None, set_seconds: float
) -> list[tuple[str, Turn]]:
    """As drive_workout, on a device with AudioPlayer: while a session is open the runner
    answers as there ("no" to a question, else "next set"); once it closes, the skill's audio
    plays out, the runner does the set (`set_seconds`) and says "alexa, next". The workout is
    over when an answer closes the session without playing anything and the runner's
    "alexa, next" then reaches nobody, or plays nothing."""
    from harness.device import DeviceError

    said = opening_words(workout, rest)
    turns: list[tuple[str, Turn]] = []
    try:
        for words in said:
            _audio_out(device)
            turns.append((words, _sent(device.say(words))))
        while len(turns) < MAX_RENDER_TURNS:
            if device.session_open:
                asked = turns[-1][1].speech_text.rstrip().endswith("?")
                words = "no" if asked else "next set"
            else:
                _audio_out(device)
                if not _plays(turns[-1][1]):
                    return turns
                device.wait(set_seconds)
                words = NAME_FREE_NEXT
            turn = device.say(words)
            if not turn.sent:
                return turns
            turns.append((words, turn))
    except DeviceError as error:
        raise CliError(f"the skill failed during the workout: {error}") from error
    raise CliError(f"the workout did not end within {MAX_RENDER_TURNS} turns")


def _audio_out(device: Device) -> None:
    """Let what plays play out (a stream held by an open session waits for the next words)."""
    if device.session_open:
        return
    device.wait_for_audio(MAX_AUDIO_WAIT)
    if device.player is not None and device.player.playing:
        raise CliError(f"the skill's audio still plays after {MAX_AUDIO_WAIT / 60:g} minutes")


def _plays(turn: Turn) -> bool:
    """Whether the skill answered `turn` with audio, so the runner's "next" has a player."""
    response = turn.response or {}
    directives = response.get("response", {}).get("directives") or []
    return any(d.get("type") == "AudioPlayer.Play" for d in directives if isinstance(d, dict))


def _sent(turn: Turn) -> Turn:
    if not turn.sent:
        raise CliError(f"the device did not send {turn.said!r}: {turn.note}")
    return turn


def render_turn(number: int, said: str, turn: Turn, voice: Voice) -> RenderedTurn:
    from tracks.voices.base import VoiceError
    from tracks.voices.pcm import silence

    problems = limit_problems(turn.speech_ssml, turn.reprompt_ssml)
    try:
        speech = speech_audio(turn, voice)
    except VoiceError as error:
        raise CliError(str(error)) from error
    except ValueError as error:  # already among the problems: keep going without its audio
        speech = RenderedSpeech(silence(0.0), ())
        problems.append(f"speech: cannot render: {error}")
    return RenderedTurn(
        number=number,
        said=said,
        intent=turn_name(turn),
        text=turn.speech_text,
        reprompt=turn.reprompt_text,
        speech=speech,
        problems=tuple(problems),
        rests=tuple(measure_rests(speech.timed)),
    )


def clear_turn_files(out: Path) -> None:
    """Remove an earlier render's NN-*.mp3 so a shorter session leaves no strays."""
    for old in out.glob("[0-9][0-9]-*.mp3"):
        old.unlink()


SessionAudio = Callable[[Sequence[RenderedTurn]], "Pcm"]


def render_files(
    turns: Sequence[tuple[str, Turn]],
    voice: Voice,
    args: argparse.Namespace,
    out: Path,
    session_audio: SessionAudio | None = None,
) -> list[RenderedTurn]:
    """Render and write each turn's MP3, then session.mp3, with a progress bar on stderr.

    Turns are synthesized here, one after another, and encoded on worker threads meanwhile;
    session.mp3 is the turns' own MP3s joined (join_session_mp3), not a second encoding, or,
    with `session_audio` (a hands-free timeline), that audio encoded."""
    from harness.progress_bar import ProgressBar, should_show

    out.mkdir(parents=True, exist_ok=True)
    clear_turn_files(out)
    enabled = should_show(sys.stderr, args.progress)
    rendered: list[RenderedTurn] = []
    pending: deque[tuple[RenderedTurn, Future[bytes]]] = deque()
    encoded: list[bytes] = []
    with (
        ProgressBar(len(turns) + 1, sys.stderr, enabled=enabled, label="rendering") as bar,
        Mp3Encoder(args.cache_dir) as encoder,
    ):
        for number, (said, turn) in enumerate(turns, start=1):
            done = render_turn(number, said, turn, voice)
            rendered.append(done)
            pending.append((done, encoder.submit(done.speech.pcm)))
            encoded += write_encoded(pending, out, bar, wait=False)
        encoded += write_encoded(pending, out, bar, wait=True)
        if session_audio is None:
            write_session(rendered, encoded, args.set_seconds, out / SESSION_FILE, encoder)
        else:
            (out / SESSION_FILE).write_bytes(encoder.submit(session_audio(rendered)).result())
        bar.advance(note=SESSION_FILE)
    return rendered


def write_encoded(
    pending: deque[tuple[RenderedTurn, Future[bytes]]],
    out: Path,
    bar: ProgressBar,
    *,
    wait: bool,
) -> list[bytes]:
    """Write the turns whose MP3s are ready, in turn order (all of them with `wait`)."""
    written = []
    while pending and (wait or pending[0][1].done()):
        turn, encoding = pending.popleft()
        mp3 = encoding.result()
        (out / turn.file_name).write_bytes(mp3)
        written.append(mp3)
        bar.advance(note=turn.file_name)
    return written


def write_session(
    turns: Sequence[RenderedTurn],
    encoded: Sequence[bytes],
    gap: float,
    path: Path,
    encoder: Mp3Encoder,
) -> None:
    lengths = [len(turn.speech.pcm.samples) for turn in turns]
    mp3 = join_session_mp3(encoded, lengths, gap)
    if mp3 is None:  # gaps too short for the files' encoder delay: encode the session itself
        mp3 = encoder.submit(join_session([t.speech.pcm for t in turns], gap)).result()
    path.write_bytes(mp3)


def write_transcripts(out: Path, data: Mapping[str, Any]) -> None:
    (out / "transcript.json").write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    (out / "transcript.txt").write_text(format_transcript(data), encoding="utf-8")


def rest_setting_failures(data: Mapping[str, Any], rest: int | None) -> list[str]:
    if rest is None:
        return []
    return [
        f"turn {r['turn']}: announced a {r['programmed']} s rest, but --rest is {rest}"
        for r in data["rests"]
        if r["programmed"] != rest
    ]


def word_check_failures(turns: Sequence[RenderedTurn], max_wer: float | None) -> list[str]:
    print("\nwords heard back (word error rate per turn):")
    failures = []
    for turn in turns:
        if not turn.text:
            continue
        rate, _heard = check_words(turn.text, turn.speech)
        print(f"  turn {turn.number:2d} {turn.intent:<28} {rate:6.1%}")
        if max_wer is not None and rate > max_wer:
            failures.append(f"turn {turn.number}: word error rate {rate:.0%} > {max_wer:.0%}")
    return failures


class HandsFreeSession:
    """A hands-free render's timeline: the device's speech and audio laid out with each
    turn's speech at its rendered length (harness.session_render.place_timeline)."""

    def __init__(self, device: Device, turns: Sequence[tuple[str, Turn]]) -> None:
        self.device = device
        self.entries = device_timeline(device)
        self.turns = [turn for _said, turn in turns]
        self.placed: list[PlacedEntry] = []

    def audio(self, rendered: Sequence[RenderedTurn]) -> Pcm:
        speech = {id(turn): done.speech for turn, done in zip(self.turns, rendered, strict=True)}
        self.placed = place_timeline(self.entries, lambda turn: speech[id(turn)].seconds)
        player = self.device.player

        def track(url: str) -> Pcm | None:
            audio = None if player is None else player.audio(url)
            return None if audio is None else audio.pcm

        return render_timeline(self.placed, lambda turn: speech[id(turn)].pcm, track)

    def rests_played(self) -> list[tuple[int, float]]:
        """Each rest track the device played whole: (seconds programmed, seconds heard),
        measured from its decoded audio (the end of "Rest N seconds." to the end of the beep)."""
        from skill.audio.catalog import track_of_file
        from tracks.build import measure_rest_pcm

        player = self.device.player
        rests: list[tuple[int, float]] = []
        for played in [] if player is None else player.played:
            track = track_of_file(played.stream.url.rsplit("/", 1)[-1])
            seconds = None if track is None else track.rest_seconds
            audio = player.audio(played.stream.url) if player is not None else None
            if seconds is None or played.ended != "finished" or audio is None:
                continue
            if played.from_ms == 0:
                rests.append((seconds, measure_rest_pcm(audio.pcm)[0]))
        return rests

    def starts(self) -> list[float]:
        return [round(render_time(self.placed, turn.at), 3) for turn in self.turns]

    def timeline(self) -> list[dict[str, Any]]:
        numbers = {id(turn): number for number, turn in enumerate(self.turns, start=1)}
        return timeline_entries(self.placed, numbers)


def run_render(args: argparse.Namespace) -> int:
    from harness.envelopes import DEFAULT_USER_ID

    if language_of(args.locale) != "en":
        # The session it plays is said in English words ("start the dumbbell workout").
        raise CliError(
            f"coach render plays its session in English; for {args.locale}, use coach chat or "
            f"coach dialog --locale {args.locale}"
        )
    if args.check_words:
        listen_module()
    voice = make_voice(args.engine, args.cache_dir, locale=args.locale)
    out = args.out or RENDERS_DIR / args.workout
    hands_free: HandsFreeSession | None = None
    with tempfile.TemporaryDirectory(prefix="coach-render-") as folder:
        connection = connect(args, Path(folder) / "coach.sqlite3")
        device = fresh_devices(connection)(args.user or DEFAULT_USER_ID)
        if args.audio_player:
            device.enable_audio_player()
            turns = drive_hands_free(device, args.workout, args.rest, args.set_seconds)
            hands_free = HandsFreeSession(device, turns)
        else:
            turns = drive_workout(device, args.workout, args.rest)
    about = {"workout": args.workout, "engine": args.engine}
    if hands_free is None:
        rendered = render_files(turns, voice, args, out)
        data = transcript(rendered, args.set_seconds, about)
    else:
        rendered = render_files(turns, voice, args, out, hands_free.audio)
        data = transcript(rendered, args.set_seconds, about, hands_free.starts())
        data["timeline"] = hands_free.timeline()
        data["total_seconds"] = max([data["total_seconds"], *(e["end"] for e in data["timeline"])])
    write_transcripts(out, data)
    print(
        f"{len(rendered)} turns, {data['total_seconds'] / 60:.1f} minutes, in {out}/: "
        f"{rendered[0].file_name} ... {rendered[-1].file_name}, {SESSION_FILE}, "
        "transcript.txt, transcript.json"
    )
    if hands_free is not None:
        print("\nheard, in order (speech and the skill's audio):")
        print(format_timeline(data["timeline"]))
    print(f"\nrests as heard ({args.engine} voice), from the end of 'Rest N seconds.' to the beep:")
    print(pacing_table(data["rests"]))
    played_failures: list[str] = []
    if hands_free is not None:
        print("\nrests played by the player, measured from their audio the same way:")
        for programmed, heard in hands_free.rests_played():
            error = heard - programmed
            print(f"  {programmed:>4} s  heard {heard:8.3f} s  off by {error:+.3f} s")
            if abs(error) > PLAYED_REST_TOLERANCE_S:
                played_failures.append(f"a {programmed} s rest played as {heard:.3f} s")
    failures = data["problems"] + pacing_failures(data["rests"])
    if hands_free is not None and not data["rests"]:  # its rests may all be audio
        failures = [f for f in failures if f not in pacing_failures([])]
    failures += rest_setting_failures(data, args.rest) + played_failures
    if args.check_words:
        failures += word_check_failures(rendered, args.max_wer)
    if failures:
        print("\nFAILED:")
        print("\n".join(f"  - {failure}" for failure in failures))
        return 1
    print("\nall rests within 1 s; every response within Alexa's limits")
    return 0
