"""Stand-ins for Alexa's sound-library clips, which play only on an Alexa device.

Each clip in skill.speech.sounds.CLIPS gets a synthetic sound of the clip's length (a beep: a
sine tone with short fades; a bell: decaying partials), encoded in Alexa's MP3 format to
audio/<clip name>.mp3. Regenerate with `python -m harness.standins` (deterministic).
"""

from __future__ import annotations

import argparse
import math
from array import array
from collections.abc import Callable, Sequence
from pathlib import Path

from harness.mp3 import encode_mp3, mp3_seconds
from harness.voices.pcm import SAMPLE_RATE, Pcm
from skill.speech.sounds import CLIPS, CLIPS_BY_SRC, SoundClip

AUDIO_DIR = Path(__file__).resolve().parents[1] / "audio"
FRAME_SECONDS = 576 / SAMPLE_RATE  # one MPEG-2 layer III frame: MP3 lengths come in these steps
LENGTH_TOLERANCE = FRAME_SECONDS / 2 + 1e-9
PEAK = 0.5 * 32767  # leave headroom: MP3 overshoots on sharp edges

# (frequency ratio, amplitude, decay time constant in seconds) for a small struck bell.
_BELL_PARTIALS = ((1.0, 1.0, 0.9), (2.0, 0.5, 0.6), (2.76, 0.3, 0.4), (5.4, 0.15, 0.25))


def beep(count: int, frequency: float = 880.0) -> Pcm:
    """A sine tone over all `count` samples, 10 ms fade in, 60 ms fade out (no clicks)."""
    fade_in, fade_out = 0.010 * SAMPLE_RATE, 0.060 * SAMPLE_RATE
    samples = array("h")
    for i in range(count):
        envelope = min(1.0, i / fade_in, (count - i) / fade_out)
        samples.append(round(PEAK * envelope * math.sin(2 * math.pi * frequency * i / SAMPLE_RATE)))
    return Pcm(samples)


def bell(count: int, frequency: float = 880.0) -> Pcm:
    """Struck-bell partials decaying over `count` samples, faded to zero at the end."""
    total = sum(amplitude for _, amplitude, _ in _BELL_PARTIALS)
    fade_out = 0.050 * SAMPLE_RATE
    samples = array("h")
    for i in range(count):
        t = i / SAMPLE_RATE
        value = sum(
            amplitude * math.exp(-t / decay) * math.sin(2 * math.pi * frequency * ratio * t)
            for ratio, amplitude, decay in _BELL_PARTIALS
        )
        envelope = min(1.0, i / 48, (count - i) / fade_out)  # 2 ms strike
        samples.append(round(PEAK * envelope * value / total))
    return Pcm(samples)


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
