"""The order: what a customer bought at checkout, from placement to delivery or cancellation.

An order is placed pending; the customer's payment makes it paid, and the package
leaving the warehouse completes it. A pending or paid order can be cancelled, with
a reason: the payment was declined, or a product turned out to be out of stock. The
customer may cancel the order only while it waits for its payment.

    pending ──paid──▶ paid ──completed──▶ completed
       │               │
       └──cancelled────┴──▶ cancelled
"""

from __future__ import annotations

from decimal import Decimal
from enum import StrEnum
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from shared.errors import BusinessRuleViolation
from shared.pricing import PricedLine


class OrderStatus(StrEnum):
    PENDING = "pending"
    PAID = "paid"
    COMPLETED = "completed"
    CANCELLED = "cancelled"


class OrderIsCancelled(BusinessRuleViolation):
    pass


class OrderIsNotPaid(BusinessRuleViolation):
    pass


class OrderIsCompleted(BusinessRuleViolation):
    pass


class OrderIsNotPending(BusinessRuleViolation):
    pass


class Order(Aggregate):
    class Placed(Aggregate.Created):
        customer_id: str
        cart_id: UUID
        items: list[dict[str, Any]]
        total: Decimal
        currency: str
        payment_method: str

    class Paid(Aggregate.Event):
        payment_id: UUID
        customer_id: str
        items: list[dict[str, Any]]

    class Completed(Aggregate.Event):
        package_id: UUID

    class Cancelled(Aggregate.Event):
        reason: str

    @event(Placed)
    def __init__(
        self,
        customer_id: str,
        cart_id: UUID,
        items: list[dict[str, Any]],
        total: Decimal,
        currency: str,
        payment_method: str,
    ) -> None:
        self.customer_id = customer_id
        self.cart_id = cart_id
        self.lines = tuple(
            PricedLine(item["product_id"], item["quantity"], item["unit_price"]) for item in items
        )
        self.total = total
        self.currency = currency
        self.payment_method = payment_method
        self.status = OrderStatus.PENDING
        self.payment_id: UUID | None = None
        self.package_id: UUID | None = None
        self.cancellation_reason: str | None = None

    @property
    def items(self) -> list[dict[str, Any]]:
        return [
            {
                "product_id": line.product_id,
                "quantity": line.quantity,
                "unit_price": line.unit_price,
            }
            for line in self.lines
        ]

    def record_payment(self, payment_id: UUID) -> None:
        if self.status is OrderStatus.CANCELLED:
            raise OrderIsCancelled(f"order {self.id} is cancelled and cannot be paid")
        if self.status is OrderStatus.COMPLETED:
            raise OrderIsCompleted(f"order {self.id} is completed and cannot be paid")
        self._paid(payment_id, self.customer_id, self.items)

    @event(Paid)
    def _paid(self, payment_id: UUID, customer_id: str, items: list[dict[str, Any]]) -> None:
        self.status = OrderStatus.PAID
        self.payment_id = payment_id

    def complete(self, package_id: UUID) -> None:
        if self.status is OrderStatus.CANCELLED:
            raise OrderIsCancelled(f"order {self.id} is cancelled and cannot be completed")
        if self.status is OrderStatus.PENDING:
            raise OrderIsNotPaid(f"order {self.id} is not paid yet and cannot be completed")
        self._completed(package_id)

    @event(Completed)
    def _completed(self, package_id: UUID) -> None:
        self.status = OrderStatus.COMPLETED
        self.package_id = package_id

    def cancel(self, reason: str) -> None:
        if self.status is OrderStatus.COMPLETED:
            raise OrderIsCompleted(f"order {self.id} is completed and cannot be cancelled")
        self._cancelled(reason)

    def cancel_before_payment(self, reason: str) -> None:
        """Cancels the order only while it waits for its payment (the customer's right)."""
        if self.status is not OrderStatus.PENDING:
            raise OrderIsNotPending(
                f"order {self.id} is {self.status}; only a pending order can be cancelled"
            )
        self._cancelled(reason)

    @event(Cancelled)
    def _cancelled(self, reason: str) -> None:
        self.status = OrderStatus.CANCELLED
        self.cancellation_reason = reason
