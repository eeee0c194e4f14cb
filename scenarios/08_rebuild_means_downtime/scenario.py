"""08 Rebuild means downtime: the sales report is rebuilt while finance reads it.

Six customers check out through the API, paying with ``tok_ok``; the relay and the
provider's webhook sender run until nothing is left to do, and the sales report's
projection catches up: an admin reads its complete answer through the API. Then an
operator rebuilds the projection (``shop projections rebuild``, replaying the order
events three at a time), and finance keeps reading the report meanwhile: once as the
rebuild starts and once after each batch it replays (the rebuild's progress hook,
so no thread and no sleep is needed).

Measured from the system: the queries made during the rebuild, those whose answer
was not the complete one (rows missing, or counted short), and their share.
"""

from __future__ import annotations

from typing import Any

from shared.projections import ProjectionRunner
from shop.workshop.scenarios import Figure, Outcome
from shop.workshop.world import World

INVARIANT = "a rebuild of the sales report never serves incomplete figures"

CHECKOUTS = {
    "ada": {"espresso-beans-1kg": 2, "ceramic-mug": 1},
    "grace": {"ceramic-mug": 3},
    "edsger": {"espresso-beans-1kg": 1},
    "barbara": {"espresso-beans-1kg": 1, "ceramic-mug": 2},
    "donald": {"ceramic-mug": 1},
    "margaret": {"espresso-beans-1kg": 3},
}
BATCH_SIZE = 3
"""Order events replayed per transaction: small, so that the rebuild has several batches."""


def run(world: World) -> Outcome:
    for customer, items in CHECKOUTS.items():
        world.check_out(customer, items, "tok_ok")
    world.settle()
    world.catch_up_projection(world.shop.orders.sales_projection)
    complete = _figures(world.sales_report())

    answers: list[list[tuple[Any, ...]]] = []
    rebuild = ProjectionRunner(
        world.shop.orders.sales_per_product,
        world.shop.orders.aggregates,
        world.shop.datastore,
        world.clock,
        batch_size=BATCH_SIZE,
    )
    report = rebuild.rebuild(
        on_progress=lambda _done, _total: answers.append(_figures(world.sales_report()))
    )

    incomplete = sum(answer != complete for answer in answers)
    after = _figures(world.sales_report())
    figures = (
        Figure("checkouts", len(CHECKOUTS)),
        Figure("order events replayed", report.events),
        Figure("queries during the rebuild", len(answers)),
        Figure("queries that returned incomplete data", incomplete),
        Figure("share of incomplete answers", 100 * incomplete / len(answers), "%"),
        Figure("report complete after the rebuild", int(after == complete)),
    )
    return Outcome(held=incomplete == 0 and after == complete, figures=figures)


def _figures(report: dict[str, Any]) -> list[tuple[Any, ...]]:
    """The report's rows, without their ``updated_at`` (a rebuild writes them anew)."""
    return [
        (row["product_id"], row["currency"], row["units_sold"], row["revenue"], row["orders"])
        for row in report["products"]
    ]
