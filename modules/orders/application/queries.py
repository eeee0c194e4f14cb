"""Read side of the orders module: answered from the read models, never from the event store."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from modules.orders.application.context import OrdersContext
from modules.orders.infrastructure.order_views import OrderDetails, OrderPage
from modules.orders.infrastructure.sales_report import ProductSales
from shared.projections import ProjectionStatus


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


@dataclass(frozen=True)
class SalesReport:
    products: tuple[ProductSales, ...]
    projection: ProjectionStatus
    """How far behind the order events the figures are."""


def sales_report(context: OrdersContext) -> SalesReport:
    """Sales per product, from the asynchronous read model, with how far behind it is."""
    # The status first: the figures read after it may include more, never less.
    projection = context.sales_projection.status()
    with context.transactions.read_only() as session:
        products = context.sales_per_product.rows(session)
    return SalesReport(tuple(products), projection)
