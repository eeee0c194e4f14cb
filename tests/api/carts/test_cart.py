"""The customer's cart over HTTP: what it shows, how it changes, and optimistic concurrency."""

from __future__ import annotations

import pytest

from modules.carts.domain.cart import ShoppingCart
from tests.api.carts.assertions import assert_problem, etag_of, nothing_written
from tests.api.carts.shopping import (
    BEANS,
    MUG,
    PRESS,
    add_item,
    cart_of,
    checkout,
    put_product,
    remove_item,
)
from tests.support import ApiClient


def test_a_new_customer_sees_an_empty_cart_at_version_zero(
    api: ApiClient, alice: dict[str, str]
) -> None:
    with nothing_written(api.shop):
        response = api.get("/api/cart", headers=alice)

    assert response.status_code == 200
    assert etag_of(response) == '"0"'
    assert response.json() == {
        "cart_id": str(ShoppingCart.create_id("alice")),
        "customer_id": "alice",
        "version": 0,
        "currency": "EUR",
        "items": [],
        "total": "0.00",
    }


def test_adding_a_product_shows_its_line_the_total_and_the_new_version(
    api: ApiClient, alice: dict[str, str]
) -> None:
    response = add_item(api, alice, MUG, 2)

    assert response.status_code == 200
    assert etag_of(response) == '"2"'
    assert response.json() == {
        "cart_id": str(ShoppingCart.create_id("alice")),
        "customer_id": "alice",
        "version": 2,
        "currency": "EUR",
        "items": [{"product_id": MUG, "quantity": 2, "unit_price": "14.00", "subtotal": "28.00"}],
        "total": "28.00",
    }
    assert api.get("/api/cart", headers=alice).json() == response.json()


def test_adding_more_of_a_product_merges_quantities_at_the_price_first_shown(
    api: ApiClient, alice_with_two_mugs: dict[str, str]
) -> None:
    put_product(api, MUG, name="Ceramic mug", unit_price="20.00").raise_for_status()

    response = add_item(api, alice_with_two_mugs, MUG, 3)

    assert response.status_code == 200
    assert etag_of(response) == '"3"'
    assert response.json()["items"] == [
        {"product_id": MUG, "quantity": 5, "unit_price": "14.00", "subtotal": "70.00"}
    ]
    assert response.json()["total"] == "70.00"


def test_the_total_is_the_sum_of_every_line(
    api: ApiClient, alice_with_two_mugs: dict[str, str]
) -> None:
    add_item(api, alice_with_two_mugs, PRESS, 1).raise_for_status()
    response = add_item(api, alice_with_two_mugs, BEANS, 3)

    cart = response.json()
    assert [(item["product_id"], item["subtotal"]) for item in cart["items"]] == [
        (MUG, "28.00"),
        (PRESS, "39.00"),
        (BEANS, "74.70"),
    ]
    assert cart["total"] == "141.70"
    assert etag_of(response) == '"4"'


def test_removing_a_product_drops_its_line_and_updates_the_total(
    api: ApiClient, alice_with_two_mugs: dict[str, str]
) -> None:
    add_item(api, alice_with_two_mugs, PRESS, 1).raise_for_status()

    response = remove_item(api, alice_with_two_mugs, MUG)

    assert response.status_code == 200
    assert etag_of(response) == '"4"'
    assert response.json()["items"] == [
        {"product_id": PRESS, "quantity": 1, "unit_price": "39.00", "subtotal": "39.00"}
    ]
    assert response.json()["total"] == "39.00"
    assert cart_of(api, alice_with_two_mugs) == response.json()


def test_removing_the_last_product_leaves_an_empty_cart(
    api: ApiClient, alice_with_two_mugs: dict[str, str]
) -> None:
    response = remove_item(api, alice_with_two_mugs, MUG)

    assert response.status_code == 200
    assert response.json()["items"] == []
    assert response.json()["total"] == "0.00"


def test_removing_a_product_that_is_not_in_the_cart_is_refused_and_changes_nothing(
    api: ApiClient, alice_with_two_mugs: dict[str, str]
) -> None:
    with nothing_written(api.shop):
        response = remove_item(api, alice_with_two_mugs, PRESS)

    assert_problem(response, 404)


