"""The relay: delivers committed outbox messages to the modules that subscribed.

Delivery is at least once. The relay reads a batch after its checkpoint, hands
each message to every subscribed handler (each handler runs its own unit of
work), then moves the checkpoint past the message. A crash anywhere in between
means the message is delivered again on restart; nothing committed is skipped.

Messages go out one at a time, in outbox order. When a handler fails, the relay
pauses and delivers the same message again.

Only one relay may deliver at a time, whatever the number of worker processes:
a :class:`RelayLease` decides which one. A standby keeps asking and takes over
when the holder dies.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import logging
import threading
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any, Protocol

from eventsourcing_sqlalchemy.datastore import SQLAlchemyDatastore
from sqlalchemy import (
    BigInteger,
    Column,
    Connection,
    Select,
    String,
    Table,
    and_,
    func,
    literal_column,
    or_,
    select,
    text,
)
from sqlalchemy.engine import make_url

from shared.database import engine_of, metadata, upsert
from shared.messaging import Subscription, Subscriptions
from shared.outbox import (
    NOTIFICATION_CHANNEL,
    PG_VISIBILITY_HORIZON,
    IntegrationMessage,
    outbox_messages,
)

logger = logging.getLogger(__name__)

relay_checkpoints = Table(
    "outbox_relay_checkpoints",
    metadata,
    Column("relay_name", String(100), primary_key=True),
    Column("tx_id", BigInteger(), nullable=False),
    Column("message_position", BigInteger(), nullable=False),
)


class DeliveryFailed(Exception):
    def __init__(self, message: IntegrationMessage, subscription: Subscription) -> None:
        super().__init__(
            f"{subscription.name} failed on {message.message_type} {message.message_id}"
        )
        self.message = message
        self.subscription = subscription


class OutboxRelay:
    def __init__(
        self,
        datastore: SQLAlchemyDatastore,
        subscriptions: Subscriptions,
        *,
        name: str = "main",
        batch_size: int = 100,
    ) -> None:
        self._datastore = datastore
        self._subscriptions = subscriptions
        self._name = name
        self._batch_size = batch_size
        self._is_postgresql = engine_of(datastore).dialect.name == "postgresql"

    @property
    def name(self) -> str:
        return self._name

    def deliver_pending(self) -> int:
        """Delivers what is committed now, in order; returns how many messages went out.

        Raises :class:`DeliveryFailed` at the first message a handler refuses; the
        checkpoint stays before it.
        """
        delivered = 0
        while batch := self._next_batch():
            for message in batch:
                self._deliver(message)
                self._advance_checkpoint(message.position)
                delivered += 1
        return delivered

    def backlog(self) -> int:
        """How many committed messages are waiting behind the checkpoint."""
        pending = self._after_checkpoint_query(limit=None).subquery()
        with self._datastore.transaction(commit=False) as session:
            return session.execute(select(func.count()).select_from(pending)).scalar_one()

    def _deliver(self, message: IntegrationMessage) -> None:
        for subscription in self._subscriptions.for_type(message.message_type):
            try:
                subscription.handler(message)
            except Exception as error:
                raise DeliveryFailed(message, subscription) from error

    def _next_batch(self) -> list[IntegrationMessage]:
        with self._datastore.transaction(commit=False) as session:
            rows = session.execute(self._after_checkpoint_query(limit=self._batch_size)).all()
        return [
            IntegrationMessage(
                message_id=row.message_id,
                message_type=row.message_type,
                source=row.source,
                payload=json.loads(row.payload),
                recorded_at=row.recorded_at,
                position=(row.tx_id, row.id),
            )
            for row in rows
        ]

    def _after_checkpoint_query(self, *, limit: int | None) -> Select[Any]:
        tx_id, position = self._checkpoint()
        query = (
            select(outbox_messages)
            .where(
                or_(
                    outbox_messages.c.tx_id > tx_id,
                    and_(outbox_messages.c.tx_id == tx_id, outbox_messages.c.id > position),
                )
            )
            .order_by(outbox_messages.c.tx_id, outbox_messages.c.id)
        )
        if self._is_postgresql:
            query = query.where(outbox_messages.c.tx_id < literal_column(PG_VISIBILITY_HORIZON))
        if limit is not None:
            query = query.limit(limit)
        return query

    def _checkpoint(self) -> tuple[int, int]:
        with self._datastore.transaction(commit=False) as session:
            row = session.execute(
                select(relay_checkpoints.c.tx_id, relay_checkpoints.c.message_position).where(
                    relay_checkpoints.c.relay_name == self._name
                )
            ).one_or_none()
        return (row.tx_id, row.message_position) if row else (-1, 0)

    def _advance_checkpoint(self, position: tuple[int, int]) -> None:
        tx_id, message_position = position
        with self._datastore.transaction(commit=True) as session:
            upsert(
                session,
                relay_checkpoints,
                key={"relay_name": self._name},
                values={"tx_id": tx_id, "message_position": message_position},
            )


class RelayLease(Protocol):
    """Decides which of several relay processes delivers."""

    def acquire(self) -> bool: ...

    def release(self) -> None: ...


class PostgresAdvisoryLease:
    """A session-level advisory lock, held on a dedicated connection.

    PostgreSQL releases it when the holder's connection ends, so a crashed or
    partitioned worker hands over without anyone having to notice.
    """

    def __init__(self, datastore: SQLAlchemyDatastore, name: str) -> None:
        self._engine = engine_of(datastore)
        self._key = zlib.crc32(f"shop-relay:{name}".encode())
        self._connection: Connection | None = None

    def acquire(self) -> bool:
        if self._connection is not None:
            try:
                self._connection.execute(text("SELECT 1"))
                self._connection.commit()
            except Exception:
                logger.warning("relay lease connection lost; trying to take it again")
                self.release()
            else:
                return True
        connection = self._engine.connect()
        got = connection.execute(
            text("SELECT pg_try_advisory_lock(:key)"), {"key": self._key}
        ).scalar_one()
        connection.commit()
        if got:
            self._connection = connection
            return True
        connection.close()
        return False

    def release(self) -> None:
        connection, self._connection = self._connection, None
        if connection is None:
            return
        try:
            # A session-level lock outlives the connection's return to the pool: unlock it.
            connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": self._key})
            connection.commit()
        except Exception:
            # The connection is broken, and the lock went with it; never pool it again.
            with contextlib.suppress(Exception):
                connection.invalidate()
        with contextlib.suppress(Exception):
            connection.close()


class FileLease:
    """An exclusive lock on a file beside the SQLite database; the OS frees it if we die."""

    def __init__(self, path: Path) -> None:
        self._path = path
        self._file: IO[bytes] | None = None

    def acquire(self) -> bool:
        if self._file is not None:
            return True
        self._path.parent.mkdir(parents=True, exist_ok=True)
        file = self._path.open("ab")
        try:
            fcntl.flock(file.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            file.close()
            return False
        self._file = file
        return True

    def release(self) -> None:
        file, self._file = self._file, None
        if file is not None:
            fcntl.flock(file.fileno(), fcntl.LOCK_UN)
            file.close()


def lease_for(datastore: SQLAlchemyDatastore, relay_name: str) -> RelayLease:
    engine = engine_of(datastore)
    if engine.dialect.name == "postgresql":
        return PostgresAdvisoryLease(datastore, relay_name)
    database = make_url(str(engine.url)).database or "shop.sqlite3"
    return FileLease(Path(f"{database}.relay-{relay_name}.lock"))


class OutboxNotifications:
    """Wakes a relay when another process commits outbox messages (PostgreSQL ``LISTEN``).

    Polling stays the safety net: a notification missed while reconnecting only
    delays delivery until the next poll.
    """

    def __init__(
        self, datastore: SQLAlchemyDatastore, wake: Callable[[], None], *, retry_seconds: float
    ) -> None:
        self._engine = engine_of(datastore)
        self._wake = wake
        self._retry_seconds = retry_seconds
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None

    def run(self) -> None:
        while not self._stopping.is_set():
            try:
                self._listen()
            except Exception:
                logger.exception("listening for outbox notifications failed; reconnecting")
                self._stopping.wait(self._retry_seconds)

    def _listen(self) -> None:
        connection = self._engine.raw_connection()
        try:
            listener = connection.driver_connection
            assert listener is not None
            listener.autocommit = True
            listener.execute(f"LISTEN {NOTIFICATION_CHANNEL}")
            # A commit may have happened before LISTEN took effect.
            self._wake()
            while not self._stopping.is_set():
                for _ in listener.notifies(timeout=0.5, stop_after=1):
                    self._wake()
        finally:
            connection.invalidate()  # a connection in LISTEN mode must not go back to the pool

    def start(self) -> None:
        self._stopping.clear()
        self._thread = threading.Thread(target=self.run, name="outbox-notifications")
        self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        self._stopping.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None


class RelayWorker:
    """Runs a relay in a loop: deliver, then wait to be woken or for the poll interval."""

    def __init__(
        self,
        relay: OutboxRelay,
        lease: RelayLease,
        *,
        poll_seconds: float,
        retry_seconds: float,
    ) -> None:
        self._relay = relay
        self._lease = lease
        self._poll_seconds = poll_seconds
        self._retry_seconds = retry_seconds
        self._wakeup = threading.Event()
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None

    def wake(self) -> None:
        self._wakeup.set()

    def run(self) -> None:
        logger.info("relay %s started", self._relay.name)
        try:
            while not self._stopping.is_set():
                self._wakeup.clear()
                try:
                    leading = self._lease.acquire()
                except Exception:
                    # The database is unreachable (restarting, failing over): keep trying.
                    logger.exception("relay %s could not take its lease", self._relay.name)
                    self._lease.release()
                    self._stopping.wait(self._retry_seconds)
                    continue
                if not leading:
                    self._stopping.wait(self._poll_seconds)
                    continue
                try:
                    self._relay.deliver_pending()
                except DeliveryFailed as failure:
                    logger.exception("%s; retrying in %.1fs", failure, self._retry_seconds)
                    self._stopping.wait(self._retry_seconds)
                    continue
                except Exception:
                    logger.exception("relay %s failed; retrying", self._relay.name)
                    self._stopping.wait(self._retry_seconds)
                    continue
                self._wakeup.wait(self._poll_seconds)
        finally:
            self._lease.release()
            logger.info("relay %s stopped", self._relay.name)

    def start(self) -> None:
        self._stopping.clear()
        self._thread = threading.Thread(target=self.run, name=f"relay-{self._relay.name}")
        self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        self._stopping.set()
        self._wakeup.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None
