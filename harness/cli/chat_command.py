"""`coach chat`: say things to the coach (typed, piped or WAV files); read and hear the answers."""

from __future__ import annotations

import argparse
import importlib
import sys
import tempfile
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from harness.cli.audio import (
    RENDERS_DIR,
    Player,
    encode_cached,
    find_player,
    make_voice,
    speech_audio,
)
from harness.cli.connection import (
    VAR_DIR,
    Connection,
    connect,
    device_error_hint,
    stand_in_apis,
)
from harness.cli.errors import CliError
from harness.cli.recognition import check_words, listen_module, recognised_lines
from harness.cli.turn_text import describe_turn, turn_name
from harness.session_render import limit_problems, turn_file_name

RENDER_DOCUMENT = "Alexa.Presentation.APL.RenderDocument"

if TYPE_CHECKING:
    from harness.device import Device, Turn
    from tracks.voices.base import Voice

DEFAULT_CHAT_DB = VAR_DIR / "harness.sqlite3"
TIMEOUT_LINES = frozenset({"(timeout)", "/timeout"})
QUIT_LINES = frozenset({"/quit", "/exit"})
WAIT_COMMAND = "/wait"  # /wait SECONDS: time passes on the device
PRESS_COMMAND = "/press"  # /press next|previous|play|pause: a device button
TOUCH_COMMAND = "/touch"  # /touch ARGUMENT: a touch on the shown document's control (--screen)
SCREEN_LINE_CHARS = 300  # how much of the shown document's data a chat line prints


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
    voice = make_voice(args.engine, args.cache_dir, locale=args.locale)
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
    from tracks.voices.base import VoiceError

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
    stand_in_apis(connection)
    device = connection.device(args.user, audio_player=args.audio_player)
    if args.screen:
        device.enable_screen()
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
    from harness.device import DeviceError

    start, first_event = device.now, len(device.events)
    first_note = len(device.player.notes) if device.player is not None else 0
    reminders = device.reminder_lines()
    if line.lower() in TIMEOUT_LINES:
        print(mic_timeout(device))  # a stream the open session held starts now
        print_audio(device, start, first_event, first_note)
        return True
    command, _, argument = line.partition(" ")
    try:
        if command.lower() == WAIT_COMMAND:
            print(wait(device, argument))
            print_audio(device, start, first_event, first_note)
            return True
        if command.lower() == PRESS_COMMAND:
            turn = press(device, argument.strip().lower())
        elif command.lower() == TOUCH_COMMAND:
            if not argument.strip():
                raise ValueError("/touch takes what the control sends, e.g. /touch next_set")
            turn = device.touch(argument.strip())
        else:
            turn = device.say(line)
    except (DeviceError, KeyError) as error:  # KeyError: the model lacks an intent
        print(f"  error:    {device_error_hint(error, connection)}")
        print_audio(device, start, first_event, first_note)
        return False
    except ValueError as error:  # a /wait, /press or /touch that makes no sense
        print(f"  error:    {error}")
        return True
    for text in describe_turn(turn):
        print(text)
    print_audio(device, start, first_event, first_note)
    print_screen(device, turn)
    print_reminders(device, reminders)
    if turn.sent:
        number = sum(1 for t in device.history if t.said is not None and t.sent)
        for problem in limit_problems(turn.speech_ssml, turn.reprompt_ssml):
            print(f"  warning:  turn {number} ({turn_name(turn)}) breaks a limit: {problem}")
        voice_turn(audio, turn, number, check)
    return True


def wait(device: Device, seconds: str) -> str:
    try:
        value = float(seconds)
    except ValueError:
        raise ValueError(f"/wait takes a number of seconds, not {seconds.strip()!r}") from None
    device.wait(value)
    return f"  ({value:g} s pass; the device's clock is at {device.now:.2f} s)"


def press(device: Device, button: str) -> Turn:
    from harness.envelopes import PLAYBACK_COMMANDS

    if button not in PLAYBACK_COMMANDS:
        raise ValueError(f"/press takes a button: {', '.join(PLAYBACK_COMMANDS)}")
    return device.press(button)


def print_screen(device: Device, turn: Turn) -> None:
    """The data of the document the turn's answer rendered, on one line."""
    import json

    directives = ((turn.response or {}).get("response") or {}).get("directives") or []
    if not device.screen or not any(d.get("type") == RENDER_DOCUMENT for d in directives):
        return
    shown = json.dumps((device.shows or {}).get("datasources", {}), ensure_ascii=False)
    cut = shown if len(shown) <= SCREEN_LINE_CHARS else shown[: SCREEN_LINE_CHARS - 3] + "..."
    print(f"  screen:   {cut}")


def print_reminders(device: Device, before: list[str]) -> None:
    """The reminders set on the runner's account (the stand-in's), when the turn changed them."""
    from harness.alexa_apis import reminders_line

    now = device.reminder_lines()
    if now != before:
        print(f"  {reminders_line(now)}")


def print_audio(device: Device, start: float, first_event: int, first_note: int) -> None:
    """The AudioPlayer events sent and the audio heard since `start`, one line each."""
    from harness.dialog import audio_log

    for line in audio_log(device, start, first_event):
        print(f"  player: {line}")
    if device.player is not None:
        for note in device.player.notes[first_note:]:
            print(f"  player: note: {note}")


def mic_timeout(device: Device) -> str:
    from harness.device import DeviceError

    if not device.session_open:
        return "  (microphone timed out with no session open: nothing is sent)"
    try:
        device.mic_timeout()
    except DeviceError as error:
        return f"  error:    {error}"
    return "  (microphone closed unanswered: SessionEndedRequest sent, session closed)"
