"""What the payments API specifications use: payments to start from, signed provider
notifications, RFC 9457 problems, and a check that a request wrote nothing."""

from __future__ import annotations

import json
from contextlib import AbstractContextManager
from datetime import datetime
from decimal import Decimal
from typing import Any
from uuid import UUID, uuid4

import httpx

from modules.payments.application.commands import (
    ProviderAnswer,
    RecordPaymentSucceeded,
    record_payment_succeeded,
    request_payment,
)
from modules.payments.contracts import RequestPayment
from modules.payments.domain.payment import Payment
from modules.payments.infrastructure.sandbox.signature import SIGNATURE_HEADER, WebhookSignature
from shop.bootstrap import Shop
from tests.integration.payments.support import WEBHOOK_PATH, context_of
from tests.support import ApiClient, assert_problem, nothing_written_to

__all__ = ["assert_problem", "nothing_written"]

# Everything the webhook may write: events, the payment read model, messages.
WRITTEN_BY_PAYMENTS = ("payments_events", "payments_payment_views", "outbox_messages")


def a_payment(
    shop: Shop, customer_id: str = "alice", order_id: UUID | None = None, amount: str = "63.80"
) -> Payment:
    """A payment requested for an order, as the checkout's ``RequestPayment`` leads to."""
    return request_payment(
        RequestPayment(
            order_id=order_id or uuid4(),
            customer_id=customer_id,
            amount=Decimal(amount),
            currency="EUR",
            payment_method="tok_ok",
        ),
        context_of(shop),
    )


def a_succeeded_payment(shop: Shop, customer_id: str = "alice") -> Payment:
    payment = a_payment(shop, customer_id)
    answer = ProviderAnswer("sbx_earlier", payment.amount, payment.currency)
    return record_payment_succeeded(RecordPaymentSucceeded(payment.id, answer), context_of(shop))


def a_submitted_payment(shop: Shop, reference: str, customer_id: str = "alice") -> Payment:
    """A payment the provider accepted under ``reference``."""
    payment = a_payment(shop, customer_id)
    payment.record_submission(reference)
    context_of(shop).aggregates.save(payment)
    return payment


def succeeded(
    payment_id: UUID, reference: str = "sbx_0123", amount: str = "63.80", currency: str = "EUR"
) -> dict[str, Any]:
    """A success notification about a payment of ``amount`` (the default of ``a_payment``)."""
    return {
        "id": "evt_0001",
        "type": "payment.succeeded",
        "created": 1767268800,
        "payment_id": str(payment_id),
        "reference": reference,
        "amount": amount,
        "currency": currency,
    }


def failed(
    payment_id: UUID, reason: str = "card declined", reference: str = "sbx_0123"
) -> dict[str, Any]:
    return {
        "id": "evt_0002",
        "type": "payment.failed",
        "created": 1767268800,
        "payment_id": str(payment_id),
        "reference": reference,
        "amount": "63.80",
        "currency": "EUR",
        "failure_reason": reason,
    }


def post_notification(
    api: ApiClient,
    body: bytes | dict[str, Any],
    *,
    signed_at: datetime | None = None,
    secret: str | None = None,
    headers: dict[str, str | bytes] | None = None,
) -> httpx.Response:
    """Posts a notification signed like the sandbox does (with the shop's secret by default)."""
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    if headers is None:
        key = secret or api.shop.settings.sandbox_webhook_secret.get_secret_value()
        signature = WebhookSignature(key).sign(raw, signed_at or api.shop.clock.now())
        headers = {SIGNATURE_HEADER: signature}
    return api.post(
        WEBHOOK_PATH, content=raw, headers={"Content-Type": "application/json", **headers}
    )


def nothing_written(shop: Shop) -> AbstractContextManager[None]:
    """The block must leave every table the webhook writes exactly as it found it."""
    return nothing_written_to(shop, WRITTEN_BY_PAYMENTS)
