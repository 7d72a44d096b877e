"""Headless Chromium for the tests: Debian's `chromium` (.ci/run installs it), driven by Playwright (the dev
extra). A test that needs a browser skips, saying what to install, when either is missing.

    with chromium_page() as (page, problems):
        page.goto("file:///.../report.html"); page.evaluate("document.title"); problems  # errors seen so far
"""

from __future__ import annotations

import contextlib
import shutil
from collections.abc import Iterator
from typing import Any

import pytest


def find_chromium() -> str | None:
    """The first Chromium on PATH, or None."""
    return next(filter(None, map(shutil.which, ("chromium", "chromium-browser", "google-chrome"))), None)


def playwright_and_chromium(purpose: str) -> tuple[Any, str]:
    """Playwright's sync API and the Chromium to drive, or skip the test saying what is missing."""
    sync_api = pytest.importorskip("playwright.sync_api", reason="no Playwright (pip install '.[dev]')")
    chromium = find_chromium()
    if chromium is None:
        pytest.skip(f"no Chromium to {purpose}: install Debian's `chromium` package (.ci/run does, as root)")
    return sync_api, chromium


@contextlib.contextmanager
def chromium_page(purpose: str = "render the page", offline: bool = True, width: int = 1100, height: int = 1400,
                  **context: Any) -> Iterator[tuple[Any, list[str]]]:
    """A fresh page of a fresh browser (`context`: Playwright's new_context options), and the list it fills
    with what a person would call a problem: uncaught exceptions, console errors, failed requests and, for an
    `offline` page (a file that must stand alone), any request beyond file:, data: and about: URLs."""
    sync_api, chromium = playwright_and_chromium(purpose)
    problems: list[str] = []

    def request(r: Any) -> None:
        if offline and not r.url.startswith(("file:", "data:", "about:")):
            problems.append(f"network request: {r.url}")

    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=["--no-sandbox"])
        try:
            page = browser.new_context(viewport={"width": width, "height": height}, **context).new_page()
            page.on("pageerror", lambda error: problems.append(f"exception: {error}"))
            page.on("console", lambda m: problems.append(f"console.{m.type}: {m.text}")
                    if m.type in ("error", "assert") else None)
            page.on("requestfailed", lambda r: problems.append(f"request failed: {r.url} {r.failure}"))
            page.on("request", request)
            yield page, problems
        finally:
            browser.close()
