"""Write throughput of the shop's command path against a bare event-sourced save.

    uv run python bench/throughput.py [--database-url URL] [--seconds N] [--threads 1 2]

The baseline is the least a command can do here: one transaction that saves a small
aggregate with ``eventsourcing`` and adds one outbox row. The other measurements go
through the shop's own handlers (unit of work, read model, catalogue look-up, stream
load). Each is reported in commands per second and as a ratio to the baseline
measured in the same run, on the same database, with the same number of threads.

A scenario is a name and a function that prepares a command on a seeded shop; add
one to ``SCENARIOS`` to measure it. ``bench/README.md`` explains how to read the table.
"""

from __future__ import annotations

import argparse
import itertools
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field

from eventsourcing.application import AggregateNotFoundError
from eventsourcing.domain import Aggregate, event
from sqlalchemy.engine import make_url

from modules.carts.application.commands import AddProductItem, add_product_item
from modules.carts.domain.cart import ShoppingCart
from modules.carts.infrastructure.catalogue import SEED_PRODUCTS
from modules.carts.infrastructure.event_sourcing import CartsApplication
from shared.clock import SystemClock
from shared.database import is_postgresql
from shared.event_sourcing import ModuleApplication
from shared.settings import Settings
from shop import migrate
from shop.bootstrap import Shop, bootstrap

TARGET_RATIO = 0.7
ITEMS_PER_RETURNING_CUSTOMER = 8

# One call of a command; its arguments say which thread runs it and the how-manieth it is.
Command = Callable[[int, int], None]


@dataclass(frozen=True)
class Scenario:
    name: str
    prepare: Callable[[Shop, str], Command]
    """Builds the command on a seeded shop; the prefix keeps each run's ids apart."""


class Tally(Aggregate):
    """The smallest useful aggregate: one event, one field."""

    @event("Counted")
    def __init__(self, number: int) -> None:
        self.number = number


class BaselineApplication(ModuleApplication):
    # An existing events table: the baseline needs no schema of its own.
    name = "carts"


def bare_save_with_outbox_row(shop: Shop, prefix: str) -> Command:
    store = BaselineApplication(shop.datastore)

    def command(thread: int, number: int) -> None:
        with shop.datastore.transaction(commit=True) as session:
            shop.outbox.add(
                session,
                source="bench",
                message_type="bench.Tally.Counted",
                payload={"thread": thread, "number": number},
            )
            store.save(Tally(number=number))

    return command


def bare_add_item_with_outbox_row(shop: Shop, prefix: str) -> Command:
    """The same add-item with the library alone: load the cart, add, save, one outbox row.

    No catalogue look-up and no read model: what is left is the event store's own cost.
    """
    store = CartsApplication(shop.datastore)
    products = [product for product in SEED_PRODUCTS if product.available]

    def command(thread: int, number: int) -> None:
        customer_id = f"{prefix}-{thread}-{number // ITEMS_PER_RETURNING_CUSTOMER}"
        product = products[number % len(products)]
        with shop.datastore.transaction(commit=True) as session:
            try:
                cart = store.repository.get(ShoppingCart.create_id(customer_id))
            except AggregateNotFoundError:
                cart = ShoppingCart(customer_id=customer_id, currency=product.currency)
            cart.add_product_item(product.product_id, 1, product.unit_price, product.currency)
            shop.outbox.add(
                session,
                source="bench",
                message_type="bench.ShoppingCart.ProductItemAdded",
                payload={"cart_id": cart.id, "product_id": product.product_id},
            )
            store.save(cart)

    return command


def add_item_for(customer: Callable[[int], str]) -> Callable[[Shop, str], Command]:
    """The carts module's add-item command; ``customer`` names the customer of the n-th call."""

    def prepare(shop: Shop, prefix: str) -> Command:
        products = [product.product_id for product in SEED_PRODUCTS if product.available]

        def command(thread: int, number: int) -> None:
            add_product_item(
                AddProductItem(
                    customer_id=f"{prefix}-{thread}-{customer(number)}",
                    product_id=products[number % len(products)],
                    quantity=1,
                ),
                shop.carts,
            )

        return command

    return prepare


SCENARIOS: Sequence[Scenario] = (
    Scenario("baseline: eventsourcing save + outbox row", bare_save_with_outbox_row),
    Scenario(
        f"bare library add item, {ITEMS_PER_RETURNING_CUSTOMER} per cart + outbox row",
        bare_add_item_with_outbox_row,
    ),
    Scenario(
        "add item, a new customer each time",
        add_item_for(lambda number: f"new-{number}"),
    ),
    Scenario(
        f"add item, {ITEMS_PER_RETURNING_CUSTOMER} per returning customer",
        add_item_for(lambda number: f"returning-{number // ITEMS_PER_RETURNING_CUSTOMER}"),
    ),
)


@dataclass
class Result:
    scenario: str
    threads: int
    commands: int = 0
    seconds: float = 0.0
    latencies: list[float] = field(default_factory=list)

    @property
    def per_second(self) -> float:
        return self.commands / self.seconds if self.seconds else 0.0

    def percentile_ms(self, fraction: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))] * 1000


