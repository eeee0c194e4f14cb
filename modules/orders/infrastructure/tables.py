"""Tables owned by the orders module. The migrations create them; nothing else writes them."""

from __future__ import annotations

from sqlalchemy import Column, ForeignKey, Index, Integer, String, Table, Text, Uuid

from shared.database import Amount, UtcDateTime, metadata

order_views = Table(
    "orders_order_views",
    metadata,
    Column("order_id", Uuid(), primary_key=True),
    Column("customer_id", String(64), nullable=False),
    Column("cart_id", Uuid(), nullable=False),
    Column("version", Integer(), nullable=False),
    Column("status", String(20), nullable=False),
    Column("items", Text(), nullable=False),
    Column("total", Amount(), nullable=False),
    Column("currency", String(3), nullable=False),
    Column("payment_method", String(64), nullable=False),
    Column("payment_id", Uuid(), nullable=True),
    Column("package_id", Uuid(), nullable=True),
    Column("cancellation_reason", String(200), nullable=True),
    Column("placed_at", UtcDateTime(), nullable=False),
    Column("updated_at", UtcDateTime(), nullable=False),
    # The two ways the list is read: a customer's orders, and everyone's (admin), newest first.
    Index("ix_orders_order_views_customer_placed", "customer_id", "placed_at", "order_id"),
    Index("ix_orders_order_views_placed", "placed_at", "order_id"),
)

status_changes = Table(
    "orders_status_changes",
    metadata,
    Column(
        "order_id",
        Uuid(),
        ForeignKey(order_views.c.order_id, ondelete="CASCADE"),
        primary_key=True,
    ),
    Column("order_version", Integer(), primary_key=True),
    Column("status", String(20), nullable=False),
    Column("reason", String(200), nullable=True),
    Column("changed_at", UtcDateTime(), nullable=False),
)
