"""A headless Chromium driven by Selenium, and the simulator's static files or app over local
HTTP: what the browser tests and the screenshot script share.

Debian's `chromium` and `chromium-driver` packages and `selenium` (the dev extra) are needed;
`missing()` says which are not there, so callers can skip or stop with that reason."""

from __future__ import annotations

import functools
import http.server
import importlib.util
import shutil
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from harness.local_server import serving

if TYPE_CHECKING:
    from selenium.webdriver.chrome.webdriver import WebDriver

STATIC_DIR = Path(__file__).resolve().parent / "static"
WINDOW_SIZE = (2000, 1200)  # room for the largest screen, Echo Show 15/21 at 1920 x 1080 dp
INSTALL_HINT = "`make browser` installs it"
CHROME_FLAGS = (
    "--headless=new",
    "--no-sandbox",  # runs as root in containers and CI
    "--disable-gpu",
    "--disable-dev-shm-usage",  # small /dev/shm in containers
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--autoplay-policy=no-user-gesture-required",
    "--hide-scrollbars",
    "--force-device-scale-factor=1",  # 1 CSS px is 1 screenshot pixel
)


def chromium_path() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


def chromedriver_path() -> str | None:
    return shutil.which("chromedriver")


def missing() -> str | None:
    """Why a browser cannot be driven here (what is missing), or None when it can."""
    absent = [
        name
        for name, found in (
            ("chromium", chromium_path()),
            ("chromedriver", chromedriver_path()),
            ("the selenium package", importlib.util.find_spec("selenium")),
        )
        if not found
    ]
    if not absent:
        return None
    return f"{' and '.join(absent)} not installed: {INSTALL_HINT}"


def new_driver(
    profile_dir: Path, window: tuple[int, int] = WINDOW_SIZE, extra_flags: Sequence[str] = ()
) -> WebDriver:
    """Headless Chromium with a fresh profile in `profile_dir` (the caller removes it), and
    `extra_flags` (e.g. a fake microphone)."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    reason = missing()
    if reason is not None:
        raise RuntimeError(reason)
    options = webdriver.ChromeOptions()
    options.binary_location = chromium_path() or ""
    for flag in (*CHROME_FLAGS, *extra_flags):
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={profile_dir}")
    options.add_argument(f"--window-size={window[0]},{window[1]}")
    driver = webdriver.Chrome(service=Service(chromedriver_path() or ""), options=options)
    # The window's frame takes some of --window-size: the page gets exactly `window` instead.
    metrics = {"width": window[0], "height": window[1], "deviceScaleFactor": 1, "mobile": False}
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", metrics)
    return driver


@contextmanager
def browser(
    window: tuple[int, int] = WINDOW_SIZE, extra_flags: Sequence[str] = ()
) -> Iterator[WebDriver]:
    """A driver for the length of the block, its profile removed after."""
    with tempfile.TemporaryDirectory(prefix="chromium-profile-") as profile:
        driver = new_driver(Path(profile), window, extra_flags)
        try:
            yield driver
        finally:
            driver.quit()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - the base's name
        pass


@contextmanager
def serve_static(folder: Path = STATIC_DIR) -> Iterator[str]:
    """`folder` over HTTP on 127.0.0.1 (a free port) for the block; yields the base URL."""
    handler = functools.partial(_QuietHandler, directory=str(folder))
    with serving(http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)) as url:
        yield url


def save_screenshot(driver: WebDriver, path: Path, css_selector: str | None = None) -> Path:
    """A PNG of the page, or of the first element matching `css_selector`, at `path`."""
    from selenium.webdriver.common.by import By

    path.parent.mkdir(parents=True, exist_ok=True)
    if css_selector is None:
        driver.save_screenshot(str(path))
    else:
        driver.find_element(By.CSS_SELECTOR, css_selector).screenshot(str(path))
    return path
