"""Every module's event store writes through the one datastore, so they share a transaction."""

from __future__ import annotations

from decimal import Decimal

import pytest
from eventsourcing.domain import Aggregate, event

from modules.carts.domain.cart import ShoppingCart
from shared.errors import NotFound
from shared.event_sourcing import ModuleApplication
from shop.bootstrap import Shop


class Invoice(Aggregate):
    """Stands in for another module's aggregate, kept in that module's events table."""

    @event("Issued")
    def __init__(self, customer_id: str, amount: Decimal) -> None:
        self.customer_id = customer_id
        self.amount = amount


class OrdersApplication(ModuleApplication):
    name = "orders"


class PowerCut(Exception):
    pass


def a_cart() -> ShoppingCart:
    cart = ShoppingCart(customer_id="alice", currency="EUR")
    cart.add_product_item("ceramic-mug", 2, Decimal("14.00"), "EUR")
    return cart


def test_saves_to_two_modules_event_stores_commit_together(shop: Shop) -> None:
    orders = OrdersApplication(shop.datastore)
    cart, invoice = a_cart(), Invoice(customer_id="alice", amount=Decimal("28.00"))

    with shop.carts.transactions.unit_of_work():
        shop.carts.aggregates.save(cart)
        orders.save(invoice)

    assert shop.carts.aggregates.get(ShoppingCart, cart.id).version == 2
    assert orders.get(Invoice, invoice.id).amount == Decimal("28.00")


def test_a_failure_after_saving_to_two_modules_event_stores_stores_neither(shop: Shop) -> None:
    orders = OrdersApplication(shop.datastore)
    cart, invoice = a_cart(), Invoice(customer_id="alice", amount=Decimal("28.00"))

    def save_both_then_fail() -> None:
        with shop.carts.transactions.unit_of_work():
            shop.carts.aggregates.save(cart)
            orders.save(invoice)
            raise PowerCut

    with pytest.raises(PowerCut):
        save_both_then_fail()

    assert shop.carts.aggregates.find(ShoppingCart, cart.id) is None
    assert orders.find(Invoice, invoice.id) is None


def test_loading_an_unknown_or_foreign_stream_is_not_found(shop: Shop) -> None:
    orders = OrdersApplication(shop.datastore)
    invoice = Invoice(customer_id="alice", amount=Decimal("1.00"))
    orders.save(invoice)

    with pytest.raises(NotFound, match="ShoppingCart"):
        shop.carts.aggregates.get(ShoppingCart, ShoppingCart.create_id("nobody"))
    with pytest.raises(NotFound):
        orders.get(ShoppingCart, invoice.id)
    assert orders.find(ShoppingCart, invoice.id) is None
    assert shop.carts.aggregates.find(Invoice, invoice.id) is None
