"""The OpenAPI document says which routes need a bearer token, and only those."""

from __future__ import annotations

from tests.support import ApiClient

PUBLIC = {
    ("get", "/health"),
    ("get", "/health/ready"),
    ("get", "/api/products"),
    ("get", "/api/products/{product_id}"),
    ("post", "/api/dev/tokens"),
    ("post", "/api/payments/webhooks/sandbox"),
}


def test_every_route_but_the_public_ones_declares_the_bearer_token(api: ApiClient) -> None:
    document = api.get("/docs/openapi.json").json()
    assert "BearerToken" in document["components"]["securitySchemes"]

    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            declared = operation.get("security") == [{"BearerToken": []}]
            assert declared == ((method, path) not in PUBLIC), (method, path)


def test_every_error_is_declared_as_a_problem_document(api: ApiClient) -> None:
    document = api.get("/docs/openapi.json").json()

    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            responses = operation["responses"]
            errors = {status for status in responses if int(status) >= 400}
            assert {"400", "503"} <= errors, (method, path)
            if operation.get("security"):
                assert "401" in errors, (method, path)
            if method in {"post", "put"}:
                assert {"413", "415"} <= errors, (method, path)
            for status in errors:
                content = responses[status]["content"]
                assert list(content) == ["application/problem+json"], (method, path, status)
                assert content["application/problem+json"]["schema"] == {
                    "$ref": "#/components/schemas/ProblemDocument"
                }


def test_request_bodies_are_described_as_the_server_checks_them(api: ApiClient) -> None:
    schemas = api.get("/docs/openapi.json").json()["components"]["schemas"]

    for name in ("AddCartItem", "Checkout", "ProductUpdate", "StockUpdate", "TokenRequest"):
        assert schemas[name]["additionalProperties"] is False, name
    assert schemas["AddCartItem"]["properties"]["product_id"]["pattern"]
    assert schemas["AddCartItem"]["properties"]["quantity"]["maximum"] == 99
    price = schemas["ProductUpdate"]["properties"]["unit_price"]
    assert (price["type"], price["pattern"]) == ("string", r"^(0|[1-9][0-9]{0,5})(\.[0-9]{1,2})?$")
    assert schemas["ProductResponse"]["properties"]["unit_price"]["type"] == "string"
