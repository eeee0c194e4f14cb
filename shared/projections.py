"""Asynchronous read models: projections that follow a module's events after the fact.

A projection reads the events of one ``eventsourcing`` application through the
library's own notification log (``recorder.select_notifications``: every event of
the application, in the order of its notification id) and applies them to tables
of its own. Unlike the inline read models, which a command updates in its own
transaction, it runs later, in a worker: the command does not pay for it, and the
report it serves is a little behind, by the ``lag`` that :class:`ProjectionStatus`
reports.

Its position is the notification id of the last event it has read, kept in
``projection_checkpoints``. Reading "the events after the position" is safe on both
engines: on PostgreSQL the recorder locks its events table (``LOCK TABLE ... IN
EXCLUSIVE MODE``) before it takes ids, so ids commit in the order they were taken
and a reader that sees id N has seen every committed id below it; on SQLite there
is one writer at a time. Ids may have gaps (a rolled-back save burns a sequence
value on PostgreSQL), so the lag is a count of events, not a difference of ids.

:class:`ProjectionRunner` runs one projection: a batch of events is applied in one
transaction, then the checkpoint is written in the next. One runner at a time per
projection, across processes: each run holds the projection's lease (the relay's
kind of lease: an advisory lock on PostgreSQL, a file lock beside a SQLite file),
so that two workers, or a worker and a rebuild, never apply the same events.
:class:`ProjectionWorker` runs it in a background thread, in ``shop serve`` and
``shop worker``; ``shop projections`` lists and rebuilds projections.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Collection, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from eventsourcing.application import Application
from eventsourcing.domain import DomainEventProtocol
from eventsourcing_sqlalchemy.datastore import SQLAlchemyDatastore
from sqlalchemy import BigInteger, Column, String, Table, func, select
from sqlalchemy.orm import Session

from shared.background import BackgroundThread
from shared.clock import Clock
from shared.database import UtcDateTime, metadata, upsert
from shared.event_sourcing import events_table
from shared.leases import RelayLease, lease_for

logger = logging.getLogger(__name__)

DEFAULT_BATCH_SIZE = 500
"""Events read and applied per transaction."""
LEASE_WAIT_SECONDS = 30.0
"""How long a rebuild waits for a worker's run to finish before giving up."""
_LEASE_POLL_SECONDS = 0.1

projection_checkpoints = Table(
    "projection_checkpoints",
    metadata,
    Column("name", String(100), primary_key=True),
    # The notification id of the last event the projection has read; 0 before the first.
    Column("position", BigInteger(), nullable=False),
    Column("updated_at", UtcDateTime(), nullable=False),
)

DomainEvent = DomainEventProtocol[Any]


class Projection(Protocol):
    """A read model that follows an application's events.

    ``name`` identifies it (its checkpoint, its lease, ``shop projections rebuild
    NAME``); ``topics`` are the event topics it applies, the others are read past.
    """

    @property
    def name(self) -> str: ...

    @property
    def topics(self) -> Collection[str]: ...

    def apply(self, session: Session, events: Sequence[DomainEvent]) -> None:
        """Applies ``events`` (those of ``topics``, in notification order) in ``session``."""
        ...

    def clear(self, session: Session) -> None:
        """Empties the read model, for a rebuild."""
        ...


class ProjectionBusy(Exception):
    """Another runner of the projection, in this process or another, holds its lease."""


@dataclass(frozen=True)
class ProjectionStatus:
    """How far a projection has read its application's events."""

    name: str
    position: int
    """Notification id of the last event read; 0 before the first."""
    lag: int
    """Events recorded after ``position``: not in the read model yet."""
    updated_at: datetime | None
    """When the position last moved; ``None`` before the first run."""


@dataclass(frozen=True)
class RebuildReport:
    name: str
    events: int
    """Events read from the start of the log (every topic, applied or read past)."""
    seconds: float
    """Wall-clock duration of the replay."""

    @property
    def events_per_second(self) -> float:
        return self.events / self.seconds if self.seconds > 0 else float(self.events)


def projection_lease(datastore: SQLAlchemyDatastore, name: str) -> RelayLease:
    """The lease every runner of projection ``name`` takes, whichever process it is in."""
    return lease_for(datastore, f"projection-{name}")


def _never() -> bool:
    return False


