"""The shopping cart, specified as given events / when a command / then events."""

from __future__ import annotations

from decimal import Decimal

import pytest

from modules.carts.domain.cart import (
    MAX_DISTINCT_PRODUCTS,
    MAX_QUANTITY_PER_PRODUCT,
    CartIsEmpty,
    ShoppingCart,
)
from shared.errors import BusinessRuleViolation, InvalidRequest, NotFound
from shared.pricing import PricedLine
from tests.specification import Fact, given_aggregate

ALICE = "alice"
CART_ID = ShoppingCart.create_id(ALICE)
MUG = "ceramic-mug"
PRESS = "french-press"
BEANS = "espresso-beans-1kg"


# --- the vocabulary of the specifications ---------------------------------------------------


def opened(currency: str = "EUR") -> Fact:
    return Fact(ShoppingCart.Opened, {"customer_id": ALICE, "currency": currency})


def added(product_id: str, quantity: int, unit_price: str, currency: str = "EUR") -> Fact:
    return Fact(
        ShoppingCart.ProductItemAdded,
        {
            "product_id": product_id,
            "quantity": quantity,
            "unit_price": Decimal(unit_price),
            "currency": currency,
        },
    )


def removed(product_id: str) -> Fact:
    return Fact(ShoppingCart.ProductItemRemoved, {"product_id": product_id})


def confirmed(items: list[tuple[str, int, str]], total: str, payment_method: str = "card") -> Fact:
    return Fact(
        ShoppingCart.Confirmed,
        {
            "customer_id": ALICE,
            "items": [
                {"product_id": product_id, "quantity": quantity, "unit_price": Decimal(price)}
                for product_id, quantity, price in items
            ],
            "total": Decimal(total),
            "currency": "EUR",
            "payment_method": payment_method,
        },
    )


def state_of(cart: ShoppingCart) -> tuple[object, ...]:
    return cart.version, cart.customer_id, cart.currency, dict(cart.lines), cart.total


given = given_aggregate(ShoppingCart, CART_ID, state_of)


def line(product_id: str, quantity: int, unit_price: str) -> PricedLine:
    return PricedLine(product_id, quantity, Decimal(unit_price))


# --- opening --------------------------------------------------------------------------------


def test_opening_a_cart_records_whose_it_is_and_its_currency() -> None:
    cart = (
        given()
        .when(lambda: ShoppingCart(customer_id=ALICE, currency="EUR"))
        .then(opened(currency="EUR"))
    )

    assert cart.id == CART_ID
    assert cart.lines == {}
    assert cart.total == Decimal("0.00")


# --- adding ---------------------------------------------------------------------------------


def test_adding_a_product_records_its_quantity_and_the_price_shown() -> None:
    cart = (
        given(opened())
        .when(lambda cart: cart.add_product_item(MUG, 2, Decimal("14.00"), "EUR"))
        .then(added(MUG, 2, "14.00"))
    )

    assert cart.lines == {MUG: line(MUG, 2, "14.00")}
    assert cart.total == Decimal("28.00")


def test_adding_more_of_a_product_merges_into_its_line_at_the_price_of_the_first_addition() -> None:
    cart = (
        given(opened(), added(MUG, 2, "14.00"))
        .when(lambda cart: cart.add_product_item(MUG, 3, Decimal("20.00"), "EUR"))
        .then(added(MUG, 3, "20.00"))
    )

    assert cart.lines == {MUG: line(MUG, 5, "14.00")}
    assert cart.total == Decimal("70.00")


def test_different_products_get_their_own_lines_and_the_total_sums_them() -> None:
    cart = (
        given(opened(), added(MUG, 2, "14.00"))
        .when(lambda cart: cart.add_product_item(PRESS, 1, Decimal("39.00"), "EUR"))
        .then(added(PRESS, 1, "39.00"))
    )

    assert list(cart.lines.values()) == [line(MUG, 2, "14.00"), line(PRESS, 1, "39.00")]
    assert cart.total == Decimal("67.00")


def test_a_line_may_reach_the_maximum_quantity_of_a_product() -> None:
    cart = (
        given(opened(), added(MUG, MAX_QUANTITY_PER_PRODUCT - 1, "14.00"))
        .when(lambda cart: cart.add_product_item(MUG, 1, Decimal("14.00"), "EUR"))
        .then(added(MUG, 1, "14.00"))
    )

    assert cart.lines[MUG].quantity == MAX_QUANTITY_PER_PRODUCT


def test_a_full_cart_still_takes_more_of_a_product_it_holds() -> None:
    full = [added(f"product-{n}", 1, "1.00") for n in range(MAX_DISTINCT_PRODUCTS)]

    cart = (
        given(opened(), *full)
        .when(lambda cart: cart.add_product_item("product-0", 2, Decimal("1.00"), "EUR"))
        .then(added("product-0", 2, "1.00"))
    )

    assert cart.lines["product-0"].quantity == 3


def test_a_cart_rebuilt_from_its_history_is_not_held_to_rules_made_after_it_was_recorded() -> None:
    cart = given(opened(), added(MUG, MAX_QUANTITY_PER_PRODUCT + 20, "14.00")).aggregate

    assert cart.lines == {MUG: line(MUG, MAX_QUANTITY_PER_PRODUCT + 20, "14.00")}
    assert cart.version == 2


# --- removing -------------------------------------------------------------------------------


def test_removing_a_product_drops_its_whole_line() -> None:
    cart = (
        given(opened(), added(MUG, 2, "14.00"), added(PRESS, 1, "39.00"))
        .when(lambda cart: cart.remove_product_item(MUG))
        .then(removed(MUG))
    )

    assert cart.lines == {PRESS: line(PRESS, 1, "39.00")}
    assert cart.total == Decimal("39.00")


