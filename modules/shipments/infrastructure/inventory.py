"""Stock on hand: one plain row per product, counted down as packages are sent.

Stock is not event-sourced: it is a number that many orders compete for, and a
conditional update is the simplest way to never sell the same unit twice.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from sqlalchemy import bindparam, select, update
from sqlalchemy.orm import Session

from modules.shipments.infrastructure.tables import stock
from shared.database import upsert

# Built once: every package sent runs it for each of its products.
_TAKE = (
    update(stock)
    .where(
        stock.c.product_id == bindparam("wanted_product_id"),
        stock.c.quantity >= bindparam("wanted_quantity"),
    )
    .values(quantity=stock.c.quantity - bindparam("wanted_quantity"))
)


@dataclass(frozen=True)
class StockLevel:
    product_id: str
    quantity: int


class Inventory:
    def levels(self, session: Session) -> list[StockLevel]:
        rows = session.execute(select(stock).order_by(stock.c.product_id)).all()
        return [StockLevel(row.product_id, row.quantity) for row in rows]

    def put(self, session: Session, level: StockLevel) -> None:
        upsert(
            session,
            stock,
            key={"product_id": level.product_id},
            values={"quantity": level.quantity},
        )

    def take(self, session: Session, wanted: Mapping[str, int]) -> list[str]:
        """Takes every quantity wanted, or none at all; returns the products that are short.

        Each decrement only happens if enough is left when the row is written, so two
        orders racing for the last unit cannot both get it: on PostgreSQL the second
        waits for the first to commit and then finds the row no longer qualifies.
        """
        taken: dict[str, int] = {}
        short: list[str] = []
        # Rows are locked in product order, so two orders sharing products cannot deadlock.
        for product_id in sorted(wanted):
            quantity = wanted[product_id]
            decremented = session.execute(
                _TAKE, {"wanted_product_id": product_id, "wanted_quantity": quantity}
            )
            if decremented.rowcount == 1:  # type: ignore[attr-defined]
                taken[product_id] = quantity
            else:
                short.append(product_id)
        if short:
            # Puts back what was taken: an order ships whole or not at all.
            for product_id, quantity in taken.items():
                session.execute(
                    update(stock)
                    .where(stock.c.product_id == product_id)
                    .values(quantity=stock.c.quantity + quantity)
                )
        return short

    def seed(self, session: Session, levels: Sequence[StockLevel]) -> int:
        """Adds the products that are missing; existing stock is left as it is."""
        existing = set(session.execute(select(stock.c.product_id)).scalars())
        missing = [level for level in levels if level.product_id not in existing]
        for level in missing:
            self.put(session, level)
        return len(missing)


SEED_STOCK = (
    *(
        StockLevel(product_id, 100)
        for product_id in (
            "espresso-beans-1kg",
            "filter-coffee-500g",
            "green-tea-100g",
            "ceramic-mug",
            "french-press",
            "hand-grinder",
            "milk-frother",
            "pour-over-dripper",
            "paper-filters-100",
            "travel-tumbler",
            "digital-scale",
        )
    ),
    # None at first, so that a demo checkout shows an order cancelled for lack of stock.
    StockLevel("gooseneck-kettle", 0),
)
