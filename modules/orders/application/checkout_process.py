"""The checkout process: from a confirmed cart to a completed or cancelled order.

This process manager is the one place that knows the whole checkout. It reacts to
the other modules' messages, lets the order decide, and publishes what became of
the order, which moves the next module:

    message received                         order becomes    message published
    carts.ShoppingCart.Confirmed          ─▶ pending       ─▶ orders.Order.Placed
        payments requests the payment; the provider answers later, through a webhook
    payments.Payment.Succeeded            ─▶ paid          ─▶ orders.Order.Paid
        shipments takes the items from stock and sends the package
    shipments.Package.Sent                ─▶ completed     ─▶ orders.Order.Completed

    and when it goes wrong:
    payments.Payment.Failed               ─▶ cancelled     ─▶ orders.Order.Cancelled
                                             "payment declined"
    shipments.Package.ProductsOutOfStock  ─▶ cancelled     ─▶ orders.Order.Cancelled
                                             "out of stock"

Each handler is one unit of work: load (or place) the order, let it decide, update
the read models, publish the order's messages, and save last.

A message the order cannot act on — one naming an unknown order, a payment for an
order already cancelled — is logged and left alone: it is not an error of the shop's.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from uuid import UUID

from modules.carts.contracts import ShoppingCartConfirmed
from modules.orders.application.ports import OrdersContext
from modules.orders.contracts import ORDER_CANCELLED, ORDER_COMPLETED, ORDER_PAID, ORDER_PLACED
from modules.orders.domain.order import Order
from modules.payments.contracts import PaymentFailed, PaymentSucceeded
from modules.shipments.contracts import PackageSent, ProductsOutOfStock
from shared.errors import BusinessRuleViolation
from shared.outbox import IntegrationMessage
from shared.unit_of_work import UnitOfWork

logger = logging.getLogger(__name__)

PAYMENT_DECLINED = "payment declined"
OUT_OF_STOCK = "out of stock"

PUBLISHED_EVENTS: dict[type, str] = {
    Order.Placed: ORDER_PLACED,
    Order.Paid: ORDER_PAID,
    Order.Completed: ORDER_COMPLETED,
    Order.Cancelled: ORDER_CANCELLED,
}


def on_shopping_cart_confirmed(message: IntegrationMessage, context: OrdersContext) -> None:
    """The customer checked out: the cart becomes a pending order, which payments will charge."""
    confirmed = ShoppingCartConfirmed.model_validate(message.payload)
    with context.transactions.unit_of_work() as uow:
        order = Order(
            customer_id=confirmed.customer_id,
            cart_id=confirmed.originator_id,
            items=[item.model_dump() for item in confirmed.items],
            total=confirmed.total,
            currency=confirmed.currency,
            payment_method=confirmed.payment_method,
        )
        _save(uow, context, order)


def on_payment_succeeded(message: IntegrationMessage, context: OrdersContext) -> None:
    """The provider took the money: the order is paid, and shipments will send it.

    A cancelled or completed order refuses the payment and keeps its status: a cancelled
    order is never shipped, a completed one never goes back to paid.
    """
    succeeded = PaymentSucceeded.model_validate(message.payload)
    _update_order(
        succeeded.order_id,
        lambda order: order.record_payment(succeeded.originator_id),
        message,
        context,
    )


def on_payment_failed(message: IntegrationMessage, context: OrdersContext) -> None:
    """The provider declined the payment: the order is cancelled, nothing is shipped."""
    failed = PaymentFailed.model_validate(message.payload)
    _update_order(failed.order_id, lambda order: order.cancel(PAYMENT_DECLINED), message, context)


def on_package_sent(message: IntegrationMessage, context: OrdersContext) -> None:
    """The package left the warehouse: the order is completed."""
    sent = PackageSent.model_validate(message.payload)
    _update_order(sent.order_id, lambda order: order.complete(sent.originator_id), message, context)


def on_products_out_of_stock(message: IntegrationMessage, context: OrdersContext) -> None:
    """The warehouse cannot fill the order: it is cancelled."""
    out_of_stock = ProductsOutOfStock.model_validate(message.payload)
    _update_order(out_of_stock.order_id, lambda order: order.cancel(OUT_OF_STOCK), message, context)


def _update_order(
    order_id: UUID,
    decide: Callable[[Order], None],
    message: IntegrationMessage,
    context: OrdersContext,
) -> None:
    with context.transactions.unit_of_work() as uow:
        order = context.event_store.find(Order, order_id)
        if order is None:
            logger.warning(
                "%s %s names order %s, which does not exist; ignored",
                message.message_type,
                message.message_id,
                order_id,
            )
            return
        try:
            decide(order)
        except BusinessRuleViolation as refusal:
            logger.warning(
                "%s %s refused by order %s (%s); ignored",
                message.message_type,
                message.message_id,
                order_id,
                refusal.detail,
            )
            return
        _save(uow, context, order)


def _save(uow: UnitOfWork, context: OrdersContext, order: Order) -> None:
    context.order_views.record(uow.session, order, order.pending_events, context.clock.now())
    uow.publish_events(order.pending_events, PUBLISHED_EVENTS)
    context.event_store.save(order)
