"""The customer's and the admin's actions, as HTTP requests the specifications read as steps."""

from __future__ import annotations

from typing import Any

import httpx

from tests.support import ApiClient

MUG = "ceramic-mug"  # 14.00 EUR in the seeded catalogue
PRESS = "french-press"  # 39.00 EUR
BEANS = "espresso-beans-1kg"  # 24.90 EUR


def add_item(
    api: ApiClient,
    customer: dict[str, str],
    product_id: str,
    quantity: int,
    *,
    if_match: str | None = None,
) -> httpx.Response:
    headers = customer if if_match is None else {**customer, "If-Match": if_match}
    return api.post(
        "/api/cart/items", headers=headers, json={"product_id": product_id, "quantity": quantity}
    )


def remove_item(
    api: ApiClient, customer: dict[str, str], product_id: str, *, if_match: str | None = None
) -> httpx.Response:
    headers = customer if if_match is None else {**customer, "If-Match": if_match}
    return api.delete(f"/api/cart/items/{product_id}", headers=headers)


def checkout(
    api: ApiClient,
    customer: dict[str, str],
    payment_method: str = "card",
    *,
    if_match: str | None = None,
) -> httpx.Response:
    headers = customer if if_match is None else {**customer, "If-Match": if_match}
    return api.post("/api/cart/checkout", headers=headers, json={"payment_method": payment_method})


def cart_of(api: ApiClient, customer: dict[str, str]) -> dict[str, Any]:
    response = api.get("/api/cart", headers=customer)
    assert response.status_code == 200, response.text
    cart: dict[str, Any] = response.json()
    return cart


def put_product(api: ApiClient, product_id: str, **fields: Any) -> httpx.Response:
    body = {"name": "A product", "unit_price": "10.00", **fields}
    return api.put(f"/api/products/{product_id}", headers=api.as_admin(), json=body)
