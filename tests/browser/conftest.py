"""Chromium for the browser tests, and the shop served to it over real HTTP.

The browser is the distribution's Chromium, never one that Playwright downloads, so
that the tests run on a machine with no internet. Where Chromium or Playwright is
missing the tests are skipped, saying why; CI sets ``SHOP_BROWSER_TESTS=required``,
which turns that skip into a failure, so a missing browser cannot pass unnoticed.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

import pytest

from shop.app import create_app
from shop.bootstrap import Shop
from tests.support import loopback_listener, served_over_http

if TYPE_CHECKING:
    from playwright.sync_api import Browser

CHROMIUM = Path("/usr/bin/chromium")
INSTALL_HINT = "apt-get install chromium"

# Headless, and quiet: nothing of Chromium's own (updates, sync, safe browsing,
# QUIC probes) should reach for the network while a test watches every request.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def unavailable(reason: str) -> NoReturn:
    if os.environ.get("SHOP_BROWSER_TESTS") == "required":
        pytest.fail(f"{reason} (SHOP_BROWSER_TESTS=required)", pytrace=False)
    pytest.skip(f"{reason}; set SHOP_BROWSER_TESTS=required to make this a failure")


# Per module, not per session: no browser is left running while the rest of the suite,
# with its timing-sensitive tests, goes on.
@pytest.fixture(scope="module")
def chromium() -> Iterator[Browser]:
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        unavailable("Playwright is not installed (make install)")
    if not os.access(CHROMIUM, os.X_OK):
        unavailable(f"Chromium is not installed at {CHROMIUM} ({INSTALL_HINT})")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def shop_url(shop: Shop) -> Iterator[str]:
    with served_over_http(create_app(shop), loopback_listener()) as url:
        yield url
