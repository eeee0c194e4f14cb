"""The payments side of checkout, driven by a relay as in production: an order is placed,
the provider is asked, its webhook answers, and a cancelled order discards what is pending."""

from __future__ import annotations

from decimal import Decimal
from uuid import UUID, uuid4

import pytest

from modules.payments.application import policies
from modules.payments.contracts import (
    PAYMENT_DISCARDED,
    PAYMENT_FAILED,
    PAYMENT_REQUESTED,
    PAYMENT_SUCCEEDED,
    PaymentDiscarded,
    PaymentFailed,
    PaymentRequested,
    PaymentSucceeded,
)
from modules.payments.domain.payment import Payment, PaymentStatus
from modules.payments.infrastructure.tables import (
    payment_views,
    sandbox_notifications,
    sandbox_requests,
)
from shared.outbox import IntegrationMessage
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


def test_a_placed_order_gets_a_payment_for_its_total_and_the_provider_is_asked(
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
    [requested] = published(shop, PAYMENT_REQUESTED)
    contract = PaymentRequested.model_validate(requested)
    assert contract.originator_id == payment.payment_id
    assert (contract.order_id, contract.customer_id) == (order_id, "alice")
    assert (contract.amount, contract.currency) == (Decimal("63.80"), "EUR")
    assert contract.payment_method == "tok_ok"
    assert rows(shop, sandbox_requests) == 1


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
    [succeeded] = published(shop, PAYMENT_SUCCEEDED)
    contract = PaymentSucceeded.model_validate(succeeded)
    assert (contract.originator_id, contract.order_id) == (payment.payment_id, order_id)
    assert contract.provider_reference == payment.provider_reference
    assert published(shop, PAYMENT_FAILED) == []


def test_a_declined_payment_is_recorded_and_published_with_the_reason(
    shop: Shop, api: ApiClient, relay: PaymentsRelay
) -> None:
    order_id = place_order(shop, payment_method="tok_declined")
    relay.deliver_all()

    assert provider_answers(shop, api) == 1

    [payment] = payments_of(shop, order_id)
    assert (payment.status, payment.failure_reason) == (PaymentStatus.FAILED, "card declined")
    [failed] = published(shop, PAYMENT_FAILED)
    contract = PaymentFailed.model_validate(failed)
    assert (contract.originator_id, contract.order_id) == (payment.payment_id, order_id)
    assert contract.reason == "card declined"
    assert published(shop, PAYMENT_SUCCEEDED) == []


def test_a_payment_the_provider_never_answers_stays_requested(
    shop: Shop, api: ApiClient, relay: PaymentsRelay
) -> None:
    order_id = place_order(shop, payment_method="tok_no_answer")
    relay.deliver_all()

    assert provider_answers(shop, api) == 0

    [payment] = payments_of(shop, order_id)
    assert payment.status is PaymentStatus.REQUESTED
    assert published(shop, PAYMENT_SUCCEEDED) == published(shop, PAYMENT_FAILED) == []


def test_cancelling_the_order_discards_a_payment_still_waiting_for_the_provider(
    shop: Shop, relay: PaymentsRelay
) -> None:
    order_id = place_order(shop, payment_method="tok_no_answer")
    relay.deliver_all()

    cancel_order(shop, order_id, "out of stock")
    relay.deliver_all()

    [payment] = payments_of(shop, order_id)
    assert payment.status is PaymentStatus.DISCARDED
    assert payment.failure_reason == "order cancelled: out of stock"
    [discarded] = published(shop, PAYMENT_DISCARDED)
    contract = PaymentDiscarded.model_validate(discarded)
    assert (contract.originator_id, contract.order_id) == (payment.payment_id, order_id)
    assert contract.reason == "order cancelled: out of stock"


@pytest.mark.parametrize(
    ("payment_method", "status"),
    [("tok_ok", PaymentStatus.SUCCEEDED), ("tok_declined", PaymentStatus.FAILED)],
)
def test_cancelling_the_order_leaves_a_settled_payment_as_it_is(
    shop: Shop, api: ApiClient, relay: PaymentsRelay, payment_method: str, status: PaymentStatus
) -> None:
    order_id = place_order(shop, payment_method=payment_method)
    relay.deliver_all()
    provider_answers(shop, api)
    [before] = payments_of(shop, order_id)

    cancel_order(shop, order_id, "out of stock")
    relay.deliver_all()

    assert payments_of(shop, order_id) == [before]
    assert before.status is status
    assert published(shop, PAYMENT_DISCARDED) == []


def settle_behind_the_read_model(shop: Shop, payment_id: UUID) -> None:
    """Records the provider's success in the payment's stream alone: the read model still
    shows the payment as requested, as a cancellation that read it a moment earlier saw it."""
    event_store = context_of(shop).event_store
    payment = event_store.get(Payment, payment_id)
    payment.succeed("sbx_meanwhile")
    event_store.save(payment)


def test_a_payment_settled_since_the_read_model_was_read_is_left_as_it_is(
    shop: Shop, relay: PaymentsRelay
) -> None:
    order_id = place_order(shop, payment_method="tok_no_answer")
    relay.deliver_all()
    [view] = payments_of(shop, order_id)
    settle_behind_the_read_model(shop, view.payment_id)

    cancel_order(shop, order_id, "out of stock")
    assert relay.deliver_all() == 1

    payment = context_of(shop).event_store.get(Payment, view.payment_id)
    assert (payment.status, payment.provider_reference) == (
        PaymentStatus.SUCCEEDED,
        "sbx_meanwhile",
    )
    assert published(shop, PAYMENT_DISCARDED) == []


def test_cancelling_an_order_without_payments_changes_nothing(
    shop: Shop, relay: PaymentsRelay
) -> None:
    cancel_order(shop, uuid4(), "payment declined")

    assert relay.deliver_all() == 1
    assert published(shop, PAYMENT_DISCARDED) == []
    assert rows(shop, payment_views) == 0


def test_a_payment_discarded_before_it_reached_the_provider_is_never_sent(
    shop: Shop, api: ApiClient, relay: PaymentsRelay
) -> None:
    order_id = place_order(shop, payment_method="tok_ok")
    cancel_order(shop, order_id, "out of stock")

    relay.deliver_all()

    [payment] = payments_of(shop, order_id)
    assert payment.status is PaymentStatus.DISCARDED
    assert published(shop, PAYMENT_REQUESTED) != []
    assert rows(shop, sandbox_requests) == 0
    assert provider_answers(shop, api) == 0


def test_a_redelivered_request_does_not_ask_the_provider_twice(
    shop: Shop, relay: PaymentsRelay
) -> None:
    place_order(shop, payment_method="tok_ok")
    relay.deliver_all()
    [requested] = published(shop, PAYMENT_REQUESTED)
    redelivered = IntegrationMessage(
        message_id=uuid4(),
        message_type=PAYMENT_REQUESTED,
        source="payments",
        payload=requested,
        recorded_at=shop.clock.now(),
        position=(0, 0),
    )

    policies.on_payment_requested(redelivered, context_of(shop))

    assert rows(shop, sandbox_requests) == 1
    assert rows(shop, sandbox_notifications) == 1
