"""The payment, specified as given events / when a command / then events."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from uuid import UUID, uuid4

import pytest

from modules.payments.domain.payment import Payment, PaymentAlreadySettled, PaymentStatus
from shared.errors import BusinessRuleViolation
from tests.specification import Fact, given_aggregate

PAYMENT_ID = UUID("00000000-0000-4000-8000-0000000000a1")
ORDER_ID = UUID("00000000-0000-4000-8000-0000000000c1")


# --- the vocabulary of the specifications ---------------------------------------------------


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


def state_of(payment: Payment) -> tuple[object, ...]:
    return (
        payment.version,
        payment.status,
        payment.amount,
        payment.provider_reference,
        payment.failure_reason,
    )


given = given_aggregate(Payment, PAYMENT_ID, state_of)


# --- requesting -----------------------------------------------------------------------------


def test_requesting_a_payment_records_what_is_asked_of_whom_for_which_order() -> None:
    payment = (
        given()
        .when(
            lambda: Payment(
                order_id=ORDER_ID,
                customer_id="alice",
                amount=Decimal("63.80"),
                currency="EUR",
                payment_method="tok_ok",
            )
        )
        .then(requested("63.80", "tok_ok"))
    )

    assert payment.status is PaymentStatus.REQUESTED
    assert payment.is_pending
    assert (payment.provider_reference, payment.failure_reason) == (None, None)


# --- the provider's answer ------------------------------------------------------------------


def test_a_requested_payment_succeeds_with_the_providers_reference() -> None:
    payment = (
        given(requested()).when(lambda payment: payment.succeed("sbx_42")).then(succeeded("sbx_42"))
    )

    assert payment.status is PaymentStatus.SUCCEEDED
    assert payment.provider_reference == "sbx_42"
    assert not payment.is_pending


def test_a_requested_payment_fails_with_the_providers_reason() -> None:
    payment = (
        given(requested())
        .when(lambda payment: payment.fail("card declined"))
        .then(failed("card declined"))
    )

    assert payment.status is PaymentStatus.FAILED
    assert payment.failure_reason == "card declined"
    assert not payment.is_pending


def test_a_succeeded_payment_cannot_fail() -> None:
    (
        given(requested(), succeeded())
        .when(lambda payment: payment.fail("card declined"))
        .then_refused(PaymentAlreadySettled, "is succeeded; it cannot fail")
    )


def test_a_failed_payment_cannot_succeed() -> None:
    (
        given(requested(), failed())
        .when(lambda payment: payment.succeed("sbx_1"))
        .then_refused(PaymentAlreadySettled, "is failed; it cannot succeed")
    )


# --- discarding -----------------------------------------------------------------------------


def test_a_requested_payment_is_discarded_with_the_reason() -> None:
    payment = (
        given(requested())
        .when(lambda payment: payment.discard("order cancelled: out of stock"))
        .then(discarded("order cancelled: out of stock"))
    )

    assert payment.status is PaymentStatus.DISCARDED
    assert payment.failure_reason == "order cancelled: out of stock"
    assert not payment.is_pending


@pytest.mark.parametrize(("outcome", "status"), [(succeeded(), "succeeded"), (failed(), "failed")])
def test_a_settled_payment_cannot_be_discarded(outcome: Fact, status: str) -> None:
    (
        given(requested(), outcome)
        .when(lambda payment: payment.discard("order cancelled: out of stock"))
        .then_refused(PaymentAlreadySettled, f"is {status}; it cannot be discarded")
    )


@pytest.mark.parametrize(
    ("answer", "refusal"),
    [
        (lambda payment: payment.succeed("sbx_1"), "it cannot succeed"),
        (lambda payment: payment.fail("card declined"), "it cannot fail"),
    ],
)
def test_a_discarded_payment_takes_no_answer_from_the_provider(
    answer: Callable[[Payment], None], refusal: str
) -> None:
    given(requested(), discarded()).when(answer).then_refused(PaymentAlreadySettled, refusal)


def test_refusals_are_business_rule_violations_naming_the_payment() -> None:
    (
        given(requested(), failed())
        .when(lambda payment: payment.succeed("sbx_1"))
        .then_refused(BusinessRuleViolation, str(PAYMENT_ID))
    )


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
