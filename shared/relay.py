"""The relay: delivers committed outbox messages to the modules that subscribed.

Delivery is at least once. The relay reads a batch after its checkpoint, hands
each message to every subscribed handler (each handler runs its own unit of
work), then moves the checkpoint past the message. A crash anywhere in between
means the message is delivered again on restart; nothing committed is skipped.

Messages go out one at a time, in outbox order. When a handler fails, the relay
pauses and delivers the same message again.

Only one relay may deliver at a time, whatever the number of worker processes:
a :class:`~shared.leases.RelayLease` decides which one, and a standby keeps
asking and takes over when the holder dies. A holder can lose its lease without
noticing (its connection killed, the database restarted, an idle-session
timeout), so the lease alone is not enough: each takeover bumps a *lease epoch*
stored with the checkpoint, and every checkpoint write is an ``UPDATE`` that
matches only while the epoch is still the writer's and its lease is still held
(on PostgreSQL: its own session still holds the advisory lock, checked in
``pg_locks`` in the same statement). A deposed relay's write matches no row; it
raises :class:`LeaseLost` and stops, so it delivers at most the message it had
in flight. The write also only ever moves the checkpoint forward.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from eventsourcing_sqlalchemy.datastore import SQLAlchemyDatastore
from sqlalchemy import (
    BigInteger,
    Column,
    ColumnElement,
    CursorResult,
    Integer,
    String,
    Table,
    Update,
    and_,
    bindparam,
    exists,
    func,
    or_,
    select,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import BindParameter

from shared.background import BackgroundThread
from shared.clock import Clock, SystemClock
from shared.database import UtcDateTime, engine_of, metadata
from shared.horizon import Blocker, Horizon, read_horizon
from shared.leases import LeaseHolder, RelayLease
from shared.messaging import Subscription, Subscriptions
from shared.outbox import NOTIFICATION_CHANNEL, IntegrationMessage, outbox_messages

logger = logging.getLogger(__name__)

relay_checkpoints = Table(
    "outbox_relay_checkpoints",
    metadata,
    Column("relay_name", String(100), primary_key=True),
    Column("tx_id", BigInteger(), nullable=False),
    Column("message_position", BigInteger(), nullable=False),
    # Fencing: bumped by every takeover; a checkpoint write must carry the current one.
    Column("lease_epoch", BigInteger(), nullable=False, server_default="0"),
    # Who took the lease last, and when: what an operator asks first.
    Column("holder_worker", String(100), nullable=True),
    Column("holder_host", String(255), nullable=True),
    Column("holder_pid", Integer(), nullable=True),
    Column("lease_taken_at", UtcDateTime(), nullable=True),
)

BEFORE_EVERYTHING = (-1, 0)
# How soon a worker reads again when the horizon held committed messages back.
HELD_BACK_RETRY_SECONDS = 0.005
OLDEST_WAITING_SHOWN = 5


class DeliveryFailed(Exception):
    def __init__(self, message: IntegrationMessage, subscription: Subscription) -> None:
        super().__init__(
            f"{subscription.name} failed on {message.message_type} {message.message_id}"
        )
        self.message = message
        self.subscription = subscription


class LeaseLost(Exception):
    """The relay's checkpoint write was refused: another relay took over, or the lease is gone."""


@dataclass(frozen=True)
class Takeover:
    """The start of a relay's term: its fencing epoch, and who held the lease before."""

    epoch: int
    previous_holder: LeaseHolder | None


@dataclass(frozen=True)
class _Term:
    lease: RelayLease
    epoch: int
    advance: Update
    """The fenced checkpoint write of this term, built once: the relay writes it after
    every message, and building it (and its cache key) cost more than running it."""


@dataclass(frozen=True)
class LeaseStatus:
    """``held``: some process holds the lease now. The rest is the last takeover's record."""

    held: bool
    holder: LeaseHolder | None
    epoch: int
    taken_at: datetime | None


@dataclass(frozen=True)
class WaitingMessage:
    """A committed message not delivered yet; ``held_back`` if the relay may not read it yet."""

    message_id: UUID
    message_type: str
    source: str
    recorded_at: datetime
    age_seconds: float
    held_back: bool


