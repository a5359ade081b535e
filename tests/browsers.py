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


# axe-core's rules run on every page checked (tests/test_accessibility.py, the proposals' pages in
# tests/test_browser.py): WCAG 2.0–2.2 A/AA and axe's best practices.
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]
SERIOUS = {"serious", "critical"}
ANY = {"minor", "moderate", *SERIOUS}


def violations(page: Any, where: str, impacts: set[str] = SERIOUS) -> list[str]:
    """axe's findings of ``impacts`` on the page as it is now, one line per element."""
    from axe_playwright_python.sync_playwright import Axe

    options = {"runOnly": {"type": "tag", "values": AXE_TAGS}, "resultTypes": ["violations"]}
    found = Axe().run(page, options=options).response["violations"]
    return [
        f"{where}: {rule['id']} ({rule['impact']}) {' '.join(map(str, node['target']))}"
        f" — {rule['help']}"
        for rule in found
        if rule["impact"] in impacts
        for node in rule["nodes"]
    ]


def assert_none(found: list[str]) -> None:
    assert not found, f"{len(found)} axe violations:\n" + "\n".join(found)
