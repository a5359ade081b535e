"""Debian's Chromium (/usr/bin/chromium) driven by Playwright for Python, for the browser tests.

Playwright's own browser download is never used, since the deployments sit on closed networks.
Without Chromium the browser tests skip, unless REQUIRE_BROWSER=1 (as in CI), where a missing
browser is a failure.
"""

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def unavailable(reason: str) -> None:
    if os.environ.get("REQUIRE_BROWSER") == "1":
        pytest.fail(reason)
    pytest.skip(reason)


def require_chromium() -> None:
    if not CHROMIUM.exists():
        unavailable(
            "Chromium not found at /usr/bin/chromium: apt-get install chromium to run browser tests"
        )


@contextmanager
def chromium() -> Iterator[Any]:
    """A running Chromium. Playwright's sync API runs an event loop in this thread, and while it
    runs Django hands out a separate database connection (or refuses the query): make every
    query of the test before starting it."""
    require_chromium()
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        unavailable("Playwright is not installed: pip install -r requirements-dev.txt")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()
