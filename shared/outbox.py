"""The outbox: integration messages recorded in the same transaction as their cause.

A module never calls another module. When something happens that others care
about, the handler adds a message here inside its unit of work; the relay
delivers it after the commit. If the transaction rolls back, the message was
never written; if it commits, the message will be delivered, whatever crashes.

Ordering on PostgreSQL: sequence values are taken before commit, so a row with a
smaller id can become visible after a row with a larger one. Each row therefore
records the id of the transaction that wrote it, and the relay reads only rows
of transactions older than every transaction still running in this database
(``shared/horizon.py``), in ``(tx_id, id)`` order. Nothing the relay has passed
can appear behind it later. SQLite has a single writer, so ``id`` order is commit
order.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID, uuid4

import pydantic_core
from sqlalchemy import (
    BigInteger,
    Column,
    ColumnElement,
    DateTime,
    Index,
    Integer,
    String,
    Table,
    Text,
    Uuid,
    bindparam,
    insert,
    literal,
    literal_column,
    text,
)
from sqlalchemy.orm import Session
from sqlalchemy.sql.dml import Insert

from shared.clock import Clock
from shared.database import metadata

outbox_messages = Table(
    "outbox_messages",
    metadata,
    Column("id", BigInteger().with_variant(Integer(), "sqlite"), primary_key=True),
    Column("message_id", Uuid(), nullable=False, unique=True),
    Column("tx_id", BigInteger(), nullable=False),
    Column("source", String(50), nullable=False),
    Column("message_type", String(200), nullable=False),
    Column("payload", Text(), nullable=False),
    Column("recorded_at", DateTime(timezone=True), nullable=False),
    Index("ix_outbox_messages_position", "tx_id", "id"),
)

_PG_CURRENT_TX_ID = "CAST(CAST(pg_current_xact_id() AS text) AS bigint)"
NOTIFICATION_CHANNEL = "shop_outbox"


@dataclass(frozen=True)
class IntegrationMessage:
    """A message as the relay hands it to subscribers."""

    message_id: UUID
    message_type: str
    source: str
    payload: Mapping[str, Any]
    recorded_at: datetime
    position: tuple[int, int]


class Outbox:
    """Writes messages into the current transaction and wakes the relay after commit."""

    def __init__(self, clock: Clock) -> None:
        self._clock = clock
        self._listeners: list[Callable[[], None]] = []
        self._lock = threading.Lock()

    def add(
        self, session: Session, *, source: str, message_type: str, payload: Mapping[str, Any]
    ) -> UUID:
        message_id = uuid4()
        is_postgresql = session.get_bind().dialect.name == "postgresql"
        if is_postgresql:
            # Delivered at commit (PostgreSQL folds repeats within a transaction): relays in
            # other processes listen, and need not wait for their next poll.
            session.execute(_NOTIFY)
        session.execute(
            _INSERT_ON_POSTGRESQL if is_postgresql else _INSERT_ON_SQLITE,
            {
                "message_id": message_id,
                "source": source,
                "message_type": message_type,
                "payload": pydantic_core.to_json(payload).decode(),
                "recorded_at": self._clock.now(),
            },
        )
        return message_id

    def on_commit(self, listener: Callable[[], None]) -> Callable[[], None]:
        """Calls ``listener`` after every commit that published; returns how to stop that."""
        with self._lock:
            self._listeners.append(listener)

        def remove() -> None:
            with self._lock:
                self._listeners.remove(listener)

        return remove

    def committed(self) -> None:
        with self._lock:
            listeners = list(self._listeners)
        for listener in listeners:
            listener()


def _insert_message(tx_id: ColumnElement[int]) -> Insert:
    """The outbox row's insert, built once: every command of the shop runs it."""
    return insert(outbox_messages).values(
        message_id=bindparam("message_id"),
        tx_id=tx_id,
        source=bindparam("source"),
        message_type=bindparam("message_type"),
        payload=bindparam("payload"),
        recorded_at=bindparam("recorded_at"),
    )


_INSERT_ON_POSTGRESQL = _insert_message(literal_column(_PG_CURRENT_TX_ID))
_INSERT_ON_SQLITE = _insert_message(literal(0))
_NOTIFY = text(f"NOTIFY {NOTIFICATION_CHANNEL}")
