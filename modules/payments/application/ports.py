"""What the payments handlers need, bundled so the composition root can wire it once."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Protocol
from uuid import UUID

from modules.payments.infrastructure.event_store import PaymentsEventStore
from modules.payments.infrastructure.payment_views import PaymentViews
from shared.clock import Clock
from shared.module import BackgroundWorker
from shared.unit_of_work import Transactions


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


@dataclass(frozen=True)
class PaymentsContext:
    """``background_workers`` run beside the shop: with the sandbox provider, its sender
    of webhook notifications."""

    transactions: Transactions
    event_store: PaymentsEventStore
    payment_views: PaymentViews
    provider: PaymentProvider
    webhook_verifier: WebhookVerifier
    webhook_tolerance: timedelta
    clock: Clock
    background_workers: tuple[BackgroundWorker, ...] = ()
