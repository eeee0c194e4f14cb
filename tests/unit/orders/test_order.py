"""The order aggregate, specified as given events / when command / then events."""

from __future__ import annotations

from decimal import Decimal
from typing import Any
from uuid import UUID, uuid4

import pytest

from modules.orders.domain.order import (
    Order,
    OrderIsCancelled,
    OrderIsCompleted,
    OrderIsNotPaid,
    OrderIsNotPending,
    OrderStatus,
)
from shared.pricing import PricedLine
from tests.specification import RECORDED_AT, Fact, given_aggregate

ORDER_ID = UUID("00000000-0000-4000-8000-000000000001")
CART_ID = UUID("00000000-0000-4000-8000-000000000002")
PAYMENT_ID = UUID("00000000-0000-4000-8000-000000000003")
PACKAGE_ID = UUID("00000000-0000-4000-8000-000000000004")
ITEMS: list[dict[str, Any]] = [
    {"product_id": "espresso-beans-1kg", "quantity": 2, "unit_price": Decimal("24.90")},
    {"product_id": "ceramic-mug", "quantity": 1, "unit_price": Decimal("14.00")},
]
TOTAL = Decimal("63.80")


# --- the vocabulary of the specifications ---------------------------------------------------


def placed() -> Fact:
    return Fact(
        Order.Placed,
        {
            "customer_id": "alice",
            "cart_id": CART_ID,
            "items": ITEMS,
            "total": TOTAL,
            "currency": "EUR",
            "payment_method": "tok_ok",
        },
    )


def paid() -> Fact:
    return Fact(Order.Paid, {"payment_id": PAYMENT_ID, "customer_id": "alice", "items": ITEMS})


def completed() -> Fact:
    return Fact(Order.Completed, {"package_id": PACKAGE_ID})


def cancelled(reason: str) -> Fact:
    return Fact(Order.Cancelled, {"reason": reason})


def state_of(order: Order) -> tuple[object, ...]:
    return (
        order.version,
        order.status,
        order.payment_id,
        order.package_id,
        order.cancellation_reason,
    )


given = given_aggregate(Order, ORDER_ID, state_of)


class TestPlacing:
    def test_a_confirmed_cart_places_a_pending_order(self) -> None:
        order = (
            given()
            .when(
                lambda: Order(
                    customer_id="alice",
                    cart_id=CART_ID,
                    items=ITEMS,
                    total=TOTAL,
                    currency="EUR",
                    payment_method="tok_ok",
                )
            )
            .then(placed())
        )

        assert order.status is OrderStatus.PENDING
        assert order.lines == (
            PricedLine("espresso-beans-1kg", 2, Decimal("24.90")),
            PricedLine("ceramic-mug", 1, Decimal("14.00")),
        )


class TestPaying:
    def test_a_pending_order_becomes_paid(self) -> None:
        order = given(placed()).when(lambda order: order.record_payment(PAYMENT_ID)).then(paid())

        assert order.status is OrderStatus.PAID
        assert order.payment_id == PAYMENT_ID

    def test_a_cancelled_order_refuses_the_payment(self) -> None:
        (
            given(placed(), cancelled("payment declined"))
            .when(lambda order: order.record_payment(PAYMENT_ID))
            .then_refused(OrderIsCancelled, "is cancelled and cannot be paid")
        )

    def test_a_completed_order_refuses_the_payment(self) -> None:
        (
            given(placed(), paid(), completed())
            .when(lambda order: order.record_payment(uuid4()))
            .then_refused(OrderIsCompleted, "is completed and cannot be paid")
        )


class TestCompleting:
    def test_a_paid_order_is_completed_when_its_package_is_sent(self) -> None:
        order = (
            given(placed(), paid()).when(lambda order: order.complete(PACKAGE_ID)).then(completed())
        )

        assert order.status is OrderStatus.COMPLETED
        assert order.package_id == PACKAGE_ID

    def test_a_pending_order_cannot_be_completed(self) -> None:
        (
            given(placed())
            .when(lambda order: order.complete(PACKAGE_ID))
            .then_refused(OrderIsNotPaid, "is not paid yet and cannot be completed")
        )

    @pytest.mark.parametrize(
        "history",
        [(placed(), cancelled("payment declined")), (placed(), paid(), cancelled("out of stock"))],
        ids=["cancelled before payment", "cancelled after payment"],
    )
    def test_a_cancelled_order_cannot_be_completed(self, history: tuple[Fact, ...]) -> None:
        (
            given(*history)
            .when(lambda order: order.complete(PACKAGE_ID))
            .then_refused(OrderIsCancelled, "is cancelled and cannot be completed")
        )


class TestCancelling:
    def test_a_pending_order_is_cancelled_with_its_reason(self) -> None:
        order = (
            given(placed())
            .when(lambda order: order.cancel("payment declined"))
            .then(cancelled("payment declined"))
        )

        assert order.status is OrderStatus.CANCELLED
        assert order.cancellation_reason == "payment declined"

    def test_a_paid_order_is_cancelled_with_its_reason(self) -> None:
        order = (
            given(placed(), paid())
            .when(lambda order: order.cancel("out of stock"))
            .then(cancelled("out of stock"))
        )

        assert order.status is OrderStatus.CANCELLED
        assert order.cancellation_reason == "out of stock"

    def test_a_completed_order_cannot_be_cancelled(self) -> None:
        (
            given(placed(), paid(), completed())
            .when(lambda order: order.cancel("out of stock"))
            .then_refused(OrderIsCompleted, "is completed and cannot be cancelled")
        )


class TestCancellingBeforePayment:
    def test_a_pending_order_is_cancelled_with_the_customers_reason(self) -> None:
        order = (
            given(placed())
            .when(lambda order: order.cancel_before_payment("changed my mind"))
            .then(cancelled("changed my mind"))
        )

        assert order.status is OrderStatus.CANCELLED
        assert order.cancellation_reason == "changed my mind"

    @pytest.mark.parametrize(
        ("history", "status"),
        [
            ((placed(), paid()), "paid"),
            ((placed(), paid(), completed()), "completed"),
            ((placed(), cancelled("payment declined")), "cancelled"),
        ],
        ids=["paid", "completed", "cancelled"],
    )
    def test_an_order_that_no_longer_waits_for_its_payment_refuses(
        self, history: tuple[Fact, ...], status: str
    ) -> None:
        (
            given(*history)
            .when(lambda order: order.cancel_before_payment("changed my mind"))
            .then_refused(OrderIsNotPending, f"is {status}; only a pending order can be cancelled")
        )


class TestReplaying:
    def test_the_history_rebuilds_the_whole_order(self) -> None:
        order = given(placed(), paid(), completed()).aggregate

        assert order.id == ORDER_ID
        assert order.version == 3
        assert (order.customer_id, order.cart_id) == ("alice", CART_ID)
        assert (order.total, order.currency, order.payment_method) == (TOTAL, "EUR", "tok_ok")
        assert (order.payment_id, order.package_id) == (PAYMENT_ID, PACKAGE_ID)
        assert order.status is OrderStatus.COMPLETED
        assert order.created_on == RECORDED_AT
