"""Response bodies of the payments API."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Literal
from uuid import UUID

from pydantic import BaseModel

from modules.payments.domain.payment import PaymentStatus
from modules.payments.infrastructure.payment_views import PaymentView


class PaymentResponse(BaseModel):
    payment_id: UUID
    order_id: UUID
    customer_id: str
    status: PaymentStatus
    amount: Decimal
    currency: str
    provider_reference: str | None
    failure_reason: str | None
    requested_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, view: PaymentView) -> PaymentResponse:
        return cls(
            payment_id=view.payment_id,
            order_id=view.order_id,
            customer_id=view.customer_id,
            status=view.status,
            amount=view.amount,
            currency=view.currency,
            provider_reference=view.provider_reference,
            failure_reason=view.failure_reason,
            requested_at=view.requested_at,
            updated_at=view.updated_at,
        )


class NotificationReceived(BaseModel):
    """``recorded``: the payment changed; ``ignored``: nothing to record, and no retry needed."""

    outcome: Literal["recorded", "ignored"]
