"""The sandbox provider itself: it takes payment requests and notifies the shop of outcomes.

Everything it keeps is in its own tables and written in its own transactions, as
an external system's would be. Outcomes depend on the test payment method:

- ``tok_ok``: the payment succeeds;
- ``tok_declined``: it fails, "card declined";
- ``tok_no_answer``: the provider never answers;
- ``tok_notify_twice``: it succeeds, and the same notification comes twice, as when
  a provider retries after losing the acknowledgement;
- anything else fails, "unknown payment method".

Notifications are kept until the webhook acknowledges them with a 2xx, and are
retried with exponential backoff meanwhile.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from uuid import UUID

from eventsourcing_sqlalchemy.datastore import SQLAlchemyDatastore
from sqlalchemy import insert, select, update

from modules.payments.infrastructure.sandbox.notifications import (
    Notification,
    PaymentFailedNotification,
    PaymentSucceededNotification,
)
from modules.payments.infrastructure.sandbox.signature import SIGNATURE_HEADER, WebhookSignature
from modules.payments.infrastructure.tables import sandbox_notifications, sandbox_requests
from shared.clock import Clock

logger = logging.getLogger(__name__)

SUCCEEDS = "tok_ok"
DECLINED = "tok_declined"
NO_ANSWER = "tok_no_answer"
NOTIFY_TWICE = "tok_notify_twice"

FIRST_RETRY_DELAY = timedelta(seconds=10)
LONGEST_RETRY_DELAY = timedelta(hours=1)
_BATCH_SIZE = 100

WebhookSender = Callable[[str, bytes, dict[str, str]], int]
"""Posts a body with headers to a path of the shop and returns the HTTP status."""


@dataclass(frozen=True)
class _Pending:
    id: int
    notification_id: str
    attempts: int
    body: bytes


class SandboxPaymentProvider:
    def __init__(
        self,
        datastore: SQLAlchemyDatastore,
        clock: Clock,
        signature: WebhookSignature,
        webhook_path: str,
    ) -> None:
        self._datastore = datastore
        self._clock = clock
        self._signature = signature
        self._webhook_path = webhook_path
        self._on_request: list[Callable[[], None]] = []

    def on_request(self, listener: Callable[[], None]) -> Callable[[], None]:
        """Calls ``listener`` after each new request commits; returns what unsubscribes it.

        A sender waits on this instead of its poll, so the answer leaves at once. It is
        a hint only: due notifications are found by reading the table, so one missed
        (a request committed by another process) waits at most one poll.
        """
        self._on_request.append(listener)
        return lambda: self._on_request.remove(listener)

    def request_payment(
        self, payment_id: UUID, amount: Decimal, currency: str, payment_method: str
    ) -> str:
        """Accepts the request and returns the provider's reference; the outcome comes later.

        The payment id is the idempotency key: asking again returns the first reference.
        """
        now = self._clock.now()
        with self._datastore.transaction(commit=True) as session:
            known: str | None = session.execute(
                select(sandbox_requests.c.reference).where(
                    sandbox_requests.c.payment_id == payment_id
                )
            ).scalar_one_or_none()
            if known is not None:
                return known
            reference = f"sbx_{secrets.token_hex(12)}"
            # The primary key refuses a concurrent twin; the caller's retry finds this one.
            session.execute(
                insert(sandbox_requests).values(
                    payment_id=payment_id,
                    reference=reference,
                    amount=amount,
                    currency=currency,
                    payment_method=payment_method,
                    requested_at=now,
                )
            )
            asked = _Asked(payment_id, reference, amount, currency)
            for notification in _answers(payment_method, asked, now):
                session.execute(
                    insert(sandbox_notifications).values(
                        notification_id=notification.id,
                        payment_id=payment_id,
                        body=notification.model_dump_json(),
                        due_at=now,
                        attempts=0,
                    )
                )
        for listener in list(self._on_request):
            listener()
        return reference

    def deliver_due_notifications(self, send: WebhookSender) -> int:
        """Sends every notification that is due, once; returns how many the shop acknowledged."""
        acknowledged = 0
        attempted: set[int] = set()
        while due := [pending for pending in self._due() if pending.id not in attempted]:
            for notification in due:
                attempted.add(notification.id)
                if self._claim(notification) and self._send(send, notification):
                    self._mark_delivered(notification)
                    acknowledged += 1
        return acknowledged

    def _due(self) -> list[_Pending]:
        with self._datastore.transaction(commit=False) as session:
            rows = session.execute(
                select(
                    sandbox_notifications.c.id,
                    sandbox_notifications.c.notification_id,
                    sandbox_notifications.c.attempts,
                    sandbox_notifications.c.body,
                )
                .where(
                    sandbox_notifications.c.delivered_at.is_(None),
                    sandbox_notifications.c.due_at <= self._clock.now(),
                )
                .order_by(sandbox_notifications.c.due_at, sandbox_notifications.c.id)
                .limit(_BATCH_SIZE)
            ).all()
        return [
            _Pending(row.id, row.notification_id, row.attempts, row.body.encode()) for row in rows
        ]

    def _claim(self, notification: _Pending) -> bool:
        """Schedules the next attempt before this one, so that a crash mid-send is retried.

        Only one sender wins the claim, so two workers never post the same attempt.
        """
        attempts = notification.attempts + 1
        with self._datastore.transaction(commit=True) as session:
            claimed = session.execute(
                update(sandbox_notifications)
                .where(
                    sandbox_notifications.c.id == notification.id,
                    sandbox_notifications.c.attempts == notification.attempts,
                    sandbox_notifications.c.delivered_at.is_(None),
                )
                .values(attempts=attempts, due_at=self._clock.now() + _retry_delay(attempts))
            )
            return bool(claimed.rowcount == 1)  # type: ignore[attr-defined]

    def _send(self, send: WebhookSender, notification: _Pending) -> bool:
        headers = {
            "Content-Type": "application/json",
            SIGNATURE_HEADER: self._signature.sign(notification.body, self._clock.now()),
        }
        try:
            status = send(self._webhook_path, notification.body, headers)
        except Exception:
            logger.warning(
                "sandbox notification %s could not be delivered; will retry",
                notification.notification_id,
                exc_info=True,
            )
            return False
        if not 200 <= status < 300:
            logger.warning(
                "sandbox notification %s was answered %d; will retry",
                notification.notification_id,
                status,
            )
            return False
        return True

    def _mark_delivered(self, notification: _Pending) -> None:
        with self._datastore.transaction(commit=True) as session:
            session.execute(
                update(sandbox_notifications)
                .where(sandbox_notifications.c.id == notification.id)
                .values(delivered_at=self._clock.now())
            )


@dataclass(frozen=True)
class _Asked:
    payment_id: UUID
    reference: str
    amount: Decimal
    currency: str


def _answers(payment_method: str, asked: _Asked, now: datetime) -> list[Notification]:
    about = {
        "created": int(now.timestamp()),
        "payment_id": asked.payment_id,
        "reference": asked.reference,
        # On the wire, as every amount: a plain decimal string.
        "amount": format(asked.amount, "f"),
        "currency": asked.currency,
    }
    if payment_method == NO_ANSWER:
        return []
    if payment_method == DECLINED:
        return [
            PaymentFailedNotification(
                id=_notification_id(), failure_reason="card declined", **about
            )
        ]
    if payment_method not in (SUCCEEDS, NOTIFY_TWICE):
        return [
            PaymentFailedNotification(
                id=_notification_id(), failure_reason="unknown payment method", **about
            )
        ]
    succeeded = PaymentSucceededNotification(id=_notification_id(), **about)
    return [succeeded, succeeded] if payment_method == NOTIFY_TWICE else [succeeded]


def _notification_id() -> str:
    return f"evt_{secrets.token_hex(12)}"


def _retry_delay(attempts: int) -> timedelta:
    doublings = min(attempts - 1, 16)
    delay: timedelta = FIRST_RETRY_DELAY * (2**doublings)
    return min(delay, LONGEST_RETRY_DELAY)
