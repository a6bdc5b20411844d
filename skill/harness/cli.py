"""The `coach` command: talk to the coach, run conversation scripts, render whole workouts.

    coach chat     say things to the coach (typed, piped or WAV files); read and hear the answers
    coach dialog   run YAML conversation scripts (the tests/dialogs format): PASS/FAIL per file
    coach render   a whole workout to MP3s, a transcript with a timeline, and a pacing check

Offline by default: the app runs in this process with verification off, the voice is espeak.
`--endpoint URL` talks HTTP to a running server; `--sign` signs like Alexa with a local dev
identity. docs/harness.md has every flag; skill.harness.session_render does the measuring.
"""

from __future__ import annotations

import argparse
import hashlib
import importlib
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import textwrap
import uuid
import wave
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit, urlunsplit

from skill.harness.session_render import (
    DEFAULT_SET_SECONDS,
    RenderedSpeech,
    RenderedTurn,
    format_transcript,
    join_session,
    limit_problems,
    measure_rests,
    pacing_failures,
    pacing_table,
    render_ssml,
    render_timed,
    transcript,
    turn_file_name,
    words_only,
)

if TYPE_CHECKING:
    from flask import Flask

    from skill.harness.device import Device, Signer, Transport, Turn
    from skill.harness.dialog import DialogResult
    from skill.harness.voices.base import Voice
    from skill.harness.voices.pcm import Pcm

VAR_DIR = Path("var")  # relative to where you run it, like the server's own var/coach.sqlite3
DEFAULT_IDENTITY_DIR = VAR_DIR / "dev-identity"
DEFAULT_CHAT_DB = VAR_DIR / "harness.sqlite3"
RENDERS_DIR = Path("renders")
SESSION_FILE = "session.mp3"
ENGINES = ("espeak", "gtts", "estimate")
WORKOUTS = ("bodyweight", "dumbbell")
TIMEOUT_LINES = frozenset({"(timeout)", "/timeout"})
QUIT_LINES = frozenset({"/quit", "/exit"})
PLAYERS = (  # command lines that play a WAV file and exit
    ("aplay", "-q"),
    ("paplay",),
    ("ffplay", "-nodisp", "-autoexit", "-loglevel", "error"),
)
WRAP_WIDTH = 100
MAX_RENDER_TURNS = 200  # a workout that never ends is a bug, not a long render
LISTEN_MODULE = "skill.harness.listen"
VERIFICATION_REFUSED = "request verification failed"  # what skill.app answers


class CliError(Exception):
    """Something the user can fix: printed as `coach: error: ...`, exit status 2."""


# ---- connecting to the skill ----------------------------------------------------------------


@dataclass
class Connection:
    """How devices reach the skill: a new transport per "server" (in process: a new app)."""

    new_transport: Callable[[], Transport]
    signer: Signer | None
    endpoint: str | None = None  # None: the app in this process
    db_path: Path | None = None  # in process only
    identity_dir: Path = DEFAULT_IDENTITY_DIR

    def device(self, user_id: str | None = None) -> Device:
        from skill.harness.device import Device
        from skill.harness.envelopes import DEFAULT_USER_ID

        return Device(self.new_transport(), user_id=user_id or DEFAULT_USER_ID, signer=self.signer)


def endpoint_url(url: str) -> str:
    """http://host:port -> http://host:port/alexa; a URL with a path is kept as given."""
    parts = urlsplit(url)
    if parts.scheme not in {"http", "https"} or not parts.netloc:
        raise CliError(f"--endpoint must be an http(s) URL like http://127.0.0.1:5000, not {url!r}")
    if parts.path in {"", "/"}:
        parts = parts._replace(path="/alexa")
    return urlunsplit(parts)


