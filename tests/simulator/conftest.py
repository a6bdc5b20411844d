from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest

from tests.support.browser import browser as open_browser
from tests.support.browser import require_browser, serve_static

if TYPE_CHECKING:
    from selenium.webdriver.chrome.webdriver import WebDriver


@pytest.fixture(scope="session")
def browser() -> Iterator[WebDriver]:
    """One headless Chromium for the session (starting one takes most of a second)."""
    require_browser()
    with open_browser() as driver:
        yield driver


@pytest.fixture(scope="session")
def static_url() -> Iterator[str]:
    """harness/simulator/static over HTTP on 127.0.0.1."""
    with serve_static() as url:
        yield url
