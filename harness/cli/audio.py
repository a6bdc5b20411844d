"""Voices and audio: the chosen voice, a turn's speech as heard, MP3 files, playback."""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import wave
from pathlib import Path
from typing import TYPE_CHECKING

from harness.session_render import RenderedSpeech, render_ssml, render_timed

if TYPE_CHECKING:
    from harness.device import Turn
    from harness.voices.base import Voice
    from harness.voices.pcm import Pcm

RENDERS_DIR = Path("renders")
ENGINES = ("espeak", "gtts", "estimate")
PLAYERS = (  # command lines that play a WAV file and exit
    ("aplay", "-q"),
    ("paplay",),
    ("ffplay", "-nodisp", "-autoexit", "-loglevel", "error"),
)


def make_voice(engine: str, cache_dir: Path | None) -> Voice:
    from harness.engines import pick_voice
    from harness.synth_cache import CachedVoice

    voice = pick_voice(engine)
    return voice if engine == "estimate" else CachedVoice(voice, cache_dir)


def speech_audio(turn: Turn, voice: Voice) -> RenderedSpeech:
    """The turn's speech as heard. Raises VoiceError, or ValueError on unreadable SSML."""
    from harness.ssml_reader import Text

    if turn.speech_ssml:
        return render_ssml(turn.speech_ssml, voice)
    return render_timed([Text(turn.speech_text)] if turn.speech_text else [], voice)


def encode_cached(pcm: Pcm, path: Path, cache: Path | None) -> None:
    """Write `pcm` as MP3 to `path`, reusing an earlier encoding of the same samples.

    Encoding dominates a render (most of it is rest silence), so the encoded bytes are cached
    next to the synthesized speech, keyed by the samples and the encoder's settings.
    """
    from importlib.metadata import version

    from harness.mp3 import ALEXA_BITRATE_KBPS, LAME_QUALITY, encode_mp3
    from harness.synth_cache import cache_dir, write_atomically

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
