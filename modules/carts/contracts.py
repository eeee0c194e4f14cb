"""Messages the carts module publishes, and the fields other modules read from them."""

from __future__ import annotations

from decimal import Decimal
from uuid import UUID

from pydantic import BaseModel

SHOPPING_CART_CONFIRMED = "carts.ShoppingCart.Confirmed"


class ConfirmedItem(BaseModel):
    product_id: str
    quantity: int
    unit_price: Decimal


class ShoppingCartConfirmed(BaseModel):
    originator_id: UUID
    customer_id: str
    items: list[ConfirmedItem]
    total: Decimal
    currency: str
    payment_method: str
