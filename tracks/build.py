"""Render the coach's audio tracks (skill.audio.catalog) to MP3: `make audio`.

Each distinct sound (a cue's words, the beep) is synthesized and encoded once, on its own, and
cached on disk by content (voice fingerprint, text, format). A track is then those encoded
pieces and frames of encoded silence joined at MP3 frame boundaries, with no second encoding,
which is far faster than encoding every rest whole (bench/audio.py measures both); unchanged
tracks are not touched at all.

Timing. Every piece starts with the encoder's delay (ENCODER_DELAY samples) before its sound,
so a piece put at frame f sounds from f * FRAME_SAMPLES + ENCODER_DELAY. Words sections follow
one another; a Timed section's clock starts where the words before it end (the end of "Rest N
seconds."), and each of its sounds goes to the frame nearest its planned start: every cue and
the end of the closing beep land within half a frame (12 ms) of the plan. A sound that would
overrun the next one is an error, never a silent shift.

The words' ends are where the voice falls quiet (QUIET_LEVEL), not where its audio ends: a
voice may pad its audio with near-silence, and the rest starts when the words stop.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import struct
import sys
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from skill.audio.catalog import (
    TRACK_FORMAT,
    AudioCatalog,
    Tone,
    Track,
    Words,
    default_catalog,
)
from skill.locales import SPOKEN
from tracks.engines import VOICE_NAMES, Voice, VoiceError, pick_voice
from tracks.mp3 import FRAME_SAMPLES, decode_mp3_bytes, encode_mp3, mp3_frames, mp3_sample_count
from tracks.synth_cache import cache_dir, write_atomically
from tracks.tones import beep
from tracks.voices.pcm import SAMPLE_RATE, Pcm, silence

PRODUCTION_VOICE = "gtts"  # what runners hear; tests and offline builds use "espeak"
ENCODER_DELAY = 1105  # LAME's start-up delay in samples at this format (576 + 529), measured
QUIET_LEVEL = 300  # |sample| at or below this (about -41 dBFS) counts as silence at the ends
WORDS_GAP_SECONDS = 0.25  # between two Words sections: the timing model's sentence pause
MANIFEST = "manifest.json"
SILENCE_FRAMES = 13_000  # about 312 s: every rest's longest silence in one encoding
_PIECE_MAGIC = b"COACHMP3PIECE1"  # bump when a piece file's layout or key recipe changes
_PIECE_HEADER = struct.Struct("<14sI")  # magic, samples of sound; the MP3 follows


class TrackError(ValueError):
    """A track cannot be rendered as planned (a sound would overrun the next)."""


@dataclass(frozen=True)
class Piece:
    mp3: bytes  # encoded on its own, in Alexa's format
    sound_samples: int  # the sound itself, after the encoder's delay

    @property
    def frames(self) -> int:
        return mp3_sample_count(self.mp3) // FRAME_SAMPLES


def trim_quiet(pcm: Pcm, level: int = QUIET_LEVEL) -> Pcm:
    """Without the near-silence a voice leaves at either end."""
    samples = pcm.samples
    start = next((i for i, s in enumerate(samples) if abs(s) > level), len(samples))
    end = len(samples)
    while end > start and abs(samples[end - 1]) <= level:
        end -= 1
    return Pcm(samples[start:end], pcm.sample_rate)


class PieceMaker:
    """Encoded pieces, from memory, then the disk cache, then the voice."""

    def __init__(self, voice: Voice, folder: Path | None = None) -> None:
        self.voice = voice
        self.folder = folder if folder is not None else cache_dir() / "pieces"
        self.made = 0  # synthesized and encoded in this run
        self._pieces: dict[str, Piece] = {}

    def key(self, sound: Words | Tone) -> str:
        what = ["words", sound.text] if isinstance(sound, Words) else ["tone", sound.clip.name]
        source = self.voice.fingerprint if isinstance(sound, Words) else "beep/880 Hz"
        recipe = json.dumps([_PIECE_MAGIC.decode(), TRACK_FORMAT, source, *what])
        if isinstance(sound, Tone):
            recipe += f"/{sound.clip.seconds}"
        return hashlib.sha256(recipe.encode("utf-8")).hexdigest()

    def piece(self, sound: Words | Tone) -> Piece:
        key = self.key(sound)
        found = self._pieces.get(key)
        if found is None:
            path = self.folder / key[:2] / f"{key}.piece"
            found = _read_piece(path)
            if found is None:
                found = self._make(sound)
                write_atomically(
                    path, _PIECE_HEADER.pack(_PIECE_MAGIC, found.sound_samples) + found.mp3
                )
                self.made += 1
            self._pieces[key] = found
        return found

    def _make(self, sound: Words | Tone) -> Piece:
        if isinstance(sound, Words):
            pcm = trim_quiet(self.voice.synthesize(sound.text))
        else:
            pcm = beep(round(sound.clip.seconds * SAMPLE_RATE))
        return Piece(encode_mp3(pcm), len(pcm.samples))


def _read_piece(path: Path) -> Piece | None:
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return None
    if len(data) <= _PIECE_HEADER.size:
        return None
    magic, samples = _PIECE_HEADER.unpack_from(data)
    if magic != _PIECE_MAGIC:
        return None
    return Piece(data[_PIECE_HEADER.size :], samples)


@dataclass(frozen=True)
class Placed:
    """Where a sound landed in the rendered track, in seconds from the start of the file."""

    sound: Words | Tone
    start: float
    end: float


@dataclass(frozen=True)
class RenderedTrack:
    track: Track
    mp3: bytes
    placed: tuple[Placed, ...]
    rest_start: float | None  # the end of the words before a rest
    rest_end: float | None  # the end of the rest's last sound, the beep

    @property
    def seconds(self) -> float:
        return mp3_sample_count(self.mp3) / SAMPLE_RATE

    @property
    def rest_heard(self) -> float | None:
        if self.rest_start is None or self.rest_end is None:
            return None
        return round(self.rest_end - self.rest_start, 3)


def render_track(track: Track, pieces: PieceMaker) -> RenderedTrack:
    """The track as one MP3, joined from pieces and encoded silence (see the docstring)."""
    parts: list[bytes] = []
    placed: list[Placed] = []
    frame = 0  # frames written so far
    clock = 0  # samples: where the last sound ended (the next Words section follows it)
    rest_start = rest_end = None

    def put(sound: Words | Tone, at_frame: int) -> int:
        nonlocal frame
        if at_frame < frame:
            raise TrackError(
                f"{track.id}: {_describe(sound)} would start "
                f"{(frame - at_frame) * FRAME_SAMPLES / SAMPLE_RATE:.3f} s before the sound "
                "before it has finished"
            )
        piece = pieces.piece(sound)
        parts.append(silent_frames(at_frame - frame))
        parts.append(piece.mp3)
        frame = at_frame + piece.frames
        start = at_frame * FRAME_SAMPLES + ENCODER_DELAY
        placed.append(
            Placed(sound, start / SAMPLE_RATE, (start + piece.sound_samples) / SAMPLE_RATE)
        )
        return start + piece.sound_samples

    for index, section in enumerate(track.sections):
        if isinstance(section, Words):
            gap = round(WORDS_GAP_SECONDS * SAMPLE_RATE) if index else 0
            clock = put(section, _frame_for(clock + gap))
            continue
        zero = clock
        for event in section.events:
            clock = put(event.sound, _frame_for(zero + round(event.seconds * SAMPLE_RATE)))
        if section.kind == "rest":
            rest_start, rest_end = zero / SAMPLE_RATE, clock / SAMPLE_RATE
        # The section lasts its planned length (a led set ends with the work of its last step).
        clock = max(clock, zero + round(section.seconds * SAMPLE_RATE))
    end_frame = -(-clock // FRAME_SAMPLES)  # the track plays to the planned end, at least
    parts.append(silent_frames(end_frame - frame))
    return RenderedTrack(track, b"".join(parts), tuple(placed), rest_start, rest_end)


_silence: tuple[bytes, list[int]] = (b"", [])  # the encoding, and each frame's offset in it


def silent_frames(count: int) -> bytes:
    """`count` frames of encoded silence: the start of one long encoded silence, made once per
    process (tracks.mp3.silent_mp3 encodes each length anew; here there are hundreds). Its
    first frame uses no bits from before it, so it may follow any piece."""
    global _silence
    if count <= 0:
        return b""
    data, offsets = _silence
    if count >= len(offsets):
        seconds = max(count + 1, SILENCE_FRAMES) * FRAME_SAMPLES / SAMPLE_RATE
        data = encode_mp3(silence(seconds))
        offsets = [frame.offset for frame in mp3_frames(data)]
        _silence = (data, offsets)
    return data[: offsets[count]]


def _frame_for(sound_start: int) -> int:
    """The frame a piece goes in so that its sound starts nearest `sound_start` (samples)."""
    return max(0, round((sound_start - ENCODER_DELAY) / FRAME_SAMPLES))


def _describe(sound: Words | Tone) -> str:
    return repr(sound.text) if isinstance(sound, Words) else f"the {sound.clip.name} tone"


# ---- the folder `make audio` writes ---------------------------------------------------------


@dataclass(frozen=True)
class BuildReport:
    written: int
    kept: int  # already there, from the same recipe and voice
    removed: int  # files of tracks no longer in the catalog
    pieces_made: int
    total_bytes: int
    seconds: float


def build_audio(
    out: Path,
    voice: Voice,
    catalog: AudioCatalog | None = None,
    *,
    tracks: Iterable[Track] | None = None,
    pieces: PieceMaker | None = None,
    keep: frozenset[str] | None = None,
) -> BuildReport:
    """Write every track (or `tracks`) to `out`, with manifest.json saying which voice made
    each file. A file already there from the same recipe and voice is kept as it is; files an
    earlier build wrote for tracks the catalog no longer lists are removed (with `keep`, those
    it does not name; without, only the catalog's locale's); nothing else is."""
    began = time.perf_counter()
    catalog = catalog or default_catalog()
    chosen = list(catalog.tracks() if tracks is None else tracks)
    pieces = pieces or PieceMaker(voice)
    out.mkdir(parents=True, exist_ok=True)
    manifest_path = out / MANIFEST
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    except (FileNotFoundError, ValueError):
        manifest = {}
    written = kept = 0
    entries: dict[str, dict[str, object]] = {}
    for track in chosen:
        path = out / track.file
        entry = manifest.get(track.file)
        if path.is_file() and isinstance(entry, dict) and entry.get("voice") == voice.fingerprint:
            entries[track.file] = entry
            kept += 1
            continue
        rendered = render_track(track, pieces)
        write_atomically(path, rendered.mp3)
        entries[track.file] = {
            "id": track.id,
            "voice": voice.fingerprint,
            "seconds": round(rendered.seconds, 3),
            "rest_heard": rendered.rest_heard,
        }
        written += 1
    wanted = keep if keep is not None else {track.file for track in catalog.tracks()}
    removed = 0
    # Without `keep`, only the catalog's own locale's files are its to remove: another locale's
    # may share the folder.
    ours = f"{catalog.locale}-" if keep is None else ""
    for name in manifest:  # only files an earlier build wrote: never anything else in `out`
        stale = out / Path(name).name
        mine = name.startswith(ours)
        if mine and name not in wanted and stale.suffix == ".mp3" and stale.is_file():
            stale.unlink()
            removed += 1
    # Kept in the manifest: what is still wanted, and another locale's entries (its build's).
    entries.update(
        {
            name: entry
            for name, entry in manifest.items()
            if (name in wanted or not name.startswith(ours)) and name not in entries
        }
    )
    write_atomically(manifest_path, json.dumps(entries, indent=1, sort_keys=True).encode())
    total = sum(path.stat().st_size for path in out.glob("*.mp3"))
    return BuildReport(
        written, kept, removed, pieces.made, total, round(time.perf_counter() - began, 3)
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m tracks.build",
        description="Render the coach's audio tracks to MP3 (what `make audio` runs).",
    )
    parser.add_argument("--out", type=Path, default=Path("build/audio"))
    parser.add_argument(
        "--engine",
        choices=VOICE_NAMES,
        default=PRODUCTION_VOICE,
        help="gtts (the default: what runners hear; needs the internet) or espeak (offline)",
    )
    parser.add_argument(
        "--locale",
        action="append",
        choices=SPOKEN,
        help="only this locale's tracks (repeatable; default: every locale the skill speaks)",
    )
    args = parser.parse_args(argv)
    catalogs = [default_catalog(locale) for locale in args.locale or SPOKEN]
    # Every locale's tracks share the folder (each file is named by its locale): building one
    # locale must not remove another's.
    every = frozenset(track.file for locale in SPOKEN for track in default_catalog(locale).tracks())
    for catalog in catalogs:
        voice = pick_voice(args.engine, catalog.locale)
        try:
            report = build_audio(args.out, voice, catalog, keep=every)
        except VoiceError as error:
            print(f"make audio: {error}", file=sys.stderr)
            return 1
        print(
            f"{args.out} ({catalog.locale}): {report.written} tracks written, {report.kept} "
            f"unchanged, {report.removed} removed; {report.pieces_made} sounds synthesized; "
            f"{report.total_bytes / 1e6:.1f} MB in the folder; {report.seconds:.1f} s "
            f"({voice.fingerprint})"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())


# ---- measuring a rendered track ------------------------------------------------------------


def sounding(
    pcm: Pcm, *, level: int = QUIET_LEVEL, gap_seconds: float = 0.2
) -> list[tuple[float, float]]:
    """(start, end) in seconds of each stretch of sound in decoded audio: samples above
    `level`, with quiet gaps shorter than `gap_seconds` (within a word) bridged."""
    gap = round(gap_seconds * pcm.sample_rate)
    stretches: list[tuple[int, int]] = []
    for index, sample in enumerate(pcm.samples):
        if abs(sample) > level:
            if stretches and index - stretches[-1][1] <= gap:
                stretches[-1] = (stretches[-1][0], index + 1)
            else:
                stretches.append((index, index + 1))
    rate = pcm.sample_rate
    return [(round(a / rate, 3), round(b / rate, 3)) for a, b in stretches]


def measure_rest(mp3: bytes) -> tuple[float, list[float]]:
    """From the decoded audio of a rest track alone: the rest heard (the end of the first
    stretch of sound, the words "Rest N seconds.", to the end of the last, the beep), and when
    each sound after the words starts, in seconds from the end of the words."""
    return measure_rest_pcm(decode_mp3_bytes(mp3))


def measure_rest_pcm(pcm: Pcm) -> tuple[float, list[float]]:
    """measure_rest, of a rest track already decoded (as a device plays it)."""
    stretches = sounding(pcm)
    if len(stretches) < 2:
        raise TrackError("a rest track needs its words and at least a closing beep")
    words_end = stretches[0][1]
    heard = round(stretches[-1][1] - words_end, 3)
    return heard, [round(start - words_end, 3) for start, _end in stretches[1:]]
