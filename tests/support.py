"""Helpers for tests: an API client that knows how to log in, and eventual-consistency probes."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

import httpx
from litestar.testing import TestClient

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
    probe: Callable[[], T | None], *, timeout: float = 10.0, interval: float = 0.02
) -> T:
    """Polls ``probe`` until it returns something truthy, or fails after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    last: T | None = None
    while time.monotonic() < deadline:
        last = probe()
        if last:
            return last
        time.sleep(interval)
    msg = f"condition not met within {timeout}s; last probe returned {last!r}"
    raise AssertionError(msg)
