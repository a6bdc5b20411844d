"""Voice commands in, offline: pocketsphinx with a language model of the skill's own phrases.

`CommandRecognizer.from_model(model)` hears a WAV (or MP3, or PCM) and returns the command it
heard, or rejects the audio. The language model (command_lm.py) is built from the interaction
model, so the recognizer knows exactly what the skill declares.

Rejection: a command LM forces any speech into command words, so its best path alone proves
nothing; but an n-gram model (unlike a grammar) can also say things that are not phrases, and
ordinary speech comes out as such fragments ("can you press me the tell please"). A recording
is accepted only if the best path, or one of the next NBEST distinct paths of the n-best list,
is word for word a phrase of the vocabulary; failing that, if one of the first SNAP_PATHS paths
is one word from a phrase of at least SNAP_MIN_WORDS words whose neighbours all mean the same
intent ("tell upper body coach to that set" -> "... to next set"). Measured against simpler
rules, a JSGF grammar and everyday speech in docs/voice-commands.md (bench/voice_commands.py).

Audio: resampled to 16 kHz, padded with 0.3 s of silence and given a faint noise floor (both
help synthetic speech a lot), and every utterance starts from the model's own cepstral mean so
that a result does not depend on what was heard before.

`transcribe` uses pocketsphinx's general en-US model, for a rough intelligibility check of
rendered speech, and `word_error_rate` scores it.
"""

from __future__ import annotations

import hashlib
import os
import random
import re
import threading
import wave
from array import array
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from harness.command_lm import (
    DISCOUNT_MASS,
    Vocabulary,
    arpa_text,
    build_vocabulary,
    dictionary_text,
    number_words,
)
from harness.interaction_model import InteractionModel
from harness.utterances import FALLBACK_INTENT, Match, match
from tracks.synth_cache import REPO_ROOT, write_atomically
from tracks.voices.pcm import Pcm, resample

RECOGNIZER_RATE = 16000  # what the en-US acoustic model was trained on
CACHE_ENV = "COACH_LISTEN_CACHE_DIR"
DEFAULT_CACHE_DIR = REPO_ROOT / ".cache" / "coach-listen"
LM_VERSION = "1"  # in the cache key beside command_lm.py's code: bump if listen.py changes it
NBEST = 10  # n-best paths searched for an in-vocabulary phrase (see the module docstring)
SNAP_PATHS = 3  # paths that may be one word from a phrase ("... coach to that set")
SNAP_MIN_WORDS = 5  # only phrases this long may be reached by changing a word
TOP_GAUSSIANS = 8  # see CommandRecognizer.__init__
PAD_SECONDS = 0.3  # silence added around the audio: clipped recordings lose their first phone
# Digital silence (exact zeros, as synthesizers make) has no counterpart in the recordings the
# acoustic model learnt from and wrecks its silence model; a fixed noise floor near -60 dBFS,
# far below any real microphone's, fixes that (espeak commands: 4 -> 14 of 20 right).
NOISE_RMS = 30.0
_NOISE_SEED = 20240601


class ListenError(ValueError):
    """Audio the recognizer cannot read (not a WAV/MP3, compressed WAV, empty)."""


@dataclass(frozen=True)
class Recognition:
    """What the recognizer made of one recording."""

    text: str | None  # the command heard, a vocabulary phrase; None: rejected or silence
    hypothesis: str  # the decoder's best path, in the vocabulary or not
    confidence: float  # the decoder's posterior for `hypothesis`, 0..1 (long phrases score low)
    rank: int | None  # the n-best path `text` came from (0 = the best path); None: rejected
    match: Match | None  # utterances.match(text): intent, slots, launch or one-shot
    seconds: float  # length of the audio

    @property
    def accepted(self) -> bool:
        return self.text is not None

    @property
    def intent(self) -> str | None:
        """The intent the command maps to; None for a rejection or a launch."""
        return self.match.intent if self.match is not None else None


# ---- audio ------------------------------------------------------------------------------------


