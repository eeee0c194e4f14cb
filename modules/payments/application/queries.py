"""Read side of the payments module: answered from the read model, never from the event store."""

from __future__ import annotations

from uuid import UUID

from modules.payments.application.context import PaymentsContext
from modules.payments.infrastructure.payment_views import PaymentView


def payments_of_order(
    order_id: UUID, customer_id: str | None, context: PaymentsContext
) -> list[PaymentView]:
    """The order's payments, oldest first: only one customer's, or all when ``customer_id``
    is None."""
    with context.transactions.read_only() as session:
        return context.payment_views.of_order(session, order_id, customer_id)
