"""A shop with checkouts in it, driven as production drives it, for the console's tests."""

from __future__ import annotations

from collections.abc import Iterator
from uuid import UUID

import pytest

from shop.console.queries import ConsoleQueries, queries_for
from shop.workshop.world import World


@pytest.fixture
def world(database_url: str) -> Iterator[World]:
    world = World(database_url)
    yield world
    world.close()


@pytest.fixture
def queries(world: World) -> ConsoleQueries:
    return queries_for(world.shop)


def completed_checkout(world: World, customer_id: str, items: dict[str, int]) -> UUID:
    """Checks out and lets the relay and the provider finish; returns the new order's id."""
    before = {order["order_id"] for order in world.orders_of(customer_id)}
    world.check_out(customer_id, items, "tok_ok")
    world.settle()
    (order_id,) = {order["order_id"] for order in world.orders_of(customer_id)} - before
    return UUID(order_id)
