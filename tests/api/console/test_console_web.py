"""/console over HTTP: who gets in, how signing in and out works, and what the pages show."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any
from uuid import uuid4

import pytest
from litestar.testing import TestClient

from modules.carts.domain.cart import ShoppingCart
from shared.web.auth import Role
from shop.app import create_app
from shop.console.queries import RecordedEvent
from shop.console.web import CSRF_COOKIE, SESSION_COOKIE, SESSION_SECONDS, template_config
from shop.workshop.world import World
from tests.api.console.conftest import completed_checkout

PAGES = [
    "/console/",
    "/console/streams/carts",
    "/console/outbox",
    "/console/read-models",
    "/console/timeline",
]


@pytest.fixture
def browser(world: World) -> Iterator[TestClient[Any]]:
    """A client that keeps cookies and does not follow redirects, as a test of a browser's view."""
    with TestClient(create_app(world.shop)) as client:
        client.follow_redirects = False
        yield client


def csrf_of(browser: TestClient[Any]) -> str:
    assert browser.get("/console/sign-in").status_code == 200
    token = browser.cookies.get(CSRF_COOKIE)
    assert token
    return token


def sign_in(browser: TestClient[Any], token: str) -> Any:
    return browser.post("/console/sign-in", data={"token": token, "csrf_token": csrf_of(browser)})


class TestSigningIn:
    @pytest.mark.parametrize("page", PAGES)
    def test_an_anonymous_visitor_is_sent_to_the_sign_in_form(
        self, browser: TestClient[Any], page: str
    ) -> None:
        response = browser.get(page)

        assert response.status_code == 303
        assert response.headers["location"] == "/console/sign-in"

    def test_a_panel_refreshing_itself_without_a_session_sends_the_whole_page_to_sign_in(
        self, browser: TestClient[Any]
    ) -> None:
        response = browser.get("/console/outbox", headers={"HX-Request": "true"})

        assert response.status_code == 401
        assert response.headers["HX-Redirect"] == "/console/sign-in"

    def test_an_admin_token_opens_a_short_lived_httponly_strict_session(
        self, browser: TestClient[Any], world: World
    ) -> None:
        response = sign_in(browser, world.shop.tokens.mint("ops", Role.ADMIN))

        assert response.status_code == 303
        assert response.headers["location"] == "/console/"
        cookie = response.headers["set-cookie"].lower()
        assert f"{SESSION_COOKIE}=" in cookie
        assert "httponly" in cookie
        assert "samesite=strict" in cookie
        assert f"max-age={SESSION_SECONDS}" in cookie
        assert "path=/console" in cookie
        page = browser.get("/console/")
        assert page.status_code == 200
        assert "ops" in page.text

    def test_signing_in_without_the_forms_csrf_token_is_refused(
        self, browser: TestClient[Any], world: World
    ) -> None:
        csrf_of(browser)
        token = world.shop.tokens.mint("ops", Role.ADMIN)

        forged = browser.post("/console/sign-in", data={"token": token, "csrf_token": "guess"})
        missing = browser.post("/console/sign-in", data={"token": token})

        assert forged.status_code == missing.status_code == 403
        assert SESSION_COOKIE not in browser.cookies

    def test_a_customer_token_gets_403_and_no_session(
        self, browser: TestClient[Any], world: World
    ) -> None:
        response = sign_in(browser, world.shop.tokens.mint("alice"))

        assert response.status_code == 403
        assert "for admins" in response.text
        assert SESSION_COOKIE not in browser.cookies

    def test_a_customer_session_or_bearer_token_gets_403_on_every_page(
        self, browser: TestClient[Any], world: World
    ) -> None:
        customer = world.shop.tokens.mint("alice")
        browser.cookies.set(SESSION_COOKIE, customer, path="/console")

        by_cookie = browser.get("/console/")
        browser.cookies.clear()
        by_header = browser.get("/console/", headers={"Authorization": f"Bearer {customer}"})

        assert by_cookie.status_code == by_header.status_code == 403

    def test_a_token_that_is_not_one_shows_the_form_again(self, browser: TestClient[Any]) -> None:
        response = sign_in(browser, "not-a-token")

        assert response.status_code == 401
        assert "not valid" in response.text
        assert SESSION_COOKIE not in browser.cookies

    def test_in_dev_one_button_signs_in_as_an_admin(self, browser: TestClient[Any]) -> None:
        response = browser.post("/console/sign-in/dev", data={"csrf_token": csrf_of(browser)})

        assert response.status_code == 303
        assert browser.get("/console/").status_code == 200

    def test_signing_out_ends_the_session(self, browser: TestClient[Any]) -> None:
        csrf = csrf_of(browser)
        browser.post("/console/sign-in/dev", data={"csrf_token": csrf})

        refused = browser.post("/console/sign-out", data={"csrf_token": "guess"})
        signed_out = browser.post("/console/sign-out", data={"csrf_token": csrf})

        assert refused.status_code == 403
        assert signed_out.status_code == 303
        assert browser.get("/console/").status_code == 303

    def test_the_bearer_token_api_is_unchanged(
        self, browser: TestClient[Any], world: World
    ) -> None:
        response = browser.get("/api/orders", headers=world.headers("alice"))

        assert response.status_code == 200
        assert response.json()["orders"] == []


