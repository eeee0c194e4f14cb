"""The checkout process manager: from a confirmed cart to a completed or cancelled order.

This is the one place that decides what the checkout does next. It hears what
happened in the other modules, lets the order decide, and sends the next module
the command for the next step:

    heard                                     the order            sends
    carts.ShoppingCart.Confirmed          ─▶ placed, pending   ─▶ payments.RequestPayment
        the provider answers later, through its webhook, and payments publishes the outcome
    payments.Payment.Succeeded            ─▶ paid              ─▶ shipments.ShipOrder
    shipments.Package.Sent                ─▶ completed

    and when it goes wrong:
    payments.Payment.Failed               ─▶ cancelled, "payment declined"
    shipments.Package.ProductsOutOfStock  ─▶ cancelled, "out of stock"
    the customer cancels (orders' API)    ─▶ cancelled, "cancelled by the customer"
                                                               ─▶ payments.DiscardPayment

    and what the order refuses (logged; nothing changes, nothing is sent):
    a message about an order that does not exist;
    a payment for an order already cancelled or completed;
    a package for an order not paid, or cancelled;
    a failure or a missing product for an order already completed.

Each step is one unit of work: load (or place) the order, let it decide, update the
order's read models, put the commands in the outbox, and save the order last. The
commands leave only if the order's events are committed, and always if they are.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from uuid import UUID

from modules.carts.contracts import ShoppingCartConfirmed
from modules.orders.application.context import OrdersContext
from modules.orders.domain.order import Order
from modules.payments.contracts import (
    DiscardPayment,
    PaymentFailed,
    PaymentSucceeded,
    RequestPayment,
)
from modules.shipments.contracts import PackageSent, ProductsOutOfStock, ShipOrder, ShippedItem
from shared.errors import BusinessRuleViolation, NotFound, StaleVersion
from shared.messaging import Command
from shared.unit_of_work import UnitOfWork, retry_on_conflict

logger = logging.getLogger(__name__)

PAYMENT_DECLINED = "payment declined"
OUT_OF_STOCK = "out of stock"
CANCELLED_BY_CUSTOMER = "cancelled by the customer"

SENDS: tuple[type[Command], ...] = (RequestPayment, ShipOrder, DiscardPayment)


def on_shopping_cart_confirmed(confirmed: ShoppingCartConfirmed, context: OrdersContext) -> None:
    """The customer checked out: the cart becomes a pending order, and payments is asked
    for its total."""
    with context.transactions.unit_of_work() as uow:
        order = Order(
            customer_id=confirmed.customer_id,
            cart_id=confirmed.originator_id,
            items=[item.model_dump() for item in confirmed.items],
            total=confirmed.total,
            currency=confirmed.currency,
            payment_method=confirmed.payment_method,
        )
        _save(uow, context, order, _request_payment(order))


def on_payment_succeeded(succeeded: PaymentSucceeded, context: OrdersContext) -> None:
    """The provider took the money: the order is paid, and shipments is asked to send it."""

    def record_payment(order: Order) -> Command:
        order.record_payment(succeeded.originator_id)
        return _ship(order)

    _step(succeeded, succeeded.order_id, record_payment, context)


def on_payment_failed(failed: PaymentFailed, context: OrdersContext) -> None:
    """The provider declined the payment: the order is cancelled, and nothing is shipped."""

    def cancel(order: Order) -> None:
        order.cancel(PAYMENT_DECLINED)

    _step(failed, failed.order_id, cancel, context)


def on_package_sent(sent: PackageSent, context: OrdersContext) -> None:
    """The package left the warehouse: the order is completed."""

    def complete(order: Order) -> None:
        order.complete(sent.originator_id)

    _step(sent, sent.order_id, complete, context)


def on_products_out_of_stock(out_of_stock: ProductsOutOfStock, context: OrdersContext) -> None:
    """The warehouse cannot fill the order: it is cancelled."""

    def cancel(order: Order) -> None:
        order.cancel(OUT_OF_STOCK)

    _step(out_of_stock, out_of_stock.order_id, cancel, context)


@dataclass(frozen=True)
class CancelOrder:
    """The customer's request to cancel an order that waits for its payment."""

    order_id: UUID
    expected_version: int | None = None


def cancel_order(command: CancelOrder, context: OrdersContext) -> Order:
    """Cancels a pending order and asks payments to discard its payment.

    Raises :class:`NotFound` for an unknown order, :class:`StaleVersion` when
    ``expected_version`` is not the order's version, and
    :class:`~modules.orders.domain.order.OrderIsNotPending` once it is paid. Without
    an expected version, a race with the checkout is decided again on the new state.
    """

    def attempt() -> Order:
        with context.transactions.unit_of_work() as uow:
            order = context.aggregates.get(Order, command.order_id)
            if command.expected_version not in (None, order.version):
                msg = f"the order is at version {order.version}, not {command.expected_version}"
                raise StaleVersion(msg)
            order.cancel_before_payment(CANCELLED_BY_CUSTOMER)
            discard = DiscardPayment(order_id=order.id, reason=CANCELLED_BY_CUSTOMER)
            _save(uow, context, order, discard)
        return order

    return retry_on_conflict(attempt, expected_version=command.expected_version)


def _request_payment(order: Order) -> RequestPayment:
    return RequestPayment(
        order_id=order.id,
        customer_id=order.customer_id,
        amount=order.total,
        currency=order.currency,
        payment_method=order.payment_method,
    )


def _ship(order: Order) -> ShipOrder:
    return ShipOrder(
        order_id=order.id,
        customer_id=order.customer_id,
        items=[
            ShippedItem(product_id=line.product_id, quantity=line.quantity) for line in order.lines
        ],
    )


def _step(
    heard: object,
    order_id: UUID,
    decide: Callable[[Order], Command | None],
    context: OrdersContext,
) -> None:
    """Lets the order decide on what was heard, and sends the command it leads to, if any."""
    with context.transactions.unit_of_work() as uow:
        try:
            order = context.aggregates.get(Order, order_id)
            command = decide(order)
        except (NotFound, BusinessRuleViolation) as refusal:
            # Not the shop's error: retrying would only be refused again.
            logger.warning("%s refused: %s", type(heard).__name__, refusal.detail)
            return
        _save(uow, context, order, command)


def _save(uow: UnitOfWork, context: OrdersContext, order: Order, command: Command | None) -> None:
    context.order_views.record(uow.session, order, order.pending_events, context.clock.now())
    if command is not None:
        uow.send(command)
    context.aggregates.save(order)
