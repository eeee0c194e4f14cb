"""The process's one connection to the database.

Every module's event store, read models, the outbox and the relay go through a
single :class:`SQLAlchemyDatastore`. Its ``transaction()`` is a context-local
transaction: a handler that opens one and then saves to several modules' event
stores writes all of it in the same database transaction.
"""

from __future__ import annotations

import sqlite3
from decimal import Decimal
from pathlib import Path
from typing import Any

from eventsourcing_sqlalchemy.datastore import SQLAlchemyDatastore
from sqlalchemy import Dialect, Engine, MetaData, Numeric, String, TypeDecorator, event
from sqlalchemy.engine import make_url
from sqlalchemy.types import TypeEngine

# Constraint names must be deterministic so that migrations can drop them by name.
metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

SQLITE_BUSY_TIMEOUT_SECONDS = 30
CENT = Decimal("0.01")


def create_datastore(url: str) -> SQLAlchemyDatastore:
    engine_options: dict[str, Any]
    if is_sqlite(url):
        _ensure_sqlite_folder(url)
        # The datastore serialises this process's writers; the timeout covers other processes.
        engine_options = {"connect_args": {"timeout": SQLITE_BUSY_TIMEOUT_SECONDS}}
    else:
        engine_options = {"pool_pre_ping": True, "pool_size": 10, "max_overflow": 10}
    datastore = SQLAlchemyDatastore(url=url, **engine_options)
    assert isinstance(datastore.engine, Engine)
    if is_sqlite(url):
        event.listen(datastore.engine, "connect", _configure_sqlite_connection)
    # Switches a SQLite file to WAL now, before any thread writes (it fails under load).
    datastore.init_sqlite_wal_mode()
    return datastore


def engine_of(datastore: SQLAlchemyDatastore) -> Engine:
    engine = datastore.engine
    assert isinstance(engine, Engine)
    return engine


def is_sqlite(url: str) -> bool:
    return make_url(url).get_backend_name() == "sqlite"


def is_postgresql(url: str) -> bool:
    return make_url(url).get_backend_name() == "postgresql"


def _ensure_sqlite_folder(url: str) -> None:
    database = make_url(url).database
    if database and database != ":memory:" and not database.startswith("file:"):
        Path(database).parent.mkdir(parents=True, exist_ok=True)


def _configure_sqlite_connection(dbapi_connection: sqlite3.Connection, _: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_SECONDS * 1000}")
    cursor.close()


class Amount(TypeDecorator[Decimal]):
    """A money amount: NUMERIC(12, 2) on PostgreSQL, exact text on SQLite (never a float)."""

    impl = Numeric(12, 2)
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if dialect.name == "sqlite":
            return dialect.type_descriptor(String(32))
        return dialect.type_descriptor(Numeric(12, 2, asdecimal=True))

    def process_bind_param(self, value: Decimal | None, dialect: Dialect) -> Any:
        if value is None:
            return None
        amount = Decimal(value).quantize(CENT)
        return str(amount) if dialect.name == "sqlite" else amount

    def process_result_value(self, value: Any, dialect: Dialect) -> Decimal | None:
        return None if value is None else Decimal(value).quantize(CENT)
