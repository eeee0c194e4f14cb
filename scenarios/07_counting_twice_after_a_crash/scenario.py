"""07 Counting twice after a crash: the sales report's worker dies between two writes.

Five customers check out through the API, paying with ``tok_ok``; the relay and the
provider's webhook sender run after each checkout, and so does the worker of the
sales report (``orders.sales_per_product``), as it would poll. That afternoon its
process dies once per batch at the worst moment: after the batch's counters were
written, before its checkpoint was. It restarts at once, from the checkpoint it last
recorded.

Measured from the system: the report's units sold, revenue and orders (summed over
its rows) through the admin API, against the truth recomputed from the orders' own
events (every ``Order.Paid``, its lines at the prices of the checkout); the
worker's crashes; the units counted more than once.
"""

from __future__ import annotations

from decimal import Decimal

from eventsourcing.utils import get_topic

from modules.orders.domain.order import Order
from shop.workshop.scenarios import Figure, Outcome
from shop.workshop.world import World, money

INVARIANT = (
    "a crash of the projection's worker counts no event twice: "
    "the report's figures equal those recomputed from the order events"
)

CHECKOUTS = {
    "ada": {"espresso-beans-1kg": 2, "ceramic-mug": 1},
    "grace": {"ceramic-mug": 3},
    "edsger": {"espresso-beans-1kg": 1},
    "barbara": {"espresso-beans-1kg": 1, "ceramic-mug": 2},
    "donald": {"ceramic-mug": 1},
}


def run(world: World) -> Outcome:
    projection = world.shop.orders.sales_projection
    crashes = 0
    with world.projection_crashes_before_each_checkpoint(projection):
        for customer, items in CHECKOUTS.items():
            world.check_out(customer, items, "tok_ok")
            world.settle()
            crashes += world.catch_up_projection(projection)

    rows = world.sales_report()["products"]
    reported = (
        sum(row["units_sold"] for row in rows),
        sum((money(row["revenue"]) for row in rows), Decimal("0.00")),
        sum(row["orders"] for row in rows),
    )
    truth = _recomputed_from_the_order_events(world)
    figures = (
        Figure("checkouts", len(CHECKOUTS)),
        Figure("crashes of the projection's worker", crashes),
        Figure("units sold, reported", reported[0]),
        Figure("units sold, recomputed from the events", truth[0]),
        Figure("revenue, reported", reported[1], "EUR"),
        Figure("revenue, recomputed from the events", truth[1], "EUR"),
        Figure("orders, reported", reported[2]),
        Figure("orders, recomputed from the events", truth[2]),
        Figure("units counted more than once", reported[0] - truth[0]),
    )
    return Outcome(held=reported == truth, figures=figures)


def _recomputed_from_the_order_events(world: World) -> tuple[int, Decimal, int]:
    """Units, revenue and orders per product (summed) of every paid order, from the log."""
    orders = world.shop.orders.aggregates
    paid = orders.recorder.select_notifications(
        start=None, limit=1_000_000, topics=[get_topic(Order.Paid)]
    )
    units, revenue, order_lines = 0, Decimal("0.00"), 0
    for notification in paid:
        event = orders.mapper.to_domain_event(notification)
        assert isinstance(event, Order.Paid)
        products = {item["product_id"] for item in event.items}
        order_lines += len(products)
        for item in event.items:
            units += int(item["quantity"])
            revenue += Decimal(item["unit_price"]) * int(item["quantity"])
    return units, revenue, order_lines