@pytest.fixture
def admin(browser: TestClient[Any]) -> TestClient[Any]:
    browser.post("/console/sign-in/dev", data={"csrf_token": csrf_of(browser)})
    return browser


class TestPages:
    @pytest.mark.parametrize("page", PAGES)
    def test_every_page_keeps_to_the_shops_own_assets_and_is_never_cached(
        self, admin: TestClient[Any], page: str
    ) -> None:
        response = admin.get(page)

        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/html")
        assert "default-src 'self'" in response.headers["content-security-policy"]
        assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
        assert response.headers["cache-control"] == "no-store"
        assert 'hx-trigger="every 2s"' in response.text
        assert "https://" not in response.text

    def test_htmx_and_the_stylesheet_are_served_by_the_shop(self, admin: TestClient[Any]) -> None:
        page = admin.get("/console/").text
        script = page.split('<script src="', 1)[1].split('"', 1)[0]

        htmx = admin.get(script)
        css = admin.get("/console/assets/console.css")

        assert htmx.status_code == css.status_code == 200
        assert "htmx" in htmx.text[:2000]
        assert "immutable" in htmx.headers["cache-control"]

    def test_a_refresh_gets_the_panel_alone(self, admin: TestClient[Any], world: World) -> None:
        completed_checkout(world, "alice", {"espresso-beans-1kg": 1})

        whole = admin.get("/console/")
        panel = admin.get("/console/", headers={"HX-Request": "true"})

        assert "<html" in whole.text
        assert "<html" not in panel.text
        assert "Order.Completed" in panel.text

    def test_a_checkout_can_be_followed_from_its_cart_to_its_timeline(
        self, admin: TestClient[Any], world: World
    ) -> None:
        order_id = completed_checkout(world, "alice", {"espresso-beans-1kg": 2})
        cart_id = ShoppingCart.create_id("alice")

        carts = admin.get("/console/streams/carts").text
        cart = admin.get(f"/console/streams/carts/{cart_id}").text
        orders = admin.get("/console/timeline").text
        timeline = admin.get(f"/console/timeline?order_id={order_id}").text

        assert f"/console/streams/carts/{cart_id}" in carts
        assert "ShoppingCart.Confirmed" in cart
        assert f"/console/timeline?order_id={order_id}" in orders
        assert "Payment.Succeeded" in timeline
        assert "shipments.ShipOrder" in timeline
        assert f"/console/streams/orders/{order_id}" in timeline

    def test_whatever_an_event_holds_is_escaped(self) -> None:
        event = RecordedEvent(
            module="carts",
            stream_id=uuid4(),
            version=1,
            event_type="Cart.<b>Opened</b>",
            timestamp=datetime.now(UTC),
            fields={"note": "<script>alert(1)</script>", "<i>name</i>": "x"},
        )
        template = template_config().engine_instance.get_template("console/_overview.html")

        html = template.render(latest=[event], console="/console")

        assert "<script>" not in html
        assert "<b>" not in html
        assert "<i>" not in html
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html

    def test_an_unknown_stream_module_or_order_is_a_404_page(self, admin: TestClient[Any]) -> None:
        unknown = "00000000-0000-0000-0000-000000000000"
        for page in (
            "/console/streams/warehouse",
            f"/console/streams/orders/{unknown}",
            f"/console/timeline?order_id={unknown}",
            f"/console/find?stream_id={unknown}",
            "/console/timeline?order_id=nope",
        ):
            response = admin.get(page)
            assert response.status_code == 404, page
            assert response.headers["content-type"].startswith("text/html")

    def test_a_search_that_is_not_an_id_says_so_on_the_page(self, admin: TestClient[Any]) -> None:
        response = admin.get("/console/streams/carts", params={"search": "<b>x</b>"})

        assert response.status_code == 200
        assert "hexadecimal" in response.text
        assert "<b>x</b>" not in response.text

    def test_any_stream_opens_from_its_id(self, admin: TestClient[Any], world: World) -> None:
        order_id = completed_checkout(world, "alice", {"espresso-beans-1kg": 1})

        response = admin.get(f"/console/find?stream_id={order_id}")

        assert response.headers["location"] == f"/console/streams/orders/{order_id}"

    def test_the_outbox_page_shows_the_relays_status_and_the_recent_messages(
        self, admin: TestClient[Any], world: World
    ) -> None:
        completed_checkout(world, "alice", {"espresso-beans-1kg": 1})
        world.check_out("bob", {"espresso-beans-1kg": 1}, "tok_ok")  # waits: no relay runs

        panel = admin.get("/console/outbox", headers={"HX-Request": "true"}).text

        assert "not held: no worker delivers" in panel
        assert "1 committed message waiting" in panel
        assert "carts.ShoppingCart.Confirmed" in panel
        assert panel.count('class="waiting"') == 1
        assert 'class="delivered"' in panel
