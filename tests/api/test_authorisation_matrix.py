"""Who may do what, for every route the app serves: anonymous, another customer, the
owner, an admin.

The routes come from the app's own route table, not from a list kept by hand: a route
added without a line in ``RULES`` fails ``test_every_route_is_classified`` until someone
decides who may call it. Each rule says which of four kinds the route is:

- ``public``: anyone, without a token;
- ``signed``: the provider's webhook, authenticated by its signature alone (a bearer
  token, even an admin's, is no substitute);
- ``admin``: 401 without a token, 403 for any customer;
- ``owned``: 401 without a token; the owner and an admin see the owner's things;
  another customer sees none of them (a 404, or a listing without them);
- ``mine``: 401 without a token; it acts on the caller's own (the cart), so nobody
  else, an admin included, ever reaches the owner's.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from uuid import UUID

import httpx
import pytest
from litestar.routes import HTTPRoute

from modules.shipments.application.commands import ship_order
from modules.shipments.contracts import ShipOrder, ShippedItem
from shared.clock import ManualClock
from shop.app import create_app
from shop.bootstrap import Shop
from tests.api.carts.shopping import MUG, add_item
from tests.api.payments.support import a_payment
from tests.integration.orders.checkout import Checkout
from tests.support import ApiClient

OWNER, OTHER = "alice", "mallory"
CALLERS = ("anonymous", "another customer", "owner", "admin")


@dataclass(frozen=True)
class World:
    """What the owner has: a cart with a mug, an order with a payment and a package."""

    order_id: UUID


Request = Callable[[World], dict[str, Any]]  # keyword arguments of httpx's request()


@dataclass(frozen=True)
class Rule:
    kind: str  # public, signed, admin, owned or mine
    request: Request
    # For an "owned" listing: how to tell the owner's things in a 200 answer.
    shows_owners: Callable[[httpx.Response, World], bool] | None = None


def _request(url: str, **kwargs: Any) -> Request:
    return lambda world: {"url": url.format(order_id=world.order_id), **kwargs}


def _has_order(response: httpx.Response, world: World) -> bool:
    return any(order["order_id"] == str(world.order_id) for order in response.json()["orders"])


def _names_order(response: httpx.Response, world: World) -> bool:
    return any(item["order_id"] == str(world.order_id) for item in response.json())


def _has_mug(response: httpx.Response, _: World) -> bool:
    return any(item["product_id"] == MUG for item in response.json()["items"])


RULES: dict[tuple[str, str], Rule] = {
    ("GET", "/health"): Rule("public", _request("/health")),
    ("GET", "/health/ready"): Rule("public", _request("/health/ready")),
    ("GET", "/api/products"): Rule("public", _request("/api/products")),
    ("GET", "/api/products/{product_id}"): Rule("public", _request(f"/api/products/{MUG}")),
    ("POST", "/api/dev/tokens"): Rule(
        "public", _request("/api/dev/tokens", json={"customer_id": "anyone"})
    ),
    ("PUT", "/api/products/{product_id}"): Rule(
        "admin",
        _request(f"/api/products/{MUG}", json={"name": "Ceramic mug", "unit_price": "14.00"}),
    ),
    ("GET", "/api/inventory"): Rule("admin", _request("/api/inventory")),
    ("PUT", "/api/inventory/{product_id}"): Rule(
        "admin", _request(f"/api/inventory/{MUG}", json={"quantity": 50})
    ),
    ("GET", "/api/reports/sales"): Rule("admin", _request("/api/reports/sales")),
    ("POST", "/api/payments/webhooks/sandbox"): Rule(
        "signed", _request("/api/payments/webhooks/sandbox", json={})
    ),
    ("GET", "/api/cart"): Rule("mine", _request("/api/cart"), _has_mug),
    ("POST", "/api/cart/items"): Rule(
        "mine", _request("/api/cart/items", json={"product_id": MUG, "quantity": 1})
    ),
    ("DELETE", "/api/cart/items/{product_id}"): Rule("mine", _request(f"/api/cart/items/{MUG}")),
    ("POST", "/api/cart/checkout"): Rule(
        "mine", _request("/api/cart/checkout", json={"payment_method": "tok_ok"})
    ),
    ("GET", "/api/orders"): Rule("owned", _request("/api/orders"), _has_order),
    ("GET", "/api/orders/{order_id}"): Rule("owned", _request("/api/orders/{order_id}")),
    ("POST", "/api/orders/{order_id}/cancellation"): Rule(
        "owned", _request("/api/orders/{order_id}/cancellation")
    ),
    ("GET", "/api/payments"): Rule(
        "owned", _request("/api/payments?order_id={order_id}"), _names_order
    ),
    ("GET", "/api/shipments"): Rule(
        "owned", _request("/api/shipments?order_id={order_id}"), _names_order
    ),
}


def served_routes(shop: Shop) -> set[tuple[str, str]]:
    """Every (method, path) the app serves, but its OpenAPI pages and automatic OPTIONS."""
    app = create_app(shop)
    return {
        (method, route.path_format)
        for route in app.routes
        if isinstance(route, HTTPRoute)
        for handler in route.route_handlers
        if handler.resolve_include_in_schema()
        for method in handler.http_methods
        if method != "OPTIONS"
    }


def test_every_route_is_classified(shop: Shop) -> None:
    served = served_routes(shop)

    assert served - RULES.keys() == set(), "classify these routes in RULES"
    assert RULES.keys() - served == set(), "these routes are no longer served"


@pytest.fixture
def world(api: ApiClient, shop: Shop, clock: ManualClock) -> World:
    add_item(api, api.as_customer(OWNER), MUG, 1).raise_for_status()
    order_id = Checkout(shop, clock).placed(payment_method="tok_no_answer", customer_id=OWNER)
    a_payment(shop, customer_id=OWNER, order_id=order_id)
    ship_order(
        ShipOrder(
            order_id=order_id, customer_id=OWNER, items=[ShippedItem(product_id=MUG, quantity=1)]
        ),
        shop.shipments,
    )
    return World(order_id)


def _headers(api: ApiClient, caller: str) -> dict[str, str]:
    return {
        "anonymous": {},
        "another customer": api.as_customer(OTHER),
        "owner": api.as_customer(OWNER),
        "admin": api.as_admin(),
    }[caller]


def _expect(rule: Rule, caller: str) -> str:
    """What the caller must get: "ok" (2xx), "401", "403", or "none of the owner's"."""
    if rule.kind == "public":
        return "ok"
    if rule.kind == "signed" or caller == "anonymous":
        return "401"
    if rule.kind == "admin":
        return "ok" if caller == "admin" else "403"
    if caller == "another customer" or (rule.kind == "mine" and caller == "admin"):
        return "none of the owner's"
    return "ok"


@pytest.mark.parametrize("caller", CALLERS)
@pytest.mark.parametrize(
    "route", sorted(RULES), ids=[f"{method} {path}" for method, path in sorted(RULES)]
)
def test_each_caller_gets_what_the_route_allows(
    api: ApiClient, world: World, route: tuple[str, str], caller: str
) -> None:
    rule = RULES[route]
    method, _ = route

    response = api.client.request(method, headers=_headers(api, caller), **rule.request(world))

    expected = _expect(rule, caller)
    if expected in {"401", "403"}:
        assert response.status_code == int(expected), response.text
        return
    if expected == "ok":
        assert 200 <= response.status_code < 300, response.text
        if rule.shows_owners is not None and caller in {"owner", "admin"}:
            assert rule.shows_owners(response, world), response.text
        return
    # Another customer: never the owner's things, and never a refusal that says they exist.
    assert response.status_code not in {401, 403}, response.text
    if response.status_code == 200 and rule.shows_owners is not None:
        assert not rule.shows_owners(response, world), response.text
    elif "{order_id}" in route[1]:
        assert response.status_code == 404, response.text
