"""The browser simulator's memory over a long session: one page, thousands of turns.

One simulated Echo Show (harness.simulator, through Flask's test client: no sockets, no
browser) opens the coach, starts the bodyweight workout and asks "how do I do this" again and
again, the session held open (the page's clock stands still). The process's resident memory is
read before and after; what the server holds for the page is counted at the end. Run with
`.venv/bin/python -m bench.simulator_memory` (`--turns N`, default 3000); docs/reliability.md
has the figures. Linux only (it reads /proc/self/status).
"""

from __future__ import annotations

import argparse
import gc
import logging
import os
import tempfile
from pathlib import Path
from typing import Any

from flask.testing import FlaskClient

from harness.simulator import create_app
from harness.simulator.echo import SimulatedEcho
from harness.simulator.web import EXTENSION_KEY

QUESTION = "how do I do this"
STEP = 1000  # turns between readings
OPENING = ("open upper body coach", "start the bodyweight workout", "skip the warm up", QUESTION)


class StillClock:
    """The page's wall clock, standing still: the microphone never closes."""

    def __call__(self) -> float:
        return 1000.0


def resident_mb() -> float:
    """This process's resident memory (VmRSS), in MB, after a full garbage collection."""
    gc.collect()
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS in /proc/self/status: this benchmark needs Linux")


def say(client: FlaskClient, base: str, text: str) -> dict[str, Any]:
    """The runner says `text`; the page asks for no transcript lines (it has them all)."""
    answer = client.post(f"{base}/say?since=999999999", json={"text": text})
    if answer.status_code != 200:
        raise RuntimeError(f"{text!r}: HTTP {answer.status_code} {answer.get_data(as_text=True)}")
    state = answer.get_json()
    assert isinstance(state, dict)
    return state


def held(echo: SimulatedEcho) -> str:
    """What the server holds for the page, as a line of counts."""
    device = echo.device
    counts = {
        "turns": len(device.history),
        "player events": len(device.events),
        "speeches": len(device.spoken),
        "transcript lines": len(echo.entries),
    }
    return ", ".join(f"{name} {count}" for name, count in counts.items())


def run(turns: int, folder: Path) -> None:
    os.environ["COACH_CACHE_DIR"] = str(folder / "cache")
    app = create_app(
        {
            "COACH_VERIFY_REQUESTS": "0",
            "COACH_DB_PATH": str(folder / "coach.sqlite3"),
            "COACH_AUDIO_DIR": str(folder / "audio"),
            "SIMULATOR_VOICE": "estimate",
            "SIMULATOR_CLOCK": StillClock(),
        }
    )
    client = app.test_client()
    made = client.post("/simulator/api/devices", json={"viewport": "show-8", "runner": "bench"})
    device_id = made.get_json()["id"]
    base = f"/simulator/api/devices/{device_id}"
    for text in OPENING:  # the recogniser trained, the first screen drawn
        state = say(client, base, text)
    print(f"the simulator, one Show page, {turns} turns of {QUESTION!r}:")
    before = resident_mb()
    print(f"  resident memory before: {before:.0f} MB")
    done = 0
    while done < turns:
        step = min(STEP, turns - done)
        for _ in range(step):
            state = say(client, base, QUESTION)
        done += step
        print(f"  after {done} turns: {resident_mb():.0f} MB")
    if not state["session"]["open"]:
        raise RuntimeError("the session closed: the turns were not all answered in session")
    after = resident_mb()
    print(f"  {before:.0f} MB -> {after:.0f} MB, {(after - before) * 1024 / turns:.1f} KB a turn")
    print(f"  held for the page: {held(app.extensions[EXTENSION_KEY].get(device_id))}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--turns", type=int, default=3000, help="turns after the opening")
    args = parser.parse_args()
    logging.disable(logging.WARNING)
    for name in [name for name in os.environ if name.startswith("COACH_")]:
        del os.environ[name]  # the developer's settings are not this run's
    with tempfile.TemporaryDirectory(prefix="coach-simulator-memory-") as folder:
        run(args.turns, Path(folder))


if __name__ == "__main__":
    main()
