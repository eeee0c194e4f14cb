"""The API docs work with no internet: every asset comes from the shop itself.

Chromium loads `/docs` while every request that is not for 127.0.0.1 is refused
and recorded, as on a machine with no network. The page must render every operation
of the OpenAPI document, and nothing may have asked for anything outside.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

import httpx

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Request, Response, Route

HTTP_METHODS = {"get", "put", "post", "delete", "options", "head", "patch", "trace"}

# Generous for a loaded CI machine; Playwright returns as soon as the page is there.
RENDER_TIMEOUT_MS = 20_000


def test_the_docs_render_every_operation_with_the_network_cut(
    chromium: Browser, shop_url: str, tmp_path: Path
) -> None:
    # Imported here, not at the top: the ``chromium`` fixture has checked that Playwright
    # is installed, and skips (or fails, where required) with a clear reason when not.
    from playwright.sync_api import expect

    document = httpx.get(f"{shop_url}/docs/openapi.json").raise_for_status().json()
    operations = sum(
        method in HTTP_METHODS for path in document["paths"].values() for method in path
    )
    left_the_machine: list[str] = []
    failed: list[str] = []

    def only_this_machine(route: Route, request: Request) -> None:
        if urlsplit(request.url).hostname == "127.0.0.1":
            route.continue_()
        else:
            left_the_machine.append(request.url)
            route.abort("internetdisconnected")

    def note_failure(response: Response) -> None:
        if response.status >= 400:
            failed.append(f"{response.status} {response.url}")

    context = chromium.new_context(service_workers="block")
    try:
        context.route("**/*", only_this_machine)
        page = context.new_page()
        page.on("response", note_failure)
        page.on("requestfailed", lambda request: failed.append(f"failed {request.url}"))

        page.goto(f"{shop_url}/docs", wait_until="networkidle")
        # Checked before the rendering too: when it fails, this names the cause.
        assert left_the_machine == []

        expect(page.locator(".opblock")).to_have_count(operations, timeout=RENDER_TIMEOUT_MS)
        products = page.locator(".opblock-get").filter(
            has=page.locator(".opblock-summary-path[data-path='/api/products']")
        )
        expect(products).to_be_visible()
        expect(products.locator(".opblock-summary-method")).to_have_text("GET")
        page.screenshot(path=tmp_path / "docs.png", full_page=True)
    finally:
        context.close()

    assert left_the_machine == []
    assert failed == []
