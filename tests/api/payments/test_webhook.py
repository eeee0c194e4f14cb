"""``POST /api/payments/webhooks/sandbox``: the provider's answers, authenticated by signature.

A notification is recorded only when its signature matches the body and its
timestamp is fresh; anything else is refused and writes nothing.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import timedelta
from typing import Any
from uuid import UUID, uuid4

import pytest

from modules.payments.application.commands import discard_payment
from modules.payments.contracts import DiscardPayment, PaymentFailed, PaymentSucceeded
from modules.payments.domain.payment import Payment, PaymentStatus
from modules.payments.infrastructure.sandbox.signature import SIGNATURE_HEADER, WebhookSignature
from shared.settings import Settings
from shop.bootstrap import Shop
from tests.api.payments.support import (
    a_payment,
    a_submitted_payment,
    a_succeeded_payment,
    assert_problem,
    failed,
    nothing_written,
    post_notification,
    succeeded,
)
from tests.integration.payments.support import context_of, payments_of, published
from tests.support import ApiClient


def stored(shop: Shop, payment: Payment) -> Payment:
    return context_of(shop).aggregates.get(Payment, payment.id)


# --- recorded --------------------------------------------------------------------------------


def test_a_signed_success_is_recorded_and_published(api: ApiClient, shop: Shop) -> None:
    payment = a_payment(shop)

    response = post_notification(api, succeeded(payment.id, reference="sbx_42"))

    assert response.status_code == 200, response.text
    assert response.json() == {"outcome": "recorded"}
    assert stored(shop, payment).status is PaymentStatus.SUCCEEDED
    [view] = payments_of(shop, payment.order_id)
    assert (view.status, view.provider_reference) == (PaymentStatus.SUCCEEDED, "sbx_42")
    [message] = published(shop, PaymentSucceeded.message_type)
    contract = PaymentSucceeded.model_validate(message)
    assert (contract.originator_id, contract.order_id) == (payment.id, payment.order_id)
    assert contract.provider_reference == "sbx_42"


def test_a_signed_failure_is_recorded_and_published(api: ApiClient, shop: Shop) -> None:
    payment = a_payment(shop)

    response = post_notification(api, failed(payment.id, reason="card declined"))

    assert response.status_code == 200, response.text
    assert response.json() == {"outcome": "recorded"}
    [view] = payments_of(shop, payment.order_id)
    assert (view.status, view.failure_reason) == (PaymentStatus.FAILED, "card declined")
    [message] = published(shop, PaymentFailed.message_type)
    contract = PaymentFailed.model_validate(message)
    assert (contract.originator_id, contract.order_id) == (payment.id, payment.order_id)
    assert contract.reason == "card declined"


def test_the_webhook_needs_no_bearer_token_but_a_signature(api: ApiClient, shop: Shop) -> None:
    payment = a_payment(shop)

    response = post_notification(api, succeeded(payment.id))

    assert "authorization" not in {name.lower() for name in response.request.headers}
    assert response.status_code == 200


def test_fields_the_shop_does_not_know_are_ignored(api: ApiClient, shop: Shop) -> None:
    payment = a_payment(shop)

    response = post_notification(api, {**succeeded(payment.id), "livemode": False})

    assert response.status_code == 200, response.text
    assert stored(shop, payment).status is PaymentStatus.SUCCEEDED


# --- refused: not from the provider ----------------------------------------------------------


def test_a_missing_signature_is_refused(api: ApiClient, shop: Shop) -> None:
    payment = a_payment(shop)

    with nothing_written(shop):
        response = post_notification(api, succeeded(payment.id), headers={})

    problem = assert_problem(response, 401)
    assert "Sandbox-Signature" in problem["detail"]
    assert response.headers["www-authenticate"] == "Sandbox-Signature"


def test_a_signature_made_with_another_secret_is_refused(api: ApiClient, shop: Shop) -> None:
    payment = a_payment(shop)

    with nothing_written(shop):
        response = post_notification(
            api, succeeded(payment.id), secret="an-attacker-guess-0123456789abcdef"
        )

    assert_problem(response, 401)


def test_a_body_changed_after_signing_is_refused(
    api: ApiClient, shop: Shop, settings: Settings
) -> None:
    payment = a_payment(shop)
    genuine = json.dumps(failed(payment.id)).encode()
    forged = json.dumps(succeeded(payment.id)).encode()
    secret = settings.sandbox_webhook_secret.get_secret_value()
    header = WebhookSignature(secret).sign(genuine, shop.clock.now())

    with nothing_written(shop):
        response = post_notification(api, forged, headers={SIGNATURE_HEADER: header})

    assert_problem(response, 401)


@pytest.mark.parametrize(
    "header", ["", "t=1767268800", "v1=00ff", "t=yesterday,v1=00ff", "Bearer abc"]
)
def test_a_malformed_signature_header_is_refused(api: ApiClient, shop: Shop, header: str) -> None:
    payment = a_payment(shop)

    with nothing_written(shop):
        # As raw UTF-8 bytes, as a client that does not check what it sends would.
        raw_header = {SIGNATURE_HEADER: header.encode()}
        response = post_notification(api, succeeded(payment.id), headers=raw_header)

    assert_problem(response, 401)


@pytest.mark.parametrize(
    "age", [timedelta(seconds=301), timedelta(hours=6), timedelta(seconds=-301)]
)
def test_a_notification_signed_outside_the_tolerance_is_refused(
    api: ApiClient, shop: Shop, settings: Settings, age: timedelta
) -> None:
    """A captured notification replayed later is refused, as is one dated in the future."""
    assert settings.webhook_tolerance_seconds == 300
    payment = a_payment(shop)

    with nothing_written(shop):
        response = post_notification(api, succeeded(payment.id), signed_at=shop.clock.now() - age)

    problem = assert_problem(response, 401)
    assert "tolerance" in problem["detail"]


def test_a_notification_signed_just_within_the_tolerance_is_recorded(
    api: ApiClient, shop: Shop
) -> None:
    payment = a_payment(shop)

    response = post_notification(
        api, succeeded(payment.id), signed_at=shop.clock.now() - timedelta(seconds=300)
    )

    assert response.status_code == 200, response.text
    assert stored(shop, payment).status is PaymentStatus.SUCCEEDED


# --- refused: not a notification the provider sends ------------------------------------------


def _without(notification: dict[str, Any], field: str) -> dict[str, Any]:
    return {name: value for name, value in notification.items() if name != field}


MALFORMED: dict[str, Callable[[UUID], Any]] = {
    "not json": lambda _: b"payment succeeded",
    "truncated json": lambda payment_id: json.dumps(succeeded(payment_id)).encode()[:-5],
    "not an object": lambda payment_id: [succeeded(payment_id)],
    "empty": lambda _: b"",
    "unknown type": lambda payment_id: {**succeeded(payment_id), "type": "payment.refunded"},
    "no type": lambda payment_id: _without(succeeded(payment_id), "type"),
    "no payment id": lambda payment_id: _without(succeeded(payment_id), "payment_id"),
    "payment id not a uuid": lambda payment_id: {**succeeded(payment_id), "payment_id": "42"},
    "no reference": lambda payment_id: _without(succeeded(payment_id), "reference"),
    "empty reference": lambda payment_id: {**succeeded(payment_id), "reference": ""},
    "reference too long": lambda payment_id: {**succeeded(payment_id), "reference": "r" * 65},
    "failure without reason": lambda payment_id: _without(failed(payment_id), "failure_reason"),
    "failure reason too long": lambda payment_id: failed(payment_id, "x" * 201),
    "no notification id": lambda payment_id: _without(succeeded(payment_id), "id"),
}


@pytest.mark.parametrize("case", sorted(MALFORMED))
def test_a_signed_but_malformed_notification_is_refused(
    api: ApiClient, shop: Shop, case: str
) -> None:
    payment = a_payment(shop)
    body = MALFORMED[case](payment.id)
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()

    with nothing_written(shop):
        response = post_notification(api, raw)

    assert_problem(response, 400)


# --- acknowledged without change: retrying would not help ------------------------------------


def test_a_notification_about_an_unknown_payment_is_acknowledged_and_ignored(
    api: ApiClient, shop: Shop
) -> None:
    a_payment(shop)

    with nothing_written(shop):
        response = post_notification(api, succeeded(uuid4()))

    assert response.status_code == 200, response.text
    assert response.json() == {"outcome": "ignored"}


def test_a_failure_after_a_recorded_success_is_acknowledged_and_ignored(
    api: ApiClient, shop: Shop
) -> None:
    payment = a_succeeded_payment(shop)

    with nothing_written(shop):
        response = post_notification(api, failed(payment.id, reference="sbx_earlier"))

    assert response.status_code == 200, response.text
    assert response.json() == {"outcome": "ignored"}
    assert stored(shop, payment).status is PaymentStatus.SUCCEEDED


def test_an_answer_about_a_discarded_payment_is_acknowledged_and_ignored(
    api: ApiClient, shop: Shop
) -> None:
    payment = a_payment(shop)
    discard_payment(
        DiscardPayment(order_id=payment.order_id, reason="cancelled by the customer"),
        context_of(shop),
    )

    with nothing_written(shop):
        response = post_notification(api, succeeded(payment.id))

    assert response.json() == {"outcome": "ignored"}
    assert stored(shop, payment).status is PaymentStatus.DISCARDED


# --- about what the shop asked: reference, amount, currency -----------------------------------


@pytest.mark.parametrize(
    "notification",
    [
        pytest.param(
            lambda payment_id: succeeded(payment_id, reference="sbx_invented"),
            id="success, another reference",
        ),
        pytest.param(
            lambda payment_id: succeeded(payment_id, reference="sbx_asked", amount="0.01"),
            id="success, another amount",
        ),
        pytest.param(
            lambda payment_id: succeeded(payment_id, reference="sbx_asked", currency="USD"),
            id="success, another currency",
        ),
        pytest.param(
            lambda payment_id: failed(payment_id, reference="sbx_invented"),
            id="failure, another reference",
        ),
    ],
)
def test_a_signed_answer_that_is_not_about_what_the_shop_asked_is_refused_and_logged(
    api: ApiClient,
    shop: Shop,
    notification: Callable[[UUID], dict[str, Any]],
    caplog: pytest.LogCaptureFixture,
) -> None:
    payment = a_submitted_payment(shop, reference="sbx_asked")

    with nothing_written(shop):
        response = post_notification(api, notification(payment.id))

    assert "does not match" in assert_problem(response, 422)["detail"]
    assert stored(shop, payment).status is PaymentStatus.REQUESTED
    assert any(
        record.levelname == "ERROR" and str(payment.id) in record.getMessage()
        for record in caplog.records
    )


def test_another_customers_pending_payment_cannot_be_settled_with_an_invented_reference(
    api: ApiClient, shop: Shop
) -> None:
    bobs = a_submitted_payment(shop, reference="sbx_bobs", customer_id="bob")

    with nothing_written(shop):
        response = post_notification(api, succeeded(bobs.id, reference="sbx_mallory"))

    assert_problem(response, 422)
    assert stored(shop, bobs).status is PaymentStatus.REQUESTED


def test_an_answer_naming_the_reference_the_provider_gave_is_recorded(
    api: ApiClient, shop: Shop
) -> None:
    payment = a_submitted_payment(shop, reference="sbx_asked")

    response = post_notification(api, succeeded(payment.id, reference="sbx_asked"))

    assert response.json() == {"outcome": "recorded"}
    assert stored(shop, payment).status is PaymentStatus.SUCCEEDED


@pytest.mark.parametrize(
    "header",
    [
        pytest.param("t=²,v1=00", id="a superscript digit"),
        pytest.param(f"t=١٧٦٧٢٦٨٨٠٠,v1={'0' * 64}", id="Arabic-Indic digits"),
        pytest.param(f"t=1767268800,v1={'é' * 64}", id="a non-ASCII digest"),
        pytest.param("t=1767268800,,v1=", id="empty entries"),
    ],
)
def test_a_malformed_signature_header_is_a_401_and_writes_nothing(
    api: ApiClient, shop: Shop, header: str
) -> None:
    payment = a_payment(shop)

    with nothing_written(shop):
        # As raw UTF-8 bytes, as a client that does not check what it sends would.
        raw_header = {SIGNATURE_HEADER: header.encode()}
        response = post_notification(api, succeeded(payment.id), headers=raw_header)

    assert_problem(response, 401)
