"""Every module's event store writes through the one datastore, so they share a transaction."""

from __future__ import annotations

import threading
from decimal import Decimal
from uuid import uuid4

import psycopg
import pytest
from eventsourcing import persistence
from eventsourcing.domain import Aggregate, event
from sqlalchemy import text
from sqlalchemy.engine import make_url

from modules.carts.domain.cart import ShoppingCart
from shared.errors import NotFound
from shared.event_sourcing import ModuleApplication
from shop.bootstrap import Shop

MODULE_NAMES = ("carts", "orders", "payments", "shipments")


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


def another_cart() -> ShoppingCart:
    """A cart of a customer of its own: a stream no other save writes to."""
    cart = ShoppingCart(customer_id=f"customer-{uuid4()}", currency="EUR")
    cart.add_product_item("ceramic-mug", 1, Decimal("14.00"), "EUR")
    return cart


def _held_save(
    application: ModuleApplication, saved: threading.Event, done: threading.Event
) -> None:
    """Saves a cart and keeps its transaction open until ``done``."""
    with application._datastore.transaction(commit=True):
        application.save(another_cart())
        saved.set()
        done.wait(timeout=10)


def _save_within(application: ModuleApplication, session_lock_timeout: str) -> None:
    with application._datastore.transaction(commit=True) as session:
        session.execute(text(f"SET LOCAL lock_timeout = '{session_lock_timeout}'"))
        application.save(another_cart())


@pytest.mark.postgres_only
@pytest.mark.parametrize("module", ["carts", "payments", "shipments"])
def test_a_save_does_not_wait_for_another_save_of_the_same_module(shop: Shop, module: str) -> None:
    """Nothing reads these modules' notification logs: their saves take no table lock."""
    application = shop.contexts[module].aggregates
    saved, done = threading.Event(), threading.Event()
    holder = threading.Thread(target=_held_save, args=(application, saved, done))
    holder.start()
    try:
        assert saved.wait(timeout=10)
        _save_within(application, "1s")
    finally:
        done.set()
        holder.join()


@pytest.mark.postgres_only
def test_a_save_of_orders_waits_until_the_previous_one_commits(shop: Shop) -> None:
    """The sales report reads the orders' notification log: its ids must commit in order."""
    saved, done = threading.Event(), threading.Event()
    holder = threading.Thread(target=_held_save, args=(shop.orders.aggregates, saved, done))
    holder.start()
    try:
        assert saved.wait(timeout=10)
        with pytest.raises(persistence.OperationalError, match="lock timeout"):
            _save_within(shop.orders.aggregates, "200ms")
    finally:
        done.set()
        holder.join()


@pytest.mark.postgres_only
def test_no_save_notifies_the_librarys_channel(shop: Shop, database_url: str) -> None:
    """The shop never subscribes to the library's channels, so no save sends a NOTIFY."""
    dsn = make_url(database_url).set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(dsn, autocommit=True) as listener:
        for module in MODULE_NAMES:
            listener.execute(f"LISTEN {module}_events")
        for module in MODULE_NAMES:
            shop.contexts[module].aggregates.save(another_cart())
        assert list(listener.notifies(timeout=0.5, stop_after=1)) == []


def test_events_saved_together_are_read_back_in_order_with_increasing_notification_ids(
    shop: Shop,
) -> None:
    cart = another_cart()
    for product_id in ("french-press", "paper-filters-100", "espresso-beans-1kg"):
        cart.add_product_item(product_id, 1, Decimal("10.00"), "EUR")
    recorder = shop.carts.aggregates.recorder

    shop.carts.aggregates.save(cart)

    stored = recorder.select_events(cart.id)
    assert [event.originator_version for event in stored] == [1, 2, 3, 4, 5]
    assert shop.carts.aggregates.get(ShoppingCart, cart.id).lines.keys() == cart.lines.keys()
    notifications = [
        notification
        for notification in recorder.select_notifications(start=None, limit=100)
        if notification.originator_id == cart.id
    ]
    assert [n.originator_version for n in notifications] == [1, 2, 3, 4, 5]
    assert [n.id for n in notifications] == sorted({n.id for n in notifications})
