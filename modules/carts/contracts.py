"""Messages the carts module publishes, and the fields other modules read from them."""

from __future__ import annotations

from decimal import Decimal
from typing import ClassVar
from uuid import UUID

from pydantic import BaseModel

from shared.messaging import IntegrationEvent


class ConfirmedItem(BaseModel):
    product_id: str
    quantity: int
    unit_price: Decimal


class ShoppingCartConfirmed(IntegrationEvent):
    """The customer checked out: the cart's items, at the prices they were added at."""

    message_type: ClassVar[str] = "carts.ShoppingCart.Confirmed"

    originator_id: UUID
    customer_id: str
    items: list[ConfirmedItem]
    total: Decimal
    currency: str
    payment_method: str
