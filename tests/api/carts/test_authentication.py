"""Who may use a cart: a valid bearer token is required, and it opens the caller's cart only."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import jwt
import pytest

from shared.clock import ManualClock
from tests.api.carts.assertions import assert_problem, nothing_written, published_messages
from tests.api.carts.shopping import MUG, PRESS, add_item, cart_of, checkout, remove_item
from tests.support import ApiClient

OTHER_SECRET = "not-the-shop-secret-but-long-enough-0123456789"


def claims(api: ApiClient, **overrides: Any) -> dict[str, Any]:
    now = api.shop.clock.now()
    ttl = timedelta(seconds=api.shop.settings.token_ttl_seconds)
    return {"sub": "alice", "role": "customer", "iat": now, "exp": now + ttl, **overrides}


def signed(api: ApiClient, secret: str | None = None, **overrides: Any) -> dict[str, str]:
    key = secret or api.shop.settings.token_secret.get_secret_value()
    return {"Authorization": f"Bearer {jwt.encode(claims(api, **overrides), key, 'HS256')}"}


def bare_token(api: ApiClient) -> str:
    return api.as_customer("alice")["Authorization"].removeprefix("Bearer ")


Credentials = Callable[[ApiClient], dict[str, str]]

REFUSED_CREDENTIALS: list[Any] = [
    pytest.param(lambda api: {}, id="no token"),
    pytest.param(lambda api: {"Authorization": ""}, id="empty header"),
    pytest.param(lambda api: {"Authorization": "Bearer"}, id="scheme without a token"),
    pytest.param(lambda api: {"Authorization": f"Basic {bare_token(api)}"}, id="wrong scheme"),
    pytest.param(lambda api: {"Authorization": bare_token(api)}, id="token without a scheme"),
    pytest.param(lambda api: {"Authorization": "Bearer not-a-token"}, id="garbage token"),
    pytest.param(lambda api: signed(api, OTHER_SECRET), id="signed with another secret"),
    pytest.param(
        lambda api: {"Authorization": f"Bearer {jwt.encode(claims(api), None, 'none')}"},
        id="unsigned token",
    ),
    pytest.param(lambda api: signed(api, role="superuser"), id="unknown role"),
    pytest.param(lambda api: signed(api, sub="not a customer id"), id="malformed subject"),
    pytest.param(
        lambda api: {
            "Authorization": "Bearer "
            + jwt.encode(
                {"sub": "alice", "role": "customer"},
                api.shop.settings.token_secret.get_secret_value(),
                "HS256",
            )
        },
        id="token without expiry",
    ),
    # Signed with the shop's secret, yet claims no token of ours carries.
    pytest.param(lambda api: signed(api, sub="alice\n"), id="subject with a trailing newline"),
    pytest.param(lambda api: signed(api, sub=["alice"]), id="subject a list"),
    pytest.param(lambda api: signed(api, role=1), id="role a number"),
    pytest.param(lambda api: signed(api, exp="9999999999"), id="expiry a string"),
    pytest.param(lambda api: signed(api, exp=True), id="expiry a boolean"),
    pytest.param(lambda api: signed(api, exp=1e300), id="expiry a float that never comes"),
    pytest.param(lambda api: signed(api, exp=2**63), id="expiry beyond any token lifetime"),
    pytest.param(
        lambda api: signed(api, exp=api.shop.clock.now() + timedelta(days=3650)),
        id="expiry ten years away",
    ),
]


@pytest.mark.parametrize("credentials", REFUSED_CREDENTIALS)
def test_reading_a_cart_needs_a_valid_bearer_token(
    api: ApiClient, credentials: Credentials
) -> None:
    response = api.get("/api/cart", headers=credentials(api))

    assert_problem(response, 401)
    assert response.headers["www-authenticate"] == 'Bearer realm="shop"'


@pytest.mark.parametrize("credentials", REFUSED_CREDENTIALS)
def test_changing_a_cart_without_a_valid_token_writes_nothing(
    api: ApiClient, alice_with_two_mugs: dict[str, str], credentials: Credentials
) -> None:
    with nothing_written(api.shop):
        responses = [
            add_item(api, credentials(api), PRESS, 1),
            remove_item(api, credentials(api), MUG),
            checkout(api, credentials(api)),
        ]

    for response in responses:
        assert_problem(response, 401)
        assert response.headers["www-authenticate"] == 'Bearer realm="shop"'


def test_a_token_is_accepted_until_just_before_it_expires(
    api: ApiClient, alice: dict[str, str], clock: ManualClock
) -> None:
    clock.advance(timedelta(seconds=api.shop.settings.token_ttl_seconds - 1))

    assert api.get("/api/cart", headers=alice).status_code == 200


def test_an_expired_token_is_refused(
    api: ApiClient, alice_with_two_mugs: dict[str, str], clock: ManualClock
) -> None:
    clock.advance(timedelta(seconds=api.shop.settings.token_ttl_seconds))

    with nothing_written(api.shop):
        read = api.get("/api/cart", headers=alice_with_two_mugs)
        added = add_item(api, alice_with_two_mugs, PRESS, 1)

    for response in (read, added):
        assert "expired" in assert_problem(response, 401)["detail"]
        assert response.headers["www-authenticate"] == 'Bearer realm="shop"'


def test_the_scheme_name_is_case_insensitive(api: ApiClient) -> None:
    response = api.get("/api/cart", headers={"Authorization": f"bearer {bare_token(api)}"})

    assert response.status_code == 200
    assert response.json()["customer_id"] == "alice"


# --- each customer sees and changes their own cart only -------------------------------------


def test_a_customer_does_not_see_another_customers_cart(
    api: ApiClient, alice_with_two_mugs: dict[str, str], bob: dict[str, str]
) -> None:
    bobs_cart = cart_of(api, bob)

    assert bobs_cart["customer_id"] == "bob"
    assert bobs_cart["items"] == []
    assert bobs_cart["cart_id"] != cart_of(api, alice_with_two_mugs)["cart_id"]


def test_a_customer_cannot_change_another_customers_cart(
    api: ApiClient, alice_with_two_mugs: dict[str, str], bob: dict[str, str]
) -> None:
    alices_cart = cart_of(api, alice_with_two_mugs)
    add_item(api, bob, PRESS, 1).raise_for_status()

    assert_problem(remove_item(api, bob, MUG), 404)
    assert checkout(api, bob).status_code == 202

    assert cart_of(api, alice_with_two_mugs) == alices_cart
    assert cart_of(api, bob)["items"] == []


def test_a_customers_checkout_confirms_their_own_items_only(
    api: ApiClient, alice_with_two_mugs: dict[str, str], bob: dict[str, str]
) -> None:
    add_item(api, bob, PRESS, 1).raise_for_status()

    checkout(api, bob).raise_for_status()

    [(_, payload)] = published_messages(api.shop)
    assert payload["customer_id"] == "bob"
    assert payload["items"] == [{"product_id": PRESS, "quantity": 1, "unit_price": "39.00"}]


def test_an_admin_shopping_uses_their_own_cart(
    api: ApiClient, alice_with_two_mugs: dict[str, str], admin: dict[str, str]
) -> None:
    assert cart_of(api, admin)["customer_id"] == "admin"
    assert cart_of(api, admin)["items"] == []
