"""The `coach` command: talk to the coach, run conversation scripts, render whole workouts.

    coach chat     say things to the coach (typed, piped or WAV files); read and hear the answers
    coach dialog   run YAML conversation scripts (the tests/dialogs format): PASS/FAIL per file
    coach render   a whole workout to MP3s, a transcript with a timeline, and a pacing check

Offline by default: the app runs in this process with verification off, the voice is espeak.
`--endpoint URL` talks HTTP to a running server; `--sign` signs like Alexa with a local dev
identity. docs/harness.md has every flag; harness.session_render does the measuring.

One concern a module: command_line (arguments and main), connection (reaching the skill, and
dev_server_app), chat_command, dialog_command and render_command (one command each), audio
(voices, MP3 files, playback), recognition (harness.listen, when a flag needs it),
turn_text (turns as text) and errors (CliError).
"""

from harness.cli.command_line import build_parser, main
from harness.cli.connection import Connection, dev_server_app, endpoint_url

__all__ = ["Connection", "build_parser", "dev_server_app", "endpoint_url", "main"]
