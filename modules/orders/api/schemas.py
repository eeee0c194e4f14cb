"""Response bodies of the orders API."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from uuid import UUID

from pydantic import Field

from modules.orders.domain.order import OrderStatus
from shared.web.types import PricedLineResponse, ResponseBody


class OrderSummaryResponse(ResponseBody):
    order_id: UUID
    customer_id: str
    status: OrderStatus
    total: Decimal
    currency: str
    cancellation_reason: str | None
    placed_at: datetime
    updated_at: datetime


class OrderListResponse(ResponseBody):
    orders: list[OrderSummaryResponse]
    total_count: int
    limit: int
    offset: int
    next: str | None


class StatusChangeResponse(ResponseBody):
    status: OrderStatus
    changed_at: datetime
    reason: str | None


class OrderResponse(ResponseBody):
    order_id: UUID
    customer_id: str
    cart_id: UUID
    version: int
    status: OrderStatus
    cancellation_reason: str | None
    items: list[PricedLineResponse] = Field(validation_alias="lines")
    total: Decimal
    currency: str
    payment_method: str
    payment_id: UUID | None
    package_id: UUID | None
    status_history: list[StatusChangeResponse] = Field(validation_alias="history")
    placed_at: datetime
    updated_at: datetime


class ProductSalesResponse(ResponseBody):
    product_id: str
    currency: str
    units_sold: int
    revenue: Decimal
    orders: int = Field(description="paid orders with this product in them")
    updated_at: datetime


class ProjectionStatusResponse(ResponseBody):
    name: str
    position: int = Field(description="notification id of the last order event read; 0 before")
    lag: int = Field(description="order events recorded after the position, not counted yet")
    updated_at: datetime | None = Field(description="when the position last moved")


class SalesReportResponse(ResponseBody):
    products: list[ProductSalesResponse]
    projection: ProjectionStatusResponse
