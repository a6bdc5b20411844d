"""PNG screenshots of the coach's screen, rendered in headless Chromium by static/apl.js from
the document and datasources the skill sends, on each Echo Show size and the round hub.

    python -m harness.simulator.screenshots --out docs/screens

and one of the simulator page itself (simulator-page.png), mid-rest on an Echo Show 8.

The skill runs in process (a pretend device with a screen says each scene's words); the screen
is shown at a chosen moment of its own clock (elapsedTime), e.g. twelve seconds into a rest."""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
import tempfile
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from harness.device import Device, FlaskTransport
from harness.simulator.browser import browser, missing, save_screenshot, serve_static

if TYPE_CHECKING:
    from selenium.webdriver.chrome.webdriver import WebDriver

Json = dict[str, Any]


@dataclass(frozen=True)
class Viewport:
    name: str
    width: int
    height: int
    shape: str = "rectangle"
    dpi: int = 160

    def as_json(self) -> Json:
        return {"width": self.width, "height": self.height, "shape": self.shape, "dpi": self.dpi}


VIEWPORTS = (
    Viewport("show-5", 960, 480),
    Viewport("show-8", 1280, 800),  # and the Echo Show 10
    Viewport("show-15", 1920, 1080),  # and the Echo Show 21
    Viewport("spot", 480, 480, "round"),
)
SHOW_8 = VIEWPORTS[1]

# What the runner says to reach each scene, from a fresh start.
TO_A_SET = ("open upper body coach", "start the bodyweight workout", "skip the warm up")
TO_THE_WARM_UP = ("open upper body coach", "start the bodyweight workout")
SCENES: Mapping[str, Sequence[str]] = {
    "set": TO_A_SET,  # T push-up, set 1 of 4, with its controls
    "rest": (*TO_A_SET, "next set"),  # a 30 s rest, then set 2
    "steps": (*TO_A_SET, "go to the y t w l raise"),  # the Y T W L raise led step by step
    "warm_up": TO_THE_WARM_UP,  # the warm-up's part 1 led move by move, with Next
    "warm_up_end": (*TO_THE_WARM_UP, "next"),  # its last part led, then T push-up's set 1
}


def coach_device(db_path: Path) -> Device:
    """An Echo Show talking to the skill in this process, with its own database."""
    from skill.app import create_app

    # Verification is off in process; its banner on stderr says so, which is noise here.
    with open(os.devnull, "w") as quiet, contextlib.redirect_stderr(quiet):
        app = create_app({"COACH_VERIFY_REQUESTS": "0", "COACH_DB_PATH": str(db_path)})
    return Device(FlaskTransport(app), screen=True)


def reach(db_path: Path, phrases: Sequence[str]) -> Json:
    """The RenderDocument directive shown after saying `phrases` to a fresh device."""
    device = coach_device(db_path)
    for said in phrases:
        turn = device.say(said)
        if not turn.sent:
            raise RuntimeError(f"{said!r} did not reach the skill: {turn.note}")
    if device.shows is None:
        raise RuntimeError(f"nothing is shown after {list(phrases)}")
    return device.shows


def scene_screens(folder: Path) -> dict[str, Json]:
    """Each scene's RenderDocument directive (document and datasources), by scene name."""
    return {name: reach(folder / f"{name}.sqlite3", said) for name, said in SCENES.items()}


def show(
    driver: WebDriver, base_url: str, directive: Json, viewport: Viewport, at_ms: float = 0
) -> list[str]:
    """Render the directive's screen in static/screen.html and move its clock (which stands
    still otherwise) to `at_ms` after it appeared; the renderer's warnings."""
    if not driver.current_url.startswith(base_url):
        driver.get(base_url + "screen.html")
    warnings = driver.execute_script(
        "window.testClock.ms = 0;"
        "return showScreen(arguments[0], arguments[1], arguments[2], window.testClock.now);",
        directive["document"],
        directive["datasources"],
        viewport.as_json(),
    )
    if at_ms:
        set_clock(driver, at_ms)
    return list(warnings)


def set_clock(driver: WebDriver, at_ms: float) -> None:
    """Move the shown screen's clock, and have the screen follow it at once rather than at its
    next tick (every 100 ms): waiting out a few ticks after each move was 0.3 s a time."""
    driver.execute_script(
        "window.testClock.ms = arguments[0]; if (window.screen_) window.screen_.refresh();", at_ms
    )


def scene_moment(name: str, directive: Json) -> float:
    """The moment worth a picture: 12 s into a rest; the second step or move while it is
    called (a second in: the top of the warm-up's arm circle, its figure's first go half done);
    the last warm-up part's second move, before the set comes."""
    coach = directive["datasources"]["coach"]
    if name == "rest":
        return float(coach["lead"]["rest"]["startMs"]) + 12_000
    steps = coach["lead"]["steps"] if name == "warm_up_end" else coach["steps"]
    if name in ("steps", "warm_up", "warm_up_end") and len(steps) > 1:
        return float(steps[1]["startMs"]) + 1_000
    return 0.0


