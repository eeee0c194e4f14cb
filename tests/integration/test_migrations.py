"""The migrations are the schema: they build exactly the tables the code declares, both ways.

Runs on the suite's database (SQLite, or PostgreSQL with ``SHOP_TEST_DATABASE_URL``).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic import command
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import make_url

from shared.database import is_postgresql
from shop.migrate import alembic_config, downgrade, upgrade
from shop.schema import target_metadata


def assert_schema_matches_the_tables_in_code(url: str) -> None:
    """``alembic check``: autogenerate, configured by migrations/env.py, finds nothing to do."""
    command.check(alembic_config(url))


def current_revision(url: str) -> str | None:
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            return MigrationContext.configure(connection).get_current_revision()
    finally:
        engine.dispose()


def table_names(url: str) -> set[str]:
    engine = create_engine(url)
    try:
        return set(inspect(engine).get_table_names())
    finally:
        engine.dispose()


def head_revision(url: str) -> str:
    head = ScriptDirectory.from_config(alembic_config(url)).get_current_head()
    assert head is not None
    return head


@pytest.fixture
def empty_database(migrated_database: str, tmp_path: Path) -> Iterator[str]:
    """A database with nothing in it, on the same engine as the rest of the suite."""
    if not is_postgresql(migrated_database):
        yield f"sqlite:///{tmp_path / 'empty.sqlite3'}"
        return
    name = f"shop_migrations_{uuid.uuid4().hex[:12]}"
    server = create_engine(migrated_database, isolation_level="AUTOCOMMIT")
    try:
        with server.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        yield make_url(migrated_database).set(database=name).render_as_string(hide_password=False)
    finally:
        with server.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        server.dispose()


def test_the_migrations_have_a_single_head(migrated_database: str) -> None:
    heads = ScriptDirectory.from_config(alembic_config(migrated_database)).get_heads()

    assert len(heads) == 1, f"branched migration history: {heads}"


def test_the_suite_database_is_at_head_and_matches_the_tables_in_code(
    migrated_database: str,
) -> None:
    assert current_revision(migrated_database) == head_revision(migrated_database)
    assert_schema_matches_the_tables_in_code(migrated_database)


def test_upgrading_an_empty_database_builds_every_table_in_code(empty_database: str) -> None:
    upgrade(empty_database)

    declared = {table.name for metadata in target_metadata() for table in metadata.sorted_tables}
    assert table_names(empty_database) == declared | {"alembic_version"}
    assert_schema_matches_the_tables_in_code(empty_database)


def test_downgrading_to_base_removes_everything_and_upgrading_again_restores_it(
    empty_database: str,
) -> None:
    upgrade(empty_database)

    downgrade(empty_database, "base")

    assert table_names(empty_database) == {"alembic_version"}
    assert current_revision(empty_database) is None

    upgrade(empty_database)

    assert current_revision(empty_database) == head_revision(empty_database)
    assert_schema_matches_the_tables_in_code(empty_database)
