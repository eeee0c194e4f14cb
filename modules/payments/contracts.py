"""What other modules may know of payments: the commands it handles, the events it publishes.

Payloads travel as JSON: uuids and amounts arrive as strings and are parsed here.
"""

from __future__ import annotations

from decimal import Decimal
from typing import ClassVar
from uuid import UUID

from shared.messaging import Command, IntegrationEvent


class RequestPayment(Command):
    """Ask the customer's payment provider for the order's total."""

    message_type: ClassVar[str] = "payments.RequestPayment"

    order_id: UUID
    customer_id: str
    amount: Decimal
    currency: str
    payment_method: str


class DiscardPayment(Command):
    """The order no longer wants its payment: discard it, if the provider has not answered."""

    message_type: ClassVar[str] = "payments.DiscardPayment"

    order_id: UUID
    reason: str


class PaymentRequested(IntegrationEvent):
    message_type: ClassVar[str] = "payments.Payment.Requested"

    originator_id: UUID
    order_id: UUID


class PaymentSucceeded(IntegrationEvent):
    message_type: ClassVar[str] = "payments.Payment.Succeeded"

    originator_id: UUID
    order_id: UUID
    provider_reference: str


class PaymentFailed(IntegrationEvent):
    message_type: ClassVar[str] = "payments.Payment.Failed"

    originator_id: UUID
    order_id: UUID
    reason: str
