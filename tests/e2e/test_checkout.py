"""Checkout end to end: HTTP in, every module through the relay, the provider's webhook back."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from shared.outbox import outbox_messages
from shared.web.auth import Role
from tests.e2e.conftest import RunningShop
from tests.support import eventually

# Long enough for a loaded CI machine; a passing run takes well under a second a step.
DEADLINE_SECONDS = 30


def check_out(
    running: RunningShop, customer_id: str, items: dict[str, int], payment_method: str
) -> dict[str, str]:
    headers = running.headers_of(customer_id)
    for product_id, quantity in items.items():
        added = running.http.post(
            "/api/cart/items",
            json={"product_id": product_id, "quantity": quantity},
            headers=headers,
        )
        assert added.status_code == 200, added.text
    accepted = running.http.post(
        "/api/cart/checkout", json={"payment_method": payment_method}, headers=headers
    )
    assert accepted.status_code == 202, accepted.text
    return headers


def the_order(running: RunningShop, headers: dict[str, str]) -> dict[str, Any] | None:
    listed = running.http.get("/api/orders", headers=headers)
    assert listed.status_code == 200, listed.text
    orders = listed.json()["orders"]
    if not orders:
        return None
    details = running.http.get(f"/api/orders/{orders[0]['order_id']}", headers=headers)
    assert details.status_code == 200, details.text
    order: dict[str, Any] = details.json()
    return order


def order_reaching(running: RunningShop, headers: dict[str, str], status: str) -> dict[str, Any]:
    def probe() -> dict[str, Any] | None:
        order = the_order(running, headers)
        return order if order and order["status"] == status else None

    return eventually(probe, timeout=DEADLINE_SECONDS)


def listed(running: RunningShop, path: str, order_id: str, headers: dict[str, str]) -> list[Any]:
    response = running.http.get(path, params={"order_id": order_id}, headers=headers)
    assert response.status_code == 200, response.text
    rows: list[Any] = response.json()
    return rows


def stock_of(running: RunningShop, product_id: str) -> int:
    response = running.http.get("/api/inventory", headers=running.headers_of("ops", Role.ADMIN))
    assert response.status_code == 200, response.text
    return next(row["quantity"] for row in response.json() if row["product_id"] == product_id)


def commands_sent_by_the_checkout(running: RunningShop) -> list[str]:
    with running.shop.datastore.transaction(commit=False) as session:
        return list(
            session.execute(
                select(outbox_messages.c.message_type)
                .where(outbox_messages.c.source == "orders")
                .order_by(outbox_messages.c.id)
            ).scalars()
        )


def test_a_paid_checkout_is_shipped_and_completed(running_shop: RunningShop) -> None:
    beans_before = stock_of(running_shop, "espresso-beans-1kg")

    alice = check_out(running_shop, "alice", {"espresso-beans-1kg": 2, "ceramic-mug": 1}, "tok_ok")

    order = order_reaching(running_shop, alice, "completed")
    assert [change["status"] for change in order["status_history"]] == [
        "pending",
        "paid",
        "completed",
    ]
    assert order["total"] == "63.80"
    payments = listed(running_shop, "/api/payments", order["order_id"], alice)
    assert [payment["status"] for payment in payments] == ["succeeded"]
    packages = listed(running_shop, "/api/shipments", order["order_id"], alice)
    assert [package["status"] for package in packages] == ["sent"]
    assert stock_of(running_shop, "espresso-beans-1kg") == beans_before - 2
    cart = running_shop.http.get("/api/cart", headers=alice).json()
    assert cart["items"] == []
    assert commands_sent_by_the_checkout(running_shop) == [
        "payments.RequestPayment",
        "shipments.ShipOrder",
    ]


def test_a_declined_payment_cancels_the_order_and_nothing_ships(
    running_shop: RunningShop,
) -> None:
    mugs_before = stock_of(running_shop, "ceramic-mug")

    bob = check_out(running_shop, "bob", {"ceramic-mug": 3}, "tok_declined")

    order = order_reaching(running_shop, bob, "cancelled")
    assert order["cancellation_reason"] == "payment declined"
    payments = listed(running_shop, "/api/payments", order["order_id"], bob)
    assert [payment["status"] for payment in payments] == ["failed"]
    assert listed(running_shop, "/api/shipments", order["order_id"], bob) == []
    assert stock_of(running_shop, "ceramic-mug") == mugs_before


def test_an_order_for_a_product_out_of_stock_is_cancelled_and_not_shipped(
    running_shop: RunningShop,
) -> None:
    assert stock_of(running_shop, "gooseneck-kettle") == 0

    carol = check_out(running_shop, "carol", {"gooseneck-kettle": 1, "ceramic-mug": 1}, "tok_ok")

    order = order_reaching(running_shop, carol, "cancelled")
    assert order["cancellation_reason"] == "out of stock"
    packages = listed(running_shop, "/api/shipments", order["order_id"], carol)
    assert [package["status"] for package in packages] == ["out_of_stock"]
    assert stock_of(running_shop, "gooseneck-kettle") == 0


def test_an_order_waits_while_the_provider_has_not_answered(running_shop: RunningShop) -> None:
    dave = check_out(running_shop, "dave", {"french-press": 1}, "tok_no_answer")

    def requested_payment() -> list[Any] | None:
        order = the_order(running_shop, dave)
        if order is None:
            return None
        payments = listed(running_shop, "/api/payments", order["order_id"], dave)
        return payments if payments and payments[0]["status"] == "requested" else None

    eventually(requested_payment, timeout=DEADLINE_SECONDS)
    running_shop.shop.relay.deliver_pending()

    order = the_order(running_shop, dave)
    assert order is not None
    assert order["status"] == "pending"


def test_the_customer_cancels_an_order_the_provider_has_not_answered(
    running_shop: RunningShop,
) -> None:
    gina = check_out(running_shop, "gina", {"french-press": 1}, "tok_no_answer")
    pending = order_reaching(running_shop, gina, "pending")

    cancelled = running_shop.http.post(
        f"/api/orders/{pending['order_id']}/cancellation", headers=gina
    )

    assert cancelled.status_code == 200, cancelled.text
    assert cancelled.json()["cancellation_reason"] == "cancelled by the customer"

    def discarded() -> list[Any] | None:
        payments = listed(running_shop, "/api/payments", pending["order_id"], gina)
        return payments if [p["status"] for p in payments] == ["discarded"] else None

    eventually(discarded, timeout=DEADLINE_SECONDS)
    assert listed(running_shop, "/api/shipments", pending["order_id"], gina) == []
    assert commands_sent_by_the_checkout(running_shop) == [
        "payments.RequestPayment",
        "payments.DiscardPayment",
    ]


def test_a_provider_that_notifies_twice_still_completes_the_order(
    running_shop: RunningShop,
) -> None:
    erin = check_out(running_shop, "erin", {"digital-scale": 1}, "tok_notify_twice")

    order = order_reaching(running_shop, erin, "completed")

    payments = listed(running_shop, "/api/payments", order["order_id"], erin)
    assert {payment["status"] for payment in payments} == {"succeeded"}


@pytest.mark.parametrize("payment_method", ["tok_ok", "tok_declined"])
def test_the_cart_is_ready_for_the_next_purchase_after_checkout(
    running_shop: RunningShop, payment_method: str
) -> None:
    frank = check_out(running_shop, "frank", {"paper-filters-100": 1}, payment_method)
    order_reaching(running_shop, frank, "completed" if payment_method == "tok_ok" else "cancelled")

    check_out(running_shop, "frank", {"green-tea-100g": 1}, "tok_ok")

    def both_orders() -> list[Any] | None:
        orders: list[Any] = running_shop.http.get("/api/orders", headers=frank).json()["orders"]
        return orders if len(orders) == 2 else None

    # The second order is placed once the relay delivers the confirmation.
    eventually(both_orders, timeout=DEADLINE_SECONDS)
