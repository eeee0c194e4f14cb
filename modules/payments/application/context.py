"""What the payments handlers need, bundled so the composition root can wire it once."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from modules.payments.application.ports import PaymentProvider, WebhookVerifier
from modules.payments.infrastructure.event_sourcing import PaymentsApplication
from modules.payments.infrastructure.payment_views import PaymentViews
from shared.clock import Clock
from shared.unit_of_work import Transactions


@dataclass(frozen=True)
class PaymentsContext:
    transactions: Transactions
    aggregates: PaymentsApplication
    payment_views: PaymentViews
    provider: PaymentProvider
    webhook_verifier: WebhookVerifier
    webhook_tolerance: timedelta
    clock: Clock
