"""Fixtures for the ``shop`` console script, run in-process through ``shop.cli.main``.

Each test gets an environment of its own (no ``SHOP_*`` variable, no ``.env``) and
the process's logging back as it was, since every command configures logging.
"""

from __future__ import annotations

import logging
import os
import re
import socket
import sys
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from shared.database import is_postgresql
from shop.cli import main

# asctime, level, logger, message: the one format of every line the shop logs.
LOG_LINE = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} [A-Z]+ [\w.]+ .+$")
# The console script installed beside this interpreter, as an operator runs it.
SHOP = Path(sys.executable).parent / "shop"
LOGGERS_A_COMMAND_CONFIGURES = ("", "alembic", "uvicorn", "uvicorn.error", "uvicorn.access")


@dataclass(frozen=True)
class Outcome:
    status: int
    stdout: str
    stderr_lines: list[str]

    @property
    def stderr(self) -> str:
        return "\n".join(self.stderr_lines)


def run_shop(capsys: pytest.CaptureFixture[str], *argv: str) -> Outcome:
    capsys.readouterr()
    status = main(argv)
    captured = capsys.readouterr()
    return Outcome(status, captured.out, captured.err.splitlines())


@pytest.fixture(autouse=True)
def _own_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in list(os.environ):
        if name.startswith("SHOP_"):
            monkeypatch.delenv(name)
    # Settings read ./.env: the working folder is the test's own.
    monkeypatch.chdir(tmp_path)


@pytest.fixture(autouse=True)
def _logging_restored() -> Iterator[None]:
    saved = {
        name: (logger.handlers[:], logger.level, logger.propagate)
        for name in LOGGERS_A_COMMAND_CONFIGURES
        for logger in [logging.getLogger(name)]
    }
    yield
    for name, (handlers, level, propagate) in saved.items():
        logger = logging.getLogger(name)
        logger.handlers[:] = handlers
        logger.setLevel(level)
        logger.propagate = propagate


@pytest.fixture
def closed_port() -> Iterator[int]:
    """A local TCP port that refuses connections: bound (nothing else takes it), not listening."""
    with socket.socket() as bound:
        bound.bind(("127.0.0.1", 0))
        yield bound.getsockname()[1]


@pytest.fixture
def empty_database_url(migrated_database: str, tmp_path: Path) -> Iterator[str]:
    """A database that exists and has no table, on the same engine as the rest of the suite."""
    if not is_postgresql(migrated_database):
        path = tmp_path / "empty.sqlite3"
        engine = create_engine(f"sqlite:///{path}")
        with engine.connect() as connection:
            connection.execute(text("VACUUM"))  # makes the file, with no table in it
        engine.dispose()
        yield f"sqlite:///{path}"
        return
    name = f"shop_cli_{uuid.uuid4().hex[:12]}"
    server = create_engine(migrated_database, isolation_level="AUTOCOMMIT")
    try:
        with server.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        yield make_url(migrated_database).set(database=name).render_as_string(hide_password=False)
    finally:
        with server.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        server.dispose()
