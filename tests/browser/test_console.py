"""The operations console in Chromium, with the network cut: sign in, follow, watch it live.

The shop runs as `make run` runs it: over real HTTP, with its relay and the sandbox
provider in threads, on the system clock. The tests drive checkouts through the API
while the page is open and watch the console's own polling bring them in.

With ``SHOP_SCREENSHOTS=docs/screenshots`` the tests also save the main pages there,
for the README; without it they write nothing outside their temporary folder.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

import httpx
import pytest

from shared.settings import Settings
from shared.web.auth import Role
from shop.app import create_app
from shop.bootstrap import Shop, bootstrap
from tests.support import eventually, loopback_listener, served_over_http, url_of

if TYPE_CHECKING:
    from playwright.sync_api import Browser, BrowserContext, Page, Request, Response, Route

# Generous for a loaded CI machine; Playwright returns as soon as the page is there.
TIMEOUT_MS = 20_000
SCREENSHOTS = os.environ.get("SHOP_SCREENSHOTS", "")


@dataclass
class LiveShop:
    shop: Shop
    url: str
    http: httpx.Client

    def headers_of(self, customer_id: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.shop.tokens.mint(customer_id)}"}

    def check_out(self, customer_id: str, product_id: str = "espresso-beans-1kg") -> None:
        headers = self.headers_of(customer_id)
        added = self.http.post(
            "/api/cart/items", json={"product_id": product_id, "quantity": 1}, headers=headers
        )
        assert added.status_code == 200, added.text
        confirmed = self.http.post(
            "/api/cart/checkout", json={"payment_method": "tok_ok"}, headers=headers
        )
        assert confirmed.status_code == 202, confirmed.text

    def completed_order_of(self, customer_id: str) -> str:
        def probe() -> str | None:
            orders = self.http.get("/api/orders", headers=self.headers_of(customer_id)).json()
            completed = [o for o in orders["orders"] if o["status"] == "completed"]
            return completed[0]["order_id"] if completed else None

        return eventually(probe, timeout=30)


@pytest.fixture
def live_shop(settings: Settings) -> Iterator[LiveShop]:
    listener = loopback_listener()
    shop = bootstrap(
        settings.model_copy(
            update={"public_base_url": url_of(listener), "sandbox_poll_seconds": 0.05}
        )
    )
    shop.seed()
    app = create_app(shop, run_background_workers=True)
    with (
        served_over_http(app, listener) as url,
        httpx.Client(base_url=url, timeout=10) as http,
    ):
        yield LiveShop(shop, url, http)


@dataclass
class Watched:
    """A browser context that may reach only this machine; what went wrong is recorded."""

    context: BrowserContext
    left_the_machine: list[str]
    failed: list[str]

    def new_page(self, *, expected_statuses: tuple[int, ...] = ()) -> Page:
        page = self.context.new_page()

        def note_failure(response: Response) -> None:
            if response.status >= 400 and response.status not in expected_statuses:
                self.failed.append(f"{response.status} {response.url}")

        def note_request_failure(request: Request) -> None:
            # Leaving a page cancels what it was still loading (its script, a refresh in
            # flight): that is the browser's doing, not a failure of the shop.
            if request.failure != "net::ERR_ABORTED":
                self.failed.append(f"failed {request.url}: {request.failure}")

        page.on("response", note_failure)
        page.on("requestfailed", note_request_failure)
        return page


@pytest.fixture
def browser_context(chromium: Browser) -> Iterator[Watched]:
    left_the_machine: list[str] = []

    def only_this_machine(route: Route, request: Request) -> None:
        if urlsplit(request.url).hostname == "127.0.0.1":
            route.continue_()
        else:
            left_the_machine.append(request.url)
            route.abort("internetdisconnected")

    context = chromium.new_context(service_workers="block", viewport={"width": 1440, "height": 900})
    context.route("**/*", only_this_machine)
    watched = Watched(context, left_the_machine, [])
    try:
        yield watched
    finally:
        context.close()
    assert watched.left_the_machine == []
    assert watched.failed == []


def screenshot(page: Page, name: str) -> None:
    if SCREENSHOTS:
        Path(SCREENSHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=Path(SCREENSHOTS) / f"{name}.png", full_page=True)


def sign_in(page: Page, live_shop: LiveShop, token: str) -> None:
    page.goto(f"{live_shop.url}/console/")
    assert urlsplit(page.url).path == "/console/sign-in"  # an anonymous visitor is sent here
    page.get_by_label("Admin bearer token").fill(token)
    page.get_by_role("button", name="Sign in", exact=True).click()


def test_an_admin_signs_in_and_follows_a_checkout_from_the_cart_to_the_timeline(
    browser_context: Watched, live_shop: LiveShop
) -> None:
    from playwright.sync_api import expect

    page = browser_context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    sign_in(page, live_shop, live_shop.shop.tokens.mint("ops", Role.ADMIN))
    expect(page.get_by_role("heading", name="Latest events")).to_be_visible()
    live_shop.check_out("alice")
    order_id = live_shop.completed_order_of("alice")

    page.get_by_role("link", name="Streams").click()
    expect(page.locator("table.streams tbody tr")).to_have_count(1)
    screenshot(page, "streams")
    page.locator("table.streams a.id").first.click()
    expect(page.locator("table.events")).to_contain_text("ShoppingCart.Confirmed")
    screenshot(page, "stream")

    page.get_by_role("link", name="Checkout timeline").click()
    page.get_by_role("link", name=order_id).click()
    timeline = page.locator("table.timeline")
    for step in ("ShoppingCart.Confirmed", "Order.Placed", "Payment.Succeeded", "Package.Sent"):
        expect(timeline).to_contain_text(step)
    expect(timeline).to_contain_text("Order.Completed")
    screenshot(page, "timeline")

    page.locator("p.links a[href*='/streams/payments/']").first.click()
    expect(page.locator("table.events")).to_contain_text("Payment.Succeeded")

    page.get_by_role("link", name="Outbox and relay").click()
    expect(page.locator("dd.lease")).to_contain_text("held by")
    expect(page.locator("table.messages")).to_contain_text("shipments.Package.Sent")
    screenshot(page, "outbox")
    page.get_by_role("link", name="Read models").click()
    expect(page.locator("table.tables")).to_contain_text("orders_order_views")
    screenshot(page, "read-models")


def test_an_event_appears_without_a_reload_while_a_checkout_runs(
    browser_context: Watched, live_shop: LiveShop
) -> None:
    from playwright.sync_api import expect

    page = browser_context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    page.goto(f"{live_shop.url}/console/sign-in")
    page.get_by_role("button", name="Sign in as a development admin").click()
    expect(page.get_by_role("heading", name="Latest events")).to_be_visible()
    latest = page.locator("#live table.events")
    expect(latest).not_to_contain_text("Order.Completed")
    # Set on this document: a reload would make a new one, without it.
    page.evaluate("window.stillTheSamePage = true")

    live_shop.check_out("bob")

    expect(latest).to_contain_text("ShoppingCart.Confirmed")
    expect(latest).to_contain_text("Order.Completed")
    assert page.evaluate("window.stillTheSamePage === true")
    screenshot(page, "overview")


def test_a_customer_gets_403(browser_context: Watched, live_shop: LiveShop) -> None:
    from playwright.sync_api import expect

    page = browser_context.new_page(expected_statuses=(403,))
    page.set_default_timeout(TIMEOUT_MS)

    sign_in(page, live_shop, live_shop.shop.tokens.mint("alice"))

    expect(page.get_by_role("heading", name="Forbidden")).to_be_visible()
    expect(page.get_by_role("alert")).to_contain_text("for admins")
    assert page.context.cookies() == [] or all(
        cookie["name"] != "shop_console_session" for cookie in page.context.cookies()
    )
