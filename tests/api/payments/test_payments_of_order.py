"""``GET /api/payments?order_id=…``: an order's payments, for their customer and for admins."""

from __future__ import annotations

from uuid import uuid4

import pytest

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


def test_only_the_payments_of_that_order_are_listed(api: ApiClient, shop: Shop) -> None:
    payment = a_payment(shop, "alice")
    a_payment(shop, "alice")

    response = api.get(
        "/api/payments",
        params={"order_id": str(payment.order_id)},
        headers=api.as_customer("alice"),
    )

    assert response.status_code == 200, response.text
    assert [body["payment_id"] for body in response.json()] == [str(payment.id)]


def test_another_customers_order_answers_as_an_order_without_payments(
    api: ApiClient, shop: Shop
) -> None:
    """Whether someone else's order exists is not for the caller to learn."""
    payment = a_payment(shop, "alice")

    theirs = api.get(
        "/api/payments", params={"order_id": str(payment.order_id)}, headers=api.as_customer("bob")
    )
    unknown = api.get(
        "/api/payments", params={"order_id": str(uuid4())}, headers=api.as_customer("bob")
    )

    assert (theirs.status_code, theirs.json()) == (200, [])
    assert (unknown.status_code, unknown.json()) == (200, [])
    assert theirs.headers["content-type"] == unknown.headers["content-type"]


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


@pytest.mark.parametrize(
    ("caller", "status"), [("alice", 200), ("bob", 200), ("admin", 200), (None, 401)]
)
def test_reading_payments_writes_nothing(
    api: ApiClient, shop: Shop, caller: str | None, status: int
) -> None:
    payment = a_payment(shop, "alice")
    headers = {
        None: {},
        "admin": api.as_admin(),
        "alice": api.as_customer("alice"),
        "bob": api.as_customer("bob"),
    }[caller]

    with nothing_written(shop):
        response = api.get(
            "/api/payments", params={"order_id": str(payment.order_id)}, headers=headers
        )

    assert response.status_code == status, response.text
