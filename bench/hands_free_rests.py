"""Rests as a runner hears them in hands-free mode, measured from what the device played.

For each rest length the runner sets it by voice on a simulated Echo with a player, finishes a
set, and lets the coach's audio play; the rest track the device played (rendered in the offline
voice, served by the app) is measured from the end of "Rest N seconds." to the end of the
closing beep. Run with `.venv/bin/python -m bench.hands_free_rests`; the slow test
tests/harness/test_hands_free_rests.py holds the same lengths to 0.1 s.
"""

from __future__ import annotations

import logging
import tempfile
from pathlib import Path

from harness.dialog_stage import Stage
from tracks.build import measure_rest

LENGTHS = (30, 45, 90, 300)


def measure(seconds: int) -> tuple[float, float]:
    """The rest heard, and how long the device played its track."""
    with tempfile.TemporaryDirectory(prefix="coach-rests-") as folder:
        stage = Stage(Path(folder) / "coach.sqlite3", voice="espeak")
        device = stage.device("amzn1.ask.account.BENCH-RESTS")
        player = device.enable_audio_player()
        for words in ("open upper body coach", "the dumbbell workout", "skip the warm-up"):
            device.say(words)
        device.say(f"make my rests {seconds} seconds")
        device.say("next set")
        device.wait(seconds + 60)
        [rest] = [played for played in player.played if "-rest-" in played.stream.url]
        heard, _cues = measure_rest(
            (stage.audio_dir / rest.stream.url.rsplit("/", 1)[1]).read_bytes()
        )
        return heard, rest.end - rest.start


def main() -> None:
    logging.disable(logging.WARNING)
    print("hands-free rests, as played by the simulated device (offline voice):")
    for seconds in LENGTHS:
        heard, played = measure(seconds)
        print(
            f"  {seconds:>3} s asked: heard {heard:7.3f} s (off by {heard - seconds:+.3f} s),"
            f" its track played whole in {played:.3f} s"
        )


if __name__ == "__main__":
    main()
