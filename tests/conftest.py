"""Fixtures shared by every tier of tests.

The suite runs against SQLite by default. Set ``SHOP_TEST_DATABASE_URL`` to a
PostgreSQL URL to run the same tests there: a fresh database is created for the
session, migrated once, and emptied between tests.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from litestar.testing import TestClient
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from shared.clock import ManualClock
from shared.database import is_postgresql
from shared.settings import Settings
from shop.app import create_app
from shop.bootstrap import Shop, bootstrap
from shop.migrate import scratch_postgresql_database, upgrade
from shop.schema import target_metadata
from tests.integration.orders.checkout import Checkout
from tests.support import ApiClient

TEST_DATABASE_URL = os.environ.get("SHOP_TEST_DATABASE_URL", "")


@pytest.fixture(scope="session")
def migrated_database(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    if TEST_DATABASE_URL and is_postgresql(TEST_DATABASE_URL):
        yield from _fresh_postgresql_database(TEST_DATABASE_URL)
    else:
        template = tmp_path_factory.mktemp("template") / "shop.sqlite3"
        url = f"sqlite:///{template}"
        upgrade(url)
        yield url


def _fresh_postgresql_database(server_url: str) -> Iterator[str]:
    with scratch_postgresql_database(server_url, "shop_test") as url:
        upgrade(url)
        yield url


@pytest.fixture
def database_url(migrated_database: str, tmp_path: Path) -> str:
    if is_postgresql(migrated_database):
        _empty_all_tables(migrated_database)
        return migrated_database
    database = tmp_path / "shop.sqlite3"
    shutil.copyfile(make_url(migrated_database).database or "", database)
    return f"sqlite:///{database}"


def _empty_all_tables(url: str) -> None:
    tables = [table.name for metadata in target_metadata() for table in metadata.sorted_tables]
    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
    engine.dispose()


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
def settings(database_url: str) -> Settings:
    return Settings(_env_file=None, database_url=database_url, relay_poll_seconds=0.05)  # type: ignore[call-arg]


@pytest.fixture
def shop(settings: Settings, clock: ManualClock) -> Iterator[Shop]:
    shop = bootstrap(settings, clock)
    shop.seed()
    yield shop
    shop.close()


@pytest.fixture
def api(shop: Shop) -> Iterator[ApiClient]:
    with TestClient(create_app(shop)) as client:
        yield ApiClient(client, shop)


@pytest.fixture
def checkout(shop: Shop, clock: ManualClock) -> Checkout:
    """The checkout process manager, driven message by message (``tests/integration/orders``)."""
    return Checkout(shop, clock)
