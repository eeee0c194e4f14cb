"""What the carts API specifications check besides status codes: problems, and what was stored."""

from __future__ import annotations

import json
from contextlib import AbstractContextManager
from typing import Any

import httpx
from sqlalchemy import text

from shop.bootstrap import Shop
from tests.support import assert_problem, nothing_written_to

__all__ = ["assert_problem", "etag_of", "nothing_written", "published_messages"]

# Everything a carts request may write: events, the cart read model, messages, the catalogue.
WRITTEN_BY_CARTS = ("carts_events", "carts_cart_views", "outbox_messages", "carts_products")


def published_messages(shop: Shop) -> list[tuple[str, dict[str, Any]]]:
    """Every message in the outbox, oldest first, as (message type, payload)."""
    with shop.datastore.transaction(commit=False) as session:
        rows = session.execute(
            text("SELECT message_type, payload FROM outbox_messages ORDER BY id")
        ).all()
    return [(message_type, json.loads(payload)) for message_type, payload in rows]


def nothing_written(shop: Shop) -> AbstractContextManager[None]:
    """The block must leave every table the carts module writes exactly as it found it."""
    return nothing_written_to(shop, WRITTEN_BY_CARTS)


def etag_of(response: httpx.Response) -> str:
    etag: str = response.headers["etag"]
    return etag
