"""Stand-ins for Alexa's sound-library clips, which play only on an Alexa device.

Each clip in skill.speech.sounds.CLIPS gets a synthetic sound of the clip's length (a beep: a
sine tone with short fades; a bell: decaying partials), encoded in Alexa's MP3 format to
audio/<clip name>.mp3. Regenerate with `python -m harness.standins` (deterministic).
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Sequence
from pathlib import Path

from skill.speech.sounds import CLIPS, CLIPS_BY_SRC, SoundClip
from tracks.mp3 import encode_mp3, mp3_seconds
from tracks.tones import beep, bell
from tracks.voices.pcm import SAMPLE_RATE, Pcm

AUDIO_DIR = Path(__file__).resolve().parents[1] / "audio"
FRAME_SECONDS = 576 / SAMPLE_RATE  # one MPEG-2 layer III frame: MP3 lengths come in these steps
LENGTH_TOLERANCE = FRAME_SECONDS / 2 + 1e-9


def recipe_for(clip: SoundClip) -> Callable[[int], Pcm]:
    """Bell-like clips ring; everything else beeps."""
    return bell if "bell" in clip.src else beep


def standin_mp3(clip: SoundClip) -> bytes:
    """An MP3 whose playing time is the clip's length to within half a frame (12 ms).

    The encoder adds its delay and pads the last frame, so the sound is made shorter until the
    frame count matches."""
    render = recipe_for(clip)
    count = round(clip.seconds * SAMPLE_RATE)
    for _ in range(8):
        data = encode_mp3(render(count))
        error = clip.seconds - mp3_seconds(data)
        if abs(error) <= LENGTH_TOLERANCE:
            return data
        count = max(0, count + round(error * SAMPLE_RATE))
    raise RuntimeError(f"could not fit a stand-in to {clip.seconds} s for {clip.name}")


def clip_path(src: str, folder: Path = AUDIO_DIR) -> Path:
    """The stand-in file for a soundbank:// address."""
    clip = CLIPS_BY_SRC.get(src)
    if clip is None:
        raise ValueError(f"no stand-in for {src!r}: add the clip to skill.speech.sounds.CLIPS")
    return folder / f"{clip.name}.mp3"


def write_standins(folder: Path = AUDIO_DIR) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for clip in CLIPS.values():
        path = folder / f"{clip.name}.mp3"
        path.write_bytes(standin_mp3(clip))
        written.append(path)
    return written


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--out", type=Path, default=AUDIO_DIR, help="folder (default: audio/)")
    args = parser.parse_args(argv)
    for path in write_standins(args.out):
        clip = CLIPS[path.stem]
        seconds = mp3_seconds(path.read_bytes())
        print(f"{path}: {seconds:.3f} s (clip {clip.seconds} s) <- {clip.src}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
