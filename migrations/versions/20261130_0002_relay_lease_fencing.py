"""relay lease fencing: a lease epoch and the holder's identity beside the checkpoint

Every takeover of the relay's lease bumps ``lease_epoch``; a checkpoint write must
carry the current epoch, so a relay that lost its lease can no longer move the
checkpoint. The holder columns say which worker took the lease last, and when.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-30 09:45:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("outbox_relay_checkpoints", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("lease_epoch", sa.BigInteger(), server_default="0", nullable=False)
        )
        batch_op.add_column(sa.Column("holder_worker", sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column("holder_host", sa.String(length=255), nullable=True))
        batch_op.add_column(sa.Column("holder_pid", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("lease_taken_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("outbox_relay_checkpoints", schema=None) as batch_op:
        batch_op.drop_column("lease_taken_at")
        batch_op.drop_column("holder_pid")
        batch_op.drop_column("holder_host")
        batch_op.drop_column("holder_worker")
        batch_op.drop_column("lease_epoch")
