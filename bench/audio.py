"""Benchmark: `make audio` offline (espeak), and how exact its rests are.

Builds every track of the catalog in a fresh process from an empty cache, then again with
everything in place (nothing should be rendered), prints the folder's size by kind of track,
each measured rest (from the decoded MP3 alone: the end of "Rest N seconds." to the end of the
beep, and each cue's start against the plan), and what encoding each rest whole would have cost
instead of joining encoded pieces. Run with `.venv/bin/python -m bench.audio`; nothing here is
asserted by the tests.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

from skill.audio.catalog import Timed, default_catalog
from tracks.build import MANIFEST, measure_rest
from tracks.mp3 import decode_mp3_bytes, encode_mp3

ROOT = Path(__file__).resolve().parents[1]
MEASURED = (15, 30, 45, 90, 120, 300)


def build_seconds(out: Path, cache: Path) -> tuple[float, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("COACH_")}
    env["COACH_CACHE_DIR"] = str(cache)
    command = [sys.executable, "-m", "tracks.build", "--engine", "espeak"]
    start = time.perf_counter()
    done = subprocess.run(
        [*command, "--out", str(out)], cwd=ROOT, env=env, capture_output=True, text=True
    )
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"make audio failed:\n{done.stdout}\n{done.stderr}")
    return seconds, done.stdout.strip()


def main() -> int:
    catalog = default_catalog()
    with tempfile.TemporaryDirectory(prefix="bench-audio-") as folder:
        out, cache = Path(folder) / "audio", Path(folder) / "cache"
        cold, cold_line = build_seconds(out, cache)
        warm, warm_line = build_seconds(out, cache)
        print(f"make audio (espeak), {os.cpu_count()} CPUs, load {os.getloadavg()[0]:.2f}")
        print(f"  cold  {cold:6.2f} s  {cold_line}")
        print(f"  again {warm:6.2f} s  {warm_line}")

        sizes: dict[str, list[int]] = defaultdict(list)
        seconds: dict[str, float] = defaultdict(float)
        manifest = json.loads((out / MANIFEST).read_text())
        for track in catalog.tracks():
            kind = track.id.split("-")[0]
            sizes[kind].append((out / track.file).stat().st_size)
            seconds[kind] += manifest[track.file]["seconds"]
        total = sum(sum(v) for v in sizes.values())
        print(f"\n  {'kind':8} {'files':>5} {'MB':>8} {'minutes':>8}")
        for kind, values in sizes.items():
            print(f"  {kind:8} {len(values):5d} {sum(values) / 1e6:8.2f} {seconds[kind] / 60:8.1f}")
        print(f"  {'all':8} {sum(len(v) for v in sizes.values()):5d} {total / 1e6:8.2f}")

        print("\n  rest   heard    error   worst cue   (decoded MP3, espeak)")
        for length in MEASURED:
            track = catalog.rest(length)
            heard, starts = measure_rest((out / track.file).read_bytes())
            [rest] = [s for s in track.sections if isinstance(s, Timed)]
            worst = max(abs(a - e.seconds) for a, e in zip(starts, rest.events, strict=True))
            print(f"  {length:4d}s {heard:7.3f}s {heard - length:+7.3f}s   {worst:6.3f}s")

        longest = (out / catalog.rest(300).file).read_bytes()
        pcm = decode_mp3_bytes(longest)
        start = time.perf_counter()
        encode_mp3(pcm)
        once = time.perf_counter() - start
        rest_minutes = seconds["rest"] / 60
        print(
            f"\n  encoding a 300 s rest whole: {once:.2f} s; every rest so: about "
            f"{once * rest_minutes / (pcm.seconds / 60):.0f} s of CPU ({rest_minutes:.0f} minutes)"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
