"""GET /api/shipments?order_id=…: an order's packages, for its customer and for admins."""

from __future__ import annotations

from datetime import timedelta
from uuid import UUID, uuid4

import pytest

from modules.shipments.application.commands import ship_order
from modules.shipments.contracts import ShipOrder, ShippedItem
from modules.shipments.domain.package import PackageItem
from shared.clock import ManualClock
from tests.support import ApiClient


def shipped(api: ApiClient, customer_id: str, *items: PackageItem) -> UUID:
    context = api.shop.shipments
    order_id = uuid4()
    lines = [ShippedItem(product_id=item.product_id, quantity=item.quantity) for item in items]
    ship_order(ShipOrder(order_id=order_id, customer_id=customer_id, items=lines), context)
    return order_id


def test_the_customer_sees_the_package_sent_for_their_order(
    api: ApiClient, clock: ManualClock
) -> None:
    clock.advance(timedelta(minutes=5, seconds=30))
    order_id = shipped(api, "alice", PackageItem("ceramic-mug", 2))

    response = api.get(
        "/api/shipments", params={"order_id": str(order_id)}, headers=api.as_customer("alice")
    )

    assert response.status_code == 200
    [package] = response.json()
    assert package == {
        "package_id": package["package_id"],
        "order_id": str(order_id),
        "customer_id": "alice",
        "status": "sent",
        "items": [{"product_id": "ceramic-mug", "quantity": 2}],
        "missing_product_ids": [],
        "updated_at": "2026-01-01T12:05:30Z",
    }
    assert UUID(package["package_id"])


def test_the_customer_sees_which_products_were_out_of_stock(api: ApiClient) -> None:
    order_id = shipped(
        api, "alice", PackageItem("ceramic-mug", 1), PackageItem("gooseneck-kettle", 1)
    )

    response = api.get(
        "/api/shipments", params={"order_id": str(order_id)}, headers=api.as_customer("alice")
    )

    assert response.status_code == 200
    [package] = response.json()
    assert package["status"] == "out_of_stock"
    assert package["items"] == []
    assert package["missing_product_ids"] == ["gooseneck-kettle"]


def test_an_admin_sees_any_customers_packages(api: ApiClient) -> None:
    order_id = shipped(api, "alice", PackageItem("ceramic-mug", 1))

    response = api.get("/api/shipments", params={"order_id": str(order_id)}, headers=api.as_admin())

    assert response.status_code == 200
    assert [package["customer_id"] for package in response.json()] == ["alice"]


def test_only_the_packages_of_that_order_are_listed(api: ApiClient) -> None:
    order_id = shipped(api, "alice", PackageItem("ceramic-mug", 1))
    shipped(api, "alice", PackageItem("french-press", 1))

    response = api.get(
        "/api/shipments", params={"order_id": str(order_id)}, headers=api.as_customer("alice")
    )

    assert response.status_code == 200
    assert [package["order_id"] for package in response.json()] == [str(order_id)]


def test_another_customers_order_looks_like_an_order_without_packages(api: ApiClient) -> None:
    order_id = shipped(api, "alice", PackageItem("ceramic-mug", 1))

    response = api.get(
        "/api/shipments", params={"order_id": str(order_id)}, headers=api.as_customer("bob")
    )
    unknown = api.get(
        "/api/shipments", params={"order_id": str(uuid4())}, headers=api.as_customer("bob")
    )

    assert response.status_code == unknown.status_code == 200
    assert response.json() == unknown.json() == []


def test_an_order_with_no_package_yet_has_none(api: ApiClient) -> None:
    response = api.get(
        "/api/shipments", params={"order_id": str(uuid4())}, headers=api.as_customer("alice")
    )

    assert response.status_code == 200
    assert response.json() == []


def test_an_anonymous_caller_is_asked_to_authenticate(api: ApiClient) -> None:
    order_id = shipped(api, "alice", PackageItem("ceramic-mug", 1))

    response = api.get("/api/shipments", params={"order_id": str(order_id)})

    assert response.status_code == 401


@pytest.mark.parametrize("params", [{"order_id": "not-a-uuid"}, {"order_id": ""}, {}])
def test_an_order_id_that_is_not_a_uuid_is_refused(api: ApiClient, params: dict[str, str]) -> None:
    response = api.get("/api/shipments", params=params, headers=api.as_customer("alice"))

    assert response.status_code == 400
    assert response.headers["content-type"].startswith("application/problem+json")
