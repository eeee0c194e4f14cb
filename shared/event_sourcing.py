"""One ``eventsourcing`` application per module, all on the process's shared datastore.

A module's application is where its aggregates live: ``get`` and ``find`` rebuild
one from its events, ``save`` appends the events it recorded. Each module subclasses
:class:`ModuleApplication` with its own ``name``; the library then keeps that
module's events in the table ``<name>_events``. Tables are created by the
migrations, never by the library (``CREATE_TABLE=no``).
"""

from __future__ import annotations

from typing import Any, TypeVar
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError, Application
from eventsourcing.domain import Aggregate
from eventsourcing.persistence import InfrastructureFactory
from eventsourcing.utils import Environment, EnvType
from eventsourcing_sqlalchemy.datastore import SQLAlchemyDatastore
from eventsourcing_sqlalchemy.factory import SQLAlchemyFactory
from eventsourcing_sqlalchemy.models import StoredEventRecord  # type: ignore[attr-defined]
from sqlalchemy import Table

from shared.errors import NotFound

A = TypeVar("A", bound=Aggregate)

EVENT_STORE_ENV = {
    "PERSISTENCE_MODULE": "eventsourcing_sqlalchemy",
    "CREATE_TABLE": "no",
    # The datastore is injected; an SQLALCHEMY_URL in the process environment must not win.
    "SQLALCHEMY_URL": "",
}


class ModuleApplication(Application[UUID]):
    """A module's ``eventsourcing`` application, bound to the shop's shared datastore."""

    def __init__(self, datastore: SQLAlchemyDatastore) -> None:
        self._datastore = datastore
        super().__init__(env=EVENT_STORE_ENV)

    def construct_env(self, name: str, env: EnvType | None = None) -> Environment:
        # Configured by the shop's settings only: the process environment must not
        # change how events are stored (the library would otherwise read os.environ).
        return Environment(name, dict(env or {}))

    def construct_factory(self, env: Environment) -> InfrastructureFactory[Any]:
        factory = SQLAlchemyFactory(env)
        factory.datastore = self._datastore
        return factory

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
