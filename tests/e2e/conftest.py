"""A shop served over real HTTP on a loopback port, with its relay and sandbox provider running.

Nothing is driven by hand here: the relay thread delivers the outbox, the sandbox
provider posts its signed webhooks to the server, and the tests only watch.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import httpx
import pytest

from shared.clock import ManualClock
from shared.settings import Settings
from shared.web.auth import Role
from shop.app import create_app
from shop.bootstrap import Shop, bootstrap
from tests.support import loopback_listener, served_over_http, url_of


@dataclass
class RunningShop:
    shop: Shop
    http: httpx.Client

    def headers_of(self, customer_id: str, role: Role = Role.CUSTOMER) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.shop.tokens.mint(customer_id, role)}"}


@pytest.fixture
def running_shop(settings: Settings, clock: ManualClock) -> Iterator[RunningShop]:
    listener = loopback_listener()
    # The sandbox provider posts its webhooks to the shop's public URL, so it is set first.
    shop = bootstrap(
        settings.model_copy(
            update={"public_base_url": url_of(listener), "sandbox_poll_seconds": 0.05}
        ),
        clock,
    )
    shop.seed()
    app = create_app(shop, run_background_workers=True)
    with (
        served_over_http(app, listener) as base_url,
        httpx.Client(base_url=base_url, timeout=10) as http,
    ):
        yield RunningShop(shop, http)
