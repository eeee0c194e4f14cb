"""Request and response bodies of the shipments API."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated
from uuid import UUID

from pydantic import BaseModel, Field

from modules.shipments.infrastructure.inventory import StockLevel
from modules.shipments.infrastructure.package_views import PackageView
from shared.web.types import RequestBody, WholeNumber

PRODUCT_ID_PATTERN = r"^[a-z0-9][a-z0-9-]*$"
MAX_STOCK = 1_000_000


class StockUpdate(RequestBody):
    quantity: Annotated[WholeNumber, Field(ge=0, le=MAX_STOCK)]


class StockResponse(BaseModel):
    product_id: str
    quantity: int

    @classmethod
    def of(cls, level: StockLevel) -> StockResponse:
        return cls(product_id=level.product_id, quantity=level.quantity)


class PackageItemResponse(BaseModel):
    product_id: str
    quantity: int


class PackageResponse(BaseModel):
    package_id: UUID
    order_id: UUID
    customer_id: str
    status: str
    items: list[PackageItemResponse]
    missing_product_ids: list[str]
    updated_at: datetime

    @classmethod
    def of(cls, view: PackageView) -> PackageResponse:
        return cls(
            package_id=view.package_id,
            order_id=view.order_id,
            customer_id=view.customer_id,
            status=view.status.value,
            items=[
                PackageItemResponse(product_id=item.product_id, quantity=item.quantity)
                for item in view.items
            ],
            missing_product_ids=list(view.missing_product_ids),
            updated_at=view.updated_at,
        )
