"""Response bodies of the orders API."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from uuid import UUID

from pydantic import BaseModel

from modules.orders.domain.order import OrderStatus
from modules.orders.infrastructure.order_views import OrderDetails, OrderSummary


class OrderSummaryResponse(BaseModel):
    order_id: UUID
    customer_id: str
    status: OrderStatus
    total: Decimal
    currency: str
    cancellation_reason: str | None
    placed_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, summary: OrderSummary) -> OrderSummaryResponse:
        return cls(
            order_id=summary.order_id,
            customer_id=summary.customer_id,
            status=summary.status,
            total=summary.total,
            currency=summary.currency,
            cancellation_reason=summary.cancellation_reason,
            placed_at=summary.placed_at,
            updated_at=summary.updated_at,
        )


class OrderListResponse(BaseModel):
    orders: list[OrderSummaryResponse]
    total_count: int
    limit: int
    offset: int
    next: str | None


class OrderItemResponse(BaseModel):
    product_id: str
    quantity: int
    unit_price: Decimal
    subtotal: Decimal


class StatusChangeResponse(BaseModel):
    status: OrderStatus
    changed_at: datetime
    reason: str | None


class OrderResponse(BaseModel):
    order_id: UUID
    customer_id: str
    cart_id: UUID
    version: int
    status: OrderStatus
    cancellation_reason: str | None
    items: list[OrderItemResponse]
    total: Decimal
    currency: str
    payment_method: str
    payment_id: UUID | None
    package_id: UUID | None
    status_history: list[StatusChangeResponse]
    placed_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, details: OrderDetails) -> OrderResponse:
        return cls(
            order_id=details.order_id,
            customer_id=details.customer_id,
            cart_id=details.cart_id,
            version=details.version,
            status=details.status,
            cancellation_reason=details.cancellation_reason,
            items=[
                OrderItemResponse(
                    product_id=line.product_id,
                    quantity=line.quantity,
                    unit_price=line.unit_price,
                    subtotal=line.subtotal,
                )
                for line in details.lines
            ],
            total=details.total,
            currency=details.currency,
            payment_method=details.payment_method,
            payment_id=details.payment_id,
            package_id=details.package_id,
            status_history=[
                StatusChangeResponse(
                    status=change.status, changed_at=change.changed_at, reason=change.reason
                )
                for change in details.history
            ],
            placed_at=details.placed_at,
            updated_at=details.updated_at,
        )