@dataclass(frozen=True)
class RelayStatus:
    """What an operator (the CLI, the readiness route, a health check) needs about a relay.

    ``backlog`` counts every committed message the relay has not delivered, readable
    or not; ``held_back`` are those a still-running transaction of this database keeps
    the relay from reading yet, and ``blocker`` is the oldest such transaction. Ages are
    in seconds, by the shop's clock for messages and the database's for transactions.
    """

    relay_name: str
    checked_at: datetime
    lease: LeaseStatus
    backlog: int
    held_back: int
    oldest_waiting_seconds: float | None
    oldest_waiting: tuple[WaitingMessage, ...]
    blocker: Blocker | None
    stall_threshold_seconds: float

    @property
    def stalled(self) -> bool:
        """A committed message has waited longer than the threshold."""
        return (
            self.oldest_waiting_seconds is not None
            and self.oldest_waiting_seconds > self.stall_threshold_seconds
        )


class OutboxRelay:
    """Delivers the outbox to the subscriptions, in order, from the checkpoint named ``name``.

    ``clock`` stamps takeovers and measures how long messages have waited; it is the
    clock the outbox stamps messages with.
    """

    def __init__(
        self,
        datastore: SQLAlchemyDatastore,
        subscriptions: Subscriptions,
        *,
        name: str = "main",
        batch_size: int = 100,
        clock: Clock | None = None,
    ) -> None:
        self._datastore = datastore
        self._subscriptions = subscriptions
        self._name = name
        self._batch_size = batch_size
        self._clock = clock or SystemClock()
        self._is_postgresql = engine_of(datastore).dialect.name == "postgresql"
        self._term: _Term | None = None
        self.held_back = False
        """Whether the last read stopped at the horizon with committed messages behind it:
        a transaction that started before theirs still runs. It may commit without
        publishing anything, and so without a ``NOTIFY`` to wake the relay: the worker
        looks again soon instead of waiting for its poll."""

    @property
    def name(self) -> str:
        return self._name

    def take_over(self, lease: RelayLease, holder: LeaseHolder) -> Takeover:
        """Starts this relay's term under ``lease``, which the caller has just acquired.

        In one transaction, and only while ``lease`` is still held: bumps the lease
        epoch stored with the checkpoint and records ``holder``. Every checkpoint
        write after this carries the new epoch, so the previous holder's writes are
        refused from now on. Raises :class:`LeaseLost` if the lease went meanwhile.
        """
        with self._datastore.transaction(commit=True) as session:
            self._ensure_checkpoint_row(session)
            previous = session.execute(
                select(relay_checkpoints)
                .where(relay_checkpoints.c.relay_name == self._name)
                .with_for_update()
            ).one()
            epoch = previous.lease_epoch + 1
            taken = self._update_checkpoint(
                session,
                [relay_checkpoints.c.lease_epoch == previous.lease_epoch, lease.still_held()],
                lease_epoch=epoch,
                holder_worker=holder.worker,
                holder_host=holder.host,
                holder_pid=holder.pid,
                lease_taken_at=self._clock.now(),
            )
        if not taken:
            msg = f"relay {self._name}: the lease was lost while taking over"
            raise LeaseLost(msg)
        self._term = _Term(lease, epoch, self._fenced_advance(lease, epoch))
        return Takeover(epoch=epoch, previous_holder=_holder_of(previous))

    def step_down(self) -> None:
        """Ends this relay's term: it writes no fenced checkpoint until the next takeover."""
        self._term = None

    def deliver_pending(self, on_batch: Callable[[], None] | None = None) -> int:
        """Delivers what is committed now, in order; returns how many messages went out.

        Raises :class:`DeliveryFailed` at the first message a handler refuses; the
        checkpoint stays before it. Raises :class:`LeaseLost` when the lease is gone
        before a batch, or when the checkpoint write after a delivered message is
        refused (another relay took over, or the lock went): at most that message
        was delivered after the loss.

        A relay that never took over (run by hand, in tests and tools) writes its
        checkpoint unfenced, though still only forward. ``on_batch`` is called before
        each batch: a worker's heartbeat through a long backlog.
        """
        delivered, batches = 0, 0
        # The caller asked its lease just before the first batch; ask again before the others.
        while (batches == 0 or self._renew_term()) and (batch := self._next_batch()):
            batches += 1
            if on_batch is not None:
                on_batch()
            for message in batch:
                self._deliver(message)
                self._advance_checkpoint(message.position)
                delivered += 1
        return delivered

    def backlog(self) -> int:
        """How many committed messages wait behind the checkpoint, readable yet or not."""
        with self._datastore.transaction(commit=False) as session:
            after = self._after(self._checkpoint(session))
            return session.execute(
                select(func.count()).select_from(outbox_messages).where(after)
            ).scalar_one()

    def oldest_waiting_seconds(self) -> float | None:
        """Age of the oldest committed message not delivered yet, or ``None`` if there is none."""
        with self._datastore.transaction(commit=False) as session:
            after = self._after(self._checkpoint(session))
            oldest = session.execute(
                select(func.min(outbox_messages.c.recorded_at)).where(after)
            ).scalar_one()
        return None if oldest is None else self._age(oldest)

    def status(self, lease: RelayLease, *, stall_threshold_seconds: float) -> RelayStatus:
        """Reads the relay's state: lease, backlog, oldest waiting messages, what holds it back.

        ``lease`` is a lease object for this relay's name; it is only asked whether
        anyone holds it, never taken.
        """
        horizon = self._horizon()
        with self._datastore.transaction(commit=False) as session:
            record = session.execute(
                select(relay_checkpoints).where(relay_checkpoints.c.relay_name == self._name)
            ).one_or_none()
            after = self._after(_position_of(record))
            backlog, oldest = session.execute(
                select(func.count(), func.min(outbox_messages.c.recorded_at)).where(after)
            ).one()
            held_back = (
                0
                if horizon is None
                else session.execute(
                    select(func.count()).where(after, outbox_messages.c.tx_id >= horizon.position)
                ).scalar_one()
            )
            first = session.execute(
                select(outbox_messages)
                .where(after)
                .order_by(outbox_messages.c.tx_id, outbox_messages.c.id)
                .limit(OLDEST_WAITING_SHOWN)
            ).all()
        waiting = tuple(
            WaitingMessage(
                message_id=row.message_id,
                message_type=row.message_type,
                source=row.source,
                recorded_at=_utc(row.recorded_at),
                age_seconds=self._age(row.recorded_at),
                held_back=horizon is not None and horizon.holds_back(row.tx_id),
            )
            for row in first
        )
        blocker = None
        if horizon is not None and first and horizon.holds_back(first[0].tx_id):
            blocker = horizon.blocker_of(first[0].tx_id)
        return RelayStatus(
            relay_name=self._name,
            checked_at=self._clock.now(),
            lease=LeaseStatus(
                held=lease.is_held(),
                holder=_holder_of(record),
                epoch=record.lease_epoch if record else 0,
                taken_at=record.lease_taken_at if record else None,
            ),
            backlog=backlog,
            held_back=held_back,
            oldest_waiting_seconds=None if oldest is None else self._age(oldest),
            oldest_waiting=waiting,
            blocker=blocker,
            stall_threshold_seconds=stall_threshold_seconds,
        )

    def _deliver(self, message: IntegrationMessage) -> None:
        for subscription in self._subscriptions.for_type(message.message_type):
            try:
                subscription.handler(message)
            except Exception as error:
                raise DeliveryFailed(message, subscription) from error

    def _next_batch(self) -> list[IntegrationMessage]:
        # The horizon first, in its own transaction: see shared/horizon.py for why.
        horizon = self._horizon()
        with self._datastore.transaction(commit=False) as session:
            after = self._after(self._checkpoint(session))
            query = (
                select(outbox_messages)
                .where(after)
                .order_by(outbox_messages.c.tx_id, outbox_messages.c.id)
                .limit(self._batch_size)
            )
            if horizon is not None:
                query = query.where(outbox_messages.c.tx_id < horizon.position)
            rows = session.execute(query).all()
            self.held_back = (
                horizon is not None
                and len(rows) < self._batch_size
                and session.execute(
                    select(exists().where(after, outbox_messages.c.tx_id >= horizon.position))
                ).scalar_one()
            )
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

    def _renew_term(self) -> bool:
        """Before each batch, asks the lease again; raises :class:`LeaseLost` if it went.

        Besides noticing a loss early, this keeps the lease's session from sitting idle
        through a long backlog, where an idle-session timeout would end it.
        """
        term = self._term
        if term is not None and not term.lease.acquire():
            msg = f"relay {self._name}: the lease went at epoch {term.epoch}"
            raise LeaseLost(msg)
        return True

    def _horizon(self) -> Horizon | None:
        """PostgreSQL's bound on what may be read; SQLite commits in ``id`` order and has none."""
        if not self._is_postgresql:
            return None
        with self._datastore.transaction(commit=False) as session:
            return read_horizon(session)

    def _checkpoint(self, session: Session) -> tuple[int, int]:
        row = session.execute(
            select(relay_checkpoints.c.tx_id, relay_checkpoints.c.message_position).where(
                relay_checkpoints.c.relay_name == self._name
            )
        ).one_or_none()
        return _position_of(row)

    def _advance_checkpoint(self, position: tuple[int, int]) -> None:
        term = self._term
        tx_id, message_position = position
        forward = _before(position)
        with self._datastore.transaction(commit=True) as session:
            if term is None:
                self._ensure_checkpoint_row(session)
                self._update_checkpoint(
                    session, [forward], tx_id=tx_id, message_position=message_position
                )
                return
            result = session.connection().execute(
                term.advance, {"to_tx_id": tx_id, "to_position": message_position}
            )
            assert isinstance(result, CursorResult)
            moved = result.rowcount == 1
        if not moved and not self._still_holds(term):
            msg = f"relay {self._name}: checkpoint refused at epoch {term.epoch}; deposed"
            raise LeaseLost(msg)

    def _fenced_advance(self, lease: RelayLease, epoch: int) -> Update:
        """Moves the checkpoint to ``to_tx_id``/``to_position``: only forward, only in
        ``epoch``, only while ``lease`` is held."""
        to_tx_id, to_position = (
            bindparam("to_tx_id", type_=BigInteger),
            bindparam("to_position", type_=BigInteger),
        )
        return (
            update(relay_checkpoints)
            .where(
                relay_checkpoints.c.relay_name == self._name,
                _before((to_tx_id, to_position)),
                relay_checkpoints.c.lease_epoch == epoch,
                lease.still_held(),
            )
            .values(tx_id=to_tx_id, message_position=to_position)
        )

    def _still_holds(self, term: _Term) -> bool:
        """Whether a refused write was refused only for not moving forward.

        That happens when two threads of this process deliver through the same relay
        (a worker, and a pass run by hand): both deliver a message, the second to
        write finds the checkpoint already there. Still this relay's term: not a loss.
        """
        with self._datastore.transaction(commit=False) as session:
            return (
                session.execute(
                    select(relay_checkpoints.c.relay_name).where(
                        relay_checkpoints.c.relay_name == self._name,
                        relay_checkpoints.c.lease_epoch == term.epoch,
                        term.lease.still_held(),
                    )
                ).first()
                is not None
            )

    def _update_checkpoint(
        self, session: Session, conditions: Sequence[ColumnElement[bool]], **values: Any
    ) -> bool:
        result = session.connection().execute(
            update(relay_checkpoints)
            .where(relay_checkpoints.c.relay_name == self._name, *conditions)
            .values(**values)
        )
        assert isinstance(result, CursorResult)
        return result.rowcount == 1

    def _ensure_checkpoint_row(self, session: Session) -> None:
        dialect_insert = postgresql.insert if self._is_postgresql else sqlite.insert
        tx_id, message_position = BEFORE_EVERYTHING
        session.execute(
            dialect_insert(relay_checkpoints)
            .values(relay_name=self._name, tx_id=tx_id, message_position=message_position)
            .on_conflict_do_nothing(index_elements=["relay_name"])
        )

    @staticmethod
    def _after(position: tuple[int, int]) -> ColumnElement[bool]:
        tx_id, message_position = position
        return or_(
            outbox_messages.c.tx_id > tx_id,
            and_(outbox_messages.c.tx_id == tx_id, outbox_messages.c.id > message_position),
        )

    def _age(self, recorded_at: datetime) -> float:
        return max(0.0, (self._clock.now() - _utc(recorded_at)).total_seconds())


