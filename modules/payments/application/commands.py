"""Handlers for the payment commands: load, decide, update the read model, save last.

``RequestPayment`` and ``DiscardPayment`` come from other modules through the outbox
(their schemas are in ``payments.contracts``); the provider's answers come from its
webhook.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from decimal import Decimal
from uuid import UUID

from modules.payments.application.context import PaymentsContext
from modules.payments.contracts import (
    DiscardPayment,
    PaymentFailed,
    PaymentRequested,
    PaymentSucceeded,
    RequestPayment,
)
from modules.payments.domain.payment import AnswerDoesNotMatch, Payment
from shared.unit_of_work import UnitOfWork, retry_on_conflict

logger = logging.getLogger(__name__)

PUBLISHED_EVENTS: dict[type[Payment.Event], str] = {
    Payment.Requested: PaymentRequested.message_type,
    Payment.Succeeded: PaymentSucceeded.message_type,
    Payment.Failed: PaymentFailed.message_type,
}


@dataclass(frozen=True)
class ProviderAnswer:
    """What the provider says the answer is about; checked against the payment."""

    provider_reference: str
    amount: Decimal
    currency: str


@dataclass(frozen=True)
class RecordPaymentSucceeded:
    payment_id: UUID
    answer: ProviderAnswer


@dataclass(frozen=True)
class RecordPaymentFailed:
    payment_id: UUID
    reason: str
    answer: ProviderAnswer


def request_payment(command: RequestPayment, context: PaymentsContext) -> Payment:
    """Records the payment the order asks for; it goes to the provider once committed."""
    with context.transactions.unit_of_work() as uow:
        payment = Payment(
            order_id=command.order_id,
            customer_id=command.customer_id,
            amount=command.amount,
            currency=command.currency,
            payment_method=command.payment_method,
        )
        _save(uow, context, payment)
    return payment


def submit_to_provider(payment_id: UUID, context: PaymentsContext) -> None:
    """Sends a requested payment to the provider. Runs outside any transaction: it is I/O."""
    payment = context.aggregates.get(Payment, payment_id)
    if not payment.is_pending:
        logger.info("payment %s is %s; not sent to the provider", payment.id, payment.status)
        return
    reference = context.provider.request_payment(
        payment.id, payment.amount, payment.currency, payment.payment_method
    )
    logger.info("payment %s accepted by the provider as %s", payment.id, reference)

    # What the provider answers later must name this reference. Its answer may already
    # have been recorded meanwhile: the payment then checks that it named the same one.
    def record_submission() -> None:
        with context.transactions.unit_of_work() as uow:
            submitted = context.aggregates.get(Payment, payment_id)
            submitted.record_submission(reference)
            _save(uow, context, submitted)

    try:
        # The webhook may be recording the answer at this very moment: decide again then.
        retry_on_conflict(record_submission, expected_version=None)
    except AnswerDoesNotMatch as mismatch:
        logger.error("payment %s: the provider contradicts itself: %s", payment_id, mismatch)


def record_payment_succeeded(command: RecordPaymentSucceeded, context: PaymentsContext) -> Payment:
    """The provider's success. Decided again if the submission is recorded meanwhile."""

    def attempt() -> Payment:
        with context.transactions.unit_of_work() as uow:
            payment = context.aggregates.get(Payment, command.payment_id)
            _verify(payment, command.answer)
            payment.succeed(command.answer.provider_reference)
            _save(uow, context, payment)
        return payment

    return retry_on_conflict(attempt, expected_version=None)


def record_payment_failed(command: RecordPaymentFailed, context: PaymentsContext) -> Payment:
    """The provider's failure. Decided again if the submission is recorded meanwhile."""

    def attempt() -> Payment:
        with context.transactions.unit_of_work() as uow:
            payment = context.aggregates.get(Payment, command.payment_id)
            _verify(payment, command.answer)
            payment.fail(command.reason)
            _save(uow, context, payment)
        return payment

    return retry_on_conflict(attempt, expected_version=None)


def discard_payment(command: DiscardPayment, context: PaymentsContext) -> list[Payment]:
    """Discards the order's payments still waiting for the provider; settled ones stay."""
    with context.transactions.unit_of_work() as uow:
        requested = context.payment_views.pending_of_order(uow.session, command.order_id)
        # The webhook may have settled one of them since the read model was read: the
        # payment itself has the last word.
        loaded = [context.aggregates.get(Payment, payment_id) for payment_id in requested]
        payments = [payment for payment in loaded if payment.is_pending]
        for payment in payments:
            payment.discard(command.reason)
        if payments:
            _save(uow, context, *payments)
    return payments


def _verify(payment: Payment, answer: ProviderAnswer) -> None:
    payment.verify_answer(answer.provider_reference, answer.amount, answer.currency)


def _save(uow: UnitOfWork, context: PaymentsContext, *payments: Payment) -> None:
    now = context.clock.now()
    for payment in payments:
        context.payment_views.save(uow.session, payment, now)
        uow.publish_events(payment.pending_events, PUBLISHED_EVENTS)
    context.aggregates.save(*payments)