def make_signer(identity_dir: Path) -> Signer:
    """The dev identity in `identity_dir` (made on first use) as a request signer."""
    from skill.harness.device import Signer
    from skill.web.dev_signing import load_or_create_dev_identity

    try:
        return Signer(load_or_create_dev_identity(identity_dir))
    except (OSError, ValueError) as error:
        raise CliError(f"cannot use the dev identity in {identity_dir}: {error}") from error


def app_config(db_path: Path, signer: Signer | None, identity_dir: Path) -> dict[str, Any]:
    """In process: verification off, unless signing, then on with the dev CA and its chain."""
    if signer is None:
        return {"COACH_VERIFY_REQUESTS": "0", "COACH_DB_PATH": str(db_path)}
    return {
        "COACH_VERIFY_REQUESTS": "1",
        "COACH_DB_PATH": str(db_path),
        "COACH_DEV_CA_PATH": str(identity_dir),
        "COACH_CERT_CHAINS": signer.cert_chains(),
    }


def connect(args: argparse.Namespace, db_path: Path | None) -> Connection:
    signer = make_signer(args.identity) if args.sign else None
    if args.endpoint:
        from skill.harness.device import HttpTransport

        url = endpoint_url(args.endpoint)
        return Connection(lambda: HttpTransport(url), signer, url, identity_dir=args.identity)
    if db_path is None:
        raise CliError("an in-process run needs a database path")
    db_path.parent.mkdir(parents=True, exist_ok=True)
    config = app_config(db_path, signer, args.identity)

    def new_app() -> Transport:
        from skill.app import create_app
        from skill.harness.device import FlaskTransport

        return FlaskTransport(create_app(config))

    return Connection(new_app, signer, None, db_path, args.identity)


def server_command(identity_dir: Path) -> str:
    return (
        f"COACH_DEV_CA_PATH={identity_dir / 'ca.pem'} "
        ".venv/bin/flask --app 'skill.harness.cli:dev_server_app()' run"
    )


def signature_hint(message: str, connection: Connection) -> str | None:
    """How to fix a server refusing our requests' signature, if that is what `message` says."""
    if connection.endpoint is None or VERIFICATION_REFUSED not in message:
        return None
    if connection.signer is None:
        return "hint: the server verifies requests; sign them with --sign"
    return (
        f"hint: start the server trusting the dev identity in {connection.identity_dir}:\n"
        f"    {server_command(connection.identity_dir)}"
    )


def device_error_hint(error: Exception, connection: Connection) -> str:
    message = str(error).rstrip()  # the server's JSON body ends with a newline
    hint = signature_hint(message, connection)
    return message if hint is None else f"{message}\n  {hint}"


def dev_server_app() -> Flask:
    """The app with real verification for `coach --sign`, for
    `flask --app 'skill.harness.cli:dev_server_app()' run`.

    It trusts the dev CA at $COACH_DEV_CA_PATH (default var/dev-identity/ca.pem; the identity
    is made there if missing) and serves that identity's chain for DEV_CERT_URL, so it fetches
    nothing: skill.app takes preloaded chains only from code, not from the environment.
    """
    from skill.app import create_app
    from skill.web.dev_signing import CA_CERT_FILE

    configured = Path(os.environ.get("COACH_DEV_CA_PATH") or DEFAULT_IDENTITY_DIR / CA_CERT_FILE)
    folder = configured if configured.is_dir() else configured.parent
    signer = make_signer(folder)
    return create_app(
        {
            "COACH_VERIFY_REQUESTS": "1",
            "COACH_DEV_CA_PATH": str(folder / CA_CERT_FILE),
            "COACH_CERT_CHAINS": signer.cert_chains(),
        }
    )


# ---- voices and audio -----------------------------------------------------------------------


def make_voice(engine: str, cache_dir: Path | None) -> Voice:
    from skill.harness.engines import pick_voice
    from skill.harness.synth_cache import CachedVoice

    voice = pick_voice(engine)
    return voice if engine == "estimate" else CachedVoice(voice, cache_dir)


