"""The inventory API: stock on hand, for operations only."""

from __future__ import annotations

from typing import Any

import pytest

from modules.shipments.application import queries
from tests.support import ApiClient


def stock(api: ApiClient) -> dict[str, int]:
    context = api.shop.shipments
    return {level.product_id: level.quantity for level in queries.stock_levels(context)}


def test_an_admin_sees_the_seeded_stock(api: ApiClient) -> None:
    response = api.get("/api/inventory", headers=api.as_admin())

    assert response.status_code == 200
    levels = {row["product_id"]: row["quantity"] for row in response.json()}
    assert len(levels) == 12
    assert levels["gooseneck-kettle"] == 0
    assert levels["espresso-beans-1kg"] == 100
    assert [row["product_id"] for row in response.json()] == sorted(levels)


def test_an_admin_sets_the_stock_of_a_product(api: ApiClient) -> None:
    response = api.put(
        "/api/inventory/gooseneck-kettle", json={"quantity": 7}, headers=api.as_admin()
    )

    assert response.status_code == 200
    assert response.json() == {"product_id": "gooseneck-kettle", "quantity": 7}
    assert stock(api)["gooseneck-kettle"] == 7


def test_an_admin_stocks_a_product_not_yet_in_the_inventory(api: ApiClient) -> None:
    response = api.put(
        "/api/inventory/burr-cleaning-brush", json={"quantity": 1_000_000}, headers=api.as_admin()
    )

    assert response.status_code == 200
    assert stock(api)["burr-cleaning-brush"] == 1_000_000


def test_an_admin_may_set_the_stock_to_zero(api: ApiClient) -> None:
    response = api.put("/api/inventory/ceramic-mug", json={"quantity": 0}, headers=api.as_admin())

    assert response.status_code == 200
    assert stock(api)["ceramic-mug"] == 0


def test_a_customer_may_not_see_the_stock(api: ApiClient) -> None:
    assert api.get("/api/inventory", headers=api.as_customer("alice")).status_code == 403


def test_an_anonymous_caller_may_not_see_the_stock(api: ApiClient) -> None:
    response = api.get("/api/inventory")

    assert response.status_code == 401
    assert response.headers["content-type"].startswith("application/problem+json")


@pytest.mark.parametrize(
    ("headers", "status"),
    [({}, 401), ({"Authorization": "Bearer forged"}, 401), (None, 403)],
    ids=["anonymous", "forged token", "customer"],
)
def test_only_an_admin_may_change_the_stock(
    api: ApiClient, headers: dict[str, str] | None, status: int
) -> None:
    before = stock(api)

    response = api.put(
        "/api/inventory/ceramic-mug",
        json={"quantity": 5},
        headers=api.as_customer("alice") if headers is None else headers,
    )

    assert response.status_code == status
    assert stock(api) == before


@pytest.mark.parametrize(
    "body",
    [
        {"quantity": -1},
        {"quantity": 1_000_001},
        {"quantity": "5"},
        {"quantity": 2.5},
        {"quantity": True},
        {"quantity": None},
        {},
        {"quantity": 5, "reason": "recount"},
        [5],
    ],
    ids=[
        "negative",
        "too many",
        "string",
        "fraction",
        "boolean",
        "null",
        "missing",
        "unknown field",
        "not an object",
    ],
)
def test_a_malformed_stock_update_is_refused_and_changes_nothing(api: ApiClient, body: Any) -> None:
    before = stock(api)

    response = api.put("/api/inventory/ceramic-mug", json=body, headers=api.as_admin())

    assert response.status_code == 400
    assert response.headers["content-type"].startswith("application/problem+json")
    assert stock(api) == before


@pytest.mark.parametrize("product_id", ["Ceramic-Mug", "-mug", "mug_1", "m" * 65])
def test_a_malformed_product_id_is_refused_and_changes_nothing(
    api: ApiClient, product_id: str
) -> None:
    before = stock(api)

    response = api.put(f"/api/inventory/{product_id}", json={"quantity": 5}, headers=api.as_admin())

    assert response.status_code == 400
    assert stock(api) == before
