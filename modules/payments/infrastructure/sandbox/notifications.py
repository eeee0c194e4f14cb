"""What the sandbox provider's webhook notifications look like on the wire.

The provider writes them; the shop's webhook endpoint reads them. Unknown fields
are ignored, as a provider may add some without notice.
"""

from __future__ import annotations

from typing import Annotated, Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, Strict, TypeAdapter

from shared.web.types import DecimalAmount

NotificationId = Annotated[str, Field(min_length=1, max_length=64)]
Reference = Annotated[str, Field(min_length=1, max_length=64)]


class Notification(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)

    id: NotificationId
    # Unix seconds, as a JSON integer; bounded so that nonsense is refused, not carried along.
    created: Annotated[int, Strict(), Field(ge=0, lt=10**11)]
    payment_id: UUID
    reference: Reference
    # What was asked of the provider, so that the shop can check the answer is about it.
    amount: Annotated[DecimalAmount, Field(max_digits=14, decimal_places=2)]
    currency: Annotated[str, Field(pattern=r"^[A-Z]{3}$")]


class PaymentSucceededNotification(Notification):
    type: Literal["payment.succeeded"] = "payment.succeeded"


class PaymentFailedNotification(Notification):
    type: Literal["payment.failed"] = "payment.failed"
    failure_reason: Annotated[str, Field(min_length=1, max_length=200)]


SandboxNotification = Annotated[
    PaymentSucceededNotification | PaymentFailedNotification, Field(discriminator="type")
]
notification_adapter: TypeAdapter[SandboxNotification] = TypeAdapter(SandboxNotification)
