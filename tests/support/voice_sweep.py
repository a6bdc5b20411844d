"""The slow voice sweep (tests/harness/test_listen.py): every command and everyday sentence of
bench.voice_commands, synthesised by each espeak voice at each rate and heard by the command
recognizer. About 530 clips, 90 s in one process; here each (voice, rate) is a task for a
process of its own, one per core."""

from __future__ import annotations

import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass

from harness.interaction_model import load_model
from harness.listen import CACHE_ENV, CommandRecognizer
from harness.utterances import match
from tracks.engines import EspeakVoice

_recognizer: CommandRecognizer | None = None


@dataclass(frozen=True)
class Heard:
    said: int = 0
    right: int = 0  # the intent (and launch or not) of the command said
    wrong: int = 0  # another command
    false_accepts: int = 0  # an everyday sentence taken for a command

    def __add__(self, other: Heard) -> Heard:
        return Heard(
            self.said + other.said,
            self.right + other.right,
            self.wrong + other.wrong,
            self.false_accepts + other.false_accepts,
        )


def _start(cache_dir: str) -> None:
    global _recognizer
    os.environ[CACHE_ENV] = cache_dir  # the language model the test process built
    _recognizer = CommandRecognizer.from_model(load_model())


def _hear(voice_name: str, rate: float) -> Heard:
    from bench.voice_commands import COMMANDS, EVERYDAY

    assert _recognizer is not None
    model, voice = load_model(), EspeakVoice(voice_name)
    said = right = wrong = 0
    for text in COMMANDS:
        heard = _recognizer.recognize_pcm(voice.synthesize(text, rate))
        wanted = match(text, model)
        said += 1
        if heard.match is not None:
            same = (heard.match.kind, heard.intent) == (wanted.kind, wanted.intent)
            right += same
            wrong += not same
    false_accepts = sum(
        _recognizer.recognize_pcm(voice.synthesize(sentence, rate)).accepted
        for sentence in EVERYDAY
    )
    return Heard(said, right, wrong, false_accepts)


def sweep(cache_dir: str) -> Heard:
    """Every voice at every rate, the tallies summed."""
    from bench.voice_commands import RATES, VOICES

    tasks = [(voice, rate) for voice in VOICES for rate in RATES]
    # spawn: a fresh interpreter per worker, whatever threads the test process runs.
    context = multiprocessing.get_context("spawn")
    workers = min(len(tasks), os.cpu_count() or 1)
    with ProcessPoolExecutor(workers, context, initializer=_start, initargs=(cache_dir,)) as pool:
        parts = pool.map(_hear, *zip(*tasks, strict=True))
        return sum(parts, Heard())
