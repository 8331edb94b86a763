"""End-to-end tests in a real browser: Debian's Chromium driven by Playwright (no browser download).

They are skipped, saying why, when no Chromium is installed; CI installs it (.ci/run)."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from typing import Any

import pytest

CHROMIUM = next((p for p in ("/usr/bin/chromium", shutil.which("chromium") or "") if p and os.path.exists(p)), "")


@pytest.fixture(autouse=True)
def _frozen_time() -> Iterator[None]:
    # The browser and the live server run on the real clock: a frozen clock would stall the server's timeouts.
    yield


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not CHROMIUM:
        pytest.skip("Chromium is not installed (apt-get install chromium); CI installs it")
    playwright_api = pytest.importorskip("playwright.sync_api")
    # Playwright's sync API runs an event loop in this thread; Django's ORM calls in the test body are still
    # synchronous and safe here.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with playwright_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def new_context(browser: Any, live_server: Any) -> Iterator[Any]:
    """``new_context(**options)``: a browser context closed when the test ends, while the live server still runs
    (a keep-alive connection closed after the server stopped would be served by a thread without a database).
    The test fails when the browser refused anything under the Content-Security-Policy."""
    contexts: list[Any] = []
    # What the Content-Security-Policy refused (an inline script or style): a page that would not work as written.
    refused: list[str] = []

    def make(**options: Any) -> Any:
        context = browser.new_context(**options)
        context.on("console", lambda m: refused.append(m.text) if "Content Security Policy" in m.text else None)
        contexts.append(context)
        return context

    yield make
    for context in contexts:
        context.close()
    assert refused == [], "move inline scripts and styles to static files (docs/security.md)"