def run_for(command: Command, seconds: float, threads: int, result: Result | None) -> None:
    """Calls ``command`` from ``threads`` threads for ``seconds``; adds what it measured."""
    deadline = time.perf_counter() + seconds
    counters = [itertools.count() for _ in range(threads)]
    latencies: list[list[float]] = [[] for _ in range(threads)]
    errors: list[BaseException] = []

    def loop(thread: int) -> None:
        try:
            while (started := time.perf_counter()) < deadline:
                command(thread, next(counters[thread]))
                latencies[thread].append(time.perf_counter() - started)
        except BaseException as error:
            errors.append(error)
            raise

    workers = [threading.Thread(target=loop, args=(thread,)) for thread in range(threads)]
    started = time.perf_counter()
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    elapsed = time.perf_counter() - started
    if errors:
        raise errors[0]
    if result is not None:
        result.seconds += elapsed
        for thread_latencies in latencies:
            result.commands += len(thread_latencies)
            result.latencies.extend(thread_latencies)


def measure(
    shop: Shop, *, seconds: float, warm_up: float, rounds: int, thread_counts: Sequence[int]
) -> list[Result]:
    """Measures every scenario at every thread count, interleaving them round by round.

    Interleaving spreads drift (a database warming its caches, a noisy neighbour)
    over all scenarios instead of penalising whichever ran first.
    """
    results: list[Result] = []
    for threads in thread_counts:
        commands = {
            scenario.name: scenario.prepare(shop, f"{threads}t-{uuid.uuid4().hex[:6]}")
            for scenario in SCENARIOS
        }
        for command in commands.values():
            run_for(command, warm_up, threads, None)
        by_name = {name: Result(name, threads) for name in commands}
        for _ in range(rounds):
            for name, command in commands.items():
                run_for(command, seconds / rounds, threads, by_name[name])
        results.extend(by_name.values())
    return results


def print_table(results: Sequence[Result], heading: str) -> None:
    """Ratios against both references: the least a save costs, and the same command done bare."""
    print(heading)
    columns = f"{'threads':>7}  {'measurement':<48} {'commands/s':>10} {'p50 ms':>7} {'p99 ms':>7}"
    print(f"{columns} {'vs save':>8} {'vs bare':>8}")
    for threads, group in itertools.groupby(results, key=lambda result: result.threads):
        rows = list(group)
        floor, bare = rows[0].per_second, rows[1].per_second
        for result in rows:
            against_floor = result.per_second / floor if floor else 0.0
            against_bare = result.per_second / bare if bare else 0.0
            verdict = (
                "" if result in rows[:2] else ("ok" if against_bare >= TARGET_RATIO else "LOW")
            )
            print(
                f"{threads:>7}  {result.scenario:<48} {result.per_second:>10.0f}"
                f" {result.percentile_ms(0.5):>7.2f} {result.percentile_ms(0.99):>7.2f}"
                f" {against_floor:>8.2f} {against_bare:>8.2f} {verdict}"
            )
    print(
        "vs save: over the minimal save of a new aggregate; vs bare: over the same add-item done"
        f" with the library alone.\nTarget: the shop's command >= {TARGET_RATIO} of the bare one,"
        " at the same thread count."
    )


@contextmanager
def scratch_database(server_url: str | None) -> Iterator[tuple[str, str]]:
    """A freshly migrated database for this run, dropped afterwards; yields (url, label)."""
    if server_url is not None and not is_postgresql(server_url):
        msg = "--database-url must be a PostgreSQL server URL; SQLite is the default"
        raise SystemExit(msg)
    with migrate.scratch_database(server_url, "shop_bench") as url:
        label = "SQLite, temporary file" if server_url is None else "PostgreSQL, scratch database"
        yield url, f"{label} {make_url(url).database}" if server_url else label


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument(
        "--database-url",
        help="a PostgreSQL server URL; a scratch database is created on it and dropped "
        "(default: a temporary SQLite file)",
    )
    parser.add_argument(
        "--seconds", type=float, default=10.0, help="measured time per scenario and thread count"
    )
    parser.add_argument("--warm-up", type=float, default=2.0, help="unmeasured seconds first")
    parser.add_argument("--rounds", type=int, default=5, help="interleaved rounds per scenario")
    parser.add_argument("--threads", type=int, nargs="+", default=[1, 2])
    arguments = parser.parse_args(argv)

    with scratch_database(arguments.database_url) as (url, label):
        shop = bootstrap(Settings(_env_file=None, database_url=url), SystemClock())
        try:
            shop.seed()
            results = measure(
                shop,
                seconds=arguments.seconds,
                warm_up=arguments.warm_up,
                rounds=arguments.rounds,
                thread_counts=arguments.threads,
            )
        finally:
            shop.close()
    print_table(
        results,
        f"{label}: {arguments.seconds:g} s per measurement in {arguments.rounds} rounds, "
        f"after {arguments.warm_up:g} s warm-up",
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
