"""The payment, specified as given events / when a command / then events.

``given`` rebuilds a payment from its history the way the event store does (each
event mutates it in turn), so no guard runs while replaying. ``then`` reads what
the command recorded with ``collect_events()``; ``then_refused`` checks that a
refused command recorded nothing and left the payment as it was.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID, uuid4

import pytest
from eventsourcing.domain import Aggregate
from eventsourcing.utils import get_topic

from modules.payments.domain.payment import Payment, PaymentAlreadySettled, PaymentStatus
from shared.errors import BusinessRuleViolation, ShopError

PAYMENT_ID = UUID("00000000-0000-4000-8000-0000000000a1")
ORDER_ID = UUID("00000000-0000-4000-8000-0000000000c1")
RECORDED_AT = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)
BOOKKEEPING = ("originator_id", "originator_version", "timestamp", "originator_topic")


# --- the vocabulary of the specifications ---------------------------------------------------


@dataclass(frozen=True)
class Fact:
    """A payment event as the business states it; the store adds the id, version and time."""

    kind: type[Aggregate.Event]
    fields: Mapping[str, Any] = field(default_factory=dict)


def requested(amount: str = "63.80", payment_method: str = "tok_ok") -> Fact:
    return Fact(
        Payment.Requested,
        {
            "order_id": ORDER_ID,
            "customer_id": "alice",
            "amount": Decimal(amount),
            "currency": "EUR",
            "payment_method": payment_method,
        },
    )


def succeeded(provider_reference: str = "sbx_1") -> Fact:
    return Fact(Payment.Succeeded, {"order_id": ORDER_ID, "provider_reference": provider_reference})


def failed(reason: str = "card declined") -> Fact:
    return Fact(Payment.Failed, {"order_id": ORDER_ID, "reason": reason})


def discarded(reason: str = "order cancelled: out of stock") -> Fact:
    return Fact(Payment.Discarded, {"order_id": ORDER_ID, "reason": reason})


def fact_of(event: Aggregate.Event) -> Fact:
    recorded = {name: value for name, value in asdict(event).items() if name not in BOOKKEEPING}
    return Fact(type(event), recorded)


def state_of(payment: Payment) -> tuple[Any, ...]:
    return (
        payment.version,
        payment.status,
        payment.amount,
        payment.provider_reference,
        payment.failure_reason,
    )


class PaymentSpecification:
    def __init__(self, payment: Payment) -> None:
        self.payment = payment
        self._state_before = state_of(payment)
        self._refusal: ShopError | None = None

    def when(self, command: Callable[[Payment], None]) -> PaymentSpecification:
        try:
            command(self.payment)
        except ShopError as refusal:
            self._refusal = refusal
        return self

    def then(self, *expected: Fact) -> Payment:
        assert self._refusal is None, f"the command was refused: {self._refusal!r}"
        recorded = self.payment.collect_events()
        assert [fact_of(event) for event in recorded] == list(expected)
        version_before = self._state_before[0]
        assert [event.originator_version for event in recorded] == list(
            range(version_before + 1, version_before + 1 + len(expected))
        )
        return self.payment

    def then_refused(self, error: type[ShopError], detail: str) -> None:
        assert isinstance(self._refusal, error), f"expected {error.__name__}, got {self._refusal!r}"
        assert detail in self._refusal.detail
        assert self.payment.collect_events() == []
        assert state_of(self.payment) == self._state_before


def given(*history: Fact) -> PaymentSpecification:
    payment: Payment | None = None
    for version, fact in enumerate(history, start=1):
        bookkeeping: dict[str, Any] = {
            "originator_id": PAYMENT_ID,
            "originator_version": version,
            "timestamp": RECORDED_AT,
        }
        if issubclass(fact.kind, Payment.Requested):
            bookkeeping["originator_topic"] = get_topic(Payment)
        payment = fact.kind(**bookkeeping, **fact.fields).mutate(payment)
    assert isinstance(payment, Payment), "a payment's history starts with its request"
    return PaymentSpecification(payment)


def succeed(provider_reference: str = "sbx_1") -> Callable[[Payment], None]:
    return lambda payment: payment.succeed(provider_reference)


def fail(reason: str = "card declined") -> Callable[[Payment], None]:
    return lambda payment: payment.fail(reason)


def discard(reason: str = "order cancelled: out of stock") -> Callable[[Payment], None]:
    return lambda payment: payment.discard(reason)


# --- requesting -----------------------------------------------------------------------------


def test_requesting_a_payment_records_what_is_asked_of_whom_for_which_order() -> None:
    payment = Payment(
        order_id=ORDER_ID,
        customer_id="alice",
        amount=Decimal("63.80"),
        currency="EUR",
        payment_method="tok_ok",
    )

    [recorded] = payment.collect_events()
    assert fact_of(recorded) == requested("63.80", "tok_ok")
    assert recorded.originator_version == 1
    assert payment.status is PaymentStatus.REQUESTED
    assert payment.is_pending
    assert (payment.provider_reference, payment.failure_reason) == (None, None)


# --- the provider's answer ------------------------------------------------------------------


def test_a_requested_payment_succeeds_with_the_providers_reference() -> None:
    payment = given(requested()).when(succeed("sbx_42")).then(succeeded("sbx_42"))

    assert payment.status is PaymentStatus.SUCCEEDED
    assert payment.provider_reference == "sbx_42"
    assert not payment.is_pending


def test_a_requested_payment_fails_with_the_providers_reason() -> None:
    payment = given(requested()).when(fail("card declined")).then(failed("card declined"))

    assert payment.status is PaymentStatus.FAILED
    assert payment.failure_reason == "card declined"
    assert not payment.is_pending


def test_a_succeeded_payment_cannot_fail() -> None:
    given(requested(), succeeded()).when(fail()).then_refused(
        PaymentAlreadySettled, "is succeeded; it cannot fail"
    )


def test_a_failed_payment_cannot_succeed() -> None:
    given(requested(), failed()).when(succeed()).then_refused(
        PaymentAlreadySettled, "is failed; it cannot succeed"
    )


# --- discarding -----------------------------------------------------------------------------


def test_a_requested_payment_is_discarded_with_the_reason() -> None:
    payment = (
        given(requested())
        .when(discard("order cancelled: out of stock"))
        .then(discarded("order cancelled: out of stock"))
    )

    assert payment.status is PaymentStatus.DISCARDED
    assert payment.failure_reason == "order cancelled: out of stock"
    assert not payment.is_pending


@pytest.mark.parametrize(("outcome", "status"), [(succeeded(), "succeeded"), (failed(), "failed")])
def test_a_settled_payment_cannot_be_discarded(outcome: Fact, status: str) -> None:
    given(requested(), outcome).when(discard()).then_refused(
        PaymentAlreadySettled, f"is {status}; it cannot be discarded"
    )


@pytest.mark.parametrize(
    ("answer", "refusal"),
    [(succeed(), "it cannot succeed"), (fail(), "it cannot fail")],
)
def test_a_discarded_payment_takes_no_answer_from_the_provider(
    answer: Callable[[Payment], None], refusal: str
) -> None:
    given(requested(), discarded()).when(answer).then_refused(PaymentAlreadySettled, refusal)


def test_refusals_are_business_rule_violations_naming_the_payment() -> None:
    spec = given(requested(), failed()).when(succeed())

    spec.then_refused(BusinessRuleViolation, str(PAYMENT_ID))


# --- replaying ------------------------------------------------------------------------------


def test_replaying_the_history_rebuilds_the_same_payment() -> None:
    payment = Payment(
        order_id=uuid4(),
        customer_id="alice",
        amount=Decimal("9.80"),
        currency="EUR",
        payment_method="tok_declined",
    )
    payment.fail("card declined")

    replayed: Payment | None = None
    for recorded in payment.collect_events():
        replayed = recorded.mutate(replayed)

    assert isinstance(replayed, Payment)
    assert (replayed.id, replayed.version) == (payment.id, payment.version)
    assert (replayed.order_id, replayed.customer_id) == (payment.order_id, "alice")
    assert (replayed.amount, replayed.currency) == (Decimal("9.80"), "EUR")
    assert replayed.payment_method == "tok_declined"
    assert (replayed.status, replayed.failure_reason) == (PaymentStatus.FAILED, "card declined")
