"""What the commands say: one log format, what was done, where the shop is, no Alembic chatter."""

from __future__ import annotations

import logging
import os
import subprocess
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from alembic.script import ScriptDirectory
from litestar import Litestar

from modules.carts.infrastructure.catalogue import SEED_PRODUCTS
from modules.shipments.infrastructure.inventory import SEED_STOCK
from shop.cli import logging_config
from shop.migrate import alembic_config
from tests.cli.conftest import LOG_LINE, SHOP, run_shop

ALEMBIC_CHATTER = ("Context impl", "transactional DDL", "setup plugin", "Running upgrade")


def migrations_in_order() -> list[str]:
    scripts = ScriptDirectory.from_config(alembic_config(""))
    return [
        f"{script.revision} {script.doc}" for script in reversed(list(scripts.walk_revisions()))
    ]


def test_db_upgrade_says_which_migrations_it_applied_and_where_the_database_is(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, empty_database_url: str
) -> None:
    monkeypatch.setenv("SHOP_DATABASE_URL", empty_database_url)
    migrations = migrations_in_order()
    head = migrations[-1].split()[0]

    first = run_shop(capsys, "db", "upgrade")
    again = run_shop(capsys, "db", "upgrade")

    assert first.status == again.status == 0
    [applied] = first.stderr_lines
    assert LOG_LINE.match(applied)
    plural = "" if len(migrations) == 1 else "s"
    assert applied.endswith(
        f"INFO shop.cli database at revision {head} "
        f"(applied {len(migrations)} migration{plural}: {', '.join(migrations)})"
    )
    [nothing_to_do] = again.stderr_lines
    assert nothing_to_do.endswith(f"INFO shop.cli database at revision {head} (already up to date)")


def test_seed_says_what_it_added_and_what_was_already_there(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, database_url: str
) -> None:
    monkeypatch.setenv("SHOP_DATABASE_URL", database_url)
    products, levels = len(SEED_PRODUCTS), len(SEED_STOCK)

    first = run_shop(capsys, "seed")
    again = run_shop(capsys, "seed")

    assert first.status == again.status == 0
    assert first.stderr_lines[-1].endswith(
        f"INFO shop.cli seeded: {products} products added, 0 already there; "
        f"{levels} stock levels added, 0 already there"
    )
    assert again.stderr_lines[-1].endswith(
        f"INFO shop.cli seeded: 0 products added, {products} already there; "
        f"0 stock levels added, {levels} already there"
    )


@pytest.mark.parametrize(
    ("host", "address"),
    [
        ("127.0.0.1", "http://127.0.0.1:8123"),
        ("0.0.0.0", "http://127.0.0.1:8123"),  # noqa: S104 (what an operator types)
        ("::1", "http://[::1]:8123"),
    ],
)
def test_serve_says_where_the_shop_and_its_docs_are_in_the_one_log_format(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    database_url: str,
    host: str,
    address: str,
) -> None:
    monkeypatch.setenv("SHOP_DATABASE_URL", database_url)
    served: dict[str, Any] = {}

    def run(app: Litestar, **options: Any) -> None:
        """Stands in for uvicorn.run: logs as the app and as uvicorn would, then stops."""
        served.update(options)
        logging.getLogger("shop.http").info("GET /health 200")
        config = uvicorn.Config(app, **options)  # applies its log_config, as uvicorn.run does
        logging.getLogger("uvicorn.error").info("Uvicorn running on %s", address)
        logging.getLogger("uvicorn.access").info("an access line")
        app.state.shop.close()
        assert config.port == 8123

    monkeypatch.setattr(uvicorn, "run", run)

    outcome = run_shop(capsys, "serve", "--host", host, "--port", "8123")

    assert outcome.status == 0
    assert served["log_config"] == logging_config("INFO")
    assert not [line for line in outcome.stderr_lines if not LOG_LINE.match(line)]
    messages = [line.split(" ", 4)[-1] for line in outcome.stderr_lines]
    assert f"starting the shop at {address} (API docs at {address}/docs)" in messages
    assert "GET /health 200" in messages
    assert f"Uvicorn running on {address}" in messages
    assert "an access line" not in messages  # the shop logs each request itself
    assert not [line for line in messages if any(chatter in line for chatter in ALEMBIC_CHATTER)]


def test_db_upgrade_and_seed_print_one_line_each_from_a_fresh_process(tmp_path: Path) -> None:
    """Alembic's plugin lines show only in a process that never ran a migration before."""
    environment = {
        name: value for name, value in os.environ.items() if not name.startswith("SHOP_")
    }
    environment["SHOP_DATABASE_URL"] = f"sqlite:///{tmp_path / 'var' / 'shop.sqlite3'}"

    def shop(*argv: str) -> list[str]:
        finished = subprocess.run(  # noqa: S603 (a fixed command line)
            [str(SHOP), *argv],
            cwd=tmp_path,
            env=environment,
            capture_output=True,
            text=True,
            timeout=120,
            check=True,
        )
        return finished.stderr.splitlines()

    [upgraded] = shop("db", "upgrade")
    [seeded] = shop("seed")

    assert " INFO shop.cli database at revision " in upgraded
    assert " INFO shop.cli seeded: " in seeded
