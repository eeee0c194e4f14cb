"""Shipping a paid order: the handler of "orders.Order.Paid", against a real database."""

from __future__ import annotations

import json
import threading
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

import pytest
from sqlalchemy import func, select, text

from modules.orders.contracts import ORDER_PAID
from modules.shipments.application import queries
from modules.shipments.application.commands import SetStock, set_stock
from modules.shipments.application.ports import ShipmentsContext
from modules.shipments.contracts import (
    PACKAGE_SENT,
    PRODUCTS_OUT_OF_STOCK,
    PackageSent,
    ProductsOutOfStock,
)
from modules.shipments.domain.package import InvalidPackageItems, PackageItem, PackageStatus
from shared.clock import ManualClock
from shared.outbox import IntegrationMessage, outbox_messages
from shared.relay import MessageHandler
from shop.bootstrap import Shop


def shipments_of(shop: Shop) -> ShipmentsContext:
    context: ShipmentsContext = shop.contexts["shipments"]
    return context


def on_order_paid(shop: Shop) -> MessageHandler:
    [subscription] = [
        subscription
        for subscription in shop.subscriptions.for_type(ORDER_PAID)
        if subscription.name == "shipments.on_order_paid"
    ]
    return subscription.handler


def order_paid(customer_id: str, items: Sequence[tuple[str, int]]) -> IntegrationMessage:
    """The message as the relay hands it over: parsed JSON, so ids and amounts are strings."""
    payload: dict[str, Any] = {
        "originator_id": str(uuid4()),
        "originator_version": 2,
        "timestamp": "2026-01-01T12:00:00+00:00",
        "payment_id": str(uuid4()),
        "customer_id": customer_id,
        "items": [
            {"product_id": product_id, "quantity": quantity, "unit_price": "12.50"}
            for product_id, quantity in items
        ],
    }
    return IntegrationMessage(
        message_id=uuid4(),
        message_type=ORDER_PAID,
        source="orders",
        payload=payload,
        recorded_at=datetime(2026, 1, 1, 12, tzinfo=UTC),
        position=(0, 0),
    )


def order_id_of(message: IntegrationMessage) -> UUID:
    return UUID(message.payload["originator_id"])


def stock(shop: Shop) -> dict[str, int]:
    return {level.product_id: level.quantity for level in queries.stock_levels(shipments_of(shop))}


def published(shop: Shop) -> list[tuple[str, dict[str, Any]]]:
    with shop.datastore.transaction(commit=False) as session:
        rows = session.execute(
            select(outbox_messages.c.message_type, outbox_messages.c.payload)
            .where(outbox_messages.c.source == "shipments")
            .order_by(outbox_messages.c.id)
        ).all()
    return [(row.message_type, json.loads(row.payload)) for row in rows]


def recorded_events(shop: Shop) -> int:
    with shop.datastore.transaction(commit=False) as session:
        return session.execute(
            select(func.count()).select_from(text("shipments_events"))
        ).scalar_one()


def test_when_every_product_is_in_stock_then_the_package_is_sent(
    shop: Shop, clock: ManualClock
) -> None:
    clock.advance(timedelta(hours=3))
    before = stock(shop)
    message = order_paid("alice", [("espresso-beans-1kg", 2), ("ceramic-mug", 1)])

    on_order_paid(shop)(message)

    assert stock(shop) == {
        **before,
        "espresso-beans-1kg": before["espresso-beans-1kg"] - 2,
        "ceramic-mug": before["ceramic-mug"] - 1,
    }
    [package] = queries.packages_of_order(order_id_of(message), None, shipments_of(shop))
    assert package.status is PackageStatus.SENT
    assert package.customer_id == "alice"
    assert package.items == (PackageItem("espresso-beans-1kg", 2), PackageItem("ceramic-mug", 1))
    assert package.updated_at == datetime(2026, 1, 1, 15, tzinfo=UTC)
    [(message_type, payload)] = published(shop)
    assert message_type == PACKAGE_SENT
    sent = PackageSent.model_validate(payload)
    assert sent.originator_id == package.package_id
    assert sent.order_id == order_id_of(message)
    assert sent.customer_id == "alice"
    assert [(item.product_id, item.quantity) for item in sent.items] == [
        ("espresso-beans-1kg", 2),
        ("ceramic-mug", 1),
    ]
    assert recorded_events(shop) == 2


