"""The process's one connection to the database.

Every module's event store, read models, the outbox and the relay go through a
single :class:`SQLAlchemyDatastore`. Its ``transaction()`` is a context-local
transaction: a handler that opens one and then saves to several modules' event
stores writes all of it in the same database transaction.
"""

from __future__ import annotations

import functools
import sqlite3
from collections.abc import Mapping
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from eventsourcing_sqlalchemy.datastore import SQLAlchemyDatastore
from sqlalchemy import (
    DateTime,
    Dialect,
    Engine,
    MetaData,
    Numeric,
    String,
    Table,
    TypeDecorator,
    bindparam,
    event,
    text,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import make_url
from sqlalchemy.engine.interfaces import BindTyping
from sqlalchemy.orm import Session
from sqlalchemy.sql.dml import Insert
from sqlalchemy.sql.elements import TextClause
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
        # No ping before every checkout (a round trip per transaction): a connection the
        # server dropped fails its first statement instead, SQLAlchemy then discards every
        # connection of the pool older than the failure, and the request is answered 503
        # with Retry-After (shared.web.problems) while workers retry their round.
        engine_options = {"pool_pre_ping": False, "pool_size": 10, "max_overflow": 10}
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


def upsert(
    session: Session,
    table: Table,
    *,
    key: Mapping[str, Any],
    values: Mapping[str, Any],
    on_insert: Mapping[str, Any] | None = None,
) -> None:
    """Inserts a row, or updates ``values`` of the row with that ``key``, in one statement.

    ``on_insert`` holds the columns written only when the row is new. Keys are column
    names of ``table``; values travel as typed parameters.
    """
    parameters = {**key, **(on_insert or {}), **values}
    statement = _upsert_statement(
        session.get_bind().dialect.name, table, tuple(key), tuple(values), tuple(parameters)
    )
    session.execute(statement, parameters)


@functools.cache
def _upsert_statement(
    dialect_name: str,
    table: Table,
    key: tuple[str, ...],
    values: tuple[str, ...],
    columns: tuple[str, ...],
) -> TextClause:
    insert = (postgresql.insert if dialect_name == "postgresql" else sqlite.insert)(table)
    statement = insert.on_conflict_do_update(
        index_elements=list(key), set_={name: insert.excluded[name] for name in values}
    )
    return rendered_once(statement, dialect_name, table, columns)


def rendered_once(
    statement: Insert, dialect_name: str, table: Table, columns: tuple[str, ...]
) -> TextClause:
    """``statement`` as SQL text with typed parameters named after ``columns`` of ``table``.

    SQLAlchemy does not cache the compiled form of an ``INSERT ... ON CONFLICT``
    (the dialects' ``Insert`` sets ``inherit_cache = False``), so building and
    compiling one on every call costs more than running it. Render it once with
    this, keep the result (``functools.cache``), and run it with the column values as
    parameters: the engine caches a ``text()`` like any other statement. The SQL has
    no casts; the parameters' types come from the columns.
    """
    dialect = (postgresql if dialect_name == "postgresql" else sqlite).dialect(paramstyle="named")
    dialect.bind_typing = BindTyping.NONE
    sql = statement.compile(dialect=dialect, column_keys=list(columns)).string
    return text(sql).bindparams(*(bindparam(name, type_=table.c[name].type) for name in columns))


class UtcDateTime(TypeDecorator[datetime]):
    """A point in time, always handed back in UTC.

    SQLite keeps no offset and PostgreSQL answers in the session's time zone; this
    type stores UTC and returns an aware UTC datetime on both. Naive input is refused.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            msg = f"refusing a naive datetime: {value!r}"
            raise ValueError(msg)
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
