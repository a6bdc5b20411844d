"""Synthesized speech cached on disk by content, so rendering the same speech again is fast.

Key: sha256 of the voice's fingerprint (engine, version, parameters), the rate and the text.
Files are written whole or not at all (temp file + os.replace), so concurrent renders and a
killed process never leave a half-written entry; an unreadable entry counts as a miss.
"""

from __future__ import annotations

import hashlib
import json
import os
import struct
import tempfile
import threading
from pathlib import Path

from tracks.voices.base import Voice
from tracks.voices.pcm import Pcm

CACHE_ENV = "COACH_CACHE_DIR"
REPO_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_CACHE_DIR = REPO_ROOT / ".cache" / "coach-voice"
_MAGIC = b"COACHPCM1"  # bump when the file layout or key recipe changes
_HEADER = struct.Struct("<9sI")  # magic, sample rate; little-endian int16 samples follow


def cache_dir() -> Path:
    """$COACH_CACHE_DIR, else .cache/coach-voice under the repository root."""
    configured = os.environ.get(CACHE_ENV)
    return Path(configured) if configured else DEFAULT_CACHE_DIR


def cache_key(fingerprint: str, rate: float, text: str) -> str:
    recipe = json.dumps([_MAGIC.decode(), fingerprint, round(rate, 4), text], ensure_ascii=False)
    return hashlib.sha256(recipe.encode("utf-8")).hexdigest()


def pcm_to_file_bytes(pcm: Pcm) -> bytes:
    return _HEADER.pack(_MAGIC, pcm.sample_rate) + pcm.to_bytes()


def pcm_from_file_bytes(data: bytes) -> Pcm | None:
    """The PCM in a cache file, or None if it is not one."""
    if len(data) < _HEADER.size:
        return None
    magic, sample_rate = _HEADER.unpack_from(data)
    if magic != _MAGIC or sample_rate <= 0 or (len(data) - _HEADER.size) % 2:
        return None
    return Pcm.from_bytes(data[_HEADER.size :], sample_rate)


def write_atomically(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temp_name = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=path.suffix)
    try:
        with os.fdopen(handle, "wb") as temp:
            temp.write(data)
        os.replace(temp_name, path)
    except BaseException:
        Path(temp_name).unlink(missing_ok=True)
        raise


class CachedVoice:
    """`voice`, remembering what it said in `folder` (default: cache_dir()), and in memory for
    the life of this object: a cue said many times in a session is synthesized (or read) once.
    With `keep`, memory holds only the `keep` texts said last (a server that speaks for days);
    the others are read from the folder again. The PCM returned is shared between calls: do not
    change its samples."""

    def __init__(
        self, voice: Voice, folder: str | os.PathLike[str] | None = None, *, keep: int | None = None
    ) -> None:
        if keep is not None and keep < 1:
            raise ValueError(f"keep at least one text in memory, not {keep}")
        self.voice = voice
        self.folder = Path(folder) if folder is not None else cache_dir()
        self.keep = keep
        self.hits = 0
        self.misses = 0
        self._said: dict[tuple[str, float], Pcm] = {}
        self._said_lock = threading.Lock()  # the simulator's threads share one voice

    @property
    def name(self) -> str:
        return self.voice.name

    @property
    def fingerprint(self) -> str:
        return self.voice.fingerprint

    def path_for(self, text: str, rate: float = 1.0) -> Path:
        key = cache_key(self.voice.fingerprint, rate, text)
        return self.folder / key[:2] / f"{key}.pcm"

    @property
    def remembered(self) -> int:
        """How many texts are held in memory."""
        return len(self._said)

    def synthesize(self, text: str, rate: float = 1.0) -> Pcm:
        with self._said_lock:
            said = self._said.pop((text, rate), None)
            if said is not None:
                self.hits += 1
                self._said[(text, rate)] = said  # said last: the last to be forgotten
                return said
        path = self.path_for(text, rate)
        try:
            cached = pcm_from_file_bytes(path.read_bytes())
        except FileNotFoundError:
            cached = None
        if cached is None:
            cached = self.voice.synthesize(text, rate)
            write_atomically(path, pcm_to_file_bytes(cached))
            missed = True
        else:
            missed = False
        with self._said_lock:
            self.misses += missed
            self.hits += not missed
            self._said[(text, rate)] = cached
            if self.keep is not None and len(self._said) > self.keep:
                del self._said[next(iter(self._said))]  # the one said longest ago
        return cached
