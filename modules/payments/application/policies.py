"""How payments reacts to messages: each one becomes a command, in its own transaction.

Payloads are parsed with the publisher's contract: uuids and amounts arrive as strings.
"""

from __future__ import annotations

from modules.orders.contracts import OrderCancelled, OrderPlaced
from modules.payments.application.commands import (
    DiscardPendingPayments,
    RequestPayment,
    discard_pending_payments,
    request_payment,
    submit_to_provider,
)
from modules.payments.application.ports import PaymentsContext
from modules.payments.contracts import PaymentRequested
from shared.outbox import IntegrationMessage


def on_order_placed(message: IntegrationMessage, context: PaymentsContext) -> None:
    placed = OrderPlaced.model_validate(message.payload)
    request_payment(
        RequestPayment(
            order_id=placed.originator_id,
            customer_id=placed.customer_id,
            amount=placed.total,
            currency=placed.currency,
            payment_method=placed.payment_method,
        ),
        context,
    )


def on_payment_requested(message: IntegrationMessage, context: PaymentsContext) -> None:
    requested = PaymentRequested.model_validate(message.payload)
    submit_to_provider(requested.originator_id, context)


def on_order_cancelled(message: IntegrationMessage, context: PaymentsContext) -> None:
    cancelled = OrderCancelled.model_validate(message.payload)
    discard_pending_payments(
        DiscardPendingPayments(
            order_id=cancelled.originator_id, reason=f"order cancelled: {cancelled.reason}"
        ),
        context,
    )
