"""The order aggregate, specified as given events / when command / then events."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID, uuid4

import pytest
from eventsourcing.domain import Aggregate
from eventsourcing.utils import get_topic

from modules.orders.domain.order import (
    Order,
    OrderIsCancelled,
    OrderIsCompleted,
    OrderIsNotPaid,
    OrderLine,
    OrderStatus,
)

ORDER_ID = UUID("00000000-0000-4000-8000-000000000001")
CART_ID = UUID("00000000-0000-4000-8000-000000000002")
PAYMENT_ID = UUID("00000000-0000-4000-8000-000000000003")
PACKAGE_ID = UUID("00000000-0000-4000-8000-000000000004")
RECORDED_AT = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)
ITEMS: list[dict[str, Any]] = [
    {"product_id": "espresso-beans-1kg", "quantity": 2, "unit_price": Decimal("24.90")},
    {"product_id": "ceramic-mug", "quantity": 1, "unit_price": Decimal("14.00")},
]
TOTAL = Decimal("63.80")

PastEvent = Callable[[int], Aggregate.Event]


def placed(version: int) -> Aggregate.Event:
    return Order.Placed(
        originator_id=ORDER_ID,
        originator_version=version,
        timestamp=RECORDED_AT,
        originator_topic=get_topic(Order),
        customer_id="alice",
        cart_id=CART_ID,
        items=ITEMS,
        total=TOTAL,
        currency="EUR",
        payment_method="tok_ok",
    )


def paid(version: int) -> Aggregate.Event:
    return Order.Paid(
        originator_id=ORDER_ID,
        originator_version=version,
        timestamp=RECORDED_AT,
        payment_id=PAYMENT_ID,
        customer_id="alice",
        items=ITEMS,
    )


def completed(version: int) -> Aggregate.Event:
    return Order.Completed(
        originator_id=ORDER_ID,
        originator_version=version,
        timestamp=RECORDED_AT,
        package_id=PACKAGE_ID,
    )


def cancelled(reason: str) -> PastEvent:
    def event(version: int) -> Aggregate.Event:
        return Order.Cancelled(
            originator_id=ORDER_ID,
            originator_version=version,
            timestamp=RECORDED_AT,
            reason=reason,
        )

    return event


def given(*history: PastEvent) -> Order:
    """The order rebuilt from its recorded events, as the event store would load it."""
    order: Order | None = None
    for version, past_event in enumerate(history, start=1):
        order = past_event(version).mutate(order)
    assert order is not None
    return order


def then(order: Order) -> list[Any]:
    return list(order.collect_events())


class TestPlacing:
    def test_a_confirmed_cart_places_a_pending_order(self) -> None:
        order = Order(
            customer_id="alice",
            cart_id=CART_ID,
            items=ITEMS,
            total=TOTAL,
            currency="EUR",
            payment_method="tok_ok",
        )

        [event] = then(order)
        assert isinstance(event, Order.Placed)
        assert event.originator_id == order.id
        assert (event.customer_id, event.cart_id, event.items) == ("alice", CART_ID, ITEMS)
        assert (event.total, event.currency, event.payment_method) == (TOTAL, "EUR", "tok_ok")
        assert order.status is OrderStatus.PENDING
        assert order.lines == (
            OrderLine("espresso-beans-1kg", 2, Decimal("24.90")),
            OrderLine("ceramic-mug", 1, Decimal("14.00")),
        )


class TestPaying:
    def test_a_pending_order_becomes_paid(self) -> None:
        order = given(placed)

        order.record_payment(PAYMENT_ID)

        [event] = then(order)
        assert isinstance(event, Order.Paid)
        assert (event.payment_id, event.customer_id, event.items) == (PAYMENT_ID, "alice", ITEMS)
        assert order.status is OrderStatus.PAID
        assert order.payment_id == PAYMENT_ID

    def test_a_cancelled_order_refuses_the_payment(self) -> None:
        order = given(placed, cancelled("payment declined"))

        with pytest.raises(OrderIsCancelled):
            order.record_payment(PAYMENT_ID)

        assert then(order) == []
        assert order.status is OrderStatus.CANCELLED
        assert order.payment_id is None

    def test_a_completed_order_refuses_the_payment(self) -> None:
        order = given(placed, paid, completed)

        with pytest.raises(OrderIsCompleted):
            order.record_payment(uuid4())

        assert then(order) == []
        assert order.status is OrderStatus.COMPLETED
        assert order.payment_id == PAYMENT_ID


class TestCompleting:
    def test_a_paid_order_is_completed_when_its_package_is_sent(self) -> None:
        order = given(placed, paid)

        order.complete(PACKAGE_ID)

        [event] = then(order)
        assert isinstance(event, Order.Completed)
        assert event.package_id == PACKAGE_ID
        assert order.status is OrderStatus.COMPLETED
        assert order.package_id == PACKAGE_ID

    def test_a_pending_order_cannot_be_completed(self) -> None:
        order = given(placed)

        with pytest.raises(OrderIsNotPaid):
            order.complete(PACKAGE_ID)

        assert then(order) == []
        assert order.status is OrderStatus.PENDING

    @pytest.mark.parametrize(
        "history",
        [(placed, cancelled("payment declined")), (placed, paid, cancelled("out of stock"))],
        ids=["cancelled before payment", "cancelled after payment"],
    )
    def test_a_cancelled_order_cannot_be_completed(self, history: tuple[PastEvent, ...]) -> None:
        order = given(*history)

        with pytest.raises(OrderIsCancelled):
            order.complete(PACKAGE_ID)

        assert then(order) == []
        assert order.status is OrderStatus.CANCELLED


class TestCancelling:
    def test_a_pending_order_is_cancelled_with_its_reason(self) -> None:
        order = given(placed)

        order.cancel("payment declined")

        [event] = then(order)
        assert isinstance(event, Order.Cancelled)
        assert event.reason == "payment declined"
        assert order.status is OrderStatus.CANCELLED
        assert order.cancellation_reason == "payment declined"

    def test_a_paid_order_is_cancelled_with_its_reason(self) -> None:
        order = given(placed, paid)

        order.cancel("out of stock")

        [event] = then(order)
        assert isinstance(event, Order.Cancelled)
        assert event.reason == "out of stock"
        assert order.status is OrderStatus.CANCELLED
        assert order.cancellation_reason == "out of stock"

    def test_a_completed_order_cannot_be_cancelled(self) -> None:
        order = given(placed, paid, completed)

        with pytest.raises(OrderIsCompleted):
            order.cancel("out of stock")

        assert then(order) == []
        assert order.status is OrderStatus.COMPLETED
        assert order.cancellation_reason is None


class TestReplaying:
    def test_the_history_rebuilds_the_whole_order(self) -> None:
        order = given(placed, paid, completed)

        assert order.id == ORDER_ID
        assert order.version == 3
        assert (order.customer_id, order.cart_id) == ("alice", CART_ID)
        assert (order.total, order.currency, order.payment_method) == (TOTAL, "EUR", "tok_ok")
        assert (order.payment_id, order.package_id) == (PAYMENT_ID, PACKAGE_ID)
        assert order.status is OrderStatus.COMPLETED
        assert order.created_on == RECORDED_AT
