"""The `coach` command: talk to the coach, run conversation scripts, render whole workouts.

    coach chat     say things to the coach (typed, piped or WAV files); read and hear the answers
    coach dialog   run YAML conversation scripts (the tests/skill/dialogs format): PASS/FAIL each
    coach render   a whole workout to MP3s, a transcript with a timeline, and a pacing check

Offline by default: the app runs in this process with verification off, the voice is espeak.
`--endpoint URL` talks HTTP to a running server; `--sign` signs like Alexa with a local dev
identity. docs/harness.md has every flag; harness.session_render does the measuring.

One concern a module: command_line (arguments and main), connection (reaching the skill, and
dev_server_app), chat_command, dialog_command and render_command (one command each), audio
(voices, MP3 files, playback), recognition (harness.listen, when a flag needs it),
turn_text (turns as text) and errors (CliError).

The console script is installed with the package, but the harness's audio libraries come only
with the `harness` extra: `main` says so instead of dying on an import.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from harness.cli.command_line import build_parser
    from harness.cli.connection import Connection, dev_server_app, endpoint_url

__all__ = ["Connection", "build_parser", "dev_server_app", "endpoint_url", "main"]

# Imported by the harness and installed only by `pip install 'upper-body-coach[harness]'`.
HARNESS_EXTRA_MODULES = frozenset({"lameenc", "miniaudio", "espeakng_loader", "gtts"})
MISSING_EXTRA = (
    "coach: the harness needs its audio libraries ({missing} is not installed).\n"
    "Install them with: pip install 'upper-body-coach[harness]'  (or `make install`)"
)

_LAZY = {
    "build_parser": "harness.cli.command_line",
    "Connection": "harness.cli.connection",
    "dev_server_app": "harness.cli.connection",
    "endpoint_url": "harness.cli.connection",
}


def main(argv: Sequence[str] | None = None) -> int:
    try:
        from harness.cli.command_line import main as run
    except ModuleNotFoundError as error:
        if error.name not in HARNESS_EXTRA_MODULES:
            raise
        print(MISSING_EXTRA.format(missing=error.name), file=sys.stderr)
        return 2
    return run(argv)


def __getattr__(name: str) -> Any:
    # The rest of the command loads on first use, so `main` can report a missing extra.
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
