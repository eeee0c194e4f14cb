"""What other modules may know of shipments: the command it handles, the events it publishes.

Payloads travel as JSON: uuids arrive as strings and are parsed here.
"""

from __future__ import annotations

from typing import ClassVar
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from shared.messaging import Command, IntegrationEvent


class ShippedItem(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    product_id: str
    quantity: int = Field(ge=1)


class ShipOrder(Command):
    """Take the order's products from stock and send them, or report what is missing."""

    message_type: ClassVar[str] = "shipments.ShipOrder"

    order_id: UUID
    customer_id: str
    items: list[ShippedItem] = Field(min_length=1)


class PackageSent(IntegrationEvent):
    message_type: ClassVar[str] = "shipments.Package.Sent"

    originator_id: UUID
    order_id: UUID


class ProductsOutOfStock(IntegrationEvent):
    message_type: ClassVar[str] = "shipments.Package.ProductsOutOfStock"

    originator_id: UUID
    order_id: UUID
    product_ids: list[str]
