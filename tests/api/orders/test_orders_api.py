"""The orders API through HTTP: who sees which orders, and what they see."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID, uuid4

import httpx
import pytest

from modules.payments.contracts import DiscardPayment
from tests.integration.orders.checkout import (
    CART_ID,
    Checkout,
    package_sent,
    payment_failed,
    payment_succeeded,
)
from tests.support import ApiClient, eventually, nothing_written_to

# Everything a cancellation may write: the order's events, its read models, the outbox.
WRITTEN_BY_ORDERS = (
    "orders_events",
    "orders_order_views",
    "orders_status_changes",
    "outbox_messages",
)

PROBLEM_JSON = "application/problem+json"


def place_order(checkout: Checkout, customer_id: str) -> UUID:
    order_id = checkout.placed(customer_id=customer_id)
    # Orders placed one after the other, so that "newest first" is one order.
    checkout.clock.advance(timedelta(minutes=1))
    return order_id


def assert_problem(response: Any, status: int) -> None:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(PROBLEM_JSON)
    assert response.json()["status"] == status


class TestOrderDetails:
    def test_the_owner_sees_the_order_with_its_history(
        self, api: ApiClient, checkout: Checkout
    ) -> None:
        placed_at = checkout.clock.now()
        order_id = place_order(checkout, "alice")
        payment_id, package_id = uuid4(), uuid4()
        paid_at = checkout.clock.now()
        checkout.given(payment_succeeded(order_id, payment_id))
        checkout.clock.advance(timedelta(days=1))
        completed_at = checkout.clock.now()
        checkout.given(package_sent(order_id, package_id))

        response = api.get(f"/api/orders/{order_id}", headers=api.as_customer("alice"))

        assert response.status_code == 200
        assert response.headers["etag"] == '"3"'
        body = response.json()
        assert body["order_id"] == str(order_id)
        assert (body["customer_id"], body["cart_id"]) == ("alice", str(CART_ID))
        assert body["status"] == "completed"
        assert body["cancellation_reason"] is None
        assert body["items"] == [
            {
                "product_id": "espresso-beans-1kg",
                "quantity": 2,
                "unit_price": "24.90",
                "subtotal": "49.80",
            },
            {
                "product_id": "ceramic-mug",
                "quantity": 1,
                "unit_price": "14.00",
                "subtotal": "14.00",
            },
        ]
        assert (Decimal(body["total"]), body["currency"]) == (Decimal("63.80"), "EUR")
        assert (body["payment_id"], body["package_id"]) == (str(payment_id), str(package_id))
        history = body["status_history"]
        assert [change["status"] for change in history] == ["pending", "paid", "completed"]
        assert [change["reason"] for change in history] == [None, None, None]
        assert [datetime.fromisoformat(change["changed_at"]) for change in history] == [
            placed_at,
            paid_at,
            completed_at,
        ]
        assert datetime.fromisoformat(body["placed_at"]) == placed_at
        assert datetime.fromisoformat(body["updated_at"]) == completed_at

    def test_a_cancelled_order_says_why(self, api: ApiClient, checkout: Checkout) -> None:
        order_id = place_order(checkout, "alice")
        checkout.given(payment_failed(order_id, uuid4()))

        response = api.get(f"/api/orders/{order_id}", headers=api.as_customer("alice"))

        assert response.status_code == 200
        assert response.headers["etag"] == '"2"'
        body = response.json()
        assert body["status"] == "cancelled"
        assert body["cancellation_reason"] == "payment declined"
        assert [(change["status"], change["reason"]) for change in body["status_history"]] == [
            ("pending", None),
            ("cancelled", "payment declined"),
        ]

    def test_an_admin_sees_any_order(self, api: ApiClient, checkout: Checkout) -> None:
        order_id = place_order(checkout, "alice")

        response = api.get(f"/api/orders/{order_id}", headers=api.as_admin())

        assert response.status_code == 200
        assert response.json()["customer_id"] == "alice"
        assert response.headers["etag"] == '"1"'

    def test_another_customers_order_is_not_found(self, api: ApiClient, checkout: Checkout) -> None:
        order_id = place_order(checkout, "alice")

        response = api.get(f"/api/orders/{order_id}", headers=api.as_customer("bob"))

        assert_problem(response, 404)
        assert "alice" not in response.text

    def test_an_unknown_order_is_not_found(self, api: ApiClient) -> None:
        response = api.get(f"/api/orders/{uuid4()}", headers=api.as_customer("alice"))

        assert_problem(response, 404)

    @pytest.mark.parametrize("order_id", ["not-a-uuid", "123", "00000000-0000-4000-8000"])
    def test_a_malformed_order_id_is_a_bad_request(self, api: ApiClient, order_id: str) -> None:
        response = api.get(f"/api/orders/{order_id}", headers=api.as_customer("alice"))

        assert_problem(response, 400)
        assert response.json()["errors"][0]["key"] == "order_id"

    def test_an_anonymous_caller_must_authenticate(
        self, api: ApiClient, checkout: Checkout
    ) -> None:
        order_id = place_order(checkout, "alice")

        response = api.get(f"/api/orders/{order_id}")

        assert_problem(response, 401)
        assert response.headers["www-authenticate"].startswith("Bearer")


class TestOrderList:
    def test_a_customer_sees_only_their_orders_newest_first(
        self, api: ApiClient, checkout: Checkout
    ) -> None:
        first = place_order(checkout, "alice")
        place_order(checkout, "bob")
        second = place_order(checkout, "alice")
        checkout.given(payment_failed(first, uuid4()))

        response = api.get("/api/orders", headers=api.as_customer("alice"))

        assert response.status_code == 200
        body = response.json()
        assert [order["order_id"] for order in body["orders"]] == [str(second), str(first)]
        assert {order["customer_id"] for order in body["orders"]} == {"alice"}
        assert [order["status"] for order in body["orders"]] == ["pending", "cancelled"]
        assert body["orders"][1]["cancellation_reason"] == "payment declined"
        assert (Decimal(body["orders"][0]["total"]), body["orders"][0]["currency"]) == (
            Decimal("63.80"),
            "EUR",
        )
        assert (body["total_count"], body["limit"], body["offset"], body["next"]) == (
            2,
            20,
            0,
            None,
        )

    def test_a_customer_without_orders_gets_an_empty_list(
        self, api: ApiClient, checkout: Checkout
    ) -> None:
        place_order(checkout, "alice")

        response = api.get("/api/orders", headers=api.as_customer("carol"))

        assert response.status_code == 200
        assert response.json()["orders"] == []
        assert response.json()["total_count"] == 0

    def test_an_admin_sees_everyones_orders(self, api: ApiClient, checkout: Checkout) -> None:
        alices = place_order(checkout, "alice")
        bobs = place_order(checkout, "bob")

        response = api.get("/api/orders", headers=api.as_admin())

        assert response.status_code == 200
        assert [order["order_id"] for order in response.json()["orders"]] == [
            str(bobs),
            str(alices),
        ]

    def test_an_admin_may_list_one_customers_orders(
        self, api: ApiClient, checkout: Checkout
    ) -> None:
        place_order(checkout, "alice")
        bobs = place_order(checkout, "bob")

        response = api.get("/api/orders?customer_id=bob", headers=api.as_admin())

        assert response.status_code == 200
        assert [order["order_id"] for order in response.json()["orders"]] == [str(bobs)]
        assert response.json()["total_count"] == 1

    def test_a_customer_may_name_themselves_but_no_one_else(
        self, api: ApiClient, checkout: Checkout
    ) -> None:
        alices = place_order(checkout, "alice")
        place_order(checkout, "bob")

        own = api.get("/api/orders?customer_id=alice", headers=api.as_customer("alice"))
        others = api.get("/api/orders?customer_id=bob", headers=api.as_customer("alice"))

        assert own.status_code == 200
        assert [order["order_id"] for order in own.json()["orders"]] == [str(alices)]
        assert_problem(others, 403)

    def test_an_anonymous_caller_must_authenticate(self, api: ApiClient) -> None:
        assert_problem(api.get("/api/orders"), 401)


class TestPagination:
    def test_the_next_links_walk_through_every_order_once(
        self, api: ApiClient, checkout: Checkout
    ) -> None:
        placed = [place_order(checkout, "alice") for _ in range(5)]
        place_order(checkout, "bob")
        headers = api.as_customer("alice")

        seen: list[str] = []
        pages: list[int] = []
        url: str | None = "/api/orders?limit=2"
        while url is not None:
            response = api.get(url, headers=headers)
            assert response.status_code == 200
            body = response.json()
            assert body["total_count"] == 5
            pages.append(len(body["orders"]))
            seen.extend(order["order_id"] for order in body["orders"])
            url = body["next"]

        assert pages == [2, 2, 1]
        assert seen == [str(order_id) for order_id in reversed(placed)]

    def test_the_next_link_keeps_the_admins_filter(
        self, api: ApiClient, checkout: Checkout
    ) -> None:
        for _ in range(3):
            place_order(checkout, "bob")

        response = api.get("/api/orders?customer_id=bob&limit=2", headers=api.as_admin())

        assert response.json()["next"] == "/api/orders?limit=2&offset=2&customer_id=bob"

    def test_an_offset_past_the_end_gives_an_empty_page(
        self, api: ApiClient, checkout: Checkout
    ) -> None:
        place_order(checkout, "alice")

        response = api.get("/api/orders?offset=10", headers=api.as_customer("alice"))

        assert response.status_code == 200
        assert response.json()["orders"] == []
        assert response.json()["total_count"] == 1
        assert response.json()["next"] is None

    @pytest.mark.parametrize(
        "query",
        [
            "limit=0",
            "limit=101",
            "limit=ten",
            "offset=-1",
            "offset=1000001",
            "customer_id=not%20an%20id",
        ],
    )
    def test_out_of_range_parameters_are_bad_requests(self, api: ApiClient, query: str) -> None:
        response = api.get(f"/api/orders?{query}", headers=api.as_admin())

        assert_problem(response, 400)


class TestCheckout:
    def test_a_confirmed_cart_shows_up_as_the_customers_pending_order(self, api: ApiClient) -> None:
        headers = api.as_customer("alice")
        added = api.post(
            "/api/cart/items",
            json={"product_id": "espresso-beans-1kg", "quantity": 2},
            headers=headers,
        )
        assert added.status_code == 200
        assert (
            api.post(
                "/api/cart/checkout", json={"payment_method": "tok_ok"}, headers=headers
            ).status_code
            == 202
        )

        def delivered_orders() -> list[dict[str, Any]]:
            # On PostgreSQL the relay sees a message once every older transaction has ended.
            api.shop.relay.deliver_pending()
            orders: list[dict[str, Any]] = api.get("/api/orders", headers=headers).json()["orders"]
            return orders

        [summary] = eventually(delivered_orders)
        order = api.get(f"/api/orders/{summary['order_id']}", headers=headers).json()
        assert order["status"] == "pending"
        assert order["items"] == [
            {
                "product_id": "espresso-beans-1kg",
                "quantity": 2,
                "unit_price": "24.90",
                "subtotal": "49.80",
            }
        ]
        assert (order["total"], order["currency"], order["payment_method"]) == (
            "49.80",
            "EUR",
            "tok_ok",
        )
        assert api.get("/api/orders", headers=api.as_customer("bob")).json()["orders"] == []


class TestCancellation:
    """POST /api/orders/{id}/cancellation: the customer changes their mind before paying."""

    def test_the_owner_cancels_a_pending_order_and_its_payment_is_discarded(
        self, api: ApiClient, checkout: Checkout
    ) -> None:
        order_id = place_order(checkout, "alice")
        responses: list[httpx.Response] = []

        checkout.when_handled(
            lambda: responses.append(
                api.post(f"/api/orders/{order_id}/cancellation", headers=api.as_customer("alice"))
            )
        )

        [response] = responses
        assert response.status_code == 200, response.text
        assert response.headers["etag"] == '"2"'
        body = response.json()
        assert (body["status"], body["cancellation_reason"]) == (
            "cancelled",
            "cancelled by the customer",
        )
        checkout.then(DiscardPayment(order_id=order_id, reason="cancelled by the customer"))

    def test_an_admin_may_cancel_any_pending_order(
        self, api: ApiClient, checkout: Checkout
    ) -> None:
        order_id = place_order(checkout, "alice")

        response = api.post(f"/api/orders/{order_id}/cancellation", headers=api.as_admin())

        assert response.status_code == 200, response.text
        assert response.json()["status"] == "cancelled"

    def test_a_paid_order_can_no_longer_be_cancelled(
        self, api: ApiClient, checkout: Checkout
    ) -> None:
        order_id = place_order(checkout, "alice")
        checkout.given(payment_succeeded(order_id, uuid4()))

        with nothing_written_to(api.shop, WRITTEN_BY_ORDERS):
            response = api.post(
                f"/api/orders/{order_id}/cancellation", headers=api.as_customer("alice")
            )

        assert_problem(response, 409)
        assert "pending" in response.json()["detail"]

    def test_a_stale_if_match_is_refused(self, api: ApiClient, checkout: Checkout) -> None:
        order_id = place_order(checkout, "alice")

        with nothing_written_to(api.shop, WRITTEN_BY_ORDERS):
            response = api.post(
                f"/api/orders/{order_id}/cancellation",
                headers={**api.as_customer("alice"), "If-Match": '"7"'},
            )

        assert_problem(response, 412)

    def test_the_current_if_match_is_accepted(self, api: ApiClient, checkout: Checkout) -> None:
        order_id = place_order(checkout, "alice")

        response = api.post(
            f"/api/orders/{order_id}/cancellation",
            headers={**api.as_customer("alice"), "If-Match": '"1"'},
        )

        assert response.status_code == 200, response.text

    def test_another_customers_order_is_not_found(self, api: ApiClient, checkout: Checkout) -> None:
        order_id = place_order(checkout, "alice")

        with nothing_written_to(api.shop, WRITTEN_BY_ORDERS):
            response = api.post(
                f"/api/orders/{order_id}/cancellation", headers=api.as_customer("bob")
            )

        assert_problem(response, 404)

    def test_an_unknown_order_is_not_found(self, api: ApiClient) -> None:
        response = api.post(f"/api/orders/{uuid4()}/cancellation", headers=api.as_customer("alice"))

        assert_problem(response, 404)

    def test_an_anonymous_caller_must_authenticate(
        self, api: ApiClient, checkout: Checkout
    ) -> None:
        order_id = place_order(checkout, "alice")

        with nothing_written_to(api.shop, WRITTEN_BY_ORDERS):
            response = api.post(f"/api/orders/{order_id}/cancellation")

        assert_problem(response, 401)
