"""Test helpers: an API client that logs in, problem and storage checks, eventual consistency,
and a shop served over real HTTP."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, TypeVar

import httpx
import uvicorn
from litestar import Litestar
from litestar.testing import TestClient
from sqlalchemy import Table, func, select, text

from shared.web.auth import Role
from shop.bootstrap import Shop

T = TypeVar("T")


@dataclass
class ApiClient:
    client: TestClient[Any]
    shop: Shop

    def token(self, customer_id: str, role: Role = Role.CUSTOMER) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.shop.tokens.mint(customer_id, role)}"}

    def as_customer(self, customer_id: str) -> dict[str, str]:
        return self.token(customer_id)

    def as_admin(self, admin_id: str = "admin") -> dict[str, str]:
        return self.token(admin_id, Role.ADMIN)

    def get(self, url: str, **kwargs: Any) -> httpx.Response:
        return self.client.get(url, **kwargs)

    def post(self, url: str, **kwargs: Any) -> httpx.Response:
        return self.client.post(url, **kwargs)

    def put(self, url: str, **kwargs: Any) -> httpx.Response:
        return self.client.put(url, **kwargs)

    def delete(self, url: str, **kwargs: Any) -> httpx.Response:
        return self.client.delete(url, **kwargs)


def eventually(
    probe: Callable[[], T | None],
    *,
    timeout: float = 10.0,
    interval: float = 0.02,
    what: str = "condition",
) -> T:
    """Polls ``probe`` until it returns something truthy, or fails after ``timeout`` seconds,
    naming ``what`` it waited for."""
    deadline = time.monotonic() + timeout
    last: T | None = None
    while time.monotonic() < deadline:
        last = probe()
        if last:
            return last
        time.sleep(interval)
    msg = f"{what} not met within {timeout}s; last probe returned {last!r}"
    raise AssertionError(msg)


def table_size(shop: Shop, table: Table) -> int:
    with shop.datastore.transaction(commit=False) as session:
        size: int = session.execute(select(func.count()).select_from(table)).scalar_one()
    return size


def stored_rows(shop: Shop, tables: Sequence[str]) -> dict[str, list[str]]:
    rows: dict[str, list[str]] = {}
    with shop.datastore.transaction(commit=False) as session:
        for table in tables:
            result = session.execute(text(f"SELECT * FROM {table}"))  # noqa: S608 - fixed names
            rows[table] = sorted(repr(tuple(row)) for row in result)
    return rows


@contextmanager
def nothing_written_to(shop: Shop, tables: Sequence[str]) -> Iterator[None]:
    """The block must leave those tables exactly as it found them."""
    before = stored_rows(shop, tables)
    yield
    after = stored_rows(shop, tables)
    assert {table: len(rows) for table, rows in after.items()} == {
        table: len(rows) for table, rows in before.items()
    }
    assert after == before


def assert_problem(response: httpx.Response, status: int) -> dict[str, Any]:
    """An RFC 9457 problem with the given status; returns its body for further checks."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    problem: dict[str, Any] = response.json()
    assert problem["status"] == status
    assert isinstance(problem["title"], str)
    assert problem["title"]
    assert isinstance(problem["detail"], str)
    assert problem["detail"]
    return problem


def loopback_listener() -> socket.socket:
    """A socket on a free 127.0.0.1 port, bound before the server starts so its URL is known."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    return listener


def url_of(listener: socket.socket) -> str:
    host, port = listener.getsockname()
    return f"http://{host}:{port}"


@contextmanager
def served_over_http(app: Litestar, listener: socket.socket) -> Iterator[str]:
    """Serves ``app`` with uvicorn on ``listener`` in a thread, lifespan and all; yields its URL."""
    # No log_config and no log_level: uvicorn would otherwise set its loggers' levels for
    # the rest of the session, and the CLI tests that read its lines would find none.
    server = uvicorn.Server(uvicorn.Config(app, log_config=None, lifespan="on"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [listener]})
    thread.start()
    try:
        eventually(lambda: server.started, timeout=10)
        yield url_of(listener)
    finally:
        server.should_exit = True
        thread.join(timeout=30)
        listener.close()
