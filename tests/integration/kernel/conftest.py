"""PostgreSQL-only behaviour (concurrent transactions, advisory locks) is skipped on SQLite here."""

from __future__ import annotations

import pytest

from shared.database import is_postgresql


@pytest.fixture(autouse=True)
def _postgres_only(request: pytest.FixtureRequest, migrated_database: str) -> None:
    if request.node.get_closest_marker("postgres_only") and not is_postgresql(migrated_database):
        pytest.skip("needs PostgreSQL: set SHOP_TEST_DATABASE_URL")
