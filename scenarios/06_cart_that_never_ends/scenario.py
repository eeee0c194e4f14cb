"""06 The cart that never ends: a loyal customer's cart gets slower with every purchase.

Two customers shop for coffee filters. One is new: five purchases behind her, about ten
events of cart history. The other has bought a thousand times: about two thousand
events. Their histories are written through the carts' application services (add an
item, check out, again), without the relay: the story is about the carts alone. Then
each adds a box of filters to the cart, 31 times in turn, and every add-item is timed.

Measured from the system: the events in the longest cart stream, the checkouts one
stream has seen, the events the carts' repository reads for one add-item (counted as
it reads them), the median add-item latency for each customer and their ratio. The
verdict rests on what is counted; the latencies are what the customer feels.
"""

from __future__ import annotations

import statistics
import time

from modules.carts.application.commands import AddProductItem, add_product_item
from shop.workshop.scenarios import Figure, Outcome
from shop.workshop.world import World

INVARIANT = (
    "an add-item reads only the events of the customer's current shopping session: "
    "no more for a customer with a thousand purchases behind them than for one with five, "
    "and no cart stream lives on past the checkout that ends its session"
)

PRODUCT = "paper-filters-100"
NEWCOMER, REGULAR = "ada", "grace"
PURCHASES = {NEWCOMER: 5, REGULAR: 1000}
RUNS = 31  # odd: the median is one of the measured runs

LONGEST_STREAM = """
    SELECT max(size) AS size
    FROM (SELECT count(*) AS size FROM carts_events GROUP BY originator_id) AS streams
"""
MOST_CHECKOUTS_IN_ONE_STREAM = """
    SELECT max(size) AS size
    FROM (
        SELECT count(*) AS size FROM carts_events
        WHERE topic LIKE '%ShoppingCart.Confirmed' GROUP BY originator_id
    ) AS streams
"""


def run(world: World) -> Outcome:
    history: dict[str, int] = {}
    for customer, purchases in PURCHASES.items():
        before = world.count("carts_events")
        world.buy_again_and_again(customer, PRODUCT, purchases)
        history[customer] = world.count("carts_events") - before

    latencies: dict[str, list[float]] = {customer: [] for customer in PURCHASES}
    loaded: dict[str, int] = dict.fromkeys(PURCHASES, 0)
    for _ in range(RUNS):
        for customer in PURCHASES:
            with world.events_loaded(world.shop.carts.aggregates) as events:
                started = time.perf_counter()
                add_product_item(AddProductItem(customer, PRODUCT, 1), world.shop.carts)
                latencies[customer].append((time.perf_counter() - started) * 1000)
            loaded[customer] = max(loaded[customer], events.count)

    [longest] = world.rows(LONGEST_STREAM)
    [checkouts] = world.rows(MOST_CHECKOUTS_IN_ONE_STREAM)
    median = {customer: statistics.median(runs) for customer, runs in latencies.items()}
    figures = (
        Figure("cart events of history, new customer", history[NEWCOMER]),
        Figure("cart events of history, loyal customer", history[REGULAR]),
        Figure("events in the longest cart stream", longest["size"]),
        Figure("checkouts in one cart stream, at most", checkouts["size"] or 0),
        Figure("events loaded per add-item (short history)", loaded[NEWCOMER]),
        Figure("events loaded per add-item (long history)", loaded[REGULAR]),
        Figure("add-item median, short history", median[NEWCOMER], "ms"),
        Figure("add-item median, long history", median[REGULAR], "ms"),
        Figure("add-item latency ratio, long / short", median[REGULAR] / median[NEWCOMER]),
    )
    held = loaded[REGULAR] <= loaded[NEWCOMER] and (checkouts["size"] or 0) <= 1
    return Outcome(held=held, figures=figures)