def test_a_product_removed_and_added_again_takes_the_price_of_its_new_addition() -> None:
    cart = (
        given(opened(), added(MUG, 2, "14.00"), removed(MUG))
        .when(lambda cart: cart.add_product_item(MUG, 1, Decimal("16.00"), "EUR"))
        .then(added(MUG, 1, "16.00"))
    )

    assert cart.lines == {MUG: line(MUG, 1, "16.00")}


# --- confirming -----------------------------------------------------------------------------


def test_confirming_records_what_is_bought_at_which_price_and_how_it_is_paid() -> None:
    (
        given(opened(), added(MUG, 2, "14.00"), added(PRESS, 1, "39.00"), added(MUG, 1, "20.00"))
        .when(lambda cart: cart.confirm("card"))
        .then(confirmed([(MUG, 3, "14.00"), (PRESS, 1, "39.00")], total="81.00"))
    )


def test_a_confirmed_cart_is_empty() -> None:
    cart = (
        given(opened(), added(MUG, 2, "14.00"))
        .when(lambda cart: cart.confirm("card"))
        .then(confirmed([(MUG, 2, "14.00")], total="28.00"))
    )

    assert cart.lines == {}
    assert cart.total == Decimal("0.00")


def test_a_product_bought_before_starts_a_new_line_in_the_next_purchase() -> None:
    cart = (
        given(opened(), added(MUG, 2, "14.00"), confirmed([(MUG, 2, "14.00")], total="28.00"))
        .when(lambda cart: cart.add_product_item(MUG, 1, Decimal("16.00"), "EUR"))
        .then(added(MUG, 1, "16.00"))
    )

    assert cart.lines == {MUG: line(MUG, 1, "16.00")}


# --- refusals: nothing is recorded and the cart stays as it was -----------------------------


@pytest.mark.parametrize("quantity", [0, -1])
def test_adding_fewer_than_one_item_is_refused(quantity: int) -> None:
    (
        given(opened(), added(MUG, 2, "14.00"))
        .when(lambda cart: cart.add_product_item(MUG, quantity, Decimal("14.00"), "EUR"))
        .then_refused(InvalidRequest, "at least 1")
    )


def test_adding_a_product_priced_in_another_currency_than_the_cart_holds_is_refused() -> None:
    (
        given(opened(currency="EUR"), added(MUG, 1, "14.00"))
        .when(lambda cart: cart.add_product_item(BEANS, 1, Decimal("15.00"), "USD"))
        .then_refused(InvalidRequest, "in EUR, not USD")
    )


def test_the_first_product_of_a_purchase_sets_its_currency() -> None:
    cart = (
        given(opened(currency="EUR"))
        .when(lambda cart: cart.add_product_item(MUG, 1, Decimal("15.00"), "USD"))
        .then(added(MUG, 1, "15.00", currency="USD"))
    )

    assert cart.currency == "USD"


def test_adding_more_than_the_maximum_of_a_product_at_once_is_refused() -> None:
    too_many = MAX_QUANTITY_PER_PRODUCT + 1

    (
        given(opened())
        .when(lambda cart: cart.add_product_item(MUG, too_many, Decimal("14.00"), "EUR"))
        .then_refused(BusinessRuleViolation, f"at most {MAX_QUANTITY_PER_PRODUCT}")
    )


def test_adding_beyond_the_maximum_of_a_product_over_several_additions_is_refused() -> None:
    (
        given(opened(), added(MUG, MAX_QUANTITY_PER_PRODUCT - 1, "14.00"))
        .when(lambda cart: cart.add_product_item(MUG, 2, Decimal("14.00"), "EUR"))
        .then_refused(BusinessRuleViolation, f"at most {MAX_QUANTITY_PER_PRODUCT}")
    )


def test_adding_one_product_more_than_a_cart_holds_is_refused() -> None:
    full = [added(f"product-{n}", 1, "1.00") for n in range(MAX_DISTINCT_PRODUCTS)]

    (
        given(opened(), *full)
        .when(lambda cart: cart.add_product_item(MUG, 1, Decimal("14.00"), "EUR"))
        .then_refused(BusinessRuleViolation, f"at most {MAX_DISTINCT_PRODUCTS} different products")
    )


def test_removing_a_product_that_is_not_in_the_cart_is_refused() -> None:
    (
        given(opened(), added(MUG, 2, "14.00"))
        .when(lambda cart: cart.remove_product_item(PRESS))
        .then_refused(NotFound, f"{PRESS} is not in the cart")
    )


def test_removing_a_product_twice_is_refused_the_second_time() -> None:
    (
        given(opened(), added(MUG, 2, "14.00"), removed(MUG))
        .when(lambda cart: cart.remove_product_item(MUG))
        .then_refused(NotFound, "not in the cart")
    )


def test_confirming_a_cart_that_was_never_filled_is_refused() -> None:
    given(opened()).when(lambda cart: cart.confirm("card")).then_refused(CartIsEmpty, "empty cart")


def test_confirming_a_cart_emptied_by_removals_is_refused() -> None:
    (
        given(opened(), added(MUG, 2, "14.00"), removed(MUG))
        .when(lambda cart: cart.confirm("card"))
        .then_refused(CartIsEmpty, "empty cart")
    )


def test_confirming_the_same_purchase_twice_is_refused_the_second_time() -> None:
    (
        given(opened(), added(MUG, 2, "14.00"), confirmed([(MUG, 2, "14.00")], total="28.00"))
        .when(lambda cart: cart.confirm("card"))
        .then_refused(CartIsEmpty, "empty cart")
    )
