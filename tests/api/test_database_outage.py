"""While the database cannot be reached, requests get 503 with Retry-After, and the log
says so once per kind of failure, not once per request with a traceback."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine
from sqlalchemy.engine import make_url

from shared.database import is_sqlite
from shared.web.logging import ThrottledLog
from tests.support import ApiClient, assert_problem

ROUTES = [
    ("GET", "/api/products", None),
    ("GET", "/api/cart", "customer"),
    ("POST", "/api/cart/items", "customer"),
    ("GET", "/api/inventory", "admin"),
    ("GET", "/health", None),
]


@pytest.fixture
def database_down(api: ApiClient, tmp_path: Path) -> Iterator[None]:
    """New sessions connect to a database that does not answer: a closed port on
    PostgreSQL, a file in a folder that does not exist on SQLite."""
    url = str(api.shop.settings.database_url)
    unreachable = (
        f"sqlite:///{tmp_path / 'gone' / 'shop.sqlite3'}"
        if is_sqlite(url)
        else make_url(url).set(port=1).render_as_string(hide_password=False)
    )
    engine = create_engine(
        unreachable, connect_args={"connect_timeout": 2} if not is_sqlite(url) else {}
    )
    session_maker = api.shop.datastore.session_maker
    original = session_maker.kw["bind"]
    session_maker.configure(bind=engine)
    try:
        yield
    finally:
        session_maker.configure(bind=original)
        engine.dispose()


@pytest.mark.usefixtures("database_down")
@pytest.mark.parametrize(("method", "path", "caller"), ROUTES)
def test_a_request_while_the_database_is_down_gets_503_with_retry_after(
    api: ApiClient, method: str, path: str, caller: str | None
) -> None:
    headers = {
        None: {},
        "customer": api.as_customer("alice"),
        "admin": api.as_admin(),
    }[caller]
    body = {"product_id": "ceramic-mug", "quantity": 1} if method == "POST" else None

    response = api.client.request(method, path, headers=headers, json=body)

    assert_problem(response, 503)
    assert int(response.headers["retry-after"]) > 0


@pytest.mark.usefixtures("database_down")
def test_an_outage_is_logged_once_per_kind_without_tracebacks(
    api: ApiClient, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING):
        statuses = [api.get("/api/products").status_code for _ in range(5)]

    assert statuses == [503] * 5
    outage_lines = [record for record in caplog.records if record.levelno >= logging.WARNING]
    assert len(outage_lines) <= 1, [record.getMessage() for record in outage_lines]
    assert all(record.exc_info is None for record in outage_lines)


def test_a_throttled_log_says_a_kind_once_per_interval_and_counts_the_rest(
    caplog: pytest.LogCaptureFixture,
) -> None:
    now = [100.0]
    log = ThrottledLog(logging.getLogger("test.throttled"), interval=30.0, clock=lambda: now[0])

    with caplog.at_level(logging.WARNING, logger="test.throttled"):
        logged = [log.warning("refused", "connection refused") for _ in range(3)]
        logged.append(log.warning("timeout", "pool timed out"))
        now[0] += 30.0
        logged.append(log.warning("refused", "connection refused"))

    assert logged == [True, False, False, True, True]
    assert [record.getMessage() for record in caplog.records] == [
        "connection refused",
        "pool timed out",
        "connection refused (2 more since the last report)",
    ]
