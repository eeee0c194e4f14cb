"""Bad input gets a clear problem and writes nothing: no event, no read model row, no message."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from tests.api.carts.assertions import assert_problem, nothing_written
from tests.api.carts.shopping import MUG, add_item, put_product
from tests.support import ApiClient

JSON = "application/json"


def json_bytes(value: Any) -> bytes:
    return json.dumps(value).encode()


@pytest.fixture(params=["a new customer", "a customer with two mugs"])
def customer(request: pytest.FixtureRequest, api: ApiClient) -> dict[str, str]:
    """Each case is tried on a cart that does not exist yet, and on one that does."""
    if request.param == "a new customer":
        return api.as_customer("carol")
    headers = api.as_customer("alice")
    add_item(api, headers, MUG, 2).raise_for_status()
    return headers


@pytest.mark.parametrize(
    ("body", "status"),
    [
        pytest.param({"product_id": MUG, "quantity": "2"}, 400, id="quantity as a string"),
        pytest.param({"product_id": MUG, "quantity": 2.5}, 400, id="fractional quantity"),
        pytest.param({"product_id": MUG, "quantity": True}, 400, id="quantity a boolean"),
        pytest.param({"product_id": MUG, "quantity": None}, 400, id="quantity null"),
        pytest.param({"product_id": MUG, "quantity": [2]}, 400, id="quantity a list"),
        pytest.param({"product_id": MUG, "quantity": 0}, 400, id="zero quantity"),
        pytest.param({"product_id": MUG, "quantity": -1}, 400, id="negative quantity"),
        pytest.param({"product_id": MUG, "quantity": 100}, 400, id="quantity over the maximum"),
        pytest.param({"product_id": MUG, "quantity": 10**12}, 400, id="absurd quantity"),
        pytest.param({"product_id": 42, "quantity": 1}, 400, id="product id a number"),
        pytest.param({"product_id": None, "quantity": 1}, 400, id="product id null"),
        pytest.param({"product_id": "", "quantity": 1}, 400, id="empty product id"),
        pytest.param({"product_id": "Ceramic Mug", "quantity": 1}, 400, id="malformed product id"),
        pytest.param({"product_id": "m" * 65, "quantity": 1}, 400, id="product id too long"),
        pytest.param({"quantity": 1}, 400, id="product id missing"),
        pytest.param({"product_id": MUG}, 400, id="quantity missing"),
        pytest.param({"product_id": MUG, "quantity": 1, "price": "0.01"}, 400, id="extra field"),
        pytest.param({"product_id": "no-such-product", "quantity": 1}, 422, id="unknown product"),
    ],
)
def test_an_invalid_addition_is_refused_and_writes_nothing(
    api: ApiClient, customer: dict[str, str], body: dict[str, Any], status: int
) -> None:
    with nothing_written(api.shop):
        response = api.post("/api/cart/items", headers=customer, json=body)

    assert_problem(response, status)


def test_a_product_taken_off_sale_cannot_be_added(api: ApiClient, customer: dict[str, str]) -> None:
    put_product(
        api, MUG, name="Ceramic mug", unit_price="14.00", available=False
    ).raise_for_status()

    with nothing_written(api.shop):
        response = add_item(api, customer, MUG, 1)

    assert "not for sale" in assert_problem(response, 422)["detail"]


def test_a_product_priced_in_another_currency_cannot_join_a_euro_cart(
    api: ApiClient, alice_with_two_mugs: dict[str, str]
) -> None:
    put_product(
        api, "mug-usd", name="US mug", unit_price="15.00", currency="USD"
    ).raise_for_status()

    with nothing_written(api.shop):
        response = add_item(api, alice_with_two_mugs, "mug-usd", 1)

    assert "EUR" in assert_problem(response, 422)["detail"]


def test_more_than_the_maximum_of_a_product_over_several_additions_is_refused(
    api: ApiClient, alice_with_two_mugs: dict[str, str]
) -> None:
    with nothing_written(api.shop):
        response = add_item(api, alice_with_two_mugs, MUG, 98)

    assert "at most 99" in assert_problem(response, 409)["detail"]


# --- the request as a whole: body encoding, size and media type, on every JSON write ---------

WRITES: list[Any] = [
    pytest.param("POST", "/api/cart/items", {"product_id": MUG, "quantity": 1}, id="add item"),
    pytest.param("POST", "/api/cart/checkout", {"payment_method": "card"}, id="checkout"),
    pytest.param(
        "PUT",
        f"/api/products/{MUG}",
        {"name": "Ceramic mug", "unit_price": "14.00"},
        id="put product",
    ),
]


def send(
    api: ApiClient, method: str, url: str, content: bytes, content_type: str
) -> httpx.Response:
    headers = {**api.as_admin("carol"), "Content-Type": content_type}
    return api.client.request(method, url, headers=headers, content=content)


@pytest.fixture
def carol_with_a_mug(api: ApiClient) -> None:
    """Carol (an admin, so every write is open to her) has a mug in her cart."""
    add_item(api, api.as_admin("carol"), MUG, 1).raise_for_status()


@pytest.mark.usefixtures("carol_with_a_mug")
@pytest.mark.parametrize(("method", "url", "valid_body"), WRITES)
@pytest.mark.parametrize(
    ("case", "status"),
    [
        pytest.param("malformed JSON", 400, id="malformed JSON"),
        pytest.param("empty body", 400, id="empty body"),
        pytest.param("JSON array", 400, id="JSON array"),
        pytest.param("JSON string", 400, id="JSON string"),
        pytest.param("oversized body", 413, id="oversized body"),
        pytest.param("text/plain", 415, id="declared as plain text"),
        pytest.param("form", 415, id="declared as a form"),
    ],
)
def test_a_request_body_that_is_not_a_json_object_is_refused_and_writes_nothing(
    api: ApiClient, method: str, url: str, valid_body: dict[str, Any], case: str, status: int
) -> None:
    content, content_type = {
        "malformed JSON": (json_bytes(valid_body)[:-1], JSON),
        "empty body": (b"", JSON),
        "JSON array": (json_bytes([valid_body]), JSON),
        "JSON string": (json_bytes("card"), JSON),
        "oversized body": (
            json_bytes({**valid_body, "padding": "x" * api.shop.settings.max_request_body_bytes}),
            JSON,
        ),
        "text/plain": (json_bytes(valid_body), "text/plain"),
        "form": (json_bytes(valid_body), "application/x-www-form-urlencoded"),
    }[case]

    with nothing_written(api.shop):
        response = send(api, method, url, content, content_type)

    assert_problem(response, status)


@pytest.mark.usefixtures("carol_with_a_mug")
@pytest.mark.parametrize(("method", "url", "valid_body"), WRITES)
def test_a_json_body_with_a_charset_is_accepted(
    api: ApiClient, method: str, url: str, valid_body: dict[str, Any]
) -> None:
    response = send(api, method, url, json_bytes(valid_body), "application/json; charset=utf-8")

    assert response.status_code in {200, 202}, response.text
