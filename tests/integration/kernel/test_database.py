"""Money columns keep exact cents on every engine."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import Column, Integer, MetaData, Table, insert, select

from shared.database import Amount
from shop.bootstrap import Shop

scratch = MetaData()
amounts = Table(
    "kernel_test_amounts",
    scratch,
    Column("id", Integer(), primary_key=True),
    Column("amount", Amount()),
    prefixes=["TEMPORARY"],
)


@pytest.mark.parametrize(
    ("written", "read"),
    [
        (Decimal("24.90"), Decimal("24.90")),
        (Decimal("0.10"), Decimal("0.10")),
        (Decimal("5"), Decimal("5.00")),
        (Decimal("9999999999.99"), Decimal("9999999999.99")),
        (None, None),
    ],
)
def test_an_amount_reads_back_exactly_as_written(
    shop: Shop, written: Decimal | None, read: Decimal | None
) -> None:
    with shop.datastore.transaction(commit=False) as session:
        # A temporary table lives on this connection only, so the whole test stays inside it.
        scratch.create_all(session.connection())
        session.execute(insert(amounts).values(id=1, amount=written))
        stored = session.execute(select(amounts.c.amount)).scalar_one()

    # Equal and written the same: 24.9 would compare equal to 24.90 but lose the cents' scale.
    assert (type(stored), str(stored)) == (type(read), str(read))