def test_when_one_product_is_short_then_nothing_leaves_the_warehouse(shop: Shop) -> None:
    set_stock(SetStock("french-press", 1), shipments_of(shop))
    before = stock(shop)
    message = order_paid(
        "alice", [("espresso-beans-1kg", 2), ("french-press", 2), ("ceramic-mug", 1)]
    )

    on_order_paid(shop)(message)

    assert stock(shop) == before
    [package] = queries.packages_of_order(order_id_of(message), None, shipments_of(shop))
    assert package.status is PackageStatus.OUT_OF_STOCK
    assert package.items == ()
    assert package.missing_product_ids == ("french-press",)
    [(message_type, payload)] = published(shop)
    assert message_type == PRODUCTS_OUT_OF_STOCK
    missing = ProductsOutOfStock.model_validate(payload)
    assert missing.originator_id == package.package_id
    assert missing.order_id == order_id_of(message)
    assert missing.customer_id == "alice"
    assert missing.product_ids == ["french-press"]
    assert recorded_events(shop) == 2


def test_every_missing_product_is_reported_including_unstocked_ones(shop: Shop) -> None:
    before = stock(shop)
    message = order_paid(
        "alice", [("gooseneck-kettle", 1), ("ceramic-mug", 1), ("unheard-of-product", 1)]
    )

    on_order_paid(shop)(message)

    assert stock(shop) == before
    [package] = queries.packages_of_order(order_id_of(message), None, shipments_of(shop))
    assert package.missing_product_ids == ("gooseneck-kettle", "unheard-of-product")


def test_the_same_product_on_two_lines_is_counted_once_against_stock(shop: Shop) -> None:
    set_stock(SetStock("ceramic-mug", 3), shipments_of(shop))
    message = order_paid("alice", [("ceramic-mug", 2), ("ceramic-mug", 2)])

    on_order_paid(shop)(message)

    assert stock(shop)["ceramic-mug"] == 3
    [package] = queries.packages_of_order(order_id_of(message), None, shipments_of(shop))
    assert package.missing_product_ids == ("ceramic-mug",)


def test_an_order_taking_the_last_units_empties_the_stock(shop: Shop) -> None:
    set_stock(SetStock("hand-grinder", 2), shipments_of(shop))
    message = order_paid("alice", [("hand-grinder", 2)])

    on_order_paid(shop)(message)

    assert stock(shop)["hand-grinder"] == 0
    [package] = queries.packages_of_order(order_id_of(message), None, shipments_of(shop))
    assert package.status is PackageStatus.SENT


def test_two_orders_racing_for_the_last_unit_ship_exactly_one_package(shop: Shop) -> None:
    set_stock(SetStock("hand-grinder", 1), shipments_of(shop))
    messages = [order_paid(customer, [("hand-grinder", 1)]) for customer in ("alice", "bob")]
    handler = on_order_paid(shop)
    start = threading.Barrier(len(messages))
    failures: list[BaseException] = []

    def deliver(message: IntegrationMessage) -> None:
        start.wait()
        try:
            handler(message)
        except BaseException as error:
            failures.append(error)

    threads = [threading.Thread(target=deliver, args=(message,)) for message in messages]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert not any(thread.is_alive() for thread in threads)
    assert failures == []
    statuses = sorted(
        package.status
        for message in messages
        for package in queries.packages_of_order(order_id_of(message), None, shipments_of(shop))
    )
    assert statuses == [PackageStatus.OUT_OF_STOCK, PackageStatus.SENT]
    assert stock(shop)["hand-grinder"] == 0
    assert sorted(message_type for message_type, _ in published(shop)) == sorted(
        [PACKAGE_SENT, PRODUCTS_OUT_OF_STOCK]
    )


def test_an_order_with_a_line_of_no_units_is_refused_and_takes_nothing(shop: Shop) -> None:
    before = stock(shop)
    message = order_paid("alice", [("ceramic-mug", 1), ("french-press", 0)])

    with pytest.raises(InvalidPackageItems):
        on_order_paid(shop)(message)

    assert stock(shop) == before
    assert queries.packages_of_order(order_id_of(message), None, shipments_of(shop)) == []
    assert published(shop) == []
    assert recorded_events(shop) == 0
