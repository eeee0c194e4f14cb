"""Admin routes answer a customer 403 before looking at what they sent."""

from __future__ import annotations

import pytest

from tests.support import ApiClient, assert_problem, nothing_written_to

ADMIN_WRITES = [
    ("/api/products/ceramic-mug", "carts_products"),
    ("/api/inventory/ceramic-mug", "shipments_stock"),
]


@pytest.mark.parametrize(("path", "table"), ADMIN_WRITES)
@pytest.mark.parametrize("body", [{"quantity": "lots"}, {"unexpected": True}, {}])
def test_a_customer_is_refused_whatever_the_body(
    api: ApiClient, path: str, table: str, body: dict[str, object]
) -> None:
    with nothing_written_to(api.shop, [table]):
        response = api.put(path, json=body, headers=api.as_customer("alice"))

    assert_problem(response, 403)


@pytest.mark.parametrize(("path", "table"), ADMIN_WRITES)
def test_an_anonymous_caller_is_asked_for_a_token(api: ApiClient, path: str, table: str) -> None:
    with nothing_written_to(api.shop, [table]):
        response = api.put(path, json={})

    assert_problem(response, 401)
    assert response.headers["www-authenticate"].startswith("Bearer")
