"""The payments module's ports: what it needs of the outside world, whoever provides it."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from typing import Protocol
from uuid import UUID


class PaymentProvider(Protocol):
    """The external payment provider. It answers later, through its webhook."""

    def request_payment(
        self, payment_id: UUID, amount: Decimal, currency: str, payment_method: str
    ) -> str:
        """Asks for the payment and returns the provider's reference for it.

        Asking twice with the same payment id must not charge twice.
        """
        ...


class WebhookVerifier(Protocol):
    """Tells the provider's webhook requests from anyone else's."""

    def verify(
        self, header: str | None, body: bytes, *, now: datetime, tolerance: timedelta
    ) -> None:
        """Raises unless ``header`` is the provider's signature of ``body``, made within
        ``tolerance`` of ``now``."""
        ...
