"""Two writers on one cart: one wins, the other is told, and no change is ever lost."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal
from typing import Any

import pytest
from eventsourcing.persistence import IntegrityError

from modules.carts.application.commands import AddProductItem, add_product_item
from modules.carts.domain.cart import ShoppingCart
from shared.errors import ConcurrencyConflict
from shared.unit_of_work import MAX_ATTEMPTS
from tests.api.carts.assertions import assert_problem, etag_of, nothing_written, published_messages
from tests.api.carts.shopping import MUG, PRESS, add_item, cart_of, checkout
from tests.support import ApiClient

WRITERS = 8


def test_of_two_writers_on_the_same_version_only_the_first_succeeds(
    api: ApiClient, alice_with_two_mugs: dict[str, str]
) -> None:
    # Two browser tabs loaded the cart at the same version.
    seen = etag_of(api.get("/api/cart", headers=alice_with_two_mugs))

    first = add_item(api, alice_with_two_mugs, PRESS, 1, if_match=seen)
    with nothing_written(api.shop):
        second = add_item(api, alice_with_two_mugs, MUG, 5, if_match=seen)

    assert first.status_code == 200
    assert_problem(second, 412)
    lines = cart_of(api, alice_with_two_mugs)["items"]
    assert [(line["product_id"], line["quantity"]) for line in lines] == [(MUG, 2), (PRESS, 1)]


def test_a_checkout_submitted_twice_on_the_same_version_confirms_once(
    api: ApiClient, alice_with_two_mugs: dict[str, str]
) -> None:
    seen = etag_of(api.get("/api/cart", headers=alice_with_two_mugs))

    first = checkout(api, alice_with_two_mugs, if_match=seen)
    second = checkout(api, alice_with_two_mugs, if_match=seen)

    assert first.status_code == 202
    assert_problem(second, 412)
    assert len(published_messages(api.shop)) == 1


def test_a_writer_that_loaded_the_cart_before_another_saved_it_is_refused(
    api: ApiClient, alice_with_two_mugs: dict[str, str]
) -> None:
    carts = api.shop.carts
    cart_id = ShoppingCart.create_id("alice")
    stale = carts.aggregates.get(ShoppingCart, cart_id)
    add_product_item(AddProductItem("alice", PRESS, 1), carts)

    stale.add_product_item(MUG, 1, stale.lines[MUG].unit_price, "EUR")
    with pytest.raises(ConcurrencyConflict), carts.transactions.unit_of_work():
        carts.aggregates.save(stale)

    current = carts.aggregates.get(ShoppingCart, cart_id)
    assert {product_id: line.quantity for product_id, line in current.lines.items()} == {
        MUG: 2,
        PRESS: 1,
    }


@pytest.mark.parametrize("cart", ["a new cart", "an existing cart"])
def test_concurrent_additions_without_if_match_are_all_kept(api: ApiClient, cart: str) -> None:
    """Without If-Match nobody asked for optimistic concurrency: a command that lost the
    race is decided again on the new state, so every addition is kept."""
    carts = api.shop.carts
    if cart == "an existing cart":
        add_product_item(AddProductItem("alice", MUG, 1), carts)
    before = cart_of(api, api.as_customer("alice"))
    quantity_before = sum(item["quantity"] for item in before["items"])
    start = threading.Barrier(WRITERS)

    def add_one_mug() -> None:
        start.wait()
        add_product_item(AddProductItem("alice", MUG, 1), carts)

    with ThreadPoolExecutor(WRITERS) as pool:
        for future in [pool.submit(add_one_mug) for _ in range(WRITERS)]:
            future.result()

    stored = carts.aggregates.get(ShoppingCart, ShoppingCart.create_id("alice"))
    assert stored.lines[MUG].quantity == quantity_before + WRITERS
    shown = cart_of(api, api.as_customer("alice"))
    assert shown["items"] == [
        {
            "product_id": MUG,
            "quantity": quantity_before + WRITERS,
            "unit_price": "14.00",
            "subtotal": str(Decimal("14.00") * (quantity_before + WRITERS)),
        }
    ]
    assert shown["version"] == stored.version


@pytest.fixture
def first_save_loses_a_race(api: ApiClient, monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The next save of a cart finds its version taken, as when another writer committed
    between this command's load and its save; returns the number of saves tried."""
    aggregates = api.shop.carts.aggregates
    save = aggregates.save
    saves: list[int] = []

    def racing_save(*args: Any, **kwargs: Any) -> Any:
        saves.append(1)
        if len(saves) == 1:
            raise IntegrityError("the version was taken by another writer")
        return save(*args, **kwargs)

    monkeypatch.setattr(aggregates, "save", racing_save)
    return saves


def test_an_addition_without_if_match_that_loses_a_race_is_decided_again(
    api: ApiClient, alice_with_two_mugs: dict[str, str], first_save_loses_a_race: list[int]
) -> None:
    response = add_item(api, alice_with_two_mugs, MUG, 1)

    assert response.status_code == 200, response.text
    assert len(first_save_loses_a_race) == 2
    assert [(line["product_id"], line["quantity"]) for line in response.json()["items"]] == [
        (MUG, 3)
    ]


def test_an_addition_with_if_match_that_loses_a_race_is_412_and_writes_nothing(
    api: ApiClient, alice_with_two_mugs: dict[str, str], first_save_loses_a_race: list[int]
) -> None:
    seen = etag_of(api.get("/api/cart", headers=alice_with_two_mugs))

    with nothing_written(api.shop):
        response = add_item(api, alice_with_two_mugs, MUG, 1, if_match=seen)

    assert_problem(response, 412)
    assert len(first_save_loses_a_race) == 1


def test_a_command_that_keeps_losing_races_is_a_409_after_a_bounded_number_of_attempts(
    api: ApiClient, alice_with_two_mugs: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    aggregates = api.shop.carts.aggregates
    saves: list[int] = []

    def always_racing_save(*_: Any, **__: Any) -> None:
        saves.append(1)
        raise IntegrityError("the version was taken by another writer")

    monkeypatch.setattr(aggregates, "save", always_racing_save)

    with nothing_written(api.shop):
        response = add_item(api, alice_with_two_mugs, MUG, 1)

    assert_problem(response, 409)
    assert len(saves) == MAX_ATTEMPTS
