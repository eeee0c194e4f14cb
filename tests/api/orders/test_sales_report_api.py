"""The sales report through HTTP: for admins only, money as strings, and how far behind it is."""

from __future__ import annotations

from uuid import uuid4

from shared.clock import ManualClock
from shop.bootstrap import Shop
from tests.integration.orders.checkout import Checkout, payment_succeeded
from tests.support import ApiClient, assert_problem

REPORT = "/api/reports/sales"


def paid_order(checkout: Checkout, customer_id: str) -> None:
    order_id = checkout.placed(customer_id=customer_id)
    checkout.given(payment_succeeded(order_id, payment_id=uuid4()))


def test_an_admin_gets_an_empty_report_before_any_sale(api: ApiClient) -> None:
    response = api.get(REPORT, headers=api.as_admin())

    assert response.status_code == 200, response.text
    assert response.json() == {
        "products": [],
        "projection": {
            "name": "orders.sales_per_product",
            "position": 0,
            "lag": 0,
            "updated_at": None,
        },
    }


def test_an_admin_sees_sales_per_product_once_the_projection_has_caught_up(
    api: ApiClient, shop: Shop, checkout: Checkout, clock: ManualClock
) -> None:
    paid_order(checkout, "alice")
    paid_order(checkout, "bob")
    behind = api.get(REPORT, headers=api.as_admin()).json()

    shop.orders.sales_projection.catch_up()
    report = api.get(REPORT, headers=api.as_admin()).json()

    assert behind["products"] == []
    assert behind["projection"]["lag"] > 0
    assert report["products"] == [
        {
            "product_id": "ceramic-mug",
            "currency": "EUR",
            "units_sold": 2,
            "revenue": "28.00",
            "orders": 2,
            "updated_at": clock.now().isoformat().replace("+00:00", "Z"),
        },
        {
            "product_id": "espresso-beans-1kg",
            "currency": "EUR",
            "units_sold": 4,
            "revenue": "99.60",
            "orders": 2,
            "updated_at": clock.now().isoformat().replace("+00:00", "Z"),
        },
    ]
    assert report["projection"]["lag"] == 0
    assert report["projection"]["position"] == behind["projection"]["lag"]


def test_a_customer_is_refused_with_403(api: ApiClient, checkout: Checkout, shop: Shop) -> None:
    paid_order(checkout, "alice")
    shop.orders.sales_projection.catch_up()

    assert_problem(api.get(REPORT, headers=api.as_customer("alice")), 403)


def test_an_anonymous_caller_is_refused_with_401(api: ApiClient) -> None:
    assert_problem(api.get(REPORT), 401)


def test_the_document_declares_the_report_for_admins(api: ApiClient) -> None:
    operation = api.get("/docs/openapi.json").json()["paths"][REPORT]["get"]

    assert {"200", "401", "403"} <= operation["responses"].keys()
    schema = api.get("/docs/openapi.json").json()["components"]["schemas"]["ProductSalesResponse"]
    assert schema["properties"]["revenue"]["type"] == "string"
