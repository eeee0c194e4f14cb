"""What the payments handlers need, bundled so the composition root can wire it once."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from typing import Protocol
from uuid import UUID

from modules.payments.infrastructure.event_store import PaymentsEventStore
from modules.payments.infrastructure.payment_views import PaymentViews
from modules.payments.infrastructure.sandbox.provider import SandboxPaymentProvider
from modules.payments.infrastructure.sandbox.signature import WebhookSignature
from modules.payments.infrastructure.sandbox.worker import SandboxNotifier
from shared.clock import Clock
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


@dataclass(frozen=True)
class PaymentsContext:
    """``provider`` is the port the handlers call. The sandbox is that provider here, and is
    also kept as itself: its notifier runs beside the shop, and tests drive its deliveries."""

    transactions: Transactions
    event_store: PaymentsEventStore
    payment_views: PaymentViews
    provider: PaymentProvider
    sandbox: SandboxPaymentProvider
    sandbox_notifier: SandboxNotifier
    webhook_signature: WebhookSignature
    webhook_tolerance: timedelta
    clock: Clock
