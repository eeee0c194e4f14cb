"""The product catalogue: anyone may browse it, only an admin may change it."""

from __future__ import annotations

import re
from typing import Any

import pytest

from modules.carts.infrastructure.catalogue import SEED_PRODUCTS
from tests.api.carts.assertions import assert_problem, nothing_written
from tests.api.carts.shopping import MUG, put_product
from tests.support import ApiClient

TWO_DECIMALS = re.compile(r"^\d+\.\d{2}$")


def test_anyone_may_browse_the_seeded_catalogue_without_a_token(api: ApiClient) -> None:
    response = api.get("/api/products")

    assert response.status_code == 200
    products = response.json()
    assert [product["product_id"] for product in products] == sorted(
        product.product_id for product in SEED_PRODUCTS
    )
    assert len(products) == 12
    for product in products:
        assert set(product) == {
            "product_id",
            "name",
            "description",
            "unit_price",
            "currency",
            "available",
        }
        assert TWO_DECIMALS.match(product["unit_price"]), product
        assert product["currency"] == "EUR"
        assert product["available"] is True


def test_a_product_is_shown_with_its_price_as_an_exact_decimal_string(api: ApiClient) -> None:
    response = api.get(f"/api/products/{MUG}")

    assert response.status_code == 200
    assert response.json() == {
        "product_id": MUG,
        "name": "Ceramic mug",
        "description": "350 ml, dishwasher safe.",
        "unit_price": "14.00",
        "currency": "EUR",
        "available": True,
    }


def test_an_unknown_product_is_not_found(api: ApiClient) -> None:
    problem = assert_problem(api.get("/api/products/no-such-product"), 404)

    assert "no-such-product" in problem["detail"]


def test_an_admin_changes_a_product_and_customers_see_the_change(api: ApiClient) -> None:
    response = put_product(
        api, MUG, name="Big mug", description="500 ml.", unit_price="16.50", available=False
    )

    assert response.status_code == 200
    changed = {
        "product_id": MUG,
        "name": "Big mug",
        "description": "500 ml.",
        "unit_price": "16.50",
        "currency": "EUR",
        "available": False,
    }
    assert response.json() == changed
    assert api.get(f"/api/products/{MUG}").json() == changed


def test_an_admin_adds_a_product_by_putting_it_under_a_new_id(api: ApiClient) -> None:
    response = put_product(api, "coffee-grinder-xl", name="XL grinder", unit_price="120.00")

    assert response.status_code == 200
    assert api.get("/api/products/coffee-grinder-xl").json()["unit_price"] == "120.00"
    assert len(api.get("/api/products").json()) == 13


def test_a_price_reads_back_as_stored_with_two_decimals(api: ApiClient) -> None:
    response = put_product(api, MUG, name="Ceramic mug", unit_price="19.9")

    assert response.status_code == 200
    assert api.get(f"/api/products/{MUG}").json()["unit_price"] == "19.90"
    assert response.json() == api.get(f"/api/products/{MUG}").json()


def test_a_customer_may_not_change_the_catalogue(api: ApiClient) -> None:
    with nothing_written(api.shop):
        response = api.put(
            f"/api/products/{MUG}",
            headers=api.as_customer("alice"),
            json={"name": "Free mug", "unit_price": "0.00"},
        )

    assert_problem(response, 403)


def test_an_anonymous_caller_may_not_change_the_catalogue(api: ApiClient) -> None:
    with nothing_written(api.shop):
        response = api.put(f"/api/products/{MUG}", json={"name": "Free mug", "unit_price": "0.00"})

    assert_problem(response, 401)
    assert response.headers["www-authenticate"].startswith("Bearer")


VALID_PRODUCT: dict[str, Any] = {
    "name": "Ceramic mug",
    "description": "350 ml.",
    "unit_price": "14.00",
    "currency": "EUR",
    "available": True,
}


@pytest.mark.parametrize(
    "change",
    [
        pytest.param({"name": ""}, id="empty name"),
        pytest.param({"name": 5}, id="name not a string"),
        pytest.param({"name": "x" * 201}, id="name too long"),
        pytest.param({"description": "x" * 2001}, id="description too long"),
        pytest.param({"unit_price": "-1.00"}, id="negative price"),
        pytest.param({"unit_price": "1.001"}, id="price below the cent"),
        pytest.param({"unit_price": "1000000.00"}, id="price too high"),
        pytest.param({"unit_price": "cheap"}, id="price not a number"),
        pytest.param({"unit_price": "NaN"}, id="price not a finite number"),
        pytest.param({"unit_price": True}, id="price a boolean"),
        pytest.param({"unit_price": None}, id="price null"),
        pytest.param({"currency": "eur"}, id="currency in lower case"),
        pytest.param({"currency": "EURO"}, id="currency not three letters"),
        pytest.param({"available": "no"}, id="available a string"),
        pytest.param({"available": 0}, id="available a number"),
        pytest.param({"available": None}, id="available null"),
        pytest.param({"discount": "10%"}, id="unknown field"),
    ],
)
def test_an_invalid_product_is_refused_and_the_catalogue_is_unchanged(
    api: ApiClient, change: dict[str, Any]
) -> None:
    with nothing_written(api.shop):
        response = api.put(
            f"/api/products/{MUG}", headers=api.as_admin(), json={**VALID_PRODUCT, **change}
        )

    assert_problem(response, 400)


@pytest.mark.parametrize("missing", ["name", "unit_price"])
def test_a_product_without_its_name_or_price_is_refused(api: ApiClient, missing: str) -> None:
    body = {key: value for key, value in VALID_PRODUCT.items() if key != missing}

    with nothing_written(api.shop):
        response = api.put(f"/api/products/{MUG}", headers=api.as_admin(), json=body)

    assert_problem(response, 400)


@pytest.mark.parametrize(
    "product_id",
    [
        pytest.param("Ceramic%20Mug", id="spaces and capitals"),
        pytest.param("-mug", id="leading dash"),
        pytest.param("m" * 65, id="too long"),
    ],
)
def test_a_product_id_outside_the_catalogue_format_is_refused(
    api: ApiClient, product_id: str
) -> None:
    with nothing_written(api.shop):
        response = api.put(
            f"/api/products/{product_id}", headers=api.as_admin(), json=VALID_PRODUCT
        )

    assert_problem(response, 400)