def test_removing_from_a_cart_never_used_is_refused_like_any_absent_product(
    api: ApiClient, alice: dict[str, str]
) -> None:
    with nothing_written(api.shop):
        response = remove_item(api, alice, MUG)

    assert_problem(response, 404)


# --- optimistic concurrency: ETag carries the version, If-Match checks it ---------------------


def test_a_change_made_on_the_current_version_is_accepted(
    api: ApiClient, alice_with_two_mugs: dict[str, str]
) -> None:
    current = etag_of(api.get("/api/cart", headers=alice_with_two_mugs))

    added = add_item(api, alice_with_two_mugs, PRESS, 1, if_match=current)
    removed = remove_item(api, alice_with_two_mugs, MUG, if_match=etag_of(added))

    assert (added.status_code, etag_of(added)) == (200, '"3"')
    assert (removed.status_code, etag_of(removed)) == (200, '"4"')


def test_the_first_addition_may_be_made_on_version_zero(
    api: ApiClient, alice: dict[str, str]
) -> None:
    response = add_item(api, alice, MUG, 1, if_match='"0"')

    assert response.status_code == 200
    assert etag_of(response) == '"2"'


def test_a_wildcard_entity_tag_matches_the_current_version(
    api: ApiClient, alice_with_two_mugs: dict[str, str]
) -> None:
    response = add_item(api, alice_with_two_mugs, PRESS, 1, if_match="*")

    assert response.status_code == 200


def test_a_weak_entity_tag_never_matches(
    api: ApiClient, alice_with_two_mugs: dict[str, str]
) -> None:
    with nothing_written(api.shop):
        response = add_item(api, alice_with_two_mugs, PRESS, 1, if_match='W/"2"')

    assert_problem(response, 412)


@pytest.mark.parametrize("stale", ['"1"', '"3"', '"0"'])
def test_an_addition_on_a_stale_version_is_refused_and_changes_nothing(
    api: ApiClient, alice_with_two_mugs: dict[str, str], stale: str
) -> None:
    with nothing_written(api.shop):
        response = add_item(api, alice_with_two_mugs, PRESS, 1, if_match=stale)

    problem = assert_problem(response, 412)
    assert "version 2" in problem["detail"]
    assert cart_of(api, alice_with_two_mugs)["version"] == 2


def test_a_first_addition_on_a_version_the_cart_never_had_is_refused(
    api: ApiClient, alice: dict[str, str]
) -> None:
    with nothing_written(api.shop):
        response = add_item(api, alice, MUG, 1, if_match='"1"')

    assert_problem(response, 412)


def test_a_removal_on_a_stale_version_is_refused_and_changes_nothing(
    api: ApiClient, alice_with_two_mugs: dict[str, str]
) -> None:
    with nothing_written(api.shop):
        response = remove_item(api, alice_with_two_mugs, MUG, if_match='"1"')

    assert_problem(response, 412)


def test_a_checkout_on_a_stale_version_is_refused_and_changes_nothing(
    api: ApiClient, alice_with_two_mugs: dict[str, str]
) -> None:
    with nothing_written(api.shop):
        response = checkout(api, alice_with_two_mugs, if_match='"1"')

    assert_problem(response, 412)


@pytest.mark.parametrize(
    "if_match",
    [
        pytest.param("two", id="not a number"),
        pytest.param('"-1"', id="negative"),
        pytest.param('"1", "2"', id="several tags"),
        pytest.param("", id="empty"),
        pytest.param('"' + "9" * 19 + '"', id="beyond any version"),
    ],
)
def test_a_malformed_if_match_is_refused_and_changes_nothing(
    api: ApiClient, alice_with_two_mugs: dict[str, str], if_match: str
) -> None:
    with nothing_written(api.shop):
        added = add_item(api, alice_with_two_mugs, PRESS, 1, if_match=if_match)
        removed = remove_item(api, alice_with_two_mugs, MUG, if_match=if_match)
        checked_out = checkout(api, alice_with_two_mugs, if_match=if_match)

    for response in (added, removed, checked_out):
        assert_problem(response, 400)