def save_scene(
    driver: WebDriver, base_url: str, directive: Json, viewport: Viewport, at_ms: float, path: Path
) -> Path:
    warnings = show(driver, base_url, directive, viewport, at_ms)
    if warnings:
        raise RuntimeError(f"the renderer warned on {path.name}: {warnings}")
    return save_screenshot(driver, path, ".apl-viewport")


def letter_moments(directive: Json) -> list[tuple[str, float]]:
    """Each step of a led set (the Y-T-W-L raise's letters) and a moment its figure is drawn at
    the top of its first rep: half a rep after the coach calls it."""
    coach = directive["datasources"]["coach"]
    moves = coach["figure"]["moves"]
    return [
        (step["name"], float(move["fromMs"]) + move["periodMs"] / 2)
        for step, move in zip(coach["steps"], moves, strict=True)
    ]


def save_letters(
    driver: WebDriver,
    base_url: str,
    directive: Json,
    out: Path,
    viewports: Sequence[Viewport] = VIEWPORTS,
) -> list[Path]:
    """A picture of each letter of the led raise as it is drawn, on each of `viewports` (every
    Show size and the round hub), into `out` as <viewport>-raise-<letter>.png."""
    return [
        save_scene(
            driver, base_url, directive, viewport, at, out / f"{viewport.name}-raise-{name}.png"
        )
        for viewport in viewports
        for name, at in letter_moments(directive)
    ]


@contextlib.contextmanager
def screen_page() -> Iterator[tuple[WebDriver, str]]:
    """A headless browser and the base URL of the simulator's static files."""
    with serve_static() as url, browser() as driver:
        yield driver, url


# The pictures kept in docs/screens: each scene and each screen size at least once, the
# tightest screen (the Show 5) with the longest content, and the led raise's letters on every
# size (save_letters). --all takes every combination.
SHOTS = (
    ("set", "show-8"),
    ("set", "spot"),
    ("rest", "show-8"),
    ("rest", "spot"),
    ("steps", "show-5"),
    ("rest", "show-15"),
    ("warm_up", "show-8"),
    ("warm_up", "spot"),
    ("warm_up_end", "show-8"),
)


def save_all(out: Path, every: bool = False) -> list[Path]:
    with tempfile.TemporaryDirectory() as folder:
        directives = scene_screens(Path(folder))
    by_name = {viewport.name: viewport for viewport in VIEWPORTS}
    shots = [(s, v.name) for s in SCENES for v in VIEWPORTS] if every else SHOTS
    saved = []
    with screen_page() as (driver, url):
        for scene, viewport_name in shots:
            path = out / f"{viewport_name}-{scene}.png"
            directive = directives[scene]
            moment = scene_moment(scene, directive)
            saved.append(save_scene(driver, url, directive, by_name[viewport_name], moment, path))
        saved.extend(save_letters(driver, url, directives["steps"], out))
    return saved


PAGE_WINDOW = (1500, 900)
PAGE_SHOT = "simulator-page.png"
PAGE_SAYS = (*SCENES["rest"][:-1], "how do I do this")  # then Next set, touched on the screen
PAGE_SETTLE_SECONDS = 4.0  # into the rest: the countdown has moved, the words play on


def save_page(out: Path) -> Path:
    """The simulator page on an Echo Show 8, a few seconds into a rest reached by a touch."""
    from harness.local_server import serve_app
    from harness.simulator import create_app

    with tempfile.TemporaryDirectory() as folder:
        config = {
            "COACH_VERIFY_REQUESTS": "0",
            "COACH_DB_PATH": str(Path(folder) / "coach.sqlite3"),
            "COACH_AUDIO_DIR": str(Path(folder) / "audio"),
        }
        with open(os.devnull, "w") as quiet, contextlib.redirect_stderr(quiet):
            app = create_app(config)
        with serve_app(app) as url, browser(PAGE_WINDOW) as driver:
            driver.get(url + "simulator/?device=show-8")
            for said in PAGE_SAYS:
                _page_turn(driver, f"button[data-say='{said}']")
            _page_turn(driver, "#screen [aria-label='Next set']")
            time.sleep(PAGE_SETTLE_SECONDS)
            return save_screenshot(driver, out / PAGE_SHOT)


def _page_turn(driver: WebDriver, css_selector: str) -> None:
    """Click, and wait until the coach has answered."""
    from selenium.webdriver.support.ui import WebDriverWait

    count = "return document.querySelectorAll('#transcript li.coach').length"
    before = driver.execute_script(count)
    # The first one shown: a view not shown yet, or no longer, holds controls too.
    shown = [e for e in driver.find_elements("css selector", css_selector) if e.is_displayed()]
    shown[0].click()
    WebDriverWait(driver, 20).until(lambda d: d.execute_script(count) > before)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--out", type=Path, default=Path("docs/screens"))
    parser.add_argument("--all", action="store_true", help="every scene on every screen size")
    args = parser.parse_args(argv)
    reason = missing()
    if reason is not None:
        print(f"cannot take screenshots: {reason}", file=sys.stderr)
        return 2
    for path in [*save_all(args.out, every=args.all), save_page(args.out)]:
        print(f"{path} ({path.stat().st_size // 1024} KB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
