"""Runs the Alembic migrations from code (``shop db upgrade`` and the test fixtures).

Also answers whether a database is ready for this release, so that a command
started on an empty or outdated database says "run ``shop db upgrade`` first"
instead of failing on its first missing table.
"""

from __future__ import annotations

import logging
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, pool, text
from sqlalchemy.engine import make_url

from shared.database import create_datastore, engine_of, is_postgresql, is_sqlite

PROJECT_ROOT = Path(__file__).resolve().parent.parent

logger = logging.getLogger(__name__)


class SchemaNotReady(Exception):
    """The database's schema is not the one this release needs; the message says what to do."""


@dataclass(frozen=True)
class Migration:
    revision: str
    description: str


@dataclass(frozen=True)
class UpgradeReport:
    """Where an upgrade left the database, and which migrations it applied (oldest first)."""

    revision: str | None
    applied: tuple[Migration, ...]


def alembic_config(database_url: str) -> Config:
    config = Config(str(PROJECT_ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(PROJECT_ROOT / "migrations"))
    config.attributes["database_url"] = database_url
    # The caller's logging stays as it is: alembic.ini's is for the `alembic` command only.
    config.attributes["configure_logging"] = False
    return config


def upgrade(database_url: str, revision: str = "head") -> UpgradeReport:
    """Applies the migrations up to ``revision``.

    Raises ``alembic.util.CommandError`` for a revision that does not exist,
    :class:`SchemaNotReady` for a database at a revision this code does not know (a newer
    release, or another branch, migrated it), and SQLAlchemy's ``OperationalError`` when
    the database cannot be reached.
    """
    # Creating the datastore first makes sure a SQLite file's folder exists.
    engine_of(create_datastore(database_url)).dispose()
    config = alembic_config(database_url)
    before = current_revision(database_url)
    if before is not None and not _is_known(before):
        msg = (
            f"the database is at revision {before}, which this code does not know: a newer "
            "release or another branch migrated it; run that code, or use another database "
            "(in development: delete var/shop.sqlite3, or set SHOP_DATABASE_URL)"
        )
        raise SchemaNotReady(msg)
    command.upgrade(config, revision)
    after = current_revision(database_url)
    return UpgradeReport(after, _migrations_between(config, before, after))


def downgrade(database_url: str, revision: str) -> None:
    command.downgrade(alembic_config(database_url), revision)


def current_revision(database_url: str) -> str | None:
    """The revision the database is at, or None if it was never migrated."""
    engine = create_engine(database_url, poolclass=pool.NullPool)
    try:
        with engine.connect() as connection:
            return MigrationContext.configure(connection).get_current_revision()
    finally:
        engine.dispose()


def head_revision() -> str:
    head = _scripts(alembic_config("")).get_current_head()
    assert head is not None, "migrations/versions holds no migration"
    return head


def require_current_schema(database_url: str) -> None:
    """Raises :class:`SchemaNotReady` unless the database is at this release's head revision.

    A database at a revision this release does not know passes, with a warning: a
    newer release migrated it, and refusing to start would turn a rolled-back
    deployment into an outage. SQLAlchemy's ``OperationalError`` means the database
    cannot be reached.
    """
    current = None if _sqlite_file_missing(database_url) else current_revision(database_url)
    head = head_revision()
    if current is None:
        msg = "the database has no tables yet: run `shop db upgrade` first"
        raise SchemaNotReady(msg)
    if current == head:
        return
    if not _is_known(current):
        logger.warning(
            "the database is at revision %s, which this release does not know "
            "(a newer release migrated it); carrying on",
            current,
        )
        return
    msg = (
        f"the database is at revision {current} and this release needs {head}: "
        "run `shop db upgrade` first"
    )
    raise SchemaNotReady(msg)


def _sqlite_file_missing(database_url: str) -> bool:
    # Connecting would create an empty file, as a side effect of only looking.
    if not is_sqlite(database_url):
        return False
    database = make_url(database_url).database
    if not database or database == ":memory:" or database.startswith("file:"):
        return False
    return not Path(database).exists()


def _is_known(revision: str) -> bool:
    scripts = _scripts(alembic_config(""))
    return any(script.revision == revision for script in scripts.walk_revisions())


def _migrations_between(
    config: Config, before: str | None, after: str | None
) -> tuple[Migration, ...]:
    if after is None or after == before:
        return ()
    scripts = _scripts(config)
    # iterate_revisions walks down from `after` to `before`, newest first.
    walked = scripts.iterate_revisions(after, before or "base")
    return tuple(
        Migration(script.revision, script.doc) for script in reversed(list(walked)) if script
    )


def _scripts(config: Config) -> ScriptDirectory:
    return ScriptDirectory.from_config(config)


@contextmanager
def scratch_postgresql_database(server_url: str, prefix: str) -> Iterator[str]:
    """A new, empty database on the PostgreSQL server of ``server_url``, dropped afterwards
    (connections still open to it included); yields its URL. The database named in
    ``server_url`` is only used to connect."""
    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    admin = create_engine(server_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(server_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@contextmanager
def scratch_database(server_url: str | None, prefix: str) -> Iterator[str]:
    """A migrated, empty database for one run, removed afterwards; yields its URL.

    A new database on the PostgreSQL server of ``server_url``, or, without one, a SQLite
    file in a temporary folder.
    """
    if server_url and is_postgresql(server_url):
        with scratch_postgresql_database(server_url, prefix) as url:
            upgrade(url)
            yield url
        return
    with tempfile.TemporaryDirectory(prefix=f"{prefix}-") as folder:
        url = f"sqlite:///{Path(folder) / 'shop.sqlite3'}"
        upgrade(url)
        yield url
