"""One ``eventsourcing`` application per module, all on the process's shared datastore.

A module's application is where its aggregates live: ``get`` and ``find`` rebuild
one from its events, ``save`` appends the events it recorded. Each module subclasses
:class:`ModuleApplication` with its own ``name``; the library then keeps that
module's events in the table ``<name>_events``. Tables are created by the
migrations, never by the library (``CREATE_TABLE=no``).

Saving costs what the module needs and no more. The library's recorder sends a
``NOTIFY`` on every save, for its own ``subscribe()``; the shop never subscribes, so
:class:`ModuleEventRecorder` sends none. On PostgreSQL the recorder also takes
``LOCK TABLE <name>_events IN EXCLUSIVE MODE`` before it takes notification ids, so
that ids commit in the order they were taken: a reader of the notification log that
sees id N has then seen every committed id below it. That lock serialises every save
of the module until its commit, so it is only taken by a module whose notification
log a projection reads (``notification_log_is_read``; see ``shared.projections``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar, TypeVar
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError, Application
from eventsourcing.domain import Aggregate
from eventsourcing.persistence import InfrastructureFactory, StoredEvent
from eventsourcing.utils import Environment, EnvType
from eventsourcing_sqlalchemy.datastore import SQLAlchemyDatastore
from eventsourcing_sqlalchemy.factory import SQLAlchemyFactory
from eventsourcing_sqlalchemy.models import StoredEventRecord  # type: ignore[attr-defined]
from eventsourcing_sqlalchemy.recorders import SQLAlchemyApplicationRecorder
from sqlalchemy import Table, bindparam, insert, select
from sqlalchemy.orm import Session

from shared.errors import NotFound

A = TypeVar("A", bound=Aggregate)

EVENT_STORE_ENV = {
    "PERSISTENCE_MODULE": "eventsourcing_sqlalchemy",
    "CREATE_TABLE": "no",
    # The datastore is injected; an SQLALCHEMY_URL in the process environment must not win.
    "SQLALCHEMY_URL": "",
}


class ModuleEventRecorder(SQLAlchemyApplicationRecorder):
    """The library's recorder of a module's events, less the work nothing here uses.

    Same table, same rows, same errors as the library's recorder; three differences:

    - ``ordered_ids`` keeps the library's table lock (PostgreSQL), which makes
      notification ids commit in order; without it, concurrent saves of the module
      proceed in parallel and ids may commit out of order, which only a reader of
      the notification log would notice.
    - No ``NOTIFY`` is sent: nothing listens to the library's channel.
    - Events are inserted, and a stream read, with Core statements built once, not
      through the ORM's unit of work and query objects, which cost about twice the
      CPU of the statement itself (``bench/README.md``). A duplicate version still
      raises the library's ``IntegrityError`` when the transaction ends.
    """

    def __init__(self, *args: Any, ordered_ids: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.ordered_ids = ordered_ids
        table = self.events_record_cls.__table__
        self._insert = insert(table).returning(table.c.id, sort_by_parameter_order=True)
        self._select_stream = (
            select(
                table.c.originator_id,
                table.c.originator_version,
                table.c.topic,
                table.c.state,
            )
            .where(table.c.originator_id == bindparam("originator_id"))
            .order_by(table.c.originator_version)
        )

    def _insert_stored_events(
        self, session: Session, stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> Sequence[int]:
        if self.ordered_ids:
            self._lock_table(session)
        if not stored_events:
            return []
        rows = [
            {
                "originator_id": event.originator_id,
                "originator_version": event.originator_version,
                "topic": event.topic,
                "state": event.state,
            }
            for event in stored_events
        ]
        return list(session.execute(self._insert, rows).scalars())

    def select_events(
        self,
        originator_id: UUID | str,
        gt: int | None = None,
        lte: int | None = None,
        desc: bool = False,
        limit: int | None = None,
    ) -> list[StoredEvent]:
        if gt is not None or lte is not None or desc or limit is not None:
            return super().select_events(originator_id, gt, lte, desc, limit)
        # A whole stream, oldest first: how the repository loads every aggregate.
        with self.transaction(commit=False) as session:
            rows = session.execute(self._select_stream, {"originator_id": originator_id})
            return [
                StoredEvent(
                    originator_id=row.originator_id,
                    originator_version=row.originator_version,
                    topic=row.topic,
                    state=bytes(row.state),
                )
                for row in rows
            ]

    def _notify_channel(self, session: Session) -> None:
        """Nothing listens to the library's channel: the shop never calls ``subscribe()``."""


class _ModuleFactory(SQLAlchemyFactory):
    def __init__(self, env: Environment, datastore: SQLAlchemyDatastore, *, ordered_ids: bool):
        super().__init__(env)
        self.datastore = datastore
        self._ordered_ids = ordered_ids

    def application_recorder(self) -> ModuleEventRecorder:
        return ModuleEventRecorder(
            datastore=self.datastore,
            events_table_name=f"{self.env.name.lower()}_events",
            ordered_ids=self._ordered_ids,
        )


class ModuleApplication(Application[UUID]):
    """A module's ``eventsourcing`` application, bound to the shop's shared datastore."""

    notification_log_is_read: ClassVar[bool] = False
    """True when a projection reads this module's notification log after a position:
    its saves then take the lock that makes notification ids commit in order."""

    def __init__(self, datastore: SQLAlchemyDatastore) -> None:
        self._datastore = datastore
        super().__init__(env=EVENT_STORE_ENV)

    def construct_env(self, name: str, env: EnvType | None = None) -> Environment:
        # Configured by the shop's settings only: the process environment must not
        # change how events are stored (the library would otherwise read os.environ).
        return Environment(name, dict(env or {}))

    def construct_factory(self, env: Environment) -> InfrastructureFactory[Any]:
        return _ModuleFactory(env, self._datastore, ordered_ids=self.notification_log_is_read)

    def get(self, aggregate_class: type[A], aggregate_id: UUID) -> A:
        try:
            aggregate: Aggregate = self.repository.get(aggregate_id)
        except AggregateNotFoundError:
            raise NotFound(f"{aggregate_class.__name__} {aggregate_id} not found") from None
        if not isinstance(aggregate, aggregate_class):
            raise NotFound(f"{aggregate_class.__name__} {aggregate_id} not found")
        return aggregate

    def find(self, aggregate_class: type[A], aggregate_id: UUID) -> A | None:
        try:
            return self.get(aggregate_class, aggregate_id)
        except NotFound:
            return None


def events_table(module_name: str) -> Table:
    """The SQLAlchemy table the library uses for a module's events, for the migrations."""
    table_name = f"{module_name}_events"
    record_class: Any = SQLAlchemyDatastore.define_record_class(
        cls_name="".join(part.capitalize() for part in table_name.rstrip("s").split("_")),
        table_name=table_name,
        schema_name=None,
        base_cls=StoredEventRecord,
    )
    table: Table = record_class.__table__
    return table
