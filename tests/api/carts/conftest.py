"""Fixtures for the carts API specifications: customers and what they have in their carts."""

from __future__ import annotations

import pytest

from tests.api.carts.shopping import MUG, add_item
from tests.support import ApiClient


@pytest.fixture
def alice(api: ApiClient) -> dict[str, str]:
    return api.as_customer("alice")


@pytest.fixture
def bob(api: ApiClient) -> dict[str, str]:
    return api.as_customer("bob")


@pytest.fixture
def admin(api: ApiClient) -> dict[str, str]:
    return api.as_admin()


@pytest.fixture
def alice_with_two_mugs(api: ApiClient, alice: dict[str, str]) -> dict[str, str]:
    """Alice, whose cart holds two mugs (version 2: opened, then the mugs added)."""
    add_item(api, alice, MUG, 2).raise_for_status()
    return alice
