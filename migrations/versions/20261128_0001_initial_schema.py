"""initial schema

Revision ID: 0001
Revises:
Create Date: 2026-11-28 13:53:43.544528
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
import sqlalchemy_utils
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "carts_cart_views",
        sa.Column("cart_id", sa.Uuid(), nullable=False),
        sa.Column("customer_id", sa.String(length=64), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("total", sa.Numeric(12, 2).with_variant(sa.String(32), "sqlite"), nullable=False),
        sa.Column("lines", sa.Text(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("cart_id", name=op.f("pk_carts_cart_views")),
        sa.UniqueConstraint("customer_id", name=op.f("uq_carts_cart_views_customer_id")),
    )
    op.create_table(
        "carts_products",
        sa.Column("product_id", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column(
            "unit_price", sa.Numeric(12, 2).with_variant(sa.String(32), "sqlite"), nullable=False
        ),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("available", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("product_id", name=op.f("pk_carts_products")),
    )
    op.create_table(
        "orders_order_views",
        sa.Column("order_id", sa.Uuid(), nullable=False),
        sa.Column("customer_id", sa.String(length=64), nullable=False),
        sa.Column("cart_id", sa.Uuid(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("items", sa.Text(), nullable=False),
        sa.Column("total", sa.Numeric(12, 2).with_variant(sa.String(32), "sqlite"), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("payment_method", sa.String(length=64), nullable=False),
        sa.Column("payment_id", sa.Uuid(), nullable=True),
        sa.Column("package_id", sa.Uuid(), nullable=True),
        sa.Column("cancellation_reason", sa.String(length=200), nullable=True),
        sa.Column("placed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("order_id", name=op.f("pk_orders_order_views")),
    )
    with op.batch_alter_table("orders_order_views", schema=None) as batch_op:
        batch_op.create_index(
            "ix_orders_order_views_customer_placed",
            ["customer_id", "placed_at", "order_id"],
            unique=False,
        )
        batch_op.create_index(
            "ix_orders_order_views_placed", ["placed_at", "order_id"], unique=False
        )

    op.create_table(
        "outbox_messages",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("message_id", sa.Uuid(), nullable=False),
        sa.Column("tx_id", sa.BigInteger(), nullable=False),
        sa.Column("source", sa.String(length=50), nullable=False),
        sa.Column("message_type", sa.String(length=200), nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbox_messages")),
        sa.UniqueConstraint("message_id", name=op.f("uq_outbox_messages_message_id")),
    )
    with op.batch_alter_table("outbox_messages", schema=None) as batch_op:
        batch_op.create_index("ix_outbox_messages_position", ["tx_id", "id"], unique=False)

    op.create_table(
        "outbox_relay_checkpoints",
        sa.Column("relay_name", sa.String(length=100), nullable=False),
        sa.Column("tx_id", sa.BigInteger(), nullable=False),
        sa.Column("message_position", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("relay_name", name=op.f("pk_outbox_relay_checkpoints")),
    )
    op.create_table(
        "payments_payment_views",
        sa.Column("payment_id", sa.Uuid(), nullable=False),
        sa.Column("order_id", sa.Uuid(), nullable=False),
        sa.Column("customer_id", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column(
            "amount", sa.Numeric(12, 2).with_variant(sa.String(32), "sqlite"), nullable=False
        ),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("provider_reference", sa.String(length=64), nullable=True),
        sa.Column("failure_reason", sa.Text(), nullable=True),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("payment_id", name=op.f("pk_payments_payment_views")),
    )
    with op.batch_alter_table("payments_payment_views", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_payments_payment_views_order_id"), ["order_id"], unique=False
        )

    op.create_table(
        "payments_sandbox_notifications",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("notification_id", sa.String(length=64), nullable=False),
        sa.Column("payment_id", sa.Uuid(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("delivered_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_payments_sandbox_notifications")),
    )
    with op.batch_alter_table("payments_sandbox_notifications", schema=None) as batch_op:
        batch_op.create_index(
            "ix_payments_sandbox_notifications_due", ["delivered_at", "due_at"], unique=False
        )

    op.create_table(
        "payments_sandbox_requests",
        sa.Column("payment_id", sa.Uuid(), nullable=False),
        sa.Column("reference", sa.String(length=64), nullable=False),
        sa.Column(
            "amount", sa.Numeric(12, 2).with_variant(sa.String(32), "sqlite"), nullable=False
        ),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("payment_method", sa.String(length=64), nullable=False),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("payment_id", name=op.f("pk_payments_sandbox_requests")),
        sa.UniqueConstraint("reference", name=op.f("uq_payments_sandbox_requests_reference")),
    )
    op.create_table(
        "shipments_package_views",
        sa.Column("package_id", sa.Uuid(), nullable=False),
        sa.Column("order_id", sa.Uuid(), nullable=False),
        sa.Column("customer_id", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("items", sa.Text(), nullable=False),
        sa.Column("missing_product_ids", sa.Text(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("package_id", name=op.f("pk_shipments_package_views")),
    )
    with op.batch_alter_table("shipments_package_views", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_shipments_package_views_order_id"), ["order_id"], unique=False
        )

    op.create_table(
        "shipments_stock",
        sa.Column("product_id", sa.String(length=64), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.CheckConstraint("quantity >= 0", name=op.f("ck_shipments_stock_quantity_not_negative")),
        sa.PrimaryKeyConstraint("product_id", name=op.f("pk_shipments_stock")),
    )
    op.create_table(
        "orders_status_changes",
        sa.Column("order_id", sa.Uuid(), nullable=False),
        sa.Column("order_version", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("reason", sa.String(length=200), nullable=True),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["order_id"],
            ["orders_order_views.order_id"],
            name=op.f("fk_orders_status_changes_order_id_orders_order_views"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("order_id", "order_version", name=op.f("pk_orders_status_changes")),
    )
    op.create_table(
        "carts_events",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("originator_id", sqlalchemy_utils.UUIDType(), nullable=False),
        sa.Column(
            "originator_version",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            nullable=False,
        ),
        sa.Column("topic", sa.Text(), nullable=False),
        sa.Column("state", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("carts_events", schema=None) as batch_op:
        batch_op.create_index(
            "carts_events_aggregate_idx", ["originator_id", "originator_version"], unique=True
        )

    op.create_table(
        "orders_events",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("originator_id", sqlalchemy_utils.UUIDType(), nullable=False),
        sa.Column(
            "originator_version",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            nullable=False,
        ),
        sa.Column("topic", sa.Text(), nullable=False),
        sa.Column("state", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("orders_events", schema=None) as batch_op:
        batch_op.create_index(
            "orders_events_aggregate_idx", ["originator_id", "originator_version"], unique=True
        )

    op.create_table(
        "payments_events",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("originator_id", sqlalchemy_utils.UUIDType(), nullable=False),
        sa.Column(
            "originator_version",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            nullable=False,
        ),
        sa.Column("topic", sa.Text(), nullable=False),
        sa.Column("state", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("payments_events", schema=None) as batch_op:
        batch_op.create_index(
            "payments_events_aggregate_idx", ["originator_id", "originator_version"], unique=True
        )

    op.create_table(
        "shipments_events",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("originator_id", sqlalchemy_utils.UUIDType(), nullable=False),
        sa.Column(
            "originator_version",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            nullable=False,
        ),
        sa.Column("topic", sa.Text(), nullable=False),
        sa.Column("state", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("shipments_events", schema=None) as batch_op:
        batch_op.create_index(
            "shipments_events_aggregate_idx", ["originator_id", "originator_version"], unique=True
        )


def downgrade() -> None:
    with op.batch_alter_table("shipments_events", schema=None) as batch_op:
        batch_op.drop_index("shipments_events_aggregate_idx")

    op.drop_table("shipments_events")
    with op.batch_alter_table("payments_events", schema=None) as batch_op:
        batch_op.drop_index("payments_events_aggregate_idx")

    op.drop_table("payments_events")
    with op.batch_alter_table("orders_events", schema=None) as batch_op:
        batch_op.drop_index("orders_events_aggregate_idx")

    op.drop_table("orders_events")
    with op.batch_alter_table("carts_events", schema=None) as batch_op:
        batch_op.drop_index("carts_events_aggregate_idx")

    op.drop_table("carts_events")
    op.drop_table("orders_status_changes")
    op.drop_table("shipments_stock")
    with op.batch_alter_table("shipments_package_views", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_shipments_package_views_order_id"))

    op.drop_table("shipments_package_views")
    op.drop_table("payments_sandbox_requests")
    with op.batch_alter_table("payments_sandbox_notifications", schema=None) as batch_op:
        batch_op.drop_index("ix_payments_sandbox_notifications_due")

    op.drop_table("payments_sandbox_notifications")
    with op.batch_alter_table("payments_payment_views", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_payments_payment_views_order_id"))

    op.drop_table("payments_payment_views")
    op.drop_table("outbox_relay_checkpoints")
    with op.batch_alter_table("outbox_messages", schema=None) as batch_op:
        batch_op.drop_index("ix_outbox_messages_position")

    op.drop_table("outbox_messages")
    with op.batch_alter_table("orders_order_views", schema=None) as batch_op:
        batch_op.drop_index("ix_orders_order_views_placed")
        batch_op.drop_index("ix_orders_order_views_customer_placed")

    op.drop_table("orders_order_views")
    op.drop_table("carts_products")
    op.drop_table("carts_cart_views")
