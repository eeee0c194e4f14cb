"""Request and response bodies of the shipments API."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated
from uuid import UUID

from pydantic import Field

from modules.shipments.domain.package import PackageStatus
from shared.web.types import JSON_INTEGER, RequestBody, ResponseBody

MAX_STOCK = 1_000_000


class StockUpdate(RequestBody):
    quantity: Annotated[int, Field(ge=0, le=MAX_STOCK), JSON_INTEGER]


class StockResponse(ResponseBody):
    product_id: str
    quantity: int


class PackageItemResponse(ResponseBody):
    product_id: str
    quantity: int


class PackageResponse(ResponseBody):
    package_id: UUID
    order_id: UUID
    customer_id: str
    status: PackageStatus
    items: list[PackageItemResponse]
    missing_product_ids: list[str]
    updated_at: datetime
