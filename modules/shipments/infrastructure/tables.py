"""Tables owned by the shipments module. The migrations create them; nothing else writes them."""

from __future__ import annotations

from sqlalchemy import CheckConstraint, Column, Integer, String, Table, Text, Uuid

from shared.database import UtcDateTime, metadata

stock = Table(
    "shipments_stock",
    metadata,
    Column("product_id", String(64), primary_key=True),
    Column("quantity", Integer(), nullable=False),
    # The last line of defence: whatever the code does, stock never goes below zero.
    CheckConstraint("quantity >= 0", name="quantity_not_negative"),
)

package_views = Table(
    "shipments_package_views",
    metadata,
    Column("package_id", Uuid(), primary_key=True),
    Column("order_id", Uuid(), nullable=False, index=True),
    Column("customer_id", String(64), nullable=False),
    Column("status", String(20), nullable=False),
    Column("items", Text(), nullable=False),
    Column("missing_product_ids", Text(), nullable=False),
    Column("updated_at", UtcDateTime(), nullable=False),
)
