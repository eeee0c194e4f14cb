"""Read side of the orders module: answered from the read models, never from the event store."""

from __future__ import annotations

from uuid import UUID

from modules.orders.application.context import OrdersContext
from modules.orders.infrastructure.order_views import OrderDetails, OrderPage


def orders_page(
    customer_id: str | None, limit: int, offset: int, context: OrdersContext
) -> OrderPage:
    """Orders newest first: one customer's, or everyone's when ``customer_id`` is None."""
    with context.transactions.read_only() as session:
        return context.order_views.page(
            session, customer_id=customer_id, limit=limit, offset=offset
        )


def order_details(order_id: UUID, context: OrdersContext) -> OrderDetails | None:
    with context.transactions.read_only() as session:
        return context.order_views.details(session, order_id)
