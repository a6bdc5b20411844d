"""Speech recognition for --voice and --check-words: harness.listen, imported only when
a flag needs it, so every other command runs without it."""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

from harness.cli.errors import CliError
from harness.session_render import RenderedSpeech, words_only

LISTEN_MODULE = "harness.listen"


def listen_module() -> ModuleType:
    """harness.listen (speech recognition), imported only when a flag needs it."""
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


def wav_files(path: Path) -> list[Path]:
    if path.is_dir():
        return sorted(p for p in path.iterdir() if p.suffix.lower() == ".wav")
    if path.is_file():
        return [path]
    raise CliError(f"--voice: no WAV file or folder at {path}")


def recognised_lines(path: Path) -> Iterator[str]:
    """What the recogniser makes of each WAV file (harness.listen)."""
    from harness.interaction_model import load_model

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
