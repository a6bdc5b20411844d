"""Voices and audio: the chosen voice, a turn's speech as heard, MP3 files, playback."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import threading
from concurrent.futures import Future, ThreadPoolExecutor
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from harness.session_render import RenderedSpeech, render_ssml, render_timed
from skill.locales import DEFAULT

if TYPE_CHECKING:
    from harness.device import Turn
    from tracks.voices.base import Voice
    from tracks.voices.pcm import Pcm

RENDERS_DIR = Path("renders")
ENGINES = ("espeak", "gtts", "estimate")
PLAYERS = (  # command lines that play a WAV file and exit
    ("aplay", "-q"),
    ("paplay",),
    ("ffplay", "-nodisp", "-autoexit", "-loglevel", "error"),
)


def make_voice(
    engine: str, cache_dir: Path | None, *, keep: int | None = None, locale: str = DEFAULT
) -> Voice:
    """The engine's voice in `locale`'s accent, cached on disk and in memory (`keep`: at most
    that many texts in memory; None: all said, as a render of one session needs)."""
    from tracks.engines import pick_voice
    from tracks.synth_cache import CachedVoice

    voice = pick_voice(engine, locale)
    return voice if engine == "estimate" else CachedVoice(voice, cache_dir, keep=keep)


def speech_audio(turn: Turn, voice: Voice) -> RenderedSpeech:
    """The turn's speech as heard. Raises VoiceError, or ValueError on unreadable SSML."""
    from harness.ssml_reader import Text

    if turn.speech_ssml:
        return render_ssml(turn.speech_ssml, voice)
    return render_timed([Text(turn.speech_text)] if turn.speech_text else [], voice)


def encode_cached(pcm: Pcm, path: Path | None, cache: Path | None) -> bytes:
    """Write `pcm` as MP3 to `path` (None: write no file), reusing an earlier encoding of the
    same samples; return the MP3.

    Encoding dominates a render (most of it is rest silence), so the encoded bytes are cached
    next to the synthesized speech, keyed by the samples and the encoder's settings.
    """
    return _encode_keyed(pcm, mp3_cache_path(pcm, cache), path)


def mp3_cache_path(pcm: Pcm, cache: Path | None) -> Path:
    """Where the encoding of `pcm` is cached: keyed by the samples and the encoder's settings."""
    from tracks.synth_cache import cache_dir

    data = pcm.to_bytes()
    key = hashlib.sha256(_encoder_recipe(pcm.sample_rate).encode() + b"\0" + data).hexdigest()
    return (cache or cache_dir()) / "mp3" / key[:2] / f"{key}.mp3"


@lru_cache(maxsize=4)
def _encoder_recipe(sample_rate: int) -> str:
    from importlib.metadata import version

    from tracks.mp3 import ALEXA_BITRATE_KBPS, LAME_QUALITY

    return f"lameenc {version('lameenc')}/{ALEXA_BITRATE_KBPS}/{LAME_QUALITY}/{sample_rate}"


def _encode_keyed(pcm: Pcm, cached: Path, path: Path | None) -> bytes:
    from tracks.mp3 import encode_mp3
    from tracks.synth_cache import write_atomically

    try:
        mp3 = cached.read_bytes()
    except FileNotFoundError:
        mp3 = encode_mp3(pcm)
        write_atomically(cached, mp3)
    if path is not None:
        path.write_bytes(mp3)
    return mp3


class Mp3Encoder:
    """Cached MP3 encodings made on worker threads, one per CPU: lameenc and hashlib let go of
    the GIL, so turns are keyed and encoded side by side, and beside the synthesis on the main
    thread. Identical samples are encoded once, even when the first is still in flight."""

    def __init__(self, cache: Path | None, workers: int | None = None) -> None:
        self.cache = cache
        self._pool = ThreadPoolExecutor(
            max_workers=workers or os.cpu_count() or 1, thread_name_prefix="mp3"
        )
        self._lock = threading.Lock()
        self._encodings: dict[Path, Future[bytes]] = {}  # by cache path: by content

    def submit(self, pcm: Pcm) -> Future[bytes]:
        """The MP3 of `pcm`, from the cache or encoded, when it is ready."""
        return self._pool.submit(self._encode, pcm)

    def _encode(self, pcm: Pcm) -> bytes:
        cached = mp3_cache_path(pcm, self.cache)
        with self._lock:
            first = self._encodings.get(cached)
            if first is None:
                mine = self._encodings[cached] = Future()
        if first is not None:  # the same samples, taken by a worker already busy with them
            return first.result()
        try:
            mp3 = _encode_keyed(pcm, cached, None)
        except BaseException as error:
            mine.set_exception(error)
            raise
        mine.set_result(mp3)
        return mp3

    def close(self, *, cancel: bool = False) -> None:
        self._pool.shutdown(wait=True, cancel_futures=cancel)

    def __enter__(self) -> Mp3Encoder:
        return self

    def __exit__(self, kind: type[BaseException] | None, *_: object) -> None:
        self.close(cancel=kind is not None)


def write_wav(pcm: Pcm, path: Path) -> None:
    path.write_bytes(pcm.to_wav())


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
