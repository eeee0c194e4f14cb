"""Response bodies of the payments API."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Literal
from uuid import UUID

from modules.payments.domain.payment import PaymentStatus
from shared.web.types import ResponseBody


class PaymentResponse(ResponseBody):
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


class NotificationReceived(ResponseBody):
    """``recorded``: the payment changed; ``ignored``: nothing to record, and no retry needed."""

    outcome: Literal["recorded", "ignored"]
