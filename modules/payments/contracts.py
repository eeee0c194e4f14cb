"""Messages the payments module publishes, and the fields other modules read from them."""

from __future__ import annotations

from decimal import Decimal
from uuid import UUID

from pydantic import BaseModel

PAYMENT_REQUESTED = "payments.Payment.Requested"
PAYMENT_SUCCEEDED = "payments.Payment.Succeeded"
PAYMENT_FAILED = "payments.Payment.Failed"
PAYMENT_DISCARDED = "payments.Payment.Discarded"


class PaymentRequested(BaseModel):
    originator_id: UUID
    order_id: UUID
    customer_id: str
    amount: Decimal
    currency: str
    payment_method: str


class PaymentSucceeded(BaseModel):
    originator_id: UUID
    order_id: UUID
    provider_reference: str


class PaymentFailed(BaseModel):
    originator_id: UUID
    order_id: UUID
    reason: str


class PaymentDiscarded(BaseModel):
    originator_id: UUID
    order_id: UUID
    reason: str
