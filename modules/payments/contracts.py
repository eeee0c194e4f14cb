"""What other modules may know about payments: the messages it publishes.

Each message is the payment's recorded event (``Requested``, ``Succeeded``,
``Failed``, ``Discarded``); the models below list the fields consumers read from it.
"""

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
