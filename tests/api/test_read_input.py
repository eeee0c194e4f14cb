"""Reads refuse the same hostile path and query parameters as writes: with a 400, to
anyone, on SQLite and PostgreSQL alike (PostgreSQL cannot even compare a NUL)."""

from __future__ import annotations

import pytest

from tests.support import ApiClient, assert_problem

READS = [
    "/api/products/a%00b",
    "/api/products/ceramic-mug%0A",
    "/api/products/%ED%A0%80",
    "/api/products?x=a%00b",
    "/health?x=%00",
    "/api/orders/a%00b",
    "/api/orders?customer_id=alice%0A",
    "/api/orders?customer_id=al%00ice",
    "/api/payments?order_id=%00",
    "/api/shipments?order_id=%00",
    "/api/products?=nameless",
]


@pytest.mark.parametrize("url", READS)
@pytest.mark.parametrize("caller", ["anonymous", "admin"])
def test_a_read_with_unstorable_or_control_characters_is_a_400(
    api: ApiClient, url: str, caller: str
) -> None:
    headers = api.as_admin() if caller == "admin" else {}

    response = api.get(url, headers=headers)

    if caller == "anonymous" and not url.startswith(("/api/products", "/health")):
        assert response.status_code in {400, 401}, response.text
    else:
        assert_problem(response, 400)
