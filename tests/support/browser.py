"""Browser tests' helpers: harness.simulator.browser's driver and static server, the app served
on a socket, and the skip when no browser can run here."""

from __future__ import annotations

import pytest

from harness.local_server import serve_app
from harness.simulator.browser import (
    STATIC_DIR,
    WINDOW_SIZE,
    browser,
    missing,
    new_driver,
    save_screenshot,
    serve_static,
)

__all__ = [
    "STATIC_DIR",
    "WINDOW_SIZE",
    "browser",
    "missing",
    "new_driver",
    "require_browser",
    "save_screenshot",
    "serve_app",
    "serve_static",
]


def require_browser() -> None:
    """Skip the calling test (or fixture) when chromium, chromedriver or selenium is missing."""
    reason = missing()
    if reason is not None:
        pytest.skip(f"browser tests need {reason}")
