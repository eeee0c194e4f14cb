"""The order read models, updated in the same transaction as every change to an order.

``orders_order_views`` holds one row per order (the customer's order list and the
order's details); ``orders_status_changes`` holds one row per status change, the
order's history as the customer sees it.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from uuid import UUID

from eventsourcing.domain import CanMutateAggregate
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from modules.orders.domain.order import Order, OrderStatus
from modules.orders.infrastructure.tables import order_views, status_changes
from shared.database import upsert
from shared.pricing import PricedLine

_STATUS_AFTER: dict[type, OrderStatus] = {
    Order.Placed: OrderStatus.PENDING,
    Order.Paid: OrderStatus.PAID,
    Order.Completed: OrderStatus.COMPLETED,
    Order.Cancelled: OrderStatus.CANCELLED,
}


@dataclass(frozen=True)
class OrderSummary:
    order_id: UUID
    customer_id: str
    status: OrderStatus
    total: Decimal
    currency: str
    cancellation_reason: str | None
    placed_at: datetime
    updated_at: datetime


@dataclass(frozen=True)
class OrderPage:
    orders: tuple[OrderSummary, ...]
    total_count: int


@dataclass(frozen=True)
class StatusChange:
    status: OrderStatus
    changed_at: datetime
    reason: str | None


@dataclass(frozen=True)
class OrderDetails:
    order_id: UUID
    customer_id: str
    cart_id: UUID
    version: int
    status: OrderStatus
    lines: tuple[PricedLine, ...]
    total: Decimal
    currency: str
    payment_method: str
    payment_id: UUID | None
    package_id: UUID | None
    cancellation_reason: str | None
    placed_at: datetime
    updated_at: datetime
    history: tuple[StatusChange, ...]


class OrderViews:
    def record(
        self,
        session: Session,
        order: Order,
        changes: Sequence[CanMutateAggregate[UUID]],
        now: datetime,
    ) -> None:
        """Brings the views up to date with ``order``, whose unsaved ``changes`` happen ``now``."""
        values = {
            "customer_id": order.customer_id,
            "cart_id": order.cart_id,
            "version": order.version,
            "status": order.status.value,
            "items": json.dumps(
                [
                    {
                        "product_id": line.product_id,
                        "quantity": line.quantity,
                        "unit_price": str(line.unit_price),
                    }
                    for line in order.lines
                ]
            ),
            "total": order.total,
            "currency": order.currency,
            "payment_method": order.payment_method,
            "payment_id": order.payment_id,
            "package_id": order.package_id,
            "cancellation_reason": order.cancellation_reason,
            "updated_at": now,
        }
        upsert(
            session,
            order_views,
            key={"order_id": order.id},
            values=values,
            on_insert={"placed_at": now},
        )
        session.execute(
            status_changes.insert(),
            [
                {
                    "order_id": order.id,
                    "order_version": change.originator_version,
                    "status": _STATUS_AFTER[type(change)].value,
                    "reason": change.reason if isinstance(change, Order.Cancelled) else None,
                    "changed_at": now,
                }
                for change in changes
            ],
        )

    def page(
        self, session: Session, *, customer_id: str | None, limit: int, offset: int
    ) -> OrderPage:
        """Orders newest first; everyone's when ``customer_id`` is None."""
        query = select(
            order_views.c.order_id,
            order_views.c.customer_id,
            order_views.c.status,
            order_views.c.total,
            order_views.c.currency,
            order_views.c.cancellation_reason,
            order_views.c.placed_at,
            order_views.c.updated_at,
        )
        count = select(func.count()).select_from(order_views)
        if customer_id is not None:
            query = query.where(order_views.c.customer_id == customer_id)
            count = count.where(order_views.c.customer_id == customer_id)
        rows = session.execute(
            query.order_by(order_views.c.placed_at.desc(), order_views.c.order_id.desc())
            .limit(limit)
            .offset(offset)
        ).all()
        return OrderPage(
            orders=tuple(
                OrderSummary(
                    order_id=row.order_id,
                    customer_id=row.customer_id,
                    status=OrderStatus(row.status),
                    total=row.total,
                    currency=row.currency,
                    cancellation_reason=row.cancellation_reason,
                    placed_at=row.placed_at,
                    updated_at=row.updated_at,
                )
                for row in rows
            ),
            total_count=session.execute(count).scalar_one(),
        )

    def details(self, session: Session, order_id: UUID) -> OrderDetails | None:
        row = session.execute(
            select(order_views).where(order_views.c.order_id == order_id)
        ).one_or_none()
        if row is None:
            return None
        history = session.execute(
            select(status_changes)
            .where(status_changes.c.order_id == order_id)
            .order_by(status_changes.c.order_version)
        ).all()
        return OrderDetails(
            order_id=row.order_id,
            customer_id=row.customer_id,
            cart_id=row.cart_id,
            version=row.version,
            status=OrderStatus(row.status),
            lines=tuple(
                PricedLine(line["product_id"], line["quantity"], Decimal(line["unit_price"]))
                for line in json.loads(row.items)
            ),
            total=row.total,
            currency=row.currency,
            payment_method=row.payment_method,
            payment_id=row.payment_id,
            package_id=row.package_id,
            cancellation_reason=row.cancellation_reason,
            placed_at=row.placed_at,
            updated_at=row.updated_at,
            history=tuple(
                StatusChange(OrderStatus(change.status), change.changed_at, change.reason)
                for change in history
            ),
        )
