"""How long the console's pages take on a small store and on one of 100,000 events.

    uv run python bench/console_page.py [--database-url URL] [--small N] [--events N] [--repeat N]

A scratch database (a temporary SQLite file, or a database created on the given
PostgreSQL server and dropped at the end) gets one real checkout, driven through
the HTTP API with the relay and the sandbox provider run in-process. Then the
carts' event store is filled up to ``--small`` events (carts of ten events:
opened, eight items, confirmed, saved by the carts application itself; the outbox
gets one message per cart, which the relay passes), and every page is timed; then
up to ``--events`` events, and every page is timed again. Each page is rendered in
full through the Litestar app (query, decoding, template), ``--repeat`` times; the
median is reported.

A page that lists recent or many things must cost the same on both stores: it
reads one keyset slice through an index. The two pages that do not are named as
such: the read models page counts every table's rows, and a checkout's timeline
looks for its messages in the outbox's payloads, which no index covers.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Sequence
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID, uuid4

import pydantic_core
from sqlalchemy import insert
from throughput import scratch_database

from modules.carts.domain.cart import ShoppingCart
from shared.outbox import outbox_messages
from shared.web.auth import Role
from shop.console.queries import queries_for
from shop.workshop.world import World

CARTS_PER_BATCH = 200
EVENTS_PER_CART = 10
PRODUCTS = [f"product-{number}" for number in range(8)]


def fill(world: World, start: int, events: int) -> None:
    """Adds carts of ten events each, numbered from ``start`` events on, up to ``events``."""
    application = world.shop.carts.aggregates
    carts = max(0, events // EVENTS_PER_CART)
    for first in range(start // EVENTS_PER_CART, carts, CARTS_PER_BATCH):
        batch = []
        for number in range(first, min(carts, first + CARTS_PER_BATCH)):
            cart = ShoppingCart(customer_id=f"bench-{number}", currency="EUR")
            for product_id in PRODUCTS:
                cart.add_product_item(product_id, 1, Decimal("9.90"), "EUR")
            cart.confirm("tok_ok")
            batch.append(cart)
        application.save(*batch)
        messages = [
            {
                "message_id": uuid4(),
                "tx_id": 0,
                "source": "carts",
                # No module subscribes to it: the relay passes it, as it would a delivered one.
                "message_type": "bench.CartFilled",
                "payload": pydantic_core.to_json(
                    {"originator_id": cart.id, "customer_id": cart.customer_id}
                ).decode(),
                "recorded_at": datetime.now(UTC),
            }
            for cart in batch
        ]
        with world.shop.datastore.transaction(commit=True) as session:
            session.execute(insert(outbox_messages), messages)
    world.settle(rounds=10_000)


def pages(world: World, order_id: UUID) -> dict[str, str]:
    queries = queries_for(world.shop)
    middle = queries.streams("carts", limit=100).streams[-1].stream_id
    cart_id = ShoppingCart.create_id("alice")
    return {
        "overview (latest events, 4 modules)": "/console/",
        "streams, first page": "/console/streams/carts",
        "streams, a later page (keyset)": f"/console/streams/carts?after={middle}",
        "streams, search by id prefix": f"/console/streams/carts?search={str(cart_id)[:4]}",
        "one stream's events": f"/console/streams/carts/{cart_id}",
        "outbox and relay status": "/console/outbox",
        "recent orders": "/console/timeline",
        "checkout timeline (scans outbox)": f"/console/timeline?order_id={order_id}",
        "read models (counts rows)": "/console/read-models",
    }


def time_pages(world: World, urls: dict[str, str], repeat: int) -> dict[str, float]:
    """Median milliseconds per page, each rendered in full by the app."""
    client: Any = world._client  # the world's in-process HTTP client
    headers = world.headers("bench-admin", Role.ADMIN)
    medians: dict[str, float] = {}
    for name, url in urls.items():
        samples = []
        for _ in range(repeat + 1):
            started = time.perf_counter()
            response = client.get(url, headers=headers)
            samples.append((time.perf_counter() - started) * 1000)
            if response.status_code != 200:
                raise SystemExit(f"{url}: {response.status_code} {response.text[:200]}")
        medians[name] = statistics.median(samples[1:])  # the first one warms caches up
    return medians


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--database-url", help="a PostgreSQL server URL (default: SQLite)")
    parser.add_argument("--small", type=int, default=1_000, help="events in the small store")
    parser.add_argument("--events", type=int, default=100_000, help="events in the big store")
    parser.add_argument("--repeat", type=int, default=20, help="timed requests per page")
    arguments = parser.parse_args(argv)

    with scratch_database(arguments.database_url) as (url, label):
        world = World(url)
        try:
            world.check_out("alice", {"espresso-beans-1kg": 2}, "tok_ok")
            world.settle()
            order_id = UUID(world.orders_of("alice")[0]["order_id"])
            fill(world, 0, arguments.small)
            small = time_pages(world, pages(world, order_id), arguments.repeat)
            fill(world, arguments.small, arguments.events)
            big = time_pages(world, pages(world, order_id), arguments.repeat)
        finally:
            world.close()
    print(f"\n{label}: median ms per page, {arguments.repeat} requests each")
    print(f"{'page':<40} {arguments.small:>9,} events {arguments.events:>9,} events {'ratio':>6}")
    for name, before in small.items():
        after = big[name]
        print(f"{name:<40} {before:>16.1f} {after:>16.1f} {after / before:>6.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
