"""The checkout process manager, specified as given messages / when message / then messages."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID, uuid4

import pytest

from modules.orders.contracts import (
    ORDER_CANCELLED,
    ORDER_COMPLETED,
    ORDER_PAID,
    ORDER_PLACED,
    OrderCancelled,
    OrderCompleted,
    OrderPaid,
    OrderPlaced,
)
from modules.orders.domain.order import OrderStatus
from modules.orders.infrastructure.tables import order_views, status_changes
from shared.clock import ManualClock
from shared.outbox import IntegrationMessage
from shop.bootstrap import Shop
from tests.integration.orders.checkout import (
    CART_ID,
    HANDLERS,
    ITEMS,
    CheckoutProcess,
    cart_confirmed,
    package_sent,
    payment_failed,
    payment_succeeded,
    products_out_of_stock,
)


@pytest.fixture
def checkout(shop: Shop, clock: ManualClock) -> CheckoutProcess:
    return CheckoutProcess(shop, clock)


PAYMENT_ID = UUID("00000000-0000-4000-8000-0000000000a1")
PACKAGE_ID = UUID("00000000-0000-4000-8000-0000000000b1")


class TestPlacing:
    def test_a_confirmed_cart_places_a_pending_order(self, checkout: CheckoutProcess) -> None:
        checkout.when(cart_confirmed("alice"))

        [placed] = checkout.then_published()
        assert placed.message_type == ORDER_PLACED
        contract = OrderPlaced.model_validate(placed.payload)
        assert contract.customer_id == "alice"
        assert contract.cart_id == CART_ID
        assert [item.model_dump() for item in contract.items] == ITEMS
        assert (contract.total, contract.currency) == (Decimal("63.80"), "EUR")
        assert contract.payment_method == "tok_ok"
        order = checkout.order(contract.originator_id)
        assert order.status is OrderStatus.PENDING
        assert order.customer_id == "alice"


class TestHappyPath:
    def test_a_successful_payment_pays_the_order(self, checkout: CheckoutProcess) -> None:
        checkout.given(cart_confirmed())
        order_id = checkout.placed_order_id()

        checkout.when(payment_succeeded(order_id, PAYMENT_ID))

        [paid] = checkout.then_published()
        assert paid.message_type == ORDER_PAID
        contract = OrderPaid.model_validate(paid.payload)
        assert contract.originator_id == order_id
        assert contract.payment_id == PAYMENT_ID
        assert contract.customer_id == "alice"
        assert [(i.product_id, i.quantity) for i in contract.items] == [
            ("espresso-beans-1kg", 2),
            ("ceramic-mug", 1),
        ]
        assert checkout.order(order_id).status is OrderStatus.PAID

    def test_the_sent_package_completes_the_order(self, checkout: CheckoutProcess) -> None:
        checkout.given(cart_confirmed())
        order_id = checkout.placed_order_id()
        checkout.given(payment_succeeded(order_id, PAYMENT_ID))

        checkout.when(package_sent(order_id, PACKAGE_ID))

        [completed] = checkout.then_published()
        assert completed.message_type == ORDER_COMPLETED
        contract = OrderCompleted.model_validate(completed.payload)
        assert (contract.originator_id, contract.package_id) == (order_id, PACKAGE_ID)
        order = checkout.order(order_id)
        assert order.status is OrderStatus.COMPLETED
        assert order.package_id == PACKAGE_ID


class TestFailurePaths:
    def test_a_declined_payment_cancels_the_order(self, checkout: CheckoutProcess) -> None:
        checkout.given(cart_confirmed())
        order_id = checkout.placed_order_id()

        checkout.when(payment_failed(order_id, PAYMENT_ID))

        [cancelled] = checkout.then_published()
        assert cancelled.message_type == ORDER_CANCELLED
        contract = OrderCancelled.model_validate(cancelled.payload)
        assert (contract.originator_id, contract.reason) == (order_id, "payment declined")
        order = checkout.order(order_id)
        assert order.status is OrderStatus.CANCELLED
        assert order.cancellation_reason == "payment declined"

    def test_products_out_of_stock_cancel_the_paid_order(self, checkout: CheckoutProcess) -> None:
        checkout.given(cart_confirmed())
        order_id = checkout.placed_order_id()
        checkout.given(payment_succeeded(order_id, PAYMENT_ID))

        checkout.when(products_out_of_stock(order_id, PACKAGE_ID))

        [cancelled] = checkout.then_published()
        assert cancelled.message_type == ORDER_CANCELLED
        contract = OrderCancelled.model_validate(cancelled.payload)
        assert (contract.originator_id, contract.reason) == (order_id, "out of stock")
        order = checkout.order(order_id)
        assert order.status is OrderStatus.CANCELLED
        assert order.cancellation_reason == "out of stock"

    def test_a_payment_succeeding_after_the_cancellation_neither_pays_nor_ships(
        self, checkout: CheckoutProcess
    ) -> None:
        checkout.given(cart_confirmed())
        order_id = checkout.placed_order_id()
        checkout.given(payment_failed(order_id, PAYMENT_ID))

        checkout.when(payment_succeeded(order_id, uuid4()))

        assert checkout.then_published() == []
        order = checkout.order(order_id)
        assert order.status is OrderStatus.CANCELLED
        assert order.payment_id is None
        assert order.version == 2

    def test_a_payment_succeeding_for_a_completed_order_leaves_it_completed(
        self, checkout: CheckoutProcess, caplog: pytest.LogCaptureFixture
    ) -> None:
        checkout.given(cart_confirmed())
        order_id = checkout.placed_order_id()
        checkout.given(payment_succeeded(order_id, PAYMENT_ID), package_sent(order_id, PACKAGE_ID))

        with caplog.at_level(logging.WARNING):
            checkout.when(payment_succeeded(order_id, uuid4()))

        assert checkout.then_published() == []
        order = checkout.order(order_id)
        assert order.status is OrderStatus.COMPLETED
        assert order.payment_id == PAYMENT_ID
        assert order.version == 3
        assert f"refused by order {order_id}" in caplog.text

    def test_a_package_sent_for_a_cancelled_order_does_not_complete_it(
        self, checkout: CheckoutProcess
    ) -> None:
        checkout.given(cart_confirmed())
        order_id = checkout.placed_order_id()
        checkout.given(
            payment_succeeded(order_id, PAYMENT_ID), products_out_of_stock(order_id, uuid4())
        )

        checkout.when(package_sent(order_id, PACKAGE_ID))

        assert checkout.then_published() == []
        assert checkout.order(order_id).status is OrderStatus.CANCELLED

    def test_a_completed_order_is_not_cancelled_afterwards(self, checkout: CheckoutProcess) -> None:
        checkout.given(cart_confirmed())
        order_id = checkout.placed_order_id()
        checkout.given(payment_succeeded(order_id, PAYMENT_ID), package_sent(order_id, PACKAGE_ID))

        checkout.when(products_out_of_stock(order_id, uuid4()))

        assert checkout.then_published() == []
        assert checkout.order(order_id).status is OrderStatus.COMPLETED

    @pytest.mark.parametrize(
        "incoming",
        [payment_succeeded, payment_failed, package_sent, products_out_of_stock],
        ids=["payment succeeded", "payment failed", "package sent", "out of stock"],
    )
    def test_a_message_for_an_unknown_order_is_ignored(
        self,
        checkout: CheckoutProcess,
        incoming: Callable[[UUID, UUID], IntegrationMessage],
    ) -> None:
        checkout.given(cart_confirmed())

        checkout.when(incoming(uuid4(), uuid4()))

        assert checkout.then_published() == []
        assert checkout.rows(order_views) == 1
        assert checkout.rows(status_changes) == 1


class TestReadModels:
    def test_the_status_history_follows_the_order(self, checkout: CheckoutProcess) -> None:
        checkout.given(cart_confirmed())
        order_id = checkout.placed_order_id()

        checkout.given(payment_succeeded(order_id, PAYMENT_ID), package_sent(order_id, PACKAGE_ID))

        details = checkout.details(order_id)
        assert [change.status for change in details.history] == [
            OrderStatus.PENDING,
            OrderStatus.PAID,
            OrderStatus.COMPLETED,
        ]
        assert (details.status, details.version) == (OrderStatus.COMPLETED, 3)
        assert (details.payment_id, details.package_id) == (PAYMENT_ID, PACKAGE_ID)

    def test_the_times_shown_are_the_shops_clock_when_each_message_was_handled(
        self, checkout: CheckoutProcess
    ) -> None:
        clock = checkout.clock
        placed_at = clock.now()
        checkout.given(cart_confirmed())
        order_id = checkout.placed_order_id()
        clock.advance(timedelta(minutes=5))
        paid_at = clock.now()
        checkout.given(payment_succeeded(order_id, PAYMENT_ID))
        clock.advance(timedelta(days=2))
        completed_at = clock.now()
        checkout.given(package_sent(order_id, PACKAGE_ID))
        clock.advance(timedelta(hours=1))

        details = checkout.details(order_id)
        assert [change.changed_at for change in details.history] == [
            placed_at,
            paid_at,
            completed_at,
        ]
        assert (details.placed_at, details.updated_at) == (placed_at, completed_at)
        [summary] = checkout.page().orders
        assert (summary.placed_at, summary.updated_at) == (placed_at, completed_at)

    def test_the_cancellation_reason_is_in_the_history(self, checkout: CheckoutProcess) -> None:
        checkout.given(cart_confirmed())
        order_id = checkout.placed_order_id()

        checkout.given(payment_failed(order_id, PAYMENT_ID))

        details = checkout.details(order_id)
        assert [(change.status, change.reason) for change in details.history] == [
            (OrderStatus.PENDING, None),
            (OrderStatus.CANCELLED, "payment declined"),
        ]
        assert details.cancellation_reason == "payment declined"


class TestUnitOfWork:
    def test_a_failed_save_leaves_no_order_view_and_no_message(
        self, checkout: CheckoutProcess, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        def failing_save(*_: Any) -> None:
            raise RuntimeError("the database went away")

        monkeypatch.setattr(checkout.context.event_store, "save", failing_save)

        with pytest.raises(RuntimeError):
            checkout.when(cart_confirmed())

        assert checkout.published() == []
        assert checkout.rows(order_views) == 0
        assert checkout.rows(status_changes) == 0


def test_the_process_manager_subscribes_to_every_message_it_handles(shop: Shop) -> None:
    for message_type, handler in HANDLERS.items():
        names = [s.name for s in shop.subscriptions.for_type(message_type)]
        assert f"orders.{handler.__name__}" in names
