"""What the carts API specifications check besides status codes: problems, and what was stored."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx
from sqlalchemy import text

from shop.bootstrap import Shop

# Everything a carts request may write: events, the cart read model, messages, the catalogue.
WRITTEN_BY_CARTS = ("carts_events", "carts_cart_views", "outbox_messages", "carts_products")


def stored_rows(shop: Shop) -> dict[str, list[str]]:
    rows: dict[str, list[str]] = {}
    with shop.datastore.transaction(commit=False) as session:
        for table in WRITTEN_BY_CARTS:
            result = session.execute(text(f"SELECT * FROM {table}"))  # noqa: S608 - fixed names
            rows[table] = sorted(repr(tuple(row)) for row in result)
    return rows


def published_messages(shop: Shop) -> list[tuple[str, dict[str, Any]]]:
    """Every message in the outbox, oldest first, as (message type, payload)."""
    with shop.datastore.transaction(commit=False) as session:
        rows = session.execute(
            text("SELECT message_type, payload FROM outbox_messages ORDER BY id")
        ).all()
    return [(message_type, json.loads(payload)) for message_type, payload in rows]


@contextmanager
def nothing_written(shop: Shop) -> Iterator[None]:
    """The block must leave every table the carts module writes exactly as it found it."""
    before = stored_rows(shop)
    yield
    after = stored_rows(shop)
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


def etag_of(response: httpx.Response) -> str:
    etag: str = response.headers["etag"]
    return etag