def read_wav(path: str | os.PathLike[str]) -> Pcm:
    """A PCM WAV file (8/16/24/32-bit, any rate, any channels) as mono 16-bit PCM."""
    try:
        with wave.open(os.fspath(path), "rb") as wav:
            width, channels, rate = wav.getsampwidth(), wav.getnchannels(), wav.getframerate()
            data = wav.readframes(wav.getnframes())
    except (wave.Error, EOFError) as error:
        raise ListenError(f"{path}: not a PCM WAV file ({error})") from error
    samples = _to_int16(data, width)
    if channels > 1:
        samples = array(
            "h",
            (sum(samples[i : i + channels]) // channels for i in range(0, len(samples), channels)),
        )
    return Pcm(samples, rate)


def _to_int16(data: bytes, width: int) -> array[int]:
    if width == 2:
        return Pcm.from_bytes(data).samples
    if width == 1:  # unsigned 8-bit
        return array("h", ((b - 128) << 8 for b in data))
    if width in (3, 4):  # keep the top two bytes of each little-endian sample
        return Pcm.from_bytes(
            b"".join(data[i + width - 2 : i + width] for i in range(0, len(data), width))
        ).samples
    raise ListenError(f"unsupported WAV sample width: {width} bytes")


def read_audio(path: str | os.PathLike[str]) -> Pcm:
    """A WAV or MP3 file as mono PCM (at the file's own rate for WAV)."""
    if Path(path).suffix.lower() == ".mp3":
        from tracks.mp3 import decode_mp3

        try:
            return decode_mp3(path)
        except Exception as error:  # miniaudio raises its own DecodeError
            raise ListenError(f"{path}: cannot decode MP3 ({error})") from error
    return read_wav(path)


@lru_cache(maxsize=1)
def _noise() -> array[int]:
    rng = random.Random(_NOISE_SEED)
    return array("h", (round(rng.gauss(0.0, NOISE_RMS)) for _ in range(RECOGNIZER_RATE)))


def condition(samples: array[int]) -> bytes:
    """16 kHz samples padded with silence, with the noise floor: bytes for process_raw."""
    pad = array("h", bytes(2 * round(PAD_SECONDS * RECOGNIZER_RATE)))
    noise = _noise()
    size = len(noise)
    mixed = array(
        "h",
        (max(-32768, min(32767, s + noise[i % size])) for i, s in enumerate(pad + samples + pad)),
    )
    return Pcm(mixed, RECOGNIZER_RATE).to_bytes()


def prepare(pcm: Pcm) -> bytes:
    """Any PCM as the decoder wants it: 16 kHz, padded, with the noise floor."""
    return condition(resample(pcm, RECOGNIZER_RATE).samples)


# ---- decoders -----------------------------------------------------------------------------------


def _decoder(**config: Any) -> Any:
    from pocketsphinx import Decoder

    # loglevel FATAL: pocketsphinx logs every model load to stderr at INFO/WARN.
    return Decoder(loglevel="FATAL", **config)


def _decode(decoder: Any, audio: bytes) -> None:
    # The cepstral mean carries over from one utterance to the next even in batch mode, so a
    # result would depend on what was heard before: start every utterance from the model's own.
    decoder.reinit_feat()
    decoder.start_utt()
    decoder.process_raw(audio, full_utt=True)
    decoder.end_utt()


def cache_dir() -> Path:
    configured = os.environ.get(CACHE_ENV)
    return Path(configured) if configured else DEFAULT_CACHE_DIR


@lru_cache(maxsize=1)
def _lm_code() -> bytes:
    return (Path(__file__).resolve().parent / "command_lm.py").read_bytes()


def command_model_files(model: InteractionModel, vocabulary: Vocabulary) -> tuple[Path, Path]:
    """The command language model (ARPA) and its pronunciation dictionary on disk (pocketsphinx
    reads both from files), built once: the key is a hash of the model and of the weighted
    phrases drawn from it, and of the code that writes them (harness/command_lm.py), so a
    change to the model, the recipe or that code makes new files."""
    recipe = repr(
        (LM_VERSION, DISCOUNT_MASS, model, vocabulary.commands, vocabulary.launches)
        + vocabulary.one_shot_forms
    ).encode("utf-8")
    key = hashlib.sha256(_lm_code() + recipe).hexdigest()[:16]
    stem = cache_dir() / f"commands-{key}"
    lm_path, dict_path = stem.with_suffix(".arpa"), stem.with_suffix(".dict")
    if not dict_path.is_file():
        write_atomically(dict_path, dictionary_text(vocabulary).encode("utf-8"))
    if not lm_path.is_file():
        write_atomically(lm_path, arpa_text(vocabulary, DISCOUNT_MASS).encode("utf-8"))
    return lm_path, dict_path


@dataclass(frozen=True)
class Rejection:
    """How a hypothesis becomes a command; the defaults are the measured best (see the docs)."""

    nbest: int = NBEST  # distinct n-best paths searched for a vocabulary phrase
    snap_paths: int = SNAP_PATHS  # of those, how many may be one word away from a phrase
    snap_min_words: int = SNAP_MIN_WORDS  # shorter phrases must match exactly


class CommandRecognizer:
    """Hears the skill's commands and rejects other speech. One decoder: calls are serialised."""

    def __init__(
        self,
        model: InteractionModel,
        vocabulary: Vocabulary,
        files: tuple[Path, Path],
        rejection: Rejection | None = None,
    ) -> None:
        self.model = model
        self.vocabulary = vocabulary
        self.rejection = rejection or Rejection()
        self._phrases = vocabulary.texts
        self._words = sorted(vocabulary.words)
        self._lock = threading.Lock()
        lm_path, dict_path = files
        # topn: Gaussians scored per senone. 8, not the default 4, measured a few more commands
        # right for 1.25x the time; the general model (transcribe) did not gain from it.
        decoder = _decoder(lm=None, dict=str(dict_path), topn=TOP_GAUSSIANS)
        decoder.add_lm_file("commands", str(lm_path))
        decoder.activate_search("commands")
        self._decoder = decoder

    @classmethod
    def from_model(
        cls, model: InteractionModel, rejection: Rejection | None = None
    ) -> CommandRecognizer:
        vocabulary = build_vocabulary(model)
        return cls(model, vocabulary, command_model_files(model, vocabulary), rejection)

    def recognize_file(self, path: str | os.PathLike[str]) -> Recognition:
        return self.recognize_pcm(read_audio(path))

    def recognize_pcm(self, pcm: Pcm) -> Recognition:
        audio = prepare(pcm)
        with self._lock:
            _decode(self._decoder, audio)
            best = self._decoder.hyp()
            hypothesis = best.hypstr if best is not None else ""
            confidence = float(best.prob) if best is not None else 0.0
            paths = self._paths(hypothesis)
        rank, text = self._command(paths)
        found = match(text, self.model) if text is not None else None
        if found is not None and found.intent == FALLBACK_INTENT:  # cannot happen; be safe
            rank, text, found = None, None, None
        return Recognition(text, hypothesis, confidence, rank, found, pcm.seconds)

    def _paths(self, hypothesis: str) -> list[str]:
        """The best path, then the distinct n-best paths after it."""
        if not hypothesis or hypothesis in self._phrases:
            return [hypothesis] if hypothesis else []
        paths = [hypothesis]
        for path in self._decoder.nbest():
            if len(paths) > self.rejection.nbest:
                break
            if path is not None and path.hypstr not in paths:  # it yields None at times
                paths.append(path.hypstr)
        return paths

    def _command(self, paths: list[str]) -> tuple[int | None, str | None]:
        """(rank, phrase) by the rule in the module docstring, or (None, None)."""
        for rank, path in enumerate(paths):
            if path in self._phrases:
                return rank, path
        for rank, path in enumerate(paths[: self.rejection.snap_paths]):
            near = self._one_word_away(path)
            if near is not None:
                return rank, near
        return None, None

    def _one_word_away(self, path: str) -> str | None:
        """The phrase one word (substituted, dropped or added) from `path`, if only one intent
        is that close: long phrases survive a misheard word, short ones must be exact."""
        words = path.split()
        if len(words) + 1 < self.rejection.snap_min_words:
            return None
        near: set[str] = set()
        for i in range(len(words) + 1):
            head, tail = words[:i], words[i:]
            candidates = [head + [w] + tail for w in self._words]  # one word added
            if tail:
                candidates.append(head + tail[1:])  # one dropped
                candidates += [head + [w] + tail[1:] for w in self._words]  # one replaced
            near.update(
                text
                for text in map(" ".join, candidates)
                if text in self._phrases and len(text.split()) >= self.rejection.snap_min_words
            )
        intents = {match(text, self.model).intent for text in near}
        return min(near) if len(intents) == 1 else None


# ---- general transcription and word error rate --------------------------------------------------

_general_lock = threading.Lock()


@lru_cache(maxsize=1)
def _general_decoder() -> Any:
    return _decoder()  # pocketsphinx's own en-US acoustic model, language model and dictionary


def transcribe(pcm: Pcm) -> str:
    """What pocketsphinx's general en-US model hears in `pcm`: lowercase words, no fillers.
    Rough on synthetic speech (see docs/voice-commands.md): for trends, not exact checks."""
    audio = prepare(pcm)
    with _general_lock:
        decoder = _general_decoder()
        _decode(decoder, audio)
        best = decoder.hyp()
    return best.hypstr if best is not None else ""


_WORD = re.compile(r"[a-z0-9']+")


def _spoken_number(digits: str) -> str:
    value = int(digits)
    if value < 1000:
        return number_words(value)[0]
    return " ".join(number_words(int(d))[0] for d in digits)  # long numbers digit by digit


def normalize_words(text: str) -> list[str]:
    """Lowercase words, punctuation dropped, numbers written out ("45" -> "forty five")."""
    words: list[str] = []
    for token in _WORD.findall(text.lower().replace("\u2019", "'")):
        token = token.strip("'")
        if token.isdigit():
            words.extend(_spoken_number(token).split())
        elif token:
            words.append(token)
    return words


def word_error_rate(reference: str, hypothesis: str) -> float:
    """Word-level edit distance (substitutions, insertions, deletions) per reference word.

    An empty reference scores 0.0 against an empty hypothesis and 1.0 against anything else.
    """
    ref, hyp = normalize_words(reference), normalize_words(hypothesis)
    if not ref:
        return 0.0 if not hyp else 1.0
    previous = list(range(len(hyp) + 1))
    for i, word in enumerate(ref, 1):
        current = [i]
        for j, heard in enumerate(hyp, 1):
            current.append(
                min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (word != heard))
            )
        previous = current
    return previous[-1] / len(ref)
