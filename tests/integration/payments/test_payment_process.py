"""The payments side of checkout, driven by a relay as in production: the checkout asks for a
payment, the provider is asked, its webhook answers, and a discard drops what is pending."""

from __future__ import annotations

from decimal import Decimal
from uuid import UUID, uuid4

import pytest
from sqlalchemy import select

from modules.payments.application import policies
from modules.payments.contracts import PaymentFailed, PaymentRequested, PaymentSucceeded
from modules.payments.domain.payment import Payment, PaymentStatus
from modules.payments.infrastructure.tables import (
    payment_views,
    sandbox_notifications,
    sandbox_requests,
)
from shop.bootstrap import Shop
from tests.integration.payments.support import (
    PaymentsRelay,
    cancel_order,
    context_of,
    payments_of,
    place_order,
    published,
    rows,
    sandbox_of,
    through_the_api,
)
from tests.support import ApiClient


@pytest.fixture
def relay(shop: Shop) -> PaymentsRelay:
    return PaymentsRelay(shop)


def provider_answers(shop: Shop, api: ApiClient) -> int:
    return sandbox_of(shop).deliver_due_notifications(through_the_api(api))


def test_a_requested_payment_is_recorded_for_the_orders_total_and_the_provider_is_asked(
    shop: Shop, relay: PaymentsRelay
) -> None:
    order_id = place_order(shop, customer_id="alice", total="63.80", payment_method="tok_ok")

    relay.deliver_all()

    [payment] = payments_of(shop, order_id)
    assert payment.status is PaymentStatus.REQUESTED
    assert (payment.customer_id, payment.amount, payment.currency) == (
        "alice",
        Decimal("63.80"),
        "EUR",
    )
    [requested] = published(shop, PaymentRequested.message_type)
    contract = PaymentRequested.model_validate(requested)
    assert (contract.originator_id, contract.order_id) == (payment.payment_id, order_id)
    assert rows(shop, sandbox_requests) == 1


def test_the_payment_keeps_the_reference_the_provider_gave_it(
    shop: Shop, relay: PaymentsRelay
) -> None:
    order_id = place_order(shop, payment_method="tok_no_answer")

    relay.deliver_all()

    [view] = payments_of(shop, order_id)
    with shop.datastore.transaction(commit=False) as session:
        given = session.execute(select(sandbox_requests.c.reference)).scalar_one()
    assert (view.status, view.provider_reference) == (PaymentStatus.REQUESTED, given)
    payment = context_of(shop).aggregates.get(Payment, view.payment_id)
    assert payment.provider_reference == given


def test_a_successful_payment_is_recorded_and_published_with_its_order(
    shop: Shop, api: ApiClient, relay: PaymentsRelay
) -> None:
    order_id = place_order(shop, payment_method="tok_ok")
    relay.deliver_all()

    assert provider_answers(shop, api) == 1

    [payment] = payments_of(shop, order_id)
    assert payment.status is PaymentStatus.SUCCEEDED
    assert payment.provider_reference is not None
    assert payment.provider_reference.startswith("sbx_")
    [succeeded] = published(shop, PaymentSucceeded.message_type)
    contract = PaymentSucceeded.model_validate(succeeded)
    assert (contract.originator_id, contract.order_id) == (payment.payment_id, order_id)
    assert contract.provider_reference == payment.provider_reference
    assert published(shop, PaymentFailed.message_type) == []


def test_a_declined_payment_is_recorded_and_published_with_the_reason(
    shop: Shop, api: ApiClient, relay: PaymentsRelay
) -> None:
    order_id = place_order(shop, payment_method="tok_declined")
    relay.deliver_all()

    assert provider_answers(shop, api) == 1

    [payment] = payments_of(shop, order_id)
    assert (payment.status, payment.failure_reason) == (PaymentStatus.FAILED, "card declined")
    [failed] = published(shop, PaymentFailed.message_type)
    contract = PaymentFailed.model_validate(failed)
    assert (contract.originator_id, contract.order_id) == (payment.payment_id, order_id)
    assert contract.reason == "card declined"
    assert published(shop, PaymentSucceeded.message_type) == []


