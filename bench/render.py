"""Benchmark: `coach render` of a whole workout, offline with espeak, from a cold cache (empty
folder: every cue synthesized, every MP3 encoded) and again with the cache warm.

Each run is the real command in a fresh process, so start-up counts. Aims on the project's
2-core machine: cold at most 5 s, cached under 1 s. Run with `.venv/bin/python -m bench.render`
(`--workout dumbbell` for the other one); nothing here is asserted by the tests. The machine's
load is printed before and after: other work on a 2-core machine shows in the figures.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
AIMS = {"cold": (5.0, "<="), "cached": (1.0, "<")}  # seconds, and how the median must compare


def render_seconds(workout: str, out: Path, cache: Path) -> float:
    command = [sys.executable, "-m", "harness.cli", "render", "--workout", workout]
    command += ["--out", str(out), "--cache-dir", str(cache), "--no-progress"]
    env = {k: v for k, v in os.environ.items() if not k.startswith("COACH_")}
    start = time.perf_counter()
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"render failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")
    return seconds


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--workout", default="bodyweight", choices=("bodyweight", "dumbbell"))
    parser.add_argument("--rounds", type=int, default=3, help="cold and cached runs of each")
    args = parser.parse_args()
    timings: dict[str, list[float]] = {"cold": [], "cached": []}
    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory(prefix="bench-render-") as folder:
        for round_number in range(args.rounds):
            cache = Path(folder) / f"cache-{round_number}"  # empty: a cold start
            out = Path(folder) / f"out-{round_number}"
            timings["cold"].append(render_seconds(args.workout, out, cache))
            timings["cached"].append(render_seconds(args.workout, out, cache))
        data = json.loads((Path(folder) / "out-0" / "transcript.json").read_text("utf-8"))
    print(
        f"coach render --workout {args.workout} (espeak), "
        f"{args.rounds} rounds, {os.cpu_count()} CPUs"
    )
    print(f"  {len(data['turns'])} turns, {data['total_seconds'] / 60:.1f} minutes of audio")
    for kind, seconds in timings.items():
        median = statistics.median(seconds)
        aim, compare = AIMS[kind]
        met = median <= aim if compare == "<=" else median < aim
        runs = ", ".join(f"{s:.2f}" for s in seconds)
        print(
            f"  {kind:>6}: median {median:5.2f} s (runs {runs}); "
            f"aim {compare} {aim:g} s: {'ok' if met else 'OVER'}"
        )
    errors = [rest["error"] for rest in data["rests"]]
    worst = max(errors, key=abs)
    print(
        f"  rests: {len(errors)}, errors from {min(errors):+.2f} to {max(errors):+.2f} s "
        f"(worst {worst:+.2f} s)"
    )
    print(
        f"  load average before: {', '.join(f'{x:.2f}' for x in load_before)}; "
        f"after: {', '.join(f'{x:.2f}' for x in os.getloadavg())}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
