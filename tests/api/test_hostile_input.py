"""Bad input writes nothing: every write route, fed what an attacker or a broken client
sends, answers 4xx and leaves every table of the shop exactly as it was.

The table is built from each route's valid request: each field in turn gets values no
field accepts (wrong types, text the database cannot store, numbers too large for
anything), number and money fields get spellings nobody means (exotic digits, signs,
exponents, floats), and the request as a whole gets bodies that cannot be decoded or
mean two things, and hostile path and query parameters. The caller is always allowed
to write, so that it is the input, not the caller, that is refused.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

import pytest

from modules.payments.infrastructure.sandbox.signature import SIGNATURE_HEADER, WebhookSignature
from shop.schema import target_metadata
from tests.api.carts.shopping import MUG, add_item
from tests.api.payments.support import a_payment
from tests.support import ApiClient, assert_problem, nothing_written_to

PAYMENT_ID = UUID("00000000-0000-4000-8000-000000000001")  # replaced by a real one


@dataclass(frozen=True)
class WriteRoute:
    name: str
    method: str
    path: str  # "{id}" marks the path parameter, if any
    path_value: str = ""
    body: dict[str, Any] | None = None
    caller: str = "customer"  # or "admin", or "provider" (a signed webhook)
    numbers: tuple[str, ...] = ()  # fields holding integers
    money: tuple[str, ...] = ()  # fields holding amounts
    free_text: tuple[str, ...] = field(default=())  # fields where any storable text is valid
    # The provider may add fields without notice, so its notifications ignore unknown ones.
    ignores_unknown_fields: bool = False


WRITE_ROUTES = [
    WriteRoute(
        "put product",
        "PUT",
        "/api/products/{id}",
        MUG,
        {"name": "Ceramic mug", "unit_price": "14.00", "currency": "EUR", "available": True},
        caller="admin",
        money=("unit_price",),
        free_text=("name",),
    ),
    WriteRoute(
        "set stock",
        "PUT",
        "/api/inventory/{id}",
        MUG,
        {"quantity": 5},
        caller="admin",
        numbers=("quantity",),
    ),
    WriteRoute(
        "add item",
        "POST",
        "/api/cart/items",
        body={"product_id": MUG, "quantity": 1},
        numbers=("quantity",),
    ),
    WriteRoute("checkout", "POST", "/api/cart/checkout", body={"payment_method": "tok_ok"}),
    WriteRoute("remove item", "DELETE", "/api/cart/items/{id}", MUG),
    WriteRoute(
        "cancel order",
        "POST",
        "/api/orders/{id}/cancellation",
        "5b0e8c44-7b0f-4a53-9d1e-0c2d5a3b6f10",
    ),
    WriteRoute(
        "payment webhook",
        "POST",
        "/api/payments/webhooks/sandbox",
        body={
            "id": "evt_1",
            "type": "payment.succeeded",
            "created": 1767268800,
            "payment_id": str(PAYMENT_ID),
            "reference": "sbx_1",
            "amount": "63.80",
            "currency": "EUR",
        },
        caller="provider",
        ignores_unknown_fields=True,
        numbers=("created",),
        money=("amount",),
        free_text=("id", "reference"),
    ),
]

# Values no field of any request accepts.
NO_FIELD_TAKES: list[tuple[str, Any]] = [
    ("null", None),
    ("a list", ["x"]),
    ("an object", {"x": 1}),
    ("a NUL character", "a\x00b"),
    ("a lone surrogate", "a\ud800b"),
    ("an integer too large for anything", 10**40),
    ("a float too large for anything", 1e308),
]
# What a number field must refuse besides: strings, fractions, exotic digits.
NOT_A_NUMBER: list[tuple[str, Any]] = [
    ("a boolean", True),
    ("a digit string", "2"),
    ("a fraction", 2.5),
    ("Arabic-Indic digits", "٣"),
    ("negative", -1),
]
# What a money field must refuse besides: every spelling but a plain ASCII decimal.
NOT_MONEY: list[tuple[str, Any]] = [
    ("a boolean", True),
    ("a JSON number", 9.9999999999999999),
    ("a JSON integer", 10),
    ("an underscore", "1_0.5"),
    ("spaces", " 3 "),
    ("a sign", "-0"),
    ("a plus sign", "+3"),
    ("an exponent", "1e2"),
    ("NaN", "NaN"),
    ("Infinity", "Infinity"),
    ("Arabic-Indic digits", "٣"),
    ("fullwidth digits", "\uff11\uff12"),
    ("a comma", "1,50"),
    ("below the cent", "1.001"),
    ("hexadecimal", "0x10"),
]


@dataclass(frozen=True)
class Hostile:
    """One hostile request: the body as bytes (or None), the path parameter, a query."""

    content: bytes | None
    path_value: str
    query: str = ""
    content_type: str = "application/json"


def _json(value: Any) -> bytes:
    return json.dumps(value).encode()


def _cases(route: WriteRoute) -> Iterator[tuple[str, Hostile]]:
    body = route.body
    if body is not None:
        for name in body:
            values = list(NO_FIELD_TAKES)
            if name in route.numbers:
                values += NOT_A_NUMBER
            if name in route.money:
                values += NOT_MONEY
            if isinstance(body[name], str) and name not in route.free_text:
                values += [("Arabic-Indic digits", "٣"), ("a newline", f"{body[name]}\n")]
            for label, value in values:
                yield f"{name}: {label}", Hostile(_json({**body, name: value}), route.path_value)
        first = next(iter(body))
        raw = _json(body)
        yield (
            "duplicate keys",
            Hostile(raw[:-1] + b", " + _json({first: body[first]})[1:], route.path_value),
        )
        yield "invalid UTF-8", Hostile(raw[:-1] + b', "x": "\xff"}', route.path_value)
        yield "nested 20,000 deep", Hostile(b"[" * 20_000 + b"]" * 20_000, route.path_value)
        yield (
            "nested 40 deep",
            Hostile(raw[:-1] + b', "x": ' + b"[" * 40 + b"]" * 40 + b"}", route.path_value),
        )
        yield "NaN", Hostile(raw[:-1] + b', "x": NaN}', route.path_value)
        yield "a byte-order mark", Hostile(b"\xef\xbb\xbf" + raw, route.path_value)
        yield "oversized", Hostile(raw[:-1] + b', "x": "' + b"x" * 70_000 + b'"}', route.path_value)
        if not route.ignores_unknown_fields:
            yield "unknown field", Hostile(_json({**body, "admin": True}), route.path_value)
        yield "declared as text", Hostile(raw, route.path_value, content_type="text/plain")
    if route.path_value:
        valid = route.path_value
        for label, value in [
            ("NUL", "a%00b"),
            ("a newline", f"{valid}%0A"),
            ("a lone surrogate, encoded", "%ED%A0%80"),
            ("invalid UTF-8", "%FF"),
            ("a slash", "..%2F..%2Fadmin"),
        ]:
            yield f"path: {label}", Hostile(None if body is None else _json(body), value)
    yield "query: NUL", Hostile(None if body is None else _json(body), route.path_value, "x=a%00b")


@pytest.fixture
def all_tables() -> list[str]:
    return [table.name for metadata in target_metadata() for table in metadata.sorted_tables]


@pytest.fixture
def send(api: ApiClient) -> Callable[[WriteRoute, Hostile], Any]:
    """Sends a request as a caller allowed to write there; alice has a mug in her cart,
    and a payment is waiting for the provider's answer."""
    alice = api.as_customer("alice")
    add_item(api, alice, MUG, 1).raise_for_status()
    payment = a_payment(api.shop)
    signature = WebhookSignature(api.shop.settings.sandbox_webhook_secret.get_secret_value())

    def send(route: WriteRoute, hostile: Hostile) -> Any:
        path = route.path.replace("{id}", hostile.path_value)
        if hostile.query:
            path = f"{path}?{hostile.query}"
        content = hostile.content
        if content is not None:
            content = content.replace(str(PAYMENT_ID).encode(), str(payment.id).encode())
        headers = {"Content-Type": hostile.content_type}
        if route.caller == "admin":
            headers |= api.as_admin()
        elif route.caller == "customer":
            headers |= alice
        else:
            headers[SIGNATURE_HEADER] = signature.sign(content or b"", api.shop.clock.now())
        return api.client.request(route.method, path, headers=headers, content=content)

    return send


@pytest.mark.parametrize("route", WRITE_ROUTES, ids=[route.name for route in WRITE_ROUTES])
def test_hostile_input_is_refused_with_a_4xx_and_writes_nothing(
    api: ApiClient,
    send: Callable[[WriteRoute, Hostile], Any],
    all_tables: list[str],
    route: WriteRoute,
) -> None:
    """One shop per route (building one per case would take most of the time); each case
    is checked on its own, and every case that fails is reported."""
    failures: list[str] = []
    for label, hostile in _cases(route):
        try:
            with nothing_written_to(api.shop, all_tables):
                response = send(route, hostile)
            assert 400 <= response.status_code < 500, response.text
            assert response.status_code not in {401, 403}, "the caller was refused"
            assert_problem(response, response.status_code)
        except AssertionError as failure:
            failures.append(f"{label}: {str(failure).splitlines()[0][:200]}")

    assert not failures, "\n".join(failures)


def test_the_table_tries_every_write_route_with_many_hostile_inputs() -> None:
    tried = {route.name: sum(1 for _ in _cases(route)) for route in WRITE_ROUTES}

    assert all(count >= 6 for count in tried.values()), tried
    print(f"\nhostile inputs: {sum(tried.values())} over {len(tried)} write routes: {tried}")
