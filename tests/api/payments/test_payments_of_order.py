"""``GET /api/payments?order_id=…``: an order's payments, for their customer and for admins."""

from __future__ import annotations

from datetime import timedelta
from uuid import uuid4

import pytest

from shared.clock import ManualClock
from shop.bootstrap import Shop
from tests.api.payments.support import (
    a_payment,
    a_succeeded_payment,
    assert_problem,
    nothing_written,
)
from tests.support import ApiClient


def test_the_customer_sees_the_payments_of_their_order(api: ApiClient, shop: Shop) -> None:
    payment = a_succeeded_payment(shop, "alice")

    response = api.get(
        "/api/payments",
        params={"order_id": str(payment.order_id)},
        headers=api.as_customer("alice"),
    )

    assert response.status_code == 200, response.text
    [body] = response.json()
    assert body == {
        "payment_id": str(payment.id),
        "order_id": str(payment.order_id),
        "customer_id": "alice",
        "status": "succeeded",
        "amount": "63.80",
        "currency": "EUR",
        "provider_reference": "sbx_earlier",
        "failure_reason": None,
        "requested_at": "2026-01-01T12:00:00Z",
        "updated_at": "2026-01-01T12:00:00Z",
    }


def test_an_admin_sees_any_customers_payments(api: ApiClient, shop: Shop) -> None:
    payment = a_payment(shop, "alice")

    response = api.get(
        "/api/payments", params={"order_id": str(payment.order_id)}, headers=api.as_admin()
    )

    assert response.status_code == 200, response.text
    assert [body["payment_id"] for body in response.json()] == [str(payment.id)]
    assert response.json()[0]["status"] == "requested"


def test_every_payment_of_the_order_is_listed_oldest_first(
    api: ApiClient, shop: Shop, clock: ManualClock
) -> None:
    first = a_payment(shop, "alice")
    clock.advance(timedelta(minutes=1))
    second = a_payment(shop, "alice", order_id=first.order_id)
    a_payment(shop, "alice")

    response = api.get(
        "/api/payments", params={"order_id": str(first.order_id)}, headers=api.as_customer("alice")
    )

    assert [body["payment_id"] for body in response.json()] == [str(first.id), str(second.id)]


def test_another_customers_order_is_not_found(api: ApiClient, shop: Shop) -> None:
    payment = a_payment(shop, "alice")

    response = api.get(
        "/api/payments", params={"order_id": str(payment.order_id)}, headers=api.as_customer("bob")
    )

    assert_problem(response, 404)
    assert "alice" not in response.text


def test_an_order_without_payments_has_an_empty_list(api: ApiClient, shop: Shop) -> None:
    a_payment(shop, "alice")

    response = api.get(
        "/api/payments", params={"order_id": str(uuid4())}, headers=api.as_customer("bob")
    )

    assert response.status_code == 200, response.text
    assert response.json() == []


@pytest.mark.parametrize(
    "authorization", [None, "Bearer not-a-token", "Basic YWxpY2U6c2VjcmV0", "Bearer "]
)
def test_an_anonymous_caller_is_refused(
    api: ApiClient, shop: Shop, authorization: str | None
) -> None:
    payment = a_payment(shop, "alice")
    headers = {} if authorization is None else {"Authorization": authorization}

    response = api.get("/api/payments", params={"order_id": str(payment.order_id)}, headers=headers)

    assert_problem(response, 401)


@pytest.mark.parametrize("query", ["", "?order_id=", "?order_id=42", "?order_id=not-a-uuid"])
def test_a_missing_or_invalid_order_id_is_refused(api: ApiClient, query: str) -> None:
    response = api.get(f"/api/payments{query}", headers=api.as_customer("alice"))

    problem = assert_problem(response, 400)
    assert "order_id" in response.text
    assert problem["title"]


def test_reading_payments_writes_nothing(api: ApiClient, shop: Shop) -> None:
    payment = a_payment(shop, "alice")

    with nothing_written(shop):
        for headers in (api.as_customer("alice"), api.as_customer("bob"), api.as_admin(), {}):
            api.get("/api/payments", params={"order_id": str(payment.order_id)}, headers=headers)