def test_a_payment_the_provider_never_answers_stays_requested(
    shop: Shop, api: ApiClient, relay: PaymentsRelay
) -> None:
    order_id = place_order(shop, payment_method="tok_no_answer")
    relay.deliver_all()

    assert provider_answers(shop, api) == 0

    [payment] = payments_of(shop, order_id)
    assert payment.status is PaymentStatus.REQUESTED
    assert (
        published(shop, PaymentSucceeded.message_type)
        == published(shop, PaymentFailed.message_type)
        == []
    )


def test_a_discard_drops_a_payment_still_waiting_for_the_provider(
    shop: Shop, relay: PaymentsRelay
) -> None:
    order_id = place_order(shop, payment_method="tok_no_answer")
    relay.deliver_all()

    cancel_order(shop, order_id, "cancelled by the customer")
    relay.deliver_all()

    [payment] = payments_of(shop, order_id)
    assert payment.status is PaymentStatus.DISCARDED
    assert payment.failure_reason == "cancelled by the customer"
    stored = context_of(shop).aggregates.get(Payment, payment.payment_id)
    assert stored.status is PaymentStatus.DISCARDED


@pytest.mark.parametrize(
    ("payment_method", "status"),
    [("tok_ok", PaymentStatus.SUCCEEDED), ("tok_declined", PaymentStatus.FAILED)],
)
def test_a_discard_leaves_a_settled_payment_as_it_is(
    shop: Shop, api: ApiClient, relay: PaymentsRelay, payment_method: str, status: PaymentStatus
) -> None:
    order_id = place_order(shop, payment_method=payment_method)
    relay.deliver_all()
    provider_answers(shop, api)
    [before] = payments_of(shop, order_id)

    cancel_order(shop, order_id, "cancelled by the customer")
    relay.deliver_all()

    assert payments_of(shop, order_id) == [before]
    assert before.status is status
    assert context_of(shop).aggregates.get(Payment, before.payment_id).status is status


def settle_behind_the_read_model(shop: Shop, payment_id: UUID) -> None:
    """Records the provider's success in the payment's stream alone: the read model still
    shows the payment as requested, as a cancellation that read it a moment earlier saw it."""
    aggregates = context_of(shop).aggregates
    payment = aggregates.get(Payment, payment_id)
    payment.succeed("sbx_meanwhile")
    aggregates.save(payment)


def test_a_payment_settled_since_the_read_model_was_read_is_left_as_it_is(
    shop: Shop, relay: PaymentsRelay
) -> None:
    order_id = place_order(shop, payment_method="tok_no_answer")
    relay.deliver_all()
    [view] = payments_of(shop, order_id)
    settle_behind_the_read_model(shop, view.payment_id)

    cancel_order(shop, order_id, "cancelled by the customer")
    assert relay.deliver_all() == 1

    payment = context_of(shop).aggregates.get(Payment, view.payment_id)
    assert (payment.status, payment.provider_reference, payment.version) == (
        PaymentStatus.SUCCEEDED,
        "sbx_meanwhile",
        3,  # requested, submitted, succeeded: the discard added nothing
    )


def test_a_discard_for_an_order_without_payments_changes_nothing(
    shop: Shop, relay: PaymentsRelay
) -> None:
    cancel_order(shop, uuid4(), "cancelled by the customer")

    assert relay.deliver_all() == 1
    assert rows(shop, payment_views) == 0


def test_a_payment_discarded_before_it_reached_the_provider_is_never_sent(
    shop: Shop, api: ApiClient, relay: PaymentsRelay
) -> None:
    order_id = place_order(shop, payment_method="tok_ok")
    cancel_order(shop, order_id, "cancelled by the customer")

    relay.deliver_all()

    [payment] = payments_of(shop, order_id)
    assert payment.status is PaymentStatus.DISCARDED
    assert published(shop, PaymentRequested.message_type) != []
    assert rows(shop, sandbox_requests) == 0
    assert provider_answers(shop, api) == 0


def test_a_redelivered_request_does_not_ask_the_provider_twice(
    shop: Shop, relay: PaymentsRelay
) -> None:
    place_order(shop, payment_method="tok_ok")
    relay.deliver_all()
    [requested] = published(shop, PaymentRequested.message_type)

    policies.submit_requested_payment(PaymentRequested.model_validate(requested), context_of(shop))

    assert rows(shop, sandbox_requests) == 1
    assert rows(shop, sandbox_notifications) == 1
