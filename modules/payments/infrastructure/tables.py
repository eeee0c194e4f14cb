"""Tables owned by the payments module. The migrations create them; nothing else writes them.

The ``payments_sandbox_*`` tables belong to the sandbox provider, which stands in for
an external system: the shop's own code never reads them.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Column,
    Index,
    Integer,
    String,
    Table,
    Text,
    Uuid,
)

from shared.database import Amount, UtcDateTime, metadata

payment_views = Table(
    "payments_payment_views",
    metadata,
    Column("payment_id", Uuid(), primary_key=True),
    Column("order_id", Uuid(), nullable=False, index=True),
    Column("customer_id", String(64), nullable=False),
    Column("status", String(20), nullable=False),
    Column("amount", Amount(), nullable=False),
    Column("currency", String(3), nullable=False),
    Column("provider_reference", String(64), nullable=True),
    Column("failure_reason", Text(), nullable=True),
    Column("requested_at", UtcDateTime(), nullable=False),
    Column("updated_at", UtcDateTime(), nullable=False),
)

sandbox_requests = Table(
    "payments_sandbox_requests",
    metadata,
    Column("payment_id", Uuid(), primary_key=True),
    Column("reference", String(64), nullable=False, unique=True),
    Column("amount", Amount(), nullable=False),
    Column("currency", String(3), nullable=False),
    Column("payment_method", String(64), nullable=False),
    Column("requested_at", UtcDateTime(), nullable=False),
)

sandbox_notifications = Table(
    "payments_sandbox_notifications",
    metadata,
    Column("id", BigInteger().with_variant(Integer(), "sqlite"), primary_key=True),
    # The provider's id of the notification: a redelivery carries the same one.
    Column("notification_id", String(64), nullable=False),
    Column("payment_id", Uuid(), nullable=False),
    Column("body", Text(), nullable=False),
    Column("due_at", UtcDateTime(), nullable=False),
    Column("attempts", Integer(), nullable=False),
    Column("delivered_at", UtcDateTime(), nullable=True),
    Index("ix_payments_sandbox_notifications_due", "delivered_at", "due_at"),
)
