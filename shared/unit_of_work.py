"""The unit of work: one database transaction around one command.

Inside ``with uow:`` a handler loads its aggregate, decides, updates its module's
inline read models through ``uow.session``, publishes its events and sends its
commands to the outbox (``uow.publish_events``, ``uow.send``), and calls the event
store's ``save()`` last. All of it commits at the end of the block, or none
of it does.

Why ``save()`` last: on PostgreSQL saving takes an exclusive lock on the module's
events table until commit, so anything slow after it would serialise every writer
of that module.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import asdict
from types import TracebackType
from typing import Any, Self, TypeVar
from uuid import UUID

from eventsourcing.persistence import IntegrityError
from eventsourcing_sqlalchemy.datastore import SQLAlchemyDatastore, Transaction
from sqlalchemy.orm import Session

from shared.errors import ConcurrencyConflict, StaleVersion
from shared.messaging import Command
from shared.outbox import Outbox


class UnitOfWork:
    def __init__(self, datastore: SQLAlchemyDatastore, outbox: Outbox, source: str) -> None:
        self._datastore = datastore
        self._outbox = outbox
        self._source = source
        self._transaction: Transaction | None = None
        self._session: Session | None = None
        self._published = False

    @property
    def session(self) -> Session:
        if self._session is None:
            msg = "the unit of work is used outside its 'with' block"
            raise RuntimeError(msg)
        return self._session

    def publish(self, message_type: str, payload: Mapping[str, Any]) -> UUID:
        message_id = self._outbox.add(
            self.session, source=self._source, message_type=message_type, payload=payload
        )
        self._published = True
        return message_id

    def send(self, command: Command) -> UUID:
        """Sends a command to the module that handles it, once this unit of work commits."""
        return self.publish(command.message_type, command.model_dump(mode="json"))

    def publish_events(self, events: Iterable[object], message_types: Mapping[Any, str]) -> None:
        """Publishes each event whose class is listed, with the event's fields as the payload."""
        for event in events:
            message_type = message_types.get(type(event))
            if message_type is not None:
                self.publish(message_type, asdict(event))  # type: ignore[call-overload]

    def __enter__(self) -> Self:
        self._published = False
        self._transaction = self._datastore.transaction(commit=True)
        self._session = self._transaction.__enter__()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        transaction, self._transaction, self._session = self._transaction, None, None
        assert transaction is not None
        try:
            transaction.__exit__(exc_type, exc, traceback)
        except IntegrityError as error:
            # Two commands raced on the same aggregate version; the caller may reload and retry.
            raise ConcurrencyConflict(
                "changed by someone else meanwhile; reload and retry"
            ) from error
        if self._published:
            self._outbox.committed()


T = TypeVar("T")

MAX_ATTEMPTS = 8
"""How many times a command without ``If-Match`` is tried before its conflict is reported."""
_FIRST_BACKOFF_SECONDS = 0.002


def retry_on_conflict(
    attempt: Callable[[], T],
    *,
    expected_version: int | None,
    attempts: int = MAX_ATTEMPTS,
    pause: Callable[[float], None] = time.sleep,
) -> T:
    """Runs ``attempt`` — one whole unit of work: load, decide, save — and, when it lost a
    race on its aggregate (:class:`ConcurrencyConflict`), runs it again on the new state.

    A caller who named the version they saw (``expected_version``, from ``If-Match``)
    asked for optimistic concurrency: their command is tried once, so that a change
    they have not seen makes it fail, with :class:`StaleVersion` (412). A caller who
    named none only wants the command done; deciding again on the reloaded aggregate is
    exactly what they would do (its rules still apply: a confirmed cart still refuses an
    addition). After ``attempts`` lost races the conflict is raised (409). Between attempts a short
    random pause (``pause``, seconds) spreads out writers that keep colliding.
    """
    if expected_version is not None:
        try:
            return attempt()
        except ConcurrencyConflict:
            # The version the caller named was overtaken while this command ran.
            msg = f"no longer at version {expected_version}: changed by someone else meanwhile"
            raise StaleVersion(msg) from None
    for number in range(1, attempts + 1):
        try:
            return attempt()
        except ConcurrencyConflict:
            if number == attempts:
                raise
            pause(random.uniform(0, _FIRST_BACKOFF_SECONDS * 2**number))  # noqa: S311 - jitter
    raise AssertionError("unreachable: the last attempt returns or raises")


class Transactions:
    """A module's way into the database: units of work to write, read-only sessions to query.

    Units of work stamp the module's name on the messages they publish.
    """

    def __init__(self, datastore: SQLAlchemyDatastore, outbox: Outbox, source: str) -> None:
        self._datastore = datastore
        self._outbox = outbox
        self._source = source

    def unit_of_work(self) -> UnitOfWork:
        return UnitOfWork(self._datastore, self._outbox, self._source)

    @contextmanager
    def read_only(self) -> Iterator[Session]:
        with self._datastore.transaction(commit=False) as session:
            yield session
