"""Messages the shipments module publishes, and the fields other modules read from them."""

from __future__ import annotations

from uuid import UUID

from pydantic import BaseModel

PACKAGE_SENT = "shipments.Package.Sent"
PRODUCTS_OUT_OF_STOCK = "shipments.Package.ProductsOutOfStock"


class ShippedItem(BaseModel):
    product_id: str
    quantity: int


class PackageSent(BaseModel):
    originator_id: UUID
    order_id: UUID
    customer_id: str
    items: list[ShippedItem]


class ProductsOutOfStock(BaseModel):
    originator_id: UUID
    order_id: UUID
    customer_id: str
    product_ids: list[str]
