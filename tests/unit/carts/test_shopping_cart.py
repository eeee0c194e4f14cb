"""The shopping cart, specified as given events / when a command / then events.

``given`` rebuilds a cart from its history the way the event store does (each
event mutates the cart in turn), so no guard runs while replaying. ``then`` reads
what the command recorded with ``collect_events()``; ``then_refused`` checks that a
refused command recorded nothing and left the cart as it was.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest
from eventsourcing.domain import CanMutateAggregate
from eventsourcing.utils import get_topic

from modules.carts.domain.cart import (
    MAX_DISTINCT_PRODUCTS,
    MAX_QUANTITY_PER_PRODUCT,
    CartIsEmpty,
    CartLine,
    ShoppingCart,
)
from shared.errors import BusinessRuleViolation, InvalidRequest, NotFound, ShopError

ALICE = "alice"
MUG = "ceramic-mug"
PRESS = "french-press"
BEANS = "espresso-beans-1kg"
RECORDED_AT = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)
BOOKKEEPING = ("originator_id", "originator_version", "timestamp", "originator_topic")


# --- the vocabulary of the specifications ---------------------------------------------------


@dataclass(frozen=True)
class Fact:
    """A cart event as the business states it; the store adds the id, version and time."""

    kind: type[CanMutateAggregate[Any]]
    fields: Mapping[str, Any] = field(default_factory=dict)


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


def fact_of(event: CanMutateAggregate[Any]) -> Fact:
    recorded = {name: value for name, value in vars(event).items() if name not in BOOKKEEPING}
    return Fact(type(event), recorded)


def state_of(cart: ShoppingCart) -> tuple[Any, ...]:
    return cart.version, cart.customer_id, cart.currency, dict(cart.lines), cart.total


def assert_recorded(cart: ShoppingCart, version_before: int, *expected: Fact) -> None:
    recorded = cart.collect_events()
    assert [fact_of(event) for event in recorded] == list(expected)
    assert [event.originator_version for event in recorded] == list(
        range(version_before + 1, version_before + 1 + len(expected))
    )


class CartSpecification:
    def __init__(self, cart: ShoppingCart) -> None:
        self.cart = cart
        self._version_before = cart.version
        self._state_before = state_of(cart)
        self._refusal: ShopError | None = None

    def when(self, command: Callable[[ShoppingCart], None]) -> CartSpecification:
        try:
            command(self.cart)
        except ShopError as refusal:
            self._refusal = refusal
        return self

    def then(self, *expected: Fact) -> ShoppingCart:
        assert self._refusal is None, f"the command was refused: {self._refusal!r}"
        assert_recorded(self.cart, self._version_before, *expected)
        return self.cart

    def then_refused(self, error: type[ShopError], detail: str) -> None:
        assert isinstance(self._refusal, error), f"expected {error.__name__}, got {self._refusal!r}"
        assert detail in self._refusal.detail
        assert self.cart.collect_events() == []
        assert state_of(self.cart) == self._state_before


def given(*history: Fact) -> CartSpecification:
    cart: ShoppingCart | None = None
    cart_id = ShoppingCart.create_id(ALICE)
    for version, fact in enumerate(history, start=1):
        bookkeeping: dict[str, Any] = {
            "originator_id": cart_id,
            "originator_version": version,
            "timestamp": RECORDED_AT,
        }
        if issubclass(fact.kind, ShoppingCart.Opened):
            bookkeeping["originator_topic"] = get_topic(ShoppingCart)
        cart = fact.kind(**bookkeeping, **fact.fields).mutate(cart)
    assert isinstance(cart, ShoppingCart), "a cart's history starts with its opening"
    return CartSpecification(cart)


def add(
    product_id: str, quantity: int, unit_price: str, currency: str = "EUR"
) -> Callable[[ShoppingCart], None]:
    return lambda cart: cart.add_product_item(product_id, quantity, Decimal(unit_price), currency)


def remove(product_id: str) -> Callable[[ShoppingCart], None]:
    return lambda cart: cart.remove_product_item(product_id)


def confirm(payment_method: str = "card") -> Callable[[ShoppingCart], None]:
    return lambda cart: cart.confirm(payment_method)


def line(product_id: str, quantity: int, unit_price: str) -> CartLine:
    return CartLine(product_id, quantity, Decimal(unit_price))


# --- opening --------------------------------------------------------------------------------


def test_opening_a_cart_records_whose_it_is_and_its_currency() -> None:
    cart = ShoppingCart(customer_id=ALICE, currency="EUR")

    assert_recorded(cart, 0, opened(currency="EUR"))
    assert cart.lines == {}
    assert cart.total == Decimal("0.00")


# --- adding ---------------------------------------------------------------------------------


def test_adding_a_product_records_its_quantity_and_the_price_shown() -> None:
    cart = given(opened()).when(add(MUG, 2, "14.00")).then(added(MUG, 2, "14.00"))

    assert cart.lines == {MUG: line(MUG, 2, "14.00")}
    assert cart.total == Decimal("28.00")


def test_adding_more_of_a_product_merges_into_its_line_at_the_price_of_the_first_addition() -> None:
    cart = (
        given(opened(), added(MUG, 2, "14.00"))
        .when(add(MUG, 3, "20.00"))
        .then(added(MUG, 3, "20.00"))
    )

    assert cart.lines == {MUG: line(MUG, 5, "14.00")}
    assert cart.total == Decimal("70.00")


def test_different_products_get_their_own_lines_and_the_total_sums_them() -> None:
    cart = (
        given(opened(), added(MUG, 2, "14.00"))
        .when(add(PRESS, 1, "39.00"))
        .then(added(PRESS, 1, "39.00"))
    )

    assert list(cart.lines.values()) == [line(MUG, 2, "14.00"), line(PRESS, 1, "39.00")]
    assert cart.total == Decimal("67.00")


def test_a_line_may_reach_the_maximum_quantity_of_a_product() -> None:
    cart = (
        given(opened(), added(MUG, MAX_QUANTITY_PER_PRODUCT - 1, "14.00"))
        .when(add(MUG, 1, "14.00"))
        .then(added(MUG, 1, "14.00"))
    )

    assert cart.lines[MUG].quantity == MAX_QUANTITY_PER_PRODUCT


def test_a_full_cart_still_takes_more_of_a_product_it_holds() -> None:
    full = [added(f"product-{n}", 1, "1.00") for n in range(MAX_DISTINCT_PRODUCTS)]

    cart = (
        given(opened(), *full).when(add("product-0", 2, "1.00")).then(added("product-0", 2, "1.00"))
    )

    assert cart.lines["product-0"].quantity == 3


def test_a_cart_rebuilt_from_its_history_is_not_held_to_rules_made_after_it_was_recorded() -> None:
    cart = given(opened(), added(MUG, MAX_QUANTITY_PER_PRODUCT + 20, "14.00")).cart

    assert cart.lines == {MUG: line(MUG, MAX_QUANTITY_PER_PRODUCT + 20, "14.00")}
    assert cart.version == 2


# --- removing -------------------------------------------------------------------------------


def test_removing_a_product_drops_its_whole_line() -> None:
    cart = (
        given(opened(), added(MUG, 2, "14.00"), added(PRESS, 1, "39.00"))
        .when(remove(MUG))
        .then(removed(MUG))
    )

    assert cart.lines == {PRESS: line(PRESS, 1, "39.00")}
    assert cart.total == Decimal("39.00")


def test_a_product_removed_and_added_again_takes_the_price_of_its_new_addition() -> None:
    cart = (
        given(opened(), added(MUG, 2, "14.00"), removed(MUG))
        .when(add(MUG, 1, "16.00"))
        .then(added(MUG, 1, "16.00"))
    )

    assert cart.lines == {MUG: line(MUG, 1, "16.00")}


# --- confirming -----------------------------------------------------------------------------


def test_confirming_records_what_is_bought_at_which_price_and_how_it_is_paid() -> None:
    (
        given(opened(), added(MUG, 2, "14.00"), added(PRESS, 1, "39.00"), added(MUG, 1, "20.00"))
        .when(confirm("card"))
        .then(confirmed([(MUG, 3, "14.00"), (PRESS, 1, "39.00")], total="81.00"))
    )


def test_a_confirmed_cart_is_empty() -> None:
    cart = (
        given(opened(), added(MUG, 2, "14.00"))
        .when(confirm())
        .then(confirmed([(MUG, 2, "14.00")], total="28.00"))
    )

    assert cart.lines == {}
    assert cart.total == Decimal("0.00")


def test_a_product_bought_before_starts_a_new_line_in_the_next_purchase() -> None:
    cart = (
        given(opened(), added(MUG, 2, "14.00"), confirmed([(MUG, 2, "14.00")], total="28.00"))
        .when(add(MUG, 1, "16.00"))
        .then(added(MUG, 1, "16.00"))
    )

    assert cart.lines == {MUG: line(MUG, 1, "16.00")}


# --- refusals: nothing is recorded and the cart stays as it was -----------------------------


@pytest.mark.parametrize("quantity", [0, -1])
def test_adding_fewer_than_one_item_is_refused(quantity: int) -> None:
    (
        given(opened(), added(MUG, 2, "14.00"))
        .when(add(MUG, quantity, "14.00"))
        .then_refused(InvalidRequest, "at least 1")
    )


def test_adding_a_product_priced_in_another_currency_than_the_cart_holds_is_refused() -> None:
    (
        given(opened(currency="EUR"), added(MUG, 1, "14.00"))
        .when(add(BEANS, 1, "15.00", currency="USD"))
        .then_refused(InvalidRequest, "in EUR, not USD")
    )


def test_the_first_product_of_a_purchase_sets_its_currency() -> None:
    cart = (
        given(opened(currency="EUR"))
        .when(add(MUG, 1, "15.00", currency="USD"))
        .then(added(MUG, 1, "15.00", currency="USD"))
    )

    assert cart.currency == "USD"


def test_adding_more_than_the_maximum_of_a_product_at_once_is_refused() -> None:
    (
        given(opened())
        .when(add(MUG, MAX_QUANTITY_PER_PRODUCT + 1, "14.00"))
        .then_refused(BusinessRuleViolation, f"at most {MAX_QUANTITY_PER_PRODUCT}")
    )


def test_adding_beyond_the_maximum_of_a_product_over_several_additions_is_refused() -> None:
    (
        given(opened(), added(MUG, MAX_QUANTITY_PER_PRODUCT - 1, "14.00"))
        .when(add(MUG, 2, "14.00"))
        .then_refused(BusinessRuleViolation, f"at most {MAX_QUANTITY_PER_PRODUCT}")
    )


def test_adding_one_product_more_than_a_cart_holds_is_refused() -> None:
    full = [added(f"product-{n}", 1, "1.00") for n in range(MAX_DISTINCT_PRODUCTS)]

    (
        given(opened(), *full)
        .when(add(MUG, 1, "14.00"))
        .then_refused(BusinessRuleViolation, f"at most {MAX_DISTINCT_PRODUCTS} different products")
    )


def test_removing_a_product_that_is_not_in_the_cart_is_refused() -> None:
    (
        given(opened(), added(MUG, 2, "14.00"))
        .when(remove(PRESS))
        .then_refused(NotFound, f"{PRESS} is not in the cart")
    )


def test_removing_a_product_twice_is_refused_the_second_time() -> None:
    (
        given(opened(), added(MUG, 2, "14.00"), removed(MUG))
        .when(remove(MUG))
        .then_refused(NotFound, "not in the cart")
    )


def test_confirming_a_cart_that_was_never_filled_is_refused() -> None:
    given(opened()).when(confirm()).then_refused(CartIsEmpty, "empty cart")


def test_confirming_a_cart_emptied_by_removals_is_refused() -> None:
    (
        given(opened(), added(MUG, 2, "14.00"), removed(MUG))
        .when(confirm())
        .then_refused(CartIsEmpty, "empty cart")
    )


def test_confirming_the_same_purchase_twice_is_refused_the_second_time() -> None:
    (
        given(opened(), added(MUG, 2, "14.00"), confirmed([(MUG, 2, "14.00")], total="28.00"))
        .when(confirm())
        .then_refused(CartIsEmpty, "empty cart")
    )
