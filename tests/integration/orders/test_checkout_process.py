"""The checkout process manager, specified as given messages / when a message / then commands.

Messages are delivered through the shop's routing tables, against the real database;
"then" reads the commands the process manager put in the outbox, and the order's
events from its stream.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any
from uuid import UUID, uuid4

import pytest

from modules.orders.application.checkout_process import CancelOrder, cancel_order
from modules.orders.domain.order import Order, OrderIsNotPending, OrderStatus
from modules.orders.infrastructure.tables import order_views, status_changes
from modules.payments.contracts import DiscardPayment
from shared.errors import NotFound, StaleVersion
from shared.messaging import IntegrationEvent
from tests.integration.orders.checkout import (
    CART_ID,
    ITEMS,
    PACKAGE_ID,
    PAYMENT_ID,
    TOTAL,
    Checkout,
    cancelled,
    cart_confirmed,
    out_of_stock,
    package_sent,
    payment_failed,
    payment_succeeded,
    request_payment,
    ship_order,
)
from tests.specification import Fact
from tests.support import table_size

# --- the happy path --------------------------------------------------------------------------


class TestHappyPath:
    def test_a_confirmed_cart_places_a_pending_order_and_requests_its_payment(
        self, checkout: Checkout
    ) -> None:
        checkout.when(cart_confirmed("tok_ok"))

        [sent] = checkout.sent_since_when()
        order_id = UUID(sent.payload["order_id"])
        checkout.then(request_payment(order_id, "tok_ok"))
        order = checkout.order(order_id)
        assert order.status is OrderStatus.PENDING
        assert (order.customer_id, order.cart_id, order.total) == ("alice", CART_ID, TOTAL)
        assert order.items == [item.model_dump() for item in ITEMS]

    def test_a_successful_payment_pays_the_order_and_ships_it(self, checkout: Checkout) -> None:
        order_id = checkout.placed()

        checkout.when(payment_succeeded(order_id))

        checkout.then(ship_order(order_id))
        checkout.then_order_recorded(
            order_id,
            1,
            Fact(
                Order.Paid,
                {
                    "payment_id": PAYMENT_ID,
                    "customer_id": "alice",
                    "items": [item.model_dump() for item in ITEMS],
                },
            ),
        )

    def test_the_sent_package_completes_the_order(self, checkout: Checkout) -> None:
        order_id = checkout.placed()
        checkout.given(payment_succeeded(order_id))

        checkout.when(package_sent(order_id))

        checkout.then()
        checkout.then_order_recorded(order_id, 2, Fact(Order.Completed, {"package_id": PACKAGE_ID}))
        assert checkout.order(order_id).status is OrderStatus.COMPLETED


# --- the failure paths -----------------------------------------------------------------------


class TestFailurePaths:
    def test_a_declined_payment_cancels_the_order_and_ships_nothing(
        self, checkout: Checkout
    ) -> None:
        order_id = checkout.placed("tok_declined")

        checkout.when(payment_failed(order_id))

        checkout.then()
        checkout.then_order_recorded(order_id, 1, cancelled("payment declined"))

    def test_products_out_of_stock_cancel_the_paid_order(self, checkout: Checkout) -> None:
        order_id = checkout.placed()
        checkout.given(payment_succeeded(order_id))

        checkout.when(out_of_stock(order_id))

        checkout.then()
        checkout.then_order_recorded(order_id, 2, cancelled("out of stock"))

    def test_the_customer_cancels_a_pending_order_and_its_payment_is_discarded(
        self, checkout: Checkout
    ) -> None:
        order_id = checkout.placed("tok_no_answer")

        checkout.when_handled(lambda: cancel_order(CancelOrder(order_id), checkout.context))

        checkout.then(DiscardPayment(order_id=order_id, reason="cancelled by the customer"))
        checkout.then_order_recorded(order_id, 1, cancelled("cancelled by the customer"))

    def test_the_customer_cannot_cancel_a_paid_order(self, checkout: Checkout) -> None:
        order_id = checkout.placed()
        checkout.given(payment_succeeded(order_id))

        with pytest.raises(OrderIsNotPending):
            checkout.when_handled(lambda: cancel_order(CancelOrder(order_id), checkout.context))

        checkout.then()
        assert checkout.order(order_id).version == 2

    def test_a_cancellation_at_a_stale_version_is_refused(self, checkout: Checkout) -> None:
        order_id = checkout.placed("tok_no_answer")

        with pytest.raises(StaleVersion):
            checkout.when_handled(
                lambda: cancel_order(CancelOrder(order_id, expected_version=7), checkout.context)
            )

        checkout.then()
        assert checkout.order(order_id).status is OrderStatus.PENDING

    def test_cancelling_an_unknown_order_is_not_found(self, checkout: Checkout) -> None:
        with pytest.raises(NotFound):
            cancel_order(CancelOrder(uuid4()), checkout.context)


# --- what the order refuses: logged, nothing changes, nothing is sent -------------------------


class TestRefusals:
    def test_a_payment_succeeding_after_the_cancellation_neither_pays_nor_ships(
        self, checkout: Checkout, caplog: pytest.LogCaptureFixture
    ) -> None:
        order_id = checkout.placed()
        checkout.given(payment_failed(order_id))

        with caplog.at_level(logging.WARNING):
            checkout.when(payment_succeeded(order_id, uuid4()))

        checkout.then()
        checkout.then_order_recorded(order_id, 2)
        assert f"order {order_id} is cancelled" in caplog.text

    def test_a_payment_succeeding_for_a_completed_order_leaves_it_completed(
        self, checkout: Checkout
    ) -> None:
        order_id = checkout.placed()
        checkout.given(payment_succeeded(order_id), package_sent(order_id))

        checkout.when(payment_succeeded(order_id, uuid4()))

        checkout.then()
        checkout.then_order_recorded(order_id, 3)

    def test_a_package_sent_for_a_pending_order_does_not_complete_it(
        self, checkout: Checkout
    ) -> None:
        order_id = checkout.placed()

        checkout.when(package_sent(order_id))

        checkout.then()
        assert checkout.order(order_id).status is OrderStatus.PENDING

    def test_a_package_sent_for_a_cancelled_order_does_not_complete_it(
        self, checkout: Checkout
    ) -> None:
        order_id = checkout.placed()
        checkout.given(payment_succeeded(order_id), out_of_stock(order_id, uuid4()))

        checkout.when(package_sent(order_id))

        checkout.then()
        assert checkout.order(order_id).status is OrderStatus.CANCELLED

    @pytest.mark.parametrize(
        "late", [payment_failed, out_of_stock], ids=["payment failed", "out of stock"]
    )
    def test_a_completed_order_is_not_cancelled_afterwards(
        self, checkout: Checkout, late: Any
    ) -> None:
        order_id = checkout.placed()
        checkout.given(payment_succeeded(order_id), package_sent(order_id))

        checkout.when(late(order_id))

        checkout.then()
        assert checkout.order(order_id).status is OrderStatus.COMPLETED

    @pytest.mark.parametrize(
        "about_unknown_order",
        [payment_succeeded, payment_failed, package_sent, out_of_stock],
        ids=["payment succeeded", "payment failed", "package sent", "out of stock"],
    )
    def test_a_message_about_an_unknown_order_changes_nothing(
        self, checkout: Checkout, about_unknown_order: Any, caplog: pytest.LogCaptureFixture
    ) -> None:
        checkout.placed()
        unknown = uuid4()

        with caplog.at_level(logging.WARNING):
            checkout.when(about_unknown_order(unknown))

        checkout.then()
        assert table_size(checkout.shop, order_views) == 1
        assert table_size(checkout.shop, status_changes) == 1
        assert f"{unknown} not found" in caplog.text


# --- what the process reads of the messages --------------------------------------------------


class TestContracts:
    def test_fields_the_contract_does_not_declare_are_ignored(self, checkout: Checkout) -> None:
        order_id = checkout.placed()

        checkout.when(
            payment_succeeded(order_id),
            extra={"originator_version": 2, "timestamp": "2026-01-01T12:00:00Z"},
        )

        checkout.then(ship_order(order_id))

    def test_a_message_that_breaks_its_contract_is_refused_loudly(self, checkout: Checkout) -> None:
        order_id = checkout.placed()
        broken: IntegrationEvent = payment_succeeded(order_id)

        with pytest.raises(ValueError, match="order_id"):
            checkout.when(broken, extra={"order_id": "not-a-uuid"})

        assert checkout.order(order_id).status is OrderStatus.PENDING


# --- read models and the unit of work --------------------------------------------------------


class TestReadModels:
    def test_the_status_history_follows_the_order(self, checkout: Checkout) -> None:
        order_id = checkout.placed()

        checkout.given(payment_succeeded(order_id), package_sent(order_id))

        details = checkout.details(order_id)
        assert [change.status for change in details.history] == [
            OrderStatus.PENDING,
            OrderStatus.PAID,
            OrderStatus.COMPLETED,
        ]
        assert (details.status, details.version) == (OrderStatus.COMPLETED, 3)
        assert (details.payment_id, details.package_id) == (PAYMENT_ID, PACKAGE_ID)

    def test_the_times_shown_are_the_shops_clock_when_each_message_was_handled(
        self, checkout: Checkout
    ) -> None:
        clock = checkout.clock
        placed_at = clock.now()
        order_id = checkout.placed()
        clock.advance(timedelta(minutes=5))
        paid_at = clock.now()
        checkout.given(payment_succeeded(order_id))
        clock.advance(timedelta(days=2))
        completed_at = clock.now()
        checkout.given(package_sent(order_id))
        clock.advance(timedelta(hours=1))

        details = checkout.details(order_id)
        assert [change.changed_at for change in details.history] == [
            placed_at,
            paid_at,
            completed_at,
        ]
        assert (details.placed_at, details.updated_at) == (placed_at, completed_at)

    def test_the_cancellation_reason_is_in_the_history(self, checkout: Checkout) -> None:
        order_id = checkout.placed()

        checkout.given(payment_failed(order_id))

        details = checkout.details(order_id)
        assert [(change.status, change.reason) for change in details.history] == [
            (OrderStatus.PENDING, None),
            (OrderStatus.CANCELLED, "payment declined"),
        ]
        assert details.cancellation_reason == "payment declined"


def test_a_failed_save_leaves_no_order_no_view_and_no_command(
    checkout: Checkout, monkeypatch: pytest.MonkeyPatch
) -> None:
    def failing_save(*_: Any) -> None:
        raise RuntimeError("the database went away")

    monkeypatch.setattr(checkout.context.aggregates, "save", failing_save)

    with pytest.raises(RuntimeError):
        checkout.when(cart_confirmed())

    checkout.then()
    assert table_size(checkout.shop, order_views) == 0
    assert table_size(checkout.shop, status_changes) == 0
