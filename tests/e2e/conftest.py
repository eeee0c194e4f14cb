"""A shop served over real HTTP on a loopback port, with its relay and sandbox provider running.

Nothing is driven by hand here: the relay thread delivers the outbox, the sandbox
provider posts its signed webhooks to the server, and the tests only watch.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass

import httpx
import pytest
import uvicorn

from shared.clock import ManualClock
from shared.settings import Settings
from shared.web.auth import Role
from shop.app import create_app
from shop.bootstrap import Shop, bootstrap
from tests.support import eventually


@dataclass
class RunningShop:
    shop: Shop
    http: httpx.Client

    def headers_of(self, customer_id: str, role: Role = Role.CUSTOMER) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.shop.tokens.mint(customer_id, role)}"}


@pytest.fixture
def running_shop(settings: Settings, clock: ManualClock) -> Iterator[RunningShop]:
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    base_url = f"http://127.0.0.1:{listener.getsockname()[1]}"
    shop = bootstrap(
        settings.model_copy(update={"public_base_url": base_url, "sandbox_poll_seconds": 0.05}),
        clock,
    )
    shop.seed()
    server = uvicorn.Server(
        uvicorn.Config(
            create_app(shop, run_background_workers=True), log_level="warning", lifespan="on"
        )
    )
    thread = threading.Thread(target=server.run, kwargs={"sockets": [listener]})
    thread.start()
    try:
        eventually(lambda: server.started, timeout=10)
        with httpx.Client(base_url=base_url, timeout=10) as http:
            yield RunningShop(shop, http)
    finally:
        server.should_exit = True
        thread.join(timeout=30)
        listener.close()
