"""sales report: sales per product, an asynchronous read model, and projection checkpoints

``orders_sales_per_product`` holds units sold, revenue and orders per product and
currency, counted from the orders' events by a projection in the worker;
``projection_checkpoints`` holds how far each projection has read its events. A
database upgraded with orders in it starts at position 0: the worker counts every
order already paid.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-30 13:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "orders_sales_per_product",
        sa.Column("product_id", sa.String(length=64), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("units_sold", sa.BigInteger(), nullable=False),
        sa.Column(
            "revenue", sa.Numeric(12, 2).with_variant(sa.String(32), "sqlite"), nullable=False
        ),
        sa.Column("orders", sa.BigInteger(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("product_id", "currency", name=op.f("pk_orders_sales_per_product")),
    )
    op.create_table(
        "projection_checkpoints",
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("position", sa.BigInteger(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_projection_checkpoints")),
    )


def downgrade() -> None:
    op.drop_table("projection_checkpoints")
    op.drop_table("orders_sales_per_product")
