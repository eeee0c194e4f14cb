"""A command that cannot do its job says why in one line and exits non-zero, never a traceback."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import uvicorn
from sqlalchemy import create_engine, text

from shop import migrate
from shop.cli import EXIT_FAILED
from tests.cli.conftest import LOG_LINE, run_shop

EVERY_COMMAND = [
    ["serve"],
    ["worker"],
    ["seed"],
    ["token", "--customer", "alice"],
    ["db", "upgrade"],
]
COMMANDS_ON_THE_DATABASE = [command for command in EVERY_COMMAND if command[0] != "token"]
PRODUCTION_SECRET = "a-real-secret-of-forty-characters-0123456"


@pytest.fixture(autouse=True)
def _never_serve(monkeypatch: pytest.MonkeyPatch) -> None:
    """A command that should have stopped must not hang the suite in a web server."""

    def serve(*_: object, **__: object) -> None:
        raise AssertionError("the web server was started")

    monkeypatch.setattr(uvicorn, "run", serve)


@contextmanager
def revision_stamped(database_url: str, revision: str) -> Iterator[None]:
    """The database says it is at ``revision``, and then at its own again.

    On PostgreSQL the suite shares one database: the next test must find it at head.
    """
    engine = create_engine(database_url)
    update = text("UPDATE alembic_version SET version_num = :revision")
    with engine.begin() as connection:
        own = connection.execute(text("SELECT version_num FROM alembic_version")).scalar_one()
        connection.execute(update, {"revision": revision})
    try:
        yield
    finally:
        with engine.begin() as connection:
            connection.execute(update, {"revision": own})
        engine.dispose()


def in_production(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SHOP_ENV", "production")
    monkeypatch.setenv("SHOP_TOKEN_SECRET", PRODUCTION_SECRET)
    monkeypatch.setenv("SHOP_SANDBOX_WEBHOOK_SECRET", PRODUCTION_SECRET)


@pytest.mark.parametrize("command", COMMANDS_ON_THE_DATABASE, ids=" ".join)
def test_an_unreachable_database_is_one_line_without_its_password(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    closed_port: int,
    command: list[str],
) -> None:
    monkeypatch.setenv(
        "SHOP_DATABASE_URL", f"postgresql+psycopg://shop:pw-Hk2q@127.0.0.1:{closed_port}/shop"
    )

    outcome = run_shop(capsys, *command)

    assert outcome.status == EXIT_FAILED
    [line] = outcome.stderr_lines
    assert LOG_LINE.match(line)
    assert (
        f"ERROR shop.cli database postgresql+psycopg://shop:***@127.0.0.1:{closed_port}/shop: "
        in line
    )
    assert "refused" in line.lower()
    assert "pw-Hk2q" not in line


def test_a_token_needs_no_database(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, closed_port: int
) -> None:
    monkeypatch.setenv("SHOP_DATABASE_URL", f"postgresql+psycopg://shop@127.0.0.1:{closed_port}/s")

    outcome = run_shop(capsys, "token", "--customer", "alice")

    assert outcome.status == 0
    assert outcome.stdout.count(".") == 2  # header.claims.signature


@pytest.mark.parametrize("command", EVERY_COMMAND, ids=" ".join)
def test_a_sqlite_file_that_cannot_be_made_is_one_line(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    command: list[str],
) -> None:
    not_a_folder = tmp_path / "a-file"
    not_a_folder.write_text("")
    monkeypatch.setenv("SHOP_DATABASE_URL", f"sqlite:///{not_a_folder / 'var' / 'shop.sqlite3'}")

    outcome = run_shop(capsys, *command)

    assert outcome.status == EXIT_FAILED
    [line] = outcome.stderr_lines
    assert LOG_LINE.match(line)
    assert " ERROR shop.cli " in line


@pytest.mark.parametrize("command", [["serve"], ["worker"], ["seed"]], ids=" ".join)
def test_a_database_without_tables_asks_for_the_migration(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    empty_database_url: str,
    command: list[str],
) -> None:
    # Production: in dev, `serve` migrates by itself.
    in_production(monkeypatch)
    monkeypatch.setenv("SHOP_DATABASE_URL", empty_database_url)

    outcome = run_shop(capsys, *command)

    assert outcome.status == EXIT_FAILED
    [line] = outcome.stderr_lines
    assert line.endswith(
        "ERROR shop.cli the database has no tables yet: run `shop db upgrade` first"
    )


def test_a_missing_sqlite_file_asks_for_the_migration_and_is_not_created(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    database = tmp_path / "var" / "shop.sqlite3"
    monkeypatch.setenv("SHOP_DATABASE_URL", f"sqlite:///{database}")

    outcome = run_shop(capsys, "seed")

    assert outcome.status == EXIT_FAILED
    [line] = outcome.stderr_lines
    assert line.endswith("run `shop db upgrade` first")
    assert not database.exists()


def test_an_unknown_revision_is_one_line(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, empty_database_url: str
) -> None:
    monkeypatch.setenv("SHOP_DATABASE_URL", empty_database_url)

    outcome = run_shop(capsys, "db", "upgrade", "no-such-revision")

    assert outcome.status == EXIT_FAILED
    [line] = outcome.stderr_lines
    assert line.endswith(
        "ERROR shop.cli migrations: Can't locate revision identified by 'no-such-revision'"
    )


def test_upgrading_a_database_migrated_by_other_code_says_what_happened(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, database_url: str
) -> None:
    # A workshop group back on main after running a branch that adds a migration.
    monkeypatch.setenv("SHOP_DATABASE_URL", database_url)

    with revision_stamped(database_url, "from-another-branch"):
        outcome = run_shop(capsys, "db", "upgrade")

    assert outcome.status == EXIT_FAILED
    [line] = outcome.stderr_lines
    assert (
        "ERROR shop.cli the database is at revision from-another-branch, which this code "
        "does not know: a newer release or another branch migrated it" in line
    )


def test_the_outbox_report_of_a_database_without_tables_asks_for_the_migration(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, empty_database_url: str
) -> None:
    monkeypatch.setenv("SHOP_DATABASE_URL", empty_database_url)

    outcome = run_shop(capsys, "outbox")

    assert outcome.status != 0
    [line] = outcome.stderr_lines
    assert line == (
        "unhealthy: could not read the relay's state: the database has no tables yet: "
        "run `shop db upgrade` first"
    )


def test_a_database_behind_this_release_asks_for_the_migration(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, database_url: str
) -> None:
    current = migrate.head_revision()
    # As if this release had brought one more migration than the database has seen.
    monkeypatch.setattr(migrate, "head_revision", lambda: "a-newer-revision")
    monkeypatch.setenv("SHOP_DATABASE_URL", database_url)

    outcome = run_shop(capsys, "seed")

    assert outcome.status == EXIT_FAILED
    [line] = outcome.stderr_lines
    assert line.endswith(
        f"the database is at revision {current} and this release needs a-newer-revision: "
        "run `shop db upgrade` first"
    )


def test_a_database_migrated_by_a_newer_release_is_used_with_a_warning(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, database_url: str
) -> None:
    monkeypatch.setenv("SHOP_DATABASE_URL", database_url)

    with revision_stamped(database_url, "from-the-future"):
        outcome = run_shop(capsys, "seed")

    assert outcome.status == 0
    warning, seeded = outcome.stderr_lines
    assert "WARNING shop.migrate the database is at revision from-the-future, which" in warning
    assert " INFO shop.cli seeded: " in seeded
