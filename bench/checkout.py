"""End-to-end checkout throughput and the relay's delay, with everything running in-process.

    uv run python bench/checkout.py [--database-url URL] [--checkouts N] [--clients N]

The shop is served on a loopback port with its relay and sandbox provider running,
exactly as ``shop serve`` runs them. Client threads confirm carts (``tok_ok``); from
there everything goes the real way: the relay delivers the outbox, payments asks the
sandbox, the sandbox posts its signed webhook over HTTP, shipments sends the package,
and the order completes. The run reports

- completed checkouts per second: checkouts over the time from the first
  confirmation to the last order completed;
- the relay's delay: for every message, from its outbox row being written (in the
  transaction that commits it) to the end of its handling by every subscriber,
  both while the shop is saturated (queueing included) and for checkouts made one
  at a time (the relay's own latency).
"""

from __future__ import annotations

import argparse
import logging
import socket
import statistics
import sys
import threading
import time
from collections.abc import Sequence
from datetime import UTC, datetime

import uvicorn
from sqlalchemy import func, select
from throughput import scratch_database

from modules.carts.application.commands import (
    AddProductItem,
    ConfirmShoppingCart,
    add_product_item,
    confirm_shopping_cart,
)
from modules.orders.infrastructure.tables import order_views
from modules.shipments.application.commands import SetStock, set_stock
from shared.clock import SystemClock
from shared.outbox import IntegrationMessage
from shared.settings import Settings
from shop.app import create_app
from shop.bootstrap import Shop, bootstrap

PRODUCTS = ("espresso-beans-1kg", "ceramic-mug", "paper-filters-100")


def measure_after_delivery(shop: Shop, delays: RelayDelays) -> None:
    """Records each message's delay once the relay has handed it to every handler.

    A command has exactly one handler, so no extra subscriber can listen to it: the
    relay's own delivery step is wrapped instead.
    """
    relay = shop.relay
    deliver = relay._deliver

    def deliver_and_measure(message: IntegrationMessage) -> None:
        deliver(message)
        delays(message)

    relay._deliver = deliver_and_measure  # type: ignore[method-assign]


class RelayDelays:
    """Called once every handler of a message has run: records the commit-to-handled delay."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.seconds: list[float] = []

    def __call__(self, message: IntegrationMessage) -> None:
        delay = (datetime.now(UTC) - message.recorded_at.replace(tzinfo=UTC)).total_seconds()
        with self._lock:
            self.seconds.append(delay)


def completed_orders(shop: Shop) -> int:
    with shop.datastore.transaction(commit=False) as session:
        return session.execute(
            select(func.count()).where(order_views.c.status == "completed")
        ).scalar_one()


def stock_up(shop: Shop) -> None:
    """Enough stock that no benchmark order is cancelled for want of it."""
    for product_id in PRODUCTS:
        set_stock(SetStock(product_id, 1_000_000), shop.shipments)


def serve(shop: Shop, listener: socket.socket) -> tuple[uvicorn.Server, threading.Thread]:
    server = uvicorn.Server(
        uvicorn.Config(create_app(shop, run_background_workers=True), log_level="warning")
    )
    thread = threading.Thread(target=server.run, kwargs={"sockets": [listener]})
    thread.start()
    while not server.started:
        time.sleep(0.01)
    # The app logs every request; a benchmark only wants its table.
    logging.getLogger().setLevel(logging.WARNING)
    return server, thread


def run(shop: Shop, *, checkouts: int, clients: int, timeout: float) -> tuple[float, int]:
    """Confirms ``checkouts`` carts from ``clients`` threads; waits for every order to complete."""

    def client(number: int) -> None:
        for checkout in range(number, checkouts, clients):
            customer_id = f"bench-{checkout}"
            for product_id in PRODUCTS:
                add_product_item(AddProductItem(customer_id, product_id, 1), shop.carts)
            confirm_shopping_cart(ConfirmShoppingCart(customer_id, "tok_ok"), shop.carts)

    started = time.perf_counter()
    threads = [threading.Thread(target=client, args=(number,)) for number in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    deadline = started + timeout
    while (done := completed_orders(shop)) < checkouts and time.perf_counter() < deadline:
        time.sleep(0.01)
    return time.perf_counter() - started, done


def run_one_at_a_time(shop: Shop, *, checkouts: int, timeout: float) -> None:
    """One checkout at a time, each waited for: the relay's delay without a queue."""
    for checkout in range(checkouts):
        customer_id = f"bench-paced-{checkout}"
        before = completed_orders(shop)
        add_product_item(AddProductItem(customer_id, PRODUCTS[0], 1), shop.carts)
        confirm_shopping_cart(ConfirmShoppingCart(customer_id, "tok_ok"), shop.carts)
        deadline = time.perf_counter() + timeout
        while completed_orders(shop) == before and time.perf_counter() < deadline:
            time.sleep(0.005)


def print_delays(title: str, seconds: list[float]) -> None:
    ordered = sorted(seconds)
    p50, p99 = statistics.median(ordered), ordered[int(0.99 * (len(ordered) - 1))]
    print(
        f"  {title:<34} {len(ordered):>5} messages"
        f"   p50 {p50 * 1000:7.1f} ms   p99 {p99 * 1000:7.1f} ms"
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--database-url", help="a PostgreSQL server URL (default: SQLite)")
    parser.add_argument("--checkouts", type=int, default=300)
    parser.add_argument("--clients", type=int, default=2, help="threads confirming carts")
    parser.add_argument("--paced", type=int, default=30, help="checkouts one at a time, after")
    parser.add_argument("--timeout", type=float, default=300.0)
    arguments = parser.parse_args(argv)

    with scratch_database(arguments.database_url) as (url, label):
        listener = socket.socket()
        listener.bind(("127.0.0.1", 0))
        settings = Settings(
            _env_file=None,
            database_url=url,
            public_base_url=f"http://127.0.0.1:{listener.getsockname()[1]}",
            sandbox_poll_seconds=0.05,
        )
        shop = bootstrap(settings, SystemClock())
        shop.seed()
        stock_up(shop)
        delays = RelayDelays()
        measure_after_delivery(shop, delays)
        server, thread = serve(shop, listener)
        try:
            elapsed, completed = run(
                shop,
                checkouts=arguments.checkouts,
                clients=arguments.clients,
                timeout=arguments.timeout,
            )
            under_load, delays.seconds = delays.seconds, []
            run_one_at_a_time(shop, checkouts=arguments.paced, timeout=arguments.timeout)
            one_at_a_time = delays.seconds
        finally:
            server.should_exit = True
            thread.join()
            listener.close()
    print(f"{label}")
    print(
        f"  {arguments.checkouts} checkouts from {arguments.clients} client threads:"
        f" {completed} completed in {elapsed:.1f} s = {completed / elapsed:.1f} checkouts/s"
    )
    print("  relay delay, commit to handled by every subscriber:")
    print_delays("while saturated (the run above)", under_load)
    print_delays(f"{arguments.paced} checkouts one at a time", one_at_a_time)
    return 0 if completed == arguments.checkouts else 1


if __name__ == "__main__":
    sys.exit(main())
