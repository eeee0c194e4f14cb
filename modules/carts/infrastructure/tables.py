"""Tables owned by the carts module. The migrations create them; nothing else writes them."""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    Column,
    Integer,
    String,
    Table,
    Text,
    Uuid,
)

from shared.database import Amount, UtcDateTime, metadata

products = Table(
    "carts_products",
    metadata,
    Column("product_id", String(64), primary_key=True),
    Column("name", String(200), nullable=False),
    Column("description", Text(), nullable=False),
    Column("unit_price", Amount(), nullable=False),
    Column("currency", String(3), nullable=False),
    Column("available", Boolean(), nullable=False),
)

cart_views = Table(
    "carts_cart_views",
    metadata,
    Column("cart_id", Uuid(), primary_key=True),
    Column("customer_id", String(64), nullable=False, unique=True),
    Column("version", Integer(), nullable=False),
    Column("currency", String(3), nullable=False),
    Column("total", Amount(), nullable=False),
    Column("lines", Text(), nullable=False),
    Column("updated_at", UtcDateTime(), nullable=False),
)
