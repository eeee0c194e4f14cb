"""What other modules may know about orders: the messages it publishes.

One message type per change of an order (placed, paid, completed, cancelled); the
models below list the fields consumers read from each.
"""

from __future__ import annotations

from decimal import Decimal
from uuid import UUID

from pydantic import BaseModel

ORDER_PLACED = "orders.Order.Placed"
ORDER_PAID = "orders.Order.Paid"
ORDER_COMPLETED = "orders.Order.Completed"
ORDER_CANCELLED = "orders.Order.Cancelled"


class OrderedItem(BaseModel):
    product_id: str
    quantity: int
    unit_price: Decimal


class OrderPlaced(BaseModel):
    originator_id: UUID
    customer_id: str
    cart_id: UUID
    items: list[OrderedItem]
    total: Decimal
    currency: str
    payment_method: str


class OrderPaid(BaseModel):
    originator_id: UUID
    payment_id: UUID
    customer_id: str
    items: list[OrderedItem]


class OrderCompleted(BaseModel):
    originator_id: UUID
    package_id: UUID


class OrderCancelled(BaseModel):
    originator_id: UUID
    reason: str
