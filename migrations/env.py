"""Alembic environment: the shop's database URL and every table of every module."""

from __future__ import annotations

from logging.config import fileConfig
from typing import Any, Literal

from alembic import context
from sqlalchemy import create_engine, pool

from shared.database import Amount, UtcDateTime
from shared.settings import Settings
from shop.schema import target_metadata

config = context.config
# The `alembic` command (maintainers generating a migration) logs as alembic.ini says;
# the shop runs migrations with logging of its own and switches this off.
if config.config_file_name and config.attributes.get("configure_logging", True):
    fileConfig(config.config_file_name, disable_existing_loggers=False)
url = config.attributes.get("database_url") or Settings().database_url


def run_migrations_offline() -> None:
    context.configure(url=url, target_metadata=target_metadata(), literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connectable = config.attributes.get("connection")
    if connectable is not None:
        _run(connectable)
        return
    engine = create_engine(url, poolclass=pool.NullPool)
    with engine.connect() as connection:
        _run(connection)
    engine.dispose()


def _run(connection):  # type: ignore[no-untyped-def]
    context.configure(
        connection=connection,
        target_metadata=target_metadata(),
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=_compare_type,
        render_item=_render_item,
    )
    with context.begin_transaction():
        context.run_migrations()


def _compare_type(
    context: Any,
    inspected_column: Any,
    metadata_column: Any,
    inspected_type: Any,
    metadata_type: Any,
) -> bool | None:
    # SQLite has no BINARY type: it reflects the event tables' BINARY(16) uuids as NUMERIC.
    if context.dialect.name == "sqlite" and type(metadata_type).__name__ == "UUIDType":
        return False
    return None  # alembic's own comparison


def _render_item(kind: str, item: object, autogen_context: Any) -> str | Literal[False]:
    """Renders the shop's column types with plain SQLAlchemy, so migrations never import the app."""
    if kind == "type" and isinstance(item, Amount):
        return 'sa.Numeric(12, 2).with_variant(sa.String(32), "sqlite")'
    if kind == "type" and isinstance(item, UtcDateTime):
        return "sa.DateTime(timezone=True)"
    if kind == "type" and type(item).__name__ == "UUIDType":
        autogen_context.imports.add("import sqlalchemy_utils")
        return "sqlalchemy_utils.UUIDType()"
    return False


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
