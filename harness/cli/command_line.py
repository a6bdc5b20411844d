"""The `coach` command line: every command's arguments, and `main`, which runs one."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from harness.cli.audio import ENGINES, RENDERS_DIR
from harness.cli.chat_command import DEFAULT_CHAT_DB, run_chat
from harness.cli.connection import DEFAULT_IDENTITY_DIR
from harness.cli.dialog_command import run_dialogs
from harness.cli.errors import CliError
from harness.cli.render_command import WORKOUTS, run_render
from harness.session_render import DEFAULT_SET_SECONDS
from skill.coaching.progress import MAX_REST_SECONDS, MIN_REST_SECONDS
from skill.locales import DEFAULT as DEFAULT_LOCALE
from skill.locales import SPOKEN


def bounded_number[Number: (int, float)](
    kind: Callable[[str], Number], low: Number, high: Number, what: str, out_of_range: str
) -> Callable[[str], Number]:
    """An argparse `type`: the text read as `kind`, from `low` to `high` inclusive.

    Text `kind` cannot read is "not a {what}: 'text'"; a value out of range, `out_of_range`.
    """

    def read(text: str) -> Number:
        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"not a {what}: {text!r}") from None
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(out_of_range)
        return value

    return read


_rest_seconds = bounded_number(
    int,
    MIN_REST_SECONDS,
    MAX_REST_SECONDS,
    "whole number of seconds",
    f"the coach allows rests from {MIN_REST_SECONDS} to {MAX_REST_SECONDS} seconds",
)
_seconds = bounded_number(float, 0.0, 600.0, "number of seconds", "give 0 to 600 seconds")
_rate = bounded_number(float, 0.0, 1.0, "number", "give a rate from 0 to 1, e.g. 0.2")


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
    parent.add_argument(
        "--exact",
        action="store_true",
        help="understand only the model's samples word for word (as virtual-alexa does), not "
        "the default statistical stand-in for Alexa's NLU",
    )
    parent.add_argument(
        "--locale",
        choices=SPOKEN,
        default=DEFAULT_LOCALE,
        help="the device's locale: its interaction model, the skill's words and the voice's "
        f"accent (default: {DEFAULT_LOCALE})",
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
    chat.add_argument(
        "--audio-player",
        action="store_true",
        help="the device supports AudioPlayer: it plays the skill's audio, and 'alexa, next' "
        "and the other name-free commands reach the skill that last played",
    )
    chat.add_argument(
        "--screen",
        action="store_true",
        help="the device has a screen (APL): each rendered document's data is printed, and "
        "/touch ARGUMENT touches the control that sends ARGUMENT (e.g. /touch next_set)",
    )
    chat.set_defaults(run=run_chat)

    dialog = commands.add_parser(
        "dialog",
        parents=[connection],
        help="run conversation scripts",
        description="Run YAML conversation scripts (the tests/skill/dialogs format); each file "
        "gets a fresh database in process. Exit status 1 when any fails.",
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
    render.add_argument(
        "--audio-player",
        action="store_true",
        help="hands-free: the device supports AudioPlayer; after each answer it lets the "
        "skill's audio play out, waits --set-seconds and says 'alexa, next'",
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