class ProjectionRunner:
    """Runs ``projection`` over the events of ``application``, from its checkpoint on."""

    def __init__(
        self,
        projection: Projection,
        application: Application[Any],
        datastore: SQLAlchemyDatastore,
        clock: Clock,
        *,
        batch_size: int = DEFAULT_BATCH_SIZE,
    ) -> None:
        self._projection = projection
        self._application = application
        self._datastore = datastore
        self._clock = clock
        self._batch_size = batch_size
        self._topics = frozenset(projection.topics)
        self._events = events_table(application.name)
        self._lease = projection_lease(datastore, projection.name)
        # The lease is per process; this lock keeps two threads of one process apart.
        self._running = threading.Lock()

    @property
    def name(self) -> str:
        return self._projection.name

    def status(self) -> ProjectionStatus:
        with self._datastore.transaction(commit=False) as session:
            checkpoint = session.execute(
                select(
                    projection_checkpoints.c.position, projection_checkpoints.c.updated_at
                ).where(projection_checkpoints.c.name == self.name)
            ).first()
            position = checkpoint.position if checkpoint else 0
            lag = session.execute(
                select(func.count()).select_from(self._events).where(self._events.c.id > position)
            ).scalar_one()
        return ProjectionStatus(
            name=self.name,
            position=position,
            lag=lag,
            updated_at=checkpoint.updated_at if checkpoint else None,
        )

    def run_once(self) -> int:
        """Applies the next batch of events after the checkpoint; returns how many it read.

        Raises :class:`ProjectionBusy` when another runner is at work.
        """
        with self._exclusively():
            return self._next_batch()

    def catch_up(
        self,
        *,
        until: Callable[[], bool] = _never,
        on_batch: Callable[[int], None] | None = None,
    ) -> int:
        """Applies batches until no event is left after the checkpoint, or ``until()``.

        Returns how many events it read; ``on_batch`` hears each batch's count. Raises
        :class:`ProjectionBusy` when another runner is at work.
        """
        with self._exclusively():
            return self._catch_up(until, on_batch)

    def rebuild(
        self,
        *,
        on_progress: Callable[[int, int], None] | None = None,
        wait_seconds: float = LEASE_WAIT_SECONDS,
        pause: Callable[[float], None] = time.sleep,
        timer: Callable[[], float] = time.perf_counter,
    ) -> RebuildReport:
        """Empties the read model and replays every event of the application into it.

        The read model is emptied and the checkpoint set back to 0 in one transaction;
        the replay then fills the same table, batch after batch. ``on_progress(done,
        total)`` hears the events read so far and the events to read (those recorded
        when the rebuild started, and any recorded since). Waits up to
        ``wait_seconds`` for a worker's run to end, then raises :class:`ProjectionBusy`.
        ``timer`` reads seconds, for the report's duration.
        """
        with self._exclusively(wait_seconds, pause):
            started = timer()
            with self._datastore.transaction(commit=True) as session:
                self._projection.clear(session)
                self._write_checkpoint(session, 0)
            with self._datastore.transaction(commit=False) as session:
                total = session.execute(select(func.count()).select_from(self._events)).scalar_one()
            done = 0

            def progress(count: int) -> None:
                nonlocal done
                done += count
                if on_progress is not None:
                    on_progress(done, max(total, done))

            if on_progress is not None:
                on_progress(0, total)
            self._catch_up(_never, progress)
            return RebuildReport(self.name, events=done, seconds=timer() - started)

    @contextmanager
    def _exclusively(
        self, wait_seconds: float = 0.0, pause: Callable[[float], None] = time.sleep
    ) -> Iterator[None]:
        deadline = time.monotonic() + wait_seconds
        acquired = (
            self._running.acquire(timeout=wait_seconds)
            if wait_seconds > 0
            else self._running.acquire(blocking=False)
        )
        if not acquired:
            raise ProjectionBusy(f"projection {self.name} is already running in this process")
        try:
            while not self._lease.acquire():
                if time.monotonic() >= deadline:
                    msg = (
                        f"projection {self.name} is being run by another process"
                        " (a `shop worker` or `shop serve`); try again"
                    )
                    raise ProjectionBusy(msg)
                pause(_LEASE_POLL_SECONDS)
            try:
                yield
            finally:
                self._lease.release()
        finally:
            self._running.release()

    def _catch_up(self, until: Callable[[], bool], on_batch: Callable[[int], None] | None) -> int:
        total = 0
        while not until():
            count = self._next_batch()
            if count == 0:
                break
            total += count
            if on_batch is not None:
                on_batch(count)
        return total

    def _next_batch(self) -> int:
        position = self._position()
        notifications = self._application.recorder.select_notifications(
            start=position, limit=self._batch_size, inclusive_of_start=False
        )
        if not notifications:
            return 0
        mapper = self._application.mapper
        events = [
            mapper.to_domain_event(notification)
            for notification in notifications
            if notification.topic in self._topics
        ]
        if events:
            with self._datastore.transaction(commit=True) as session:
                if not session.execute(select(self._lease.still_held())).scalar_one():
                    raise ProjectionBusy(f"projection {self.name} lost its lease")
                self._projection.apply(session, events)
        with self._datastore.transaction(commit=True) as session:
            self._write_checkpoint(session, notifications[-1].id)
        return len(notifications)

    def _position(self) -> int:
        with self._datastore.transaction(commit=False) as session:
            position: int | None = session.execute(
                select(projection_checkpoints.c.position).where(
                    projection_checkpoints.c.name == self.name
                )
            ).scalar_one_or_none()
        return position or 0

    def _write_checkpoint(self, session: Session, position: int) -> None:
        upsert(
            session,
            projection_checkpoints,
            key={"name": self.name},
            values={"position": position, "updated_at": self._clock.now()},
        )


class ProjectionWorker(BackgroundThread):
    """Keeps a projection caught up: every ``poll_seconds``, applies what was recorded since.

    A round that finds another runner at work (a second worker, a rebuild) skips.
    A failing round (the database unreachable) is logged once, with its traceback,
    until a round succeeds again.
    """

    def __init__(self, runner: ProjectionRunner, *, poll_seconds: float) -> None:
        super().__init__(f"projection-{runner.name}")
        self._runner = runner
        self._poll_seconds = poll_seconds

    def run(self) -> None:
        name = self._runner.name
        logger.info("projection %s started, every %.1fs", name, self._poll_seconds)
        failed_rounds = 0
        while not self.stopping.is_set():
            try:
                self._runner.catch_up(until=self.stopping.is_set)
            except ProjectionBusy as busy:
                logger.debug("%s; skipping this round", busy)
            except Exception:
                if failed_rounds == 0:
                    logger.exception("projection %s failed; trying again every round", name)
                failed_rounds += 1
            else:
                if failed_rounds:
                    logger.info("projection %s works again (%d failed rounds)", name, failed_rounds)
                    failed_rounds = 0
            self.stopping.wait(self._poll_seconds)
        logger.info("projection %s stopped", name)
