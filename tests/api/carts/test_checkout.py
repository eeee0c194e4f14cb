"""Checking out: the cart is confirmed, emptied, and one message tells the rest of the shop."""

from __future__ import annotations

from typing import Any

import pytest

from modules.carts.contracts import ShoppingCartConfirmed
from modules.carts.domain.cart import ShoppingCart
from tests.api.carts.assertions import (
    assert_problem,
    etag_of,
    nothing_written,
    published_messages,
)
from tests.api.carts.shopping import BEANS, MUG, PRESS, add_item, cart_of, checkout, remove_item
from tests.support import ApiClient


def test_checkout_is_accepted_for_the_customers_cart(
    api: ApiClient, alice_with_two_mugs: dict[str, str]
) -> None:
    response = checkout(api, alice_with_two_mugs, "card")

    assert response.status_code == 202
    assert response.json() == {
        "cart_id": str(ShoppingCart.create_id("alice")),
        "cart_version": 3,
        "status": "accepted",
    }
    assert etag_of(response) == '"3"'


def test_after_checkout_the_cart_is_empty(
    api: ApiClient, alice_with_two_mugs: dict[str, str]
) -> None:
    checkout(api, alice_with_two_mugs).raise_for_status()

    cart = cart_of(api, alice_with_two_mugs)
    assert cart["items"] == []
    assert cart["total"] == "0.00"
    assert cart["version"] == 3


def test_checkout_publishes_one_confirmation_with_what_was_bought(
    api: ApiClient, alice_with_two_mugs: dict[str, str]
) -> None:
    add_item(api, alice_with_two_mugs, PRESS, 1).raise_for_status()

    checkout(api, alice_with_two_mugs, "card").raise_for_status()

    [(message_type, payload)] = published_messages(api.shop)
    assert message_type == ShoppingCartConfirmed.message_type == "carts.ShoppingCart.Confirmed"
    assert payload["originator_id"] == str(ShoppingCart.create_id("alice"))
    assert payload["customer_id"] == "alice"
    assert payload["items"] == [
        {"product_id": MUG, "quantity": 2, "unit_price": "14.00"},
        {"product_id": PRESS, "quantity": 1, "unit_price": "39.00"},
    ]
    assert payload["total"] == "67.00"
    assert payload["currency"] == "EUR"
    assert payload["payment_method"] == "card"


def test_the_confirmation_reads_as_the_published_contract(
    api: ApiClient, alice_with_two_mugs: dict[str, str]
) -> None:
    checkout(api, alice_with_two_mugs, "paypal").raise_for_status()

    [(_, payload)] = published_messages(api.shop)
    confirmation = ShoppingCartConfirmed.model_validate(payload)
    assert confirmation.originator_id == ShoppingCart.create_id("alice")
    assert [
        (item.product_id, item.quantity, str(item.unit_price)) for item in confirmation.items
    ] == [(MUG, 2, "14.00")]
    assert str(confirmation.total) == "28.00"
    assert confirmation.payment_method == "paypal"


def test_the_emptied_cart_takes_the_next_purchase(
    api: ApiClient, alice_with_two_mugs: dict[str, str]
) -> None:
    checkout(api, alice_with_two_mugs).raise_for_status()
    add_item(api, alice_with_two_mugs, BEANS, 1).raise_for_status()

    response = checkout(api, alice_with_two_mugs, "paypal")

    assert response.status_code == 202
    first, second = (payload for _, payload in published_messages(api.shop))
    assert first["items"] == [{"product_id": MUG, "quantity": 2, "unit_price": "14.00"}]
    assert second["items"] == [{"product_id": BEANS, "quantity": 1, "unit_price": "24.90"}]
    assert (second["total"], second["payment_method"]) == ("24.90", "paypal")


def test_checkout_on_the_current_version_is_accepted(
    api: ApiClient, alice_with_two_mugs: dict[str, str]
) -> None:
    current = etag_of(api.get("/api/cart", headers=alice_with_two_mugs))

    assert checkout(api, alice_with_two_mugs, if_match=current).status_code == 202


def test_checking_out_a_cart_emptied_by_removals_is_refused_and_writes_nothing(
    api: ApiClient, alice_with_two_mugs: dict[str, str]
) -> None:
    remove_item(api, alice_with_two_mugs, MUG).raise_for_status()

    with nothing_written(api.shop):
        response = checkout(api, alice_with_two_mugs)

    assert "empty" in assert_problem(response, 409)["detail"]


def test_checking_out_twice_confirms_the_purchase_once(
    api: ApiClient, alice_with_two_mugs: dict[str, str]
) -> None:
    checkout(api, alice_with_two_mugs).raise_for_status()

    with nothing_written(api.shop):
        response = checkout(api, alice_with_two_mugs)

    assert_problem(response, 409)
    assert len(published_messages(api.shop)) == 1


def test_checking_out_a_cart_never_used_is_refused_as_empty_and_writes_nothing(
    api: ApiClient, alice: dict[str, str]
) -> None:
    with nothing_written(api.shop):
        response = checkout(api, alice)

    assert "empty" in assert_problem(response, 409)["detail"]


@pytest.mark.parametrize(
    "body",
    [
        pytest.param({"payment_method": ""}, id="empty"),
        pytest.param({"payment_method": "credit card"}, id="with a space"),
        pytest.param({"payment_method": "card;drop"}, id="with punctuation"),
        pytest.param({"payment_method": "c" * 65}, id="too long"),
        pytest.param({"payment_method": 4111}, id="a number"),
        pytest.param({"payment_method": None}, id="null"),
        pytest.param({"payment_method": ["card"]}, id="a list"),
        pytest.param({}, id="missing"),
        pytest.param({"payment_method": "card", "coupon": "FREE"}, id="unknown field"),
    ],
)
def test_checkout_with_an_invalid_payment_method_is_refused_and_writes_nothing(
    api: ApiClient, alice_with_two_mugs: dict[str, str], body: dict[str, Any]
) -> None:
    with nothing_written(api.shop):
        response = api.post("/api/cart/checkout", headers=alice_with_two_mugs, json=body)

    assert_problem(response, 400)
    assert cart_of(api, alice_with_two_mugs)["items"] != []