def _utc(moment: datetime) -> datetime:
    """SQLite hands ``outbox_messages.recorded_at`` back without its offset; it was UTC."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment


def _before(
    position: tuple[int | BindParameter[int], int | BindParameter[int]],
) -> ColumnElement[bool]:
    """The stored checkpoint is before ``position`` (values, or the parameters of a statement
    built once): a write may only move it forward."""
    tx_id, message_position = position
    return or_(
        relay_checkpoints.c.tx_id < tx_id,
        and_(
            relay_checkpoints.c.tx_id == tx_id,
            relay_checkpoints.c.message_position < message_position,
        ),
    )


def _position_of(row: Any) -> tuple[int, int]:
    return (row.tx_id, row.message_position) if row is not None else BEFORE_EVERYTHING


def _holder_of(row: Any) -> LeaseHolder | None:
    if row is None or row.holder_worker is None:
        return None
    return LeaseHolder(worker=row.holder_worker, host=row.holder_host, pid=row.holder_pid)


class OutboxNotifications(BackgroundThread):
    """Wakes a relay when another process commits outbox messages (PostgreSQL ``LISTEN``).

    Polling stays the safety net: a notification missed while reconnecting only
    delays delivery until the next poll.
    """

    def __init__(
        self, datastore: SQLAlchemyDatastore, wake: Callable[[], None], *, retry_seconds: float
    ) -> None:
        super().__init__("outbox-notifications")
        self._engine = engine_of(datastore)
        self._wake = wake
        self._retry_seconds = retry_seconds

    def run(self) -> None:
        while not self.stopping.is_set():
            try:
                self._listen()
            except Exception:
                logger.exception("listening for outbox notifications failed; reconnecting")
                self.stopping.wait(self._retry_seconds)

    def _listen(self) -> None:
        connection = self._engine.raw_connection()
        try:
            listener = connection.driver_connection
            assert listener is not None
            listener.autocommit = True
            listener.execute(f"LISTEN {NOTIFICATION_CHANNEL}")
            # A commit may have happened before LISTEN took effect.
            self._wake()
            while not self.stopping.is_set():
                for _ in listener.notifies(timeout=0.5, stop_after=1):
                    self._wake()
        finally:
            connection.invalidate()  # a connection in LISTEN mode must not go back to the pool


class StallWatch:
    """Logs a stalled relay once when it stalls, and once when it moves again — not per poll.

    A relay is stalled when its oldest waiting message is older than
    ``threshold_seconds``. ``explain`` is asked, only at the first stalled
    observation, for what an operator needs (backlog, blocker).
    """

    def __init__(self, relay_name: str, threshold_seconds: float) -> None:
        self._relay_name = relay_name
        self._threshold_seconds = threshold_seconds
        self._stalled = False

    @property
    def stalled(self) -> bool:
        return self._stalled

    def observe(self, oldest_waiting_seconds: float | None, explain: Callable[[], str]) -> None:
        stalled = (
            oldest_waiting_seconds is not None and oldest_waiting_seconds > self._threshold_seconds
        )
        if stalled and not self._stalled:
            logger.warning(
                "relay %s stalled: a message has waited %.0fs (more than %.0fs); %s",
                self._relay_name,
                oldest_waiting_seconds,
                self._threshold_seconds,
                explain(),
            )
        elif self._stalled and not stalled:
            logger.info("relay %s delivers again", self._relay_name)
        self._stalled = stalled


def describe(status: RelayStatus) -> str:
    """One line for the logs: backlog, lease holder, and what holds delivery back."""
    parts = [f"backlog {status.backlog}", f"held back {status.held_back}"]
    parts.append(f"lease holder {status.lease.holder}" if status.lease.held else "no lease holder")
    blocker = status.blocker
    if blocker is not None:
        age = "?" if blocker.age_seconds is None else f"{blocker.age_seconds:.0f}s"
        parts.append(
            f"held back by pid {blocker.pid} in database {blocker.database}"
            f" ({blocker.state or 'state hidden'}, transaction open {age})"
        )
    return ", ".join(parts)


class RelayWorker(BackgroundThread):
    """Runs a relay in a loop: deliver, then wait to be woken or for the poll interval.

    Several workers may run one relay; each loop asks the lease first. The one that
    gets it takes over (a new fencing epoch) and delivers; the others stand by and
    ask again every ``poll_seconds``. A worker whose checkpoint write is refused, or
    whose lease check fails, stands down and competes again like a standby.
    ``heartbeat`` is called at every round and before every batch: proof, for a
    health check in another process, that the loop turns.
    """

    def __init__(
        self,
        relay: OutboxRelay,
        lease: RelayLease,
        *,
        poll_seconds: float,
        retry_seconds: float,
        stall_threshold_seconds: float = 60.0,
        holder: LeaseHolder | None = None,
        heartbeat: Callable[[], None] | None = None,
    ) -> None:
        super().__init__(f"relay-{relay.name}")
        self._relay = relay
        self._lease = lease
        self._poll_seconds = poll_seconds
        self._retry_seconds = retry_seconds
        self._stall_threshold_seconds = stall_threshold_seconds
        self._holder = holder or LeaseHolder.this_process(f"relay-{relay.name}")
        self._heartbeat = heartbeat
        self._stall_watch = StallWatch(relay.name, stall_threshold_seconds)
        self._leading = False
        self._standing_by = False

    @property
    def holder(self) -> LeaseHolder:
        return self._holder

    @property
    def leading(self) -> bool:
        return self._leading

    def run(self) -> None:
        logger.info("relay %s started as %s", self._relay.name, self._holder)
        try:
            while not self.stopping.is_set():
                self._beat()
                wait = self._round()
                if wait is not None:
                    self.stopping.wait(wait)
                else:
                    self.wait_for_wake(self._poll_seconds)
        finally:
            self._step_down()
            self._lease.release()
            logger.info("relay %s stopped", self._relay.name)

    def _round(self) -> float | None:
        """One look at the lease and, when holding it, one delivery pass.

        Returns how long to pause before the next round, or ``None`` to wait for a
        wake-up or the poll interval.
        """
        try:
            leading = self._lead()
        except Exception:
            # The database is unreachable (restarting, failing over): keep trying.
            logger.exception("relay %s could not take its lease", self._relay.name)
            self._step_down()
            self._lease.release()
            return self._retry_seconds
        if not leading:
            return self._poll_seconds
        try:
            self._relay.deliver_pending(on_batch=self._beat)
        except LeaseLost as lost:
            logger.warning("%s; %s stands by", lost, self._holder)
            self._step_down()
            self._lease.release()
            return 0.0
        except DeliveryFailed as failure:
            logger.exception("%s; retrying in %.1fs", failure, self._retry_seconds)
            self._watch_for_stall()
            return self._retry_seconds
        except Exception:
            logger.exception("relay %s failed; retrying", self._relay.name)
            return self._retry_seconds
        self._watch_for_stall()
        if self._relay.held_back:
            return HELD_BACK_RETRY_SECONDS
        return None

    def _lead(self) -> bool:
        if not self._lease.acquire():
            if self._leading:
                logger.warning("relay %s: %s lost its lease", self._relay.name, self._holder)
                self._step_down()
            if not self._standing_by:
                logger.info(
                    "relay %s: %s stands by; another worker holds the lease",
                    self._relay.name,
                    self._holder,
                )
                self._standing_by = True
            return False
        if self._leading:
            return True
        try:
            takeover = self._relay.take_over(self._lease, self._holder)
        except Exception:
            self._lease.release()
            raise
        self._leading, self._standing_by = True, False
        if takeover.previous_holder is None or takeover.previous_holder == self._holder:
            logger.info(
                "relay %s: %s holds the lease (epoch %d)",
                self._relay.name,
                self._holder,
                takeover.epoch,
            )
        else:
            logger.warning(
                "relay %s: %s takes over the lease from %s (epoch %d)",
                self._relay.name,
                self._holder,
                takeover.previous_holder,
                takeover.epoch,
            )
        return True

    def _beat(self) -> None:
        if self._heartbeat is not None:
            self._heartbeat()

    def _step_down(self) -> None:
        self._leading = False
        self._relay.step_down()

    def _watch_for_stall(self) -> None:
        try:
            self._stall_watch.observe(
                self._relay.oldest_waiting_seconds(),
                lambda: describe(
                    self._relay.status(
                        self._lease, stall_threshold_seconds=self._stall_threshold_seconds
                    )
                ),
            )
        except Exception:
            logger.exception("relay %s could not check for a stall", self._relay.name)
