"""What other modules may know about shipments: the messages it publishes.

Each message is the package's recorded event (``Sent`` or ``ProductsOutOfStock``);
the models below list the fields consumers read from it.
"""

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
