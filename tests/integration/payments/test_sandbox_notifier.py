"""The sandbox's background worker posts its notifications over HTTP to the shop's webhook."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import timedelta
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from uuid import uuid4

import pytest
from sqlalchemy import select

from modules.payments.infrastructure.sandbox.signature import SIGNATURE_HEADER, WebhookSignature
from modules.payments.infrastructure.tables import sandbox_notifications
from modules.payments.module import payments
from shared.clock import ManualClock
from shared.settings import Settings
from shop.bootstrap import Shop, bootstrap
from tests.integration.payments.support import WEBHOOK_PATH, context_of, sandbox_of
from tests.support import eventually


class Received:
    def __init__(self) -> None:
        self.requests: list[tuple[str, bytes, dict[str, str]]] = []
        self.lock = threading.Lock()

    def add(self, path: str, body: bytes, headers: dict[str, str]) -> None:
        with self.lock:
            self.requests.append((path, body, headers))

    def all(self) -> list[tuple[str, bytes, dict[str, str]]]:
        with self.lock:
            return list(self.requests)


@pytest.fixture
def webhook() -> Iterator[tuple[str, Received]]:
    """A stand-in for the shop's web server that acknowledges every notification."""
    received = Received()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            received.add(self.path, body, dict(self.headers.items()))
            self.send_response(204)
            self.end_headers()

        def log_message(self, *_: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", received
    finally:
        server.shutdown()
        thread.join()
        server.server_close()


@pytest.fixture
def shop_posting_to(
    webhook: tuple[str, Received], settings: Settings, clock: ManualClock
) -> Iterator[Shop]:
    shop = bootstrap(settings.model_copy(update={"public_base_url": webhook[0]}), clock)
    yield shop
    shop.close()


def undelivered(shop: Shop) -> list[int]:
    with shop.datastore.transaction(commit=False) as session:
        return list(
            session.execute(
                select(sandbox_notifications.c.id).where(
                    sandbox_notifications.c.delivered_at.is_(None)
                )
            ).scalars()
        )


def test_the_worker_posts_signed_notifications_to_the_public_base_url(
    shop_posting_to: Shop, webhook: tuple[str, Received], settings: Settings, clock: ManualClock
) -> None:
    shop = shop_posting_to
    payment_id = uuid4()
    sandbox_of(shop).request_payment(payment_id, Decimal("9.80"), "EUR", "tok_declined")
    [worker] = payments.background_workers(context_of(shop), shop.dependencies)

    worker.start()
    try:
        [(path, body, headers)] = eventually(webhook[1].all)
        eventually(lambda: not undelivered(shop))
    finally:
        worker.stop()

    assert path == WEBHOOK_PATH
    assert str(payment_id) in body.decode()
    WebhookSignature(settings.sandbox_webhook_secret.get_secret_value()).verify(
        headers[SIGNATURE_HEADER], body, now=clock.now(), tolerance=timedelta(0)
    )


def test_a_request_is_answered_at_once_not_on_the_next_poll(
    webhook: tuple[str, Received], settings: Settings, clock: ManualClock
) -> None:
    """The sender waits on the provider's requests: an hour's poll delays nothing."""
    hourly = settings.model_copy(
        update={"public_base_url": webhook[0], "sandbox_poll_seconds": 3600.0}
    )
    shop = bootstrap(hourly, clock)
    [worker] = payments.background_workers(context_of(shop), shop.dependencies)
    worker.start()
    try:
        # The first round, at start, may find the first request; then the sender waits.
        sandbox_of(shop).request_payment(uuid4(), Decimal("9.80"), "EUR", "tok_ok")
        eventually(lambda: not undelivered(shop) and webhook[1].all())
        payment_id = uuid4()
        sandbox_of(shop).request_payment(payment_id, Decimal("9.80"), "EUR", "tok_ok")

        [_, (_, body, _)] = eventually(lambda: webhook[1].all()[1:] and webhook[1].all())
        assert str(payment_id) in body.decode()
    finally:
        worker.stop()
        shop.close()
