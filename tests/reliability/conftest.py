"""The reliability checks run on PostgreSQL only, each in a scratch database of its own.

Why not SQLite: what they test is what happens between the shop and a database
*server* — a serving process killed while the server keeps its sessions, the relay's
lease (an advisory lock the server releases when the killed process's session ends),
and connections cut by the server (``pg_terminate_backend``). SQLite is a file inside
the shop's own process: it has no sessions to cut, and its lease is an ``flock``. So on
SQLite they are skipped, with that reason; with ``SHOP_TEST_DATABASE_URL`` set to a
PostgreSQL URL (as CI sets it) they always run.

Each run's figures are printed, kept as the test's user properties (``--junitxml``),
and repeated in pytest's terminal summary.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from shared.database import is_postgresql
from shop.migrate import scratch_database

FIGURES = pytest.StashKey[list[str]]()

POSTGRESQL_ONLY = (
    "PostgreSQL-only by design: it kills a serving process and cuts database sessions, "
    "which needs a database server (SQLite is a file in the shop's own process, with no "
    "sessions to cut and an flock for the relay's lease); "
    "set SHOP_TEST_DATABASE_URL=postgresql+psycopg://... to run it"
)


@pytest.fixture
def server_url() -> str:
    url = os.environ.get("SHOP_TEST_DATABASE_URL", "")
    if not (url and is_postgresql(url)):
        pytest.skip(POSTGRESQL_ONLY)
    return url


@pytest.fixture
def scratch_url(server_url: str) -> Iterator[str]:
    """A migrated scratch database of its own: the shop under test is another process."""
    with scratch_database(server_url, "shop_reliability") as url:
        yield url


@pytest.fixture
def report_figures(request: pytest.FixtureRequest) -> Iterator[list[tuple[str, object]]]:
    """Figures the test appends as (name, value); printed and recorded when it ends."""
    figures: list[tuple[str, object]] = []
    yield figures
    if not figures:
        return
    line = f"{request.node.name}: " + ", ".join(f"{name} {value}" for name, value in figures)
    print(line)
    for name, value in figures:
        request.node.user_properties.append((name, value))
    request.config.stash.setdefault(FIGURES, []).append(line)


def pytest_terminal_summary(
    terminalreporter: pytest.TerminalReporter, config: pytest.Config
) -> None:
    lines = config.stash.get(FIGURES, [])
    if lines:
        terminalreporter.section("reliability figures")
        for line in lines:
            terminalreporter.write_line(line)