def speech_audio(turn: Turn, voice: Voice) -> RenderedSpeech:
    """The turn's speech as heard. Raises VoiceError, or ValueError on unreadable SSML."""
    from skill.harness.ssml_reader import Text

    if turn.speech_ssml:
        return render_ssml(turn.speech_ssml, voice)
    return render_timed([Text(turn.speech_text)] if turn.speech_text else [], voice)


def write_wav(pcm: Pcm, path: Path) -> None:
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(pcm.sample_rate)
        out.writeframes(pcm.to_bytes())


def find_player() -> list[str] | None:
    for command in PLAYERS:
        if shutil.which(command[0]):
            return list(command)
    return None


class Player:
    """Plays through the first of aplay, paplay, ffplay found; one sound at a time."""

    def __init__(self, command: list[str], folder: Path) -> None:
        self.command = command
        self.folder = folder
        self.process: subprocess.Popen[bytes] | None = None

    def play(self, pcm: Pcm, *, wait: bool) -> None:
        self.stop()  # new words cut the old ones off, as Alexa stops talking when woken
        path = self.folder / "playing.wav"
        write_wav(pcm, path)
        self.process = subprocess.Popen(
            [*self.command, str(path)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        if wait:
            self.process.wait()

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait()
        self.process = None


def listen_module() -> ModuleType:
    """skill.harness.listen (speech recognition), imported only when a flag needs it."""
    try:
        return importlib.import_module(LISTEN_MODULE)
    except ModuleNotFoundError as error:
        if error.name != LISTEN_MODULE:
            raise CliError(f"speech recognition needs {error.name}: {error}") from error
        raise CliError(
            f"--voice and --check-words need {LISTEN_MODULE} (speech recognition), "
            "which is not in this tree yet"
        ) from error


def listen_function(name: str) -> Callable[..., Any]:
    found = getattr(listen_module(), name, None)
    if not callable(found):
        raise CliError(f"{LISTEN_MODULE} has no {name}(): --voice/--check-words cannot run")
    return found  # type: ignore[no-any-return]


def check_words(text: str, speech: RenderedSpeech) -> tuple[float, str]:
    """(word error rate, what the recogniser heard) for the rendered words of `text`."""
    heard = str(listen_function("transcribe")(words_only(speech)))
    return float(listen_function("word_error_rate")(text, heard)), heard


# ---- turns as text --------------------------------------------------------------------------


def turn_name(turn: Turn) -> str:
    return turn.intent or turn.request_type or "turn"


def labelled(label: str, text: str) -> str:
    """'  coach:    words...' wrapped to the width of a terminal, continued under the words."""
    return textwrap.fill(
        text, width=WRAP_WIDTH, initial_indent=f"  {label:<9} ", subsequent_indent=" " * 12
    )


def describe_turn(turn: Turn) -> list[str]:
    """What chat prints for a turn: what was matched, what the coach said, the session."""
    from skill.harness.dialog import LAUNCH

    heard = LAUNCH if turn.match is not None and turn.match.kind == "launch" else turn.intent
    slots = {name: (s.id or s.value) for name, s in turn.slots.items()}
    lines = [f"  intent:   {heard or '-'}" + (f" {slots}" if slots else "")]
    if not turn.sent:
        return [*lines, f"  not sent: {turn.note}"]
    if turn.note:
        lines.append(f"  note:     {turn.note}")
    lines.append(labelled("coach:", turn.speech_text or "(nothing)"))
    if turn.reprompt_text:
        lines.append(labelled("reprompt:", turn.reprompt_text))
    lines.append(f"  session:  {'open' if turn.session_open else 'closed'}")
    return lines


# ---- coach chat -----------------------------------------------------------------------------


def typed_lines(stream: Any, interactive: bool) -> Iterator[str]:
    """Utterances: prompted on a terminal, else one per line until EOF; blanks and #s skipped."""
    while True:
        if interactive:
            try:
                line = input("you> ")
            except EOFError:
                print()
                return
        else:
            line = stream.readline()
            if not line:
                return
        line = line.strip()
        if line and not line.startswith("#"):
            yield line


def enable_line_editing() -> None:
    """Arrow keys and history at the prompt, where the platform has readline."""
    try:
        importlib.import_module("readline")  # input() uses it once it is imported
    except ImportError:
        pass


def wav_files(path: Path) -> list[Path]:
    if path.is_dir():
        return sorted(p for p in path.iterdir() if p.suffix.lower() == ".wav")
    if path.is_file():
        return [path]
    raise CliError(f"--voice: no WAV file or folder at {path}")


def recognised_lines(path: Path) -> Iterator[str]:
    """What the recogniser makes of each WAV file (skill.harness.listen)."""
    from skill.harness.interaction_model import load_model

    recognizer_class = getattr(listen_module(), "CommandRecognizer", None)
    if recognizer_class is None:
        raise CliError(f"{LISTEN_MODULE} has no CommandRecognizer: --voice cannot run")
    recognizer = recognizer_class.from_model(load_model())
    for wav in wav_files(path):
        text = recognizer.recognize_file(wav).text
        if text:
            print(f"[{wav.name}] heard: {text}")
            yield text
        else:
            print(f"[{wav.name}] nothing recognised: the device would not send anything")


@dataclass
class ChatAudio:
    voice: Voice | None  # None: --no-audio
    out: Path | None
    player: Player | None
    wait: bool  # wait for playback to end before the next line (scripted runs)
    cache: Path | None = None
    written: list[Path] = field(default_factory=list)


def chat_audio(args: argparse.Namespace, stack: ExitStack, interactive: bool) -> ChatAudio:
    if args.no_audio:
        return ChatAudio(None, None, None, False)
    voice = make_voice(args.engine, args.cache_dir)
    command = find_player() if args.play is not False else None
    out = args.out
    if command is None and out is None and args.play is not False:
        out = RENDERS_DIR / "chat"
        print(f"(no aplay, paplay or ffplay found: writing the coach's speech to {out}/)")
    player = None
    if command is not None:
        player = Player(command, Path(stack.enter_context(tempfile.TemporaryDirectory())))
        stack.callback(player.stop)
    if out is not None:
        out.mkdir(parents=True, exist_ok=True)
    return ChatAudio(voice, out, player, wait=not interactive, cache=args.cache_dir)


def voice_turn(audio: ChatAudio, turn: Turn, number: int, check: bool) -> None:
    """Synthesize, write and play the coach's answer to one turn."""
    from skill.harness.voices.base import VoiceError

    if audio.voice is None or not (turn.speech_ssml or turn.speech_text):
        return
    try:
        speech = speech_audio(turn, audio.voice)
    except VoiceError as error:
        raise CliError(str(error)) from error
    except ValueError as error:
        print(f"  warning:  cannot render this speech: {error}")
        return
    if audio.out is not None:
        path = audio.out / turn_file_name(number, turn_name(turn))
        encode_cached(speech.pcm, path, audio.cache)
        audio.written.append(path)
        print(f"  audio:    {path} ({speech.seconds:.1f} s)")
    if check:
        rate, heard = check_words(turn.speech_text, speech)
        print(f"  words:    {rate:.0%} word error rate; recognised {heard!r}")
    if audio.player is not None:
        audio.player.play(speech.pcm, wait=audio.wait)


def run_chat(args: argparse.Namespace) -> int:
    interactive = args.voice is None and sys.stdin.isatty()
    connection = connect(args, args.db)
    device = connection.device(args.user)
    if args.check_words or args.voice is not None:
        listen_module()  # fail before the first turn, not in the middle
    errors = 0
    with ExitStack() as stack:
        audio = chat_audio(args, stack, interactive)
        if interactive:
            enable_line_editing()
            print(
                "Talk to the coach as you would to Alexa; /timeout closes the microphone, "
                "/quit or Ctrl-D ends."
            )
        lines = recognised_lines(args.voice) if args.voice else typed_lines(sys.stdin, interactive)
        for line in lines:
            if line.lower() in QUIT_LINES:
                break
            if not interactive:
                print(f"> {line}")
            errors += not chat_once(line, device, connection, audio, args.check_words)
    return 1 if errors else 0


def chat_once(
    line: str, device: Device, connection: Connection, audio: ChatAudio, check: bool
) -> bool:
    """Say `line` (or close the microphone), print and voice the answer; False on an error."""
    from skill.harness.device import DeviceError

    if line.lower() in TIMEOUT_LINES:
        print(mic_timeout(device))
        return True
    try:
        turn = device.say(line)
    except (DeviceError, KeyError) as error:  # KeyError: the model lacks an intent
        print(f"  error:    {device_error_hint(error, connection)}")
        return False
    for text in describe_turn(turn):
        print(text)
    if turn.sent:
        number = sum(1 for t in device.history if t.said is not None and t.sent)
        for problem in limit_problems(turn.speech_ssml, turn.reprompt_ssml):
            print(f"  warning:  turn {number} ({turn_name(turn)}) breaks a limit: {problem}")
        voice_turn(audio, turn, number, check)
    return True


def mic_timeout(device: Device) -> str:
    from skill.harness.device import DeviceError

    if not device.session_open:
        return "  (microphone timed out with no session open: nothing is sent)"
    try:
        device.mic_timeout()
    except DeviceError as error:
        return f"  error:    {error}"
    return "  (microphone closed unanswered: SessionEndedRequest sent, session closed)"


# ---- coach dialog ---------------------------------------------------------------------------


def _cannot_over_http(name: str) -> Callable[[Device], None]:
    def action(_device: Device) -> None:
        raise RuntimeError(
            f"{name} cannot be done against a server (--endpoint): run the script without "
            "--endpoint, or do it to the server yourself"
        )

    return action


def dialog_actions(connection: Connection) -> dict[str, Callable[[Device], object]]:
    """restart_server (a new app on the same database) and corrupt_record, as the tests do."""
    if connection.endpoint is not None:
        return {name: _cannot_over_http(name) for name in ("restart_server", "corrupt_record")}
    db_path = connection.db_path

    def restart_server(device: Device) -> None:
        device.transport = connection.new_transport()

    def corrupt_record(_device: Device) -> None:
        with sqlite3.connect(str(db_path)) as db:
            db.execute('UPDATE progress SET record = \'{"version": 1, "attr\' ')

    return {"restart_server": restart_server, "corrupt_record": corrupt_record}


def fresh_devices(connection: Connection) -> Callable[[str], Device]:
    """Devices for one script. A server keeps what earlier runs stored, so there each user id
    gets a suffix unique to this run: every script starts fresh, as it does in process."""
    if connection.endpoint is None:
        return connection.device
    run = uuid.uuid4().hex[:12]
    return lambda user_id: connection.device(f"{user_id}.run-{run}")


def dialog_limit_problems(result: DialogResult) -> list[str]:
    """Alexa's limits on every response the script got, each named by its turn."""
    problems = []
    for outcome in result.outcomes:
        turn = outcome.turn
        if turn is None or not turn.sent:
            continue
        step = outcome.step
        again = f" (repeat {outcome.repetition})" if step.repeat > 1 else ""
        where = f"turn {step.number}{again}: {step.describe()}"
        problems += [f"{where}: {p}" for p in limit_problems(turn.speech_ssml, turn.reprompt_ssml)]
    return problems


def run_dialog_file(path: Path, args: argparse.Namespace) -> tuple[bool, str]:
    from skill.harness.dialog import DialogScriptError, load_dialog, run_dialog

    try:
        script = load_dialog(path)
    except (DialogScriptError, OSError) as error:
        return False, f"cannot load: {error}"
    with tempfile.TemporaryDirectory(prefix="coach-dialog-") as folder:
        connection = connect(args, Path(folder) / "coach.sqlite3")
        result = run_dialog(script, fresh_devices(connection), dialog_actions(connection))
    report = result.report()
    if not result.passed:
        hint = signature_hint(report, connection)
        return False, report if hint is None else f"{report}\n{hint}"
    problems = dialog_limit_problems(result)
    if problems:
        lines = "\n".join(f"  - {p}" for p in problems)
        return False, f"{report}\nbut responses break Alexa's limits:\n{lines}"
    return True, report


def run_dialogs(args: argparse.Namespace) -> int:
    failed = 0
    for path in args.files:
        passed, report = run_dialog_file(path, args)
        if passed:
            print(f"PASS {path}")
        else:
            failed += 1
            print(f"FAIL {path}")
            print("\n".join(f"    {line}" for line in report.splitlines()))
    total = len(args.files)
    print(f"{total - failed} passed, {failed} failed")
    return 1 if failed else 0


# ---- coach render ---------------------------------------------------------------------------


def drive_workout(device: Device, workout: str, rest: int | None) -> list[tuple[str, Turn]]:
    """Launch, start `workout`, maybe set the rest, then "next set" until the coach is done."""
    from skill.content.loader import default_library
    from skill.harness.device import DeviceError

    plan = default_library().get(workout)
    if plan is None:
        raise CliError(f"no workout {workout!r}")
    said = ["open upper body coach", f"start the {plan.name}"]
    if rest is not None:
        said.append(f"make my rests {rest} seconds")
    turns: list[tuple[str, Turn]] = []
    try:
        for words in said:
            turns.append((words, _sent(device.say(words))))
        while device.session_open:
            if len(turns) >= MAX_RENDER_TURNS:
                raise CliError(f"the workout did not end within {MAX_RENDER_TURNS} turns")
            turns.append(("next set", _sent(device.say("next set"))))
    except DeviceError as error:
        raise CliError(f"the skill failed during the workout: {error}") from error
    return turns


def _sent(turn: Turn) -> Turn:
    if not turn.sent:
        raise CliError(f"the device did not send {turn.said!r}: {turn.note}")
    return turn


def render_turn(number: int, said: str, turn: Turn, voice: Voice) -> RenderedTurn:
    from skill.harness.voices.base import VoiceError
    from skill.harness.voices.pcm import silence

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


def encode_cached(pcm: Pcm, path: Path, cache: Path | None) -> None:
    """Write `pcm` as MP3 to `path`, reusing an earlier encoding of the same samples.

    Encoding dominates a render (most of it is rest silence), so the encoded bytes are cached
    next to the synthesized speech, keyed by the samples and the encoder's settings.
    """
    from importlib.metadata import version

    from skill.harness.mp3 import ALEXA_BITRATE_KBPS, LAME_QUALITY, encode_mp3
    from skill.harness.synth_cache import cache_dir, write_atomically

    data = pcm.to_bytes()
    recipe = f"lameenc {version('lameenc')}/{ALEXA_BITRATE_KBPS}/{LAME_QUALITY}/{pcm.sample_rate}"
    key = hashlib.sha256(recipe.encode() + b"\0" + data).hexdigest()
    cached = (cache or cache_dir()) / "mp3" / key[:2] / f"{key}.mp3"
    try:
        mp3 = cached.read_bytes()
    except FileNotFoundError:
        mp3 = encode_mp3(pcm)
        write_atomically(cached, mp3)
    path.write_bytes(mp3)


def clear_turn_files(out: Path) -> None:
    """Remove an earlier render's NN-*.mp3 so a shorter session leaves no strays."""
    for old in out.glob("[0-9][0-9]-*.mp3"):
        old.unlink()


def render_files(
    turns: Sequence[tuple[str, Turn]], voice: Voice, args: argparse.Namespace, out: Path
) -> list[RenderedTurn]:
    """Render and write each turn's MP3, then session.mp3, with a progress bar on stderr."""
    from skill.harness.progress_bar import ProgressBar, should_show

    out.mkdir(parents=True, exist_ok=True)
    clear_turn_files(out)
    enabled = should_show(sys.stderr, args.progress)
    rendered = []
    with ProgressBar(len(turns) + 1, sys.stderr, enabled=enabled, label="rendering") as bar:
        for number, (said, turn) in enumerate(turns, start=1):
            done = render_turn(number, said, turn, voice)
            encode_cached(done.speech.pcm, out / done.file_name, args.cache_dir)
            rendered.append(done)
            bar.advance(note=done.file_name)
        session = join_session([t.speech.pcm for t in rendered], args.set_seconds)
        encode_cached(session, out / SESSION_FILE, args.cache_dir)
        bar.advance(note=SESSION_FILE)
    return rendered


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


def run_render(args: argparse.Namespace) -> int:
    from skill.harness.envelopes import DEFAULT_USER_ID

    if args.check_words:
        listen_module()
    voice = make_voice(args.engine, args.cache_dir)
    out = args.out or RENDERS_DIR / args.workout
    with tempfile.TemporaryDirectory(prefix="coach-render-") as folder:
        connection = connect(args, Path(folder) / "coach.sqlite3")
        device = fresh_devices(connection)(args.user or DEFAULT_USER_ID)
        turns = drive_workout(device, args.workout, args.rest)
    rendered = render_files(turns, voice, args, out)
    data = transcript(rendered, args.set_seconds, {"workout": args.workout, "engine": args.engine})
    write_transcripts(out, data)
    print(
        f"{len(rendered)} turns, {data['total_seconds'] / 60:.1f} minutes, in {out}/: "
        f"{rendered[0].file_name} ... {rendered[-1].file_name}, {SESSION_FILE}, "
        "transcript.txt, transcript.json"
    )
    print(f"\nrests as heard ({args.engine} voice), from the end of 'Rest N seconds.' to the beep:")
    print(pacing_table(data["rests"]))
    failures = data["problems"] + pacing_failures(data["rests"])
    failures += rest_setting_failures(data, args.rest)
    if args.check_words:
        failures += word_check_failures(rendered, args.max_wer)
    if failures:
        print("\nFAILED:")
        print("\n".join(f"  - {failure}" for failure in failures))
        return 1
    print("\nall rests within 1 s; every response within Alexa's limits")
    return 0


# ---- arguments ------------------------------------------------------------------------------


def _rest_seconds(text: str) -> int:
    from skill.coaching.progress import MAX_REST_SECONDS, MIN_REST_SECONDS

    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number of seconds: {text!r}") from None
    if not MIN_REST_SECONDS <= value <= MAX_REST_SECONDS:
        raise argparse.ArgumentTypeError(
            f"the coach allows rests from {MIN_REST_SECONDS} to {MAX_REST_SECONDS} seconds"
        )
    return value


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of seconds: {text!r}") from None
    if not 0 <= value <= 600:
        raise argparse.ArgumentTypeError("give 0 to 600 seconds")
    return value


def _rate(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if not 0 <= value <= 1:
        raise argparse.ArgumentTypeError("give a rate from 0 to 1, e.g. 0.2")
    return value


def _connection_options() -> argparse.ArgumentParser:
    parent = argparse.ArgumentParser(add_help=False)
    parent.add_argument(
        "--endpoint",
        metavar="URL",
        help="POST to a running server (e.g. http://127.0.0.1:5000; /alexa is added) "
        "instead of the app in this process",
    )
    parent.add_argument(
        "--sign",
        action="store_true",
        help="sign requests like Alexa with the local dev identity; in process this turns "
        "verification on",
    )
    parent.add_argument(
        "--identity",
        type=Path,
        default=DEFAULT_IDENTITY_DIR,
        metavar="DIR",
        help=f"the dev identity for --sign, made on first use (default: {DEFAULT_IDENTITY_DIR})",
    )
    return parent


def _voice_options() -> argparse.ArgumentParser:
    parent = argparse.ArgumentParser(add_help=False)
    parent.add_argument(
        "--engine",
        choices=ENGINES,
        default="espeak",
        help="espeak: offline (default); gtts: Google, needs the internet; estimate: silence "
        "as long as the timing model says",
    )
    parent.add_argument(
        "--cache-dir",
        type=Path,
        metavar="DIR",
        help="cache of synthesized speech and MP3 encodings "
        "(default: $COACH_CACHE_DIR or .cache/coach-voice)",
    )
    parent.add_argument(
        "--check-words",
        action="store_true",
        help="recognise the rendered speech and report its word error rate",
    )
    return parent


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="coach", description="Hear and test the Upper Body Coach skill locally."
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    connection, voice = _connection_options(), _voice_options()

    chat = commands.add_parser(
        "chat",
        parents=[connection, voice],
        help="talk to the coach",
        description="Say things to the coach as you would to Alexa: typed at the prompt, or one "
        "line each from a pipe. '/timeout' (or '(timeout)') closes the microphone unanswered.",
    )
    chat.add_argument("--user", metavar="ID", help="the Alexa userId (default: a fixed test id)")
    chat.add_argument("--out", type=Path, metavar="DIR", help="write NN-intent.mp3 per turn")
    chat.add_argument("--no-audio", action="store_true", help="text only: no speech synthesis")
    chat.add_argument(
        "--play",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="play answers with aplay/paplay/ffplay (default: when one is installed)",
    )
    chat.add_argument(
        "--voice",
        type=Path,
        metavar="FILE_OR_DIR",
        help="speak with WAV recordings (a file, or a folder played in name order) instead of text",
    )
    chat.add_argument(
        "--db",
        type=Path,
        default=DEFAULT_CHAT_DB,
        help=f"in-process database, kept between chats (default: {DEFAULT_CHAT_DB})",
    )
    chat.set_defaults(run=run_chat)

    dialog = commands.add_parser(
        "dialog",
        parents=[connection],
        help="run conversation scripts",
        description="Run YAML conversation scripts (the tests/dialogs format); each file gets a "
        "fresh database in process. Exit status 1 when any fails.",
    )
    dialog.add_argument("files", nargs="+", type=Path, metavar="FILE")
    dialog.set_defaults(run=run_dialogs)

    render = commands.add_parser(
        "render",
        parents=[connection, voice],
        help="render a whole workout and check its pacing",
        description="Drive a whole workout, render every answer and the session to MP3, write "
        "a transcript with a timeline, and check every rest as heard is within 1 s.",
    )
    render.add_argument("--workout", choices=WORKOUTS, default="bodyweight")
    render.add_argument(
        "--rest", type=_rest_seconds, metavar="SECONDS", help="ask the coach for this rest first"
    )
    render.add_argument(
        "--out", type=Path, metavar="DIR", help=f"output folder (default: {RENDERS_DIR}/WORKOUT)"
    )
    render.add_argument(
        "--set-seconds",
        type=_seconds,
        default=DEFAULT_SET_SECONDS,
        metavar="SECONDS",
        help=f"silence after each turn in session.mp3, standing in for the runner's set "
        f"(default: {DEFAULT_SET_SECONDS:g})",
    )
    render.add_argument(
        "--progress",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="progress bar on stderr (default: when stderr is a terminal)",
    )
    render.add_argument(
        "--max-wer",
        type=_rate,
        metavar="RATE",
        help="with --check-words: fail when a turn's word error rate is above RATE",
    )
    render.add_argument("--user", metavar="ID", help="the Alexa userId (default: a fixed test id)")
    render.set_defaults(run=run_render)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    run: Callable[[argparse.Namespace], int] = args.run
    try:
        return run(args)
    except CliError as error:
        print(f"coach: error: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("coach: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    raise SystemExit(main())
