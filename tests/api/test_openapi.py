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
