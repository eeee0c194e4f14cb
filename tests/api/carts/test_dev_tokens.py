"""``POST /api/dev/tokens``: tokens on demand for development, and no such route in production."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from litestar.testing import TestClient

from shared.settings import Settings
from shop.app import create_app
from shop.bootstrap import bootstrap
from tests.api.carts.assertions import assert_problem, nothing_written
from tests.api.carts.shopping import MUG
from tests.support import ApiClient

PRODUCTION_TOKEN_SECRET = "production-token-secret-0123456789abcdef"
PRODUCTION_WEBHOOK_SECRET = "production-webhook-secret-0123456789abcdef"


def test_a_developer_gets_a_bearer_token_for_any_customer(api: ApiClient) -> None:
    response = api.post("/api/dev/tokens", json={"customer_id": "dora"})

    assert response.status_code == 201
    assert set(response.json()) == {"access_token", "token_type"}
    assert response.json()["token_type"] == "bearer"
    token = response.json()["access_token"]
    cart = api.get("/api/cart", headers={"Authorization": f"Bearer {token}"})
    assert cart.status_code == 200
    assert cart.json()["customer_id"] == "dora"


def test_a_developer_token_is_a_customer_token_unless_admin_is_asked_for(
    api: ApiClient,
) -> None:
    customer = api.post("/api/dev/tokens", json={"customer_id": "dora"}).json()
    admin = api.post("/api/dev/tokens", json={"customer_id": "dora", "role": "admin"}).json()

    def put_mug(token: str) -> int:
        return api.put(
            f"/api/products/{MUG}",
            headers={"Authorization": f"Bearer {token}"},
            json={"name": "Ceramic mug", "unit_price": "14.00"},
        ).status_code

    assert put_mug(customer["access_token"]) == 403
    assert put_mug(admin["access_token"]) == 200


@pytest.mark.parametrize(
    "body",
    [
        pytest.param({"customer_id": "dora smith"}, id="customer id with a space"),
        pytest.param({"customer_id": ""}, id="empty customer id"),
        pytest.param({"customer_id": "d" * 65}, id="customer id too long"),
        pytest.param({"customer_id": "-dora"}, id="customer id starting with a dash"),
        pytest.param({"customer_id": 42}, id="customer id a number"),
        pytest.param({}, id="customer id missing"),
        pytest.param({"customer_id": "dora", "role": "superuser"}, id="unknown role"),
        pytest.param({"customer_id": "dora", "scope": "all"}, id="unknown field"),
    ],
)
def test_an_invalid_token_request_is_refused(api: ApiClient, body: dict[str, Any]) -> None:
    with nothing_written(api.shop):
        response = api.post("/api/dev/tokens", json=body)

    assert_problem(response, 400)


@pytest.fixture
def production(database_url: str) -> Iterator[TestClient[Any]]:
    settings = Settings(
        _env_file=None,
        env="production",
        token_secret=PRODUCTION_TOKEN_SECRET,
        sandbox_webhook_secret=PRODUCTION_WEBHOOK_SECRET,
        database_url=database_url,
    )
    with TestClient(create_app(bootstrap(settings))) as client:
        yield client


def test_production_has_no_token_route(production: TestClient[Any]) -> None:
    response = production.post("/api/dev/tokens", json={"customer_id": "mallory"})

    assert_problem(response, 404)
    assert production.get("/api/products").status_code == 200


def test_production_refuses_tokens_signed_with_the_development_secret(
    production: TestClient[Any], api: ApiClient
) -> None:
    response = production.get("/api/cart", headers=api.as_customer("mallory"))

    assert_problem(response, 401)
