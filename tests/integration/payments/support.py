"""Helpers for the payments tests: commands as the checkout sends them, a relay that
delivers only to the payments handlers, webhook senders, and what the module stored."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any
from uuid import UUID, uuid4

from sqlalchemy import Table, func, select

from modules.payments.application.context import PaymentsContext
from modules.payments.contracts import DiscardPayment, RequestPayment
from modules.payments.infrastructure.payment_views import PaymentView
from modules.payments.infrastructure.sandbox.provider import SandboxPaymentProvider, WebhookSender
from modules.payments.module import payments
from shared.messaging import Command, Subscriptions
from shared.outbox import outbox_messages
from shared.relay import OutboxRelay
from shared.unit_of_work import Transactions
from shop.bootstrap import Shop
from tests.support import ApiClient, eventually

WEBHOOK_PATH = "/api/payments/webhooks/sandbox"


def context_of(shop: Shop) -> PaymentsContext:
    return shop.payments


def sandbox_of(shop: Shop) -> SandboxPaymentProvider:
    """The payment provider the shop is wired with: the sandbox, in every test."""
    provider = context_of(shop).provider
    assert isinstance(provider, SandboxPaymentProvider)
    return provider


def send_as(shop: Shop, source: str, command: Command) -> None:
    """Sends a command through the outbox as the module ``source`` would."""
    with Transactions(shop.datastore, shop.outbox, source).unit_of_work() as uow:
        uow.send(command)


def place_order(
    shop: Shop,
    *,
    payment_method: str = "tok_ok",
    customer_id: str = "alice",
    total: str = "63.80",
) -> UUID:
    """Asks payments for an order's payment, as the checkout does; returns the order id."""
    order_id = uuid4()
    send_as(
        shop,
        "orders",
        RequestPayment(
            order_id=order_id,
            customer_id=customer_id,
            amount=Decimal(total),
            currency="EUR",
            payment_method=payment_method,
        ),
    )
    return order_id


def cancel_order(shop: Shop, order_id: UUID, reason: str) -> None:
    """Asks payments to discard the order's payment, as the checkout does on cancellation."""
    send_as(shop, "orders", DiscardPayment(order_id=order_id, reason=reason))


class PaymentsRelay:
    """A relay that hands messages to the payments handlers only, as wired in production."""

    def __init__(self, shop: Shop) -> None:
        subscriptions = Subscriptions()
        subscriptions.route(payments.name, payments.routes, context_of(shop))
        self._shop = shop
        self._relay = OutboxRelay(shop.datastore, subscriptions, name="payments-under-test")
        self._delivered = 0

    def deliver_all(self) -> int:
        """Delivers every committed message, including those the handlers publish meanwhile.

        On PostgreSQL the relay reads only below the visibility horizon, which other
        transactions on the server may hold back for a moment: hence the probe.
        """
        before = self._delivered

        def caught_up() -> bool:
            self._delivered += self._relay.deliver_pending()
            return self._delivered == rows(self._shop, outbox_messages)

        eventually(caught_up)
        return self._delivered - before


@dataclass
class RecordingSender:
    """A webhook endpoint stand-in: records what it was sent and answers the given statuses."""

    statuses: list[int] = field(default_factory=list)
    calls: list[tuple[str, bytes, dict[str, str]]] = field(default_factory=list)

    def __call__(self, path: str, body: bytes, headers: dict[str, str]) -> int:
        self.calls.append((path, body, headers))
        return self.statuses.pop(0) if self.statuses else 200

    @property
    def bodies(self) -> list[dict[str, Any]]:
        return [json.loads(body) for _, body, _ in self.calls]


def through_the_api(api: ApiClient) -> WebhookSender:
    """A webhook sender that posts through the app, as the sandbox's worker does over HTTP."""

    def send(path: str, body: bytes, headers: dict[str, str]) -> int:
        return api.client.post(path, content=body, headers=headers).status_code

    return send


def published(shop: Shop, message_type: str) -> list[dict[str, Any]]:
    with shop.datastore.transaction(commit=False) as session:
        payloads = session.execute(
            select(outbox_messages.c.payload)
            .where(outbox_messages.c.message_type == message_type)
            .order_by(outbox_messages.c.id)
        ).scalars()
        return [json.loads(payload) for payload in payloads]


def payments_of(shop: Shop, order_id: UUID) -> list[PaymentView]:
    context = context_of(shop)
    with context.transactions.read_only() as session:
        return context.payment_views.of_order(session, order_id)


def rows(shop: Shop, table: Table) -> int:
    with shop.datastore.transaction(commit=False) as session:
        count: int = session.execute(select(func.count()).select_from(table)).scalar_one()
        return count
