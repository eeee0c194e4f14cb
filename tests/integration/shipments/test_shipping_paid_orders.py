"""Shipping an order: the handler of the ``shipments.ShipOrder`` command, on a real database."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from uuid import uuid4

import pytest
from pydantic import ValidationError
from sqlalchemy import func, select, text

from modules.shipments.application import queries
from modules.shipments.application.commands import SetStock, set_stock
from modules.shipments.application.context import ShipmentsContext
from modules.shipments.contracts import (
    PackageSent,
    ProductsOutOfStock,
    ShipOrder,
    ShippedItem,
)
from modules.shipments.domain.package import PackageItem, PackageStatus
from shared.clock import ManualClock
from shop.bootstrap import Shop
from tests.specification import MessageFlow


def shipments_of(shop: Shop) -> ShipmentsContext:
    return shop.shipments


def ship_order(customer_id: str, items: Sequence[tuple[str, int]]) -> ShipOrder:
    return ShipOrder(
        order_id=uuid4(),
        customer_id=customer_id,
        items=[ShippedItem(product_id=product, quantity=quantity) for product, quantity in items],
    )


@pytest.fixture
def flow(shop: Shop) -> MessageFlow:
    return MessageFlow(shop)


def stock(shop: Shop) -> dict[str, int]:
    return {level.product_id: level.quantity for level in queries.stock_levels(shipments_of(shop))}


def recorded_events(shop: Shop) -> int:
    with shop.datastore.transaction(commit=False) as session:
        return session.execute(
            select(func.count()).select_from(text("shipments_events"))
        ).scalar_one()


def test_when_every_product_is_in_stock_then_the_package_is_sent(
    shop: Shop, flow: MessageFlow, clock: ManualClock
) -> None:
    clock.advance(timedelta(hours=3))
    before = stock(shop)
    command = ship_order("alice", [("espresso-beans-1kg", 2), ("ceramic-mug", 1)])

    flow.when(command)

    assert stock(shop) == {
        **before,
        "espresso-beans-1kg": before["espresso-beans-1kg"] - 2,
        "ceramic-mug": before["ceramic-mug"] - 1,
    }
    [package] = queries.packages_of_order(command.order_id, None, shipments_of(shop))
    assert package.status is PackageStatus.SENT
    assert package.customer_id == "alice"
    assert package.items == (PackageItem("espresso-beans-1kg", 2), PackageItem("ceramic-mug", 1))
    assert package.updated_at == datetime(2026, 1, 1, 15, tzinfo=UTC)
    flow.then(PackageSent(originator_id=package.package_id, order_id=command.order_id))
    assert recorded_events(shop) == 2


def test_when_one_product_is_short_then_nothing_leaves_the_warehouse(
    shop: Shop, flow: MessageFlow
) -> None:
    set_stock(SetStock("french-press", 1), shipments_of(shop))
    before = stock(shop)
    command = ship_order(
        "alice", [("espresso-beans-1kg", 2), ("french-press", 2), ("ceramic-mug", 1)]
    )

    flow.when(command)

    assert stock(shop) == before
    [package] = queries.packages_of_order(command.order_id, None, shipments_of(shop))
    assert package.status is PackageStatus.OUT_OF_STOCK
    assert package.items == ()
    assert package.missing_product_ids == ("french-press",)
    flow.then(
        ProductsOutOfStock(
            originator_id=package.package_id,
            order_id=command.order_id,
            product_ids=["french-press"],
        )
    )
    assert recorded_events(shop) == 2


def test_every_missing_product_is_reported_including_unstocked_ones(
    shop: Shop, flow: MessageFlow
) -> None:
    before = stock(shop)
    command = ship_order(
        "alice", [("gooseneck-kettle", 1), ("ceramic-mug", 1), ("unheard-of-product", 1)]
    )

    flow.when(command)

    assert stock(shop) == before
    [package] = queries.packages_of_order(command.order_id, None, shipments_of(shop))
    assert package.missing_product_ids == ("gooseneck-kettle", "unheard-of-product")


def test_the_same_product_on_two_lines_is_counted_once_against_stock(
    shop: Shop, flow: MessageFlow
) -> None:
    set_stock(SetStock("ceramic-mug", 3), shipments_of(shop))
    command = ship_order("alice", [("ceramic-mug", 2), ("ceramic-mug", 2)])

    flow.when(command)

    assert stock(shop)["ceramic-mug"] == 3
    [package] = queries.packages_of_order(command.order_id, None, shipments_of(shop))
    assert package.missing_product_ids == ("ceramic-mug",)


def test_an_order_taking_the_last_units_empties_the_stock(shop: Shop, flow: MessageFlow) -> None:
    set_stock(SetStock("hand-grinder", 2), shipments_of(shop))
    command = ship_order("alice", [("hand-grinder", 2)])

    flow.when(command)

    assert stock(shop)["hand-grinder"] == 0
    [package] = queries.packages_of_order(command.order_id, None, shipments_of(shop))
    assert package.status is PackageStatus.SENT


def test_two_orders_racing_for_the_last_unit_ship_exactly_one_package(shop: Shop) -> None:
    set_stock(SetStock("hand-grinder", 1), shipments_of(shop))
    commands = [ship_order(customer, [("hand-grinder", 1)]) for customer in ("alice", "bob")]
    flow = MessageFlow(shop)
    start = threading.Barrier(len(commands))
    failures: list[BaseException] = []

    def deliver(command: ShipOrder) -> None:
        start.wait()
        try:
            flow.deliver(command)
        except BaseException as error:
            failures.append(error)

    threads = [threading.Thread(target=deliver, args=(command,)) for command in commands]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert not any(thread.is_alive() for thread in threads)
    assert failures == []
    statuses = sorted(
        package.status
        for command in commands
        for package in queries.packages_of_order(command.order_id, None, shipments_of(shop))
    )
    assert statuses == [PackageStatus.OUT_OF_STOCK, PackageStatus.SENT]
    assert stock(shop)["hand-grinder"] == 0
    assert len(flow.sent_of(PackageSent)) == len(flow.sent_of(ProductsOutOfStock)) == 1


def test_a_command_with_a_line_of_no_units_is_refused_and_takes_nothing(
    shop: Shop, flow: MessageFlow
) -> None:
    before = stock(shop)
    command = ship_order("alice", [("ceramic-mug", 1)])
    no_units = [
        {"product_id": "ceramic-mug", "quantity": 1},
        {"product_id": "french-press", "quantity": 0},
    ]

    with pytest.raises(ValidationError, match="greater than or equal to 1"):
        flow.when(command, extra={"items": no_units})

    assert stock(shop) == before
    assert queries.packages_of_order(command.order_id, None, shipments_of(shop)) == []
    flow.then()
    assert recorded_events(shop) == 0
