"""Sales per product: an asynchronous read model of the orders' events, for admins.

One row per product and currency (a product's price may change currency): units
sold, revenue, and the number of orders that bought it. A sale counts when its
order is **paid** (``Order.Paid``): a pending order may still be declined or
cancelled by the customer, and a paid one is money taken. A paid order cancelled
later (a product out of stock) stays counted, since the payment is kept: the shop
records no refund. Units and revenue are those of the order's lines, at the prices
of the checkout.

The projection is run by :class:`shared.projections.ProjectionRunner` in a worker,
so the report is behind the orders by a few seconds; the report says by how much.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

from eventsourcing.utils import get_topic
from sqlalchemy import BigInteger, Column, String, Table, delete, select
from sqlalchemy.orm import Session

from modules.orders.domain.order import Order
from modules.orders.infrastructure.event_sourcing import OrdersApplication
from shared.clock import Clock
from shared.database import Amount, UtcDateTime, metadata, upsert
from shared.projections import DomainEvent

sales_per_product = Table(
    "orders_sales_per_product",
    metadata,
    Column("product_id", String(64), primary_key=True),
    Column("currency", String(3), primary_key=True),
    Column("units_sold", BigInteger(), nullable=False),
    Column("revenue", Amount(), nullable=False),
    Column("orders", BigInteger(), nullable=False),
    Column("updated_at", UtcDateTime(), nullable=False),
)


@dataclass(frozen=True)
class ProductSales:
    product_id: str
    currency: str
    units_sold: int
    revenue: Decimal
    orders: int
    """Paid orders with this product in them."""
    updated_at: datetime


@dataclass
class _Sale:
    units: int = 0
    revenue: Decimal = Decimal(0)
    orders: int = 0


class SalesPerProduct:
    """The projection (see :class:`shared.projections.Projection`) and its one query."""

    name = "orders.sales_per_product"
    # Placed only for the order's currency, which its Paid event does not repeat.
    topics = frozenset({get_topic(Order.Placed), get_topic(Order.Paid)})

    def __init__(self, orders: OrdersApplication, clock: Clock) -> None:
        self._orders = orders
        self._clock = clock

    def apply(self, session: Session, events: Sequence[DomainEvent]) -> None:
        currencies = {
            event.originator_id: event.currency
            for event in events
            if isinstance(event, Order.Placed)
        }
        sales: defaultdict[tuple[str, str], _Sale] = defaultdict(_Sale)
        for paid in events:
            if not isinstance(paid, Order.Paid):
                continue
            currency = currencies.get(paid.originator_id) or self._currency_of(paid.originator_id)
            for product_id, (units, revenue) in _lines_per_product(paid.items).items():
                sale = sales[product_id, currency]
                sale.units += units
                sale.revenue += revenue
                sale.orders += 1
        now = self._clock.now()
        for (product_id, currency), sale in sorted(sales.items()):
            key = {"product_id": product_id, "currency": currency}
            # Revenue is added in Python: SQLite keeps it as text, and its "+" is a float's.
            counted = session.execute(
                select(
                    sales_per_product.c.units_sold,
                    sales_per_product.c.revenue,
                    sales_per_product.c.orders,
                )
                .where(
                    sales_per_product.c.product_id == product_id,
                    sales_per_product.c.currency == currency,
                )
                .with_for_update()
            ).first()
            if counted is not None:
                sale.units += counted.units_sold
                sale.revenue += counted.revenue
                sale.orders += counted.orders
            upsert(
                session,
                sales_per_product,
                key=key,
                values={
                    "units_sold": sale.units,
                    "revenue": sale.revenue,
                    "orders": sale.orders,
                    "updated_at": now,
                },
            )

    def clear(self, session: Session) -> None:
        session.execute(delete(sales_per_product))

    def rows(self, session: Session) -> list[ProductSales]:
        """Every product sold, by product id, then currency."""
        result = session.execute(
            select(sales_per_product).order_by(
                sales_per_product.c.product_id, sales_per_product.c.currency
            )
        )
        return [
            ProductSales(
                product_id=row.product_id,
                currency=row.currency,
                units_sold=row.units_sold,
                revenue=row.revenue,
                orders=row.orders,
                updated_at=row.updated_at,
            )
            for row in result
        ]

    def _currency_of(self, order_id: UUID) -> str:
        """The currency of an order placed in an earlier batch: from its first event."""
        placed = next(iter(self._orders.events.get(order_id, lte=1)))
        assert isinstance(placed, Order.Placed), f"order {order_id} starts with {placed!r}"
        return placed.currency


def _lines_per_product(items: list[dict[str, Any]]) -> dict[str, tuple[int, Decimal]]:
    """Units and revenue of each product in an order's items."""
    totals: dict[str, tuple[int, Decimal]] = {}
    for item in items:
        units, revenue = totals.get(item["product_id"], (0, Decimal(0)))
        quantity = int(item["quantity"])
        totals[item["product_id"]] = (
            units + quantity,
            revenue + Decimal(item["unit_price"]) * quantity,
        )
    return totals
