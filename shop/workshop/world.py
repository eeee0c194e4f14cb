"""The world a scenario runs in: one shop on a fresh database, driven as production drives it.

Customers act through the HTTP API (in process, through the real Litestar app). The
relay and the sandbox provider's webhook sender are run by the scenario, step by
step, instead of by background threads: the story decides when a message is
delivered, when the provider answers and when time passes, so that every run
measures the same thing. Time is a :class:`~shared.clock.ManualClock`.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID

import httpx
from eventsourcing.application import Application, Cache
from litestar.testing import TestClient
from sqlalchemy import text
from sqlalchemy.orm import Session

from modules.carts.application.commands import (
    AddProductItem,
    ConfirmShoppingCart,
    add_product_item,
    confirm_shopping_cart,
)
from modules.payments.infrastructure.sandbox.provider import SandboxPaymentProvider
from shared.clock import ManualClock
from shared.projections import ProjectionRunner
from shared.relay import DeliveryFailed
from shared.settings import Settings
from shared.unit_of_work import Transactions
from shared.web.auth import Role
from shop.app import create_app
from shop.bootstrap import Shop, bootstrap

logger = logging.getLogger(__name__)

MAX_ROUNDS = 50


class CheckoutRefused(Exception):
    """The API refused a step of a customer's checkout; the story cannot go on."""


class RelayCrashed(Exception):
    """The relay's process died: what it had not recorded as delivered, it delivers again."""


class ProjectionCrashed(Exception):
    """A projection's worker died: it starts again from the checkpoint it last recorded."""


@dataclass
class Deliveries:
    """What one :meth:`World.settle` did: messages delivered, webhooks acknowledged, and
    the relay's failures (each one a message it could not get past)."""

    messages: int = 0
    notifications: int = 0
    crashes: int = 0
    failures: list[str] = field(default_factory=list)


@dataclass
class EventsLoaded:
    """How many stored events a repository read (see :meth:`World.events_loaded`)."""

    count: int = 0


class World:
    """A shop on an empty, migrated database, seeded with the demo catalogue and stock."""

    def __init__(self, database_url: str, clock: ManualClock | None = None) -> None:
        self.clock = clock or ManualClock()
        settings = Settings(_env_file=None, database_url=database_url)
        self.shop: Shop = bootstrap(settings, self.clock)
        self.shop.seed()
        self._client: TestClient[Any] = TestClient(create_app(self.shop))
        self._client.__enter__()

    def close(self) -> None:
        self._client.__exit__(None, None, None)
        self.shop.close()

    # --- customers, through the HTTP API ----------------------------------------------------

    def headers(self, customer_id: str, role: Role = Role.CUSTOMER) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.shop.tokens.mint(customer_id, role)}"}

    def http(self, method: str, path: str, customer_id: str, **kwargs: Any) -> httpx.Response:
        return self._client.request(method, path, headers=self.headers(customer_id), **kwargs)

    def check_out(self, customer_id: str, items: Mapping[str, int], payment_method: str) -> None:
        """Fills the customer's cart and checks out; raises :class:`CheckoutRefused` on a 4xx."""
        for product_id, quantity in items.items():
            added = self.http(
                "POST",
                "/api/cart/items",
                customer_id,
                json={"product_id": product_id, "quantity": quantity},
            )
            if added.status_code != 200:
                raise CheckoutRefused(f"{customer_id} adding {product_id}: {added.text}")
        confirmed = self.http(
            "POST", "/api/cart/checkout", customer_id, json={"payment_method": payment_method}
        )
        if confirmed.status_code != 202:
            raise CheckoutRefused(f"{customer_id} checking out: {confirmed.text}")

    def sales_report(self) -> dict[str, Any]:
        """The sales report, as an admin reads it through the API."""
        report = self._client.get("/api/reports/sales", headers=self.headers("admin", Role.ADMIN))
        report.raise_for_status()
        body: dict[str, Any] = report.json()
        return body

    def buy_again_and_again(
        self, customer_id: str, product_id: str, purchases: int, payment_method: str = "tok_ok"
    ) -> None:
        """The customer buys one ``product_id``, checks out, and again, ``purchases`` times:
        years of a loyal customer's visits, through the carts' application services.

        The relay does not run, so no order is placed: the story is about the carts. While
        the history is written, the carts' repository keeps each cart in memory and reads
        only the events stored since (the library's aggregate cache), so that years of
        history take seconds; it is gone before the story measures anything.
        """
        carts = self.shop.carts
        repository = carts.aggregates.repository
        repository.cache = Cache()
        try:
            for _ in range(purchases):
                add_product_item(AddProductItem(customer_id, product_id, 1), carts)
                confirm_shopping_cart(ConfirmShoppingCart(customer_id, payment_method), carts)
        finally:
            repository.cache = None

    def orders_of(self, customer_id: str) -> list[dict[str, Any]]:
        """The customer's orders, newest first, as the orders API lists them."""
        listed = self.http("GET", "/api/orders", customer_id, params={"limit": 100})
        listed.raise_for_status()
        orders: list[dict[str, Any]] = listed.json()["orders"]
        return orders

    def publish(self, source: str, message_type: str, payload: Mapping[str, Any]) -> UUID:
        """Publishes a message through the outbox as module ``source`` would, in a unit of
        work of its own: a message from another release of that module, say."""
        with Transactions(self.shop.datastore, self.shop.outbox, source).unit_of_work() as uow:
            return uow.publish(message_type, payload)

    # --- the background work, run by the story ----------------------------------------------

    def settle(self, *, rounds: int = MAX_ROUNDS) -> Deliveries:
        """Runs the relay and the provider's webhook sender until neither has work left.

        A message the relay cannot get past is recorded as a failure, as the relay's
        worker would log it, and the round ends there; at most ``rounds`` rounds run.
        A crash of the relay (see :meth:`relay_crashes_before_each_checkpoint`) is
        counted, and the relay restarts at once.
        """
        done = Deliveries()
        for _ in range(rounds):
            delivered, failure, crashed = self._relay_round()
            done.messages += delivered
            done.crashes += crashed
            if failure is not None:
                done.failures.append(failure)
            answered = self.provider.deliver_due_notifications(self._post_webhook)
            done.notifications += answered
            if failure is not None or (delivered == 0 and answered == 0 and not crashed):
                break
        return done

    def run_for(self, duration: timedelta, *, every: timedelta) -> Deliveries:
        """Runs the background work for ``duration`` of the clock, as a worker polling
        ``every`` so often would: at each poll :meth:`settle`, then time passes.

        A deadline without a sleep: only the clock moves, so every run makes the same
        number of passes and the relay's retries fall at the same moments.
        """
        done = Deliveries()
        for _ in range(int(duration / every)):
            settled = self.settle()
            done.messages += settled.messages
            done.notifications += settled.notifications
            done.crashes += settled.crashes
            done.failures.extend(settled.failures)
            self.pass_time(every)
        return done

    @contextmanager
    def relay_crashes_before_each_checkpoint(self) -> Iterator[None]:
        """Within the block, the relay's process dies once per message, after the handlers
        committed and before the relay recorded its checkpoint: an out-of-memory kill, a
        deploy, a lost connection at the wrong moment. Restarted, it delivers again."""
        relay = self.shop.relay
        record_checkpoint = relay._advance_checkpoint
        crashed_at: set[tuple[int, int]] = set()

        def crash_once(position: tuple[int, int]) -> None:
            if position not in crashed_at:
                crashed_at.add(position)
                raise RelayCrashed(f"the relay died before recording {position} as delivered")
            record_checkpoint(position)

        relay._advance_checkpoint = crash_once  # type: ignore[method-assign]
        try:
            yield
        finally:
            relay._advance_checkpoint = record_checkpoint  # type: ignore[method-assign]

    def catch_up_projection(self, runner: ProjectionRunner) -> int:
        """Runs a projection as its worker does until no event is left after its checkpoint;
        a crash (see :meth:`projection_crashes_before_each_checkpoint`) restarts the worker
        at once. Returns how many times it crashed."""
        crashes = 0
        for _ in range(MAX_ROUNDS):
            try:
                runner.catch_up()
            except ProjectionCrashed:
                crashes += 1
            else:
                break
        return crashes

    @contextmanager
    def projection_crashes_before_each_checkpoint(self, runner: ProjectionRunner) -> Iterator[None]:
        """Within the block, the projection's worker dies once per batch, as it writes its
        checkpoint: after it has applied the batch, before the checkpoint is recorded.
        Restarted, it goes on from the checkpoint it last recorded."""
        write_checkpoint = runner._write_checkpoint
        crashed_at: set[int] = set()

        def crash_once(session: Session, position: int) -> None:
            if position not in crashed_at:
                crashed_at.add(position)
                raise ProjectionCrashed(f"{runner.name} died before recording position {position}")
            write_checkpoint(session, position)

        runner._write_checkpoint = crash_once  # type: ignore[method-assign]
        try:
            yield
        finally:
            runner._write_checkpoint = write_checkpoint  # type: ignore[method-assign]

    def pass_time(self, delta: timedelta) -> None:
        self.clock.advance(delta)

    @property
    def provider(self) -> SandboxPaymentProvider:
        provider = self.shop.payments.provider
        assert isinstance(provider, SandboxPaymentProvider)
        return provider

    def _relay_round(self) -> tuple[int, str | None, int]:
        """Messages delivered, the failure that stopped the relay, and whether it crashed."""
        try:
            return self.shop.relay.deliver_pending(), None, 0
        except DeliveryFailed as failure:
            return 0, str(failure), 0
        except RelayCrashed:
            return 1, None, 1

    def _post_webhook(self, path: str, body: bytes, headers: dict[str, str]) -> int:
        return self._client.post(path, content=body, headers=headers).status_code

    # --- what the story measures ------------------------------------------------------------

    def count(self, table: str) -> int:
        """How many rows a table holds."""
        [row] = self.rows(f"SELECT count(*) AS size FROM {table}")  # noqa: S608 - our own names
        size: int = row["size"]
        return size

    def rows(self, sql: str, **parameters: Any) -> list[dict[str, Any]]:
        """The rows of a read-only query, as dictionaries."""
        with self.shop.datastore.transaction(commit=False) as session:
            result = session.execute(text(sql), parameters)
            return [dict(row._mapping) for row in result]

    @contextmanager
    def events_loaded(self, application: Application[UUID]) -> Iterator[EventsLoaded]:
        """Within the block, counts the stored events ``application``'s repository reads
        to rebuild aggregates: what a command pays for the history it loads."""
        event_store = application.repository.event_store
        read = event_store.get
        loaded = EventsLoaded()

        def counted(*args: Any, **kwargs: Any) -> Iterator[Any]:
            for domain_event in read(*args, **kwargs):
                loaded.count += 1
                yield domain_event

        event_store.get = counted  # type: ignore[method-assign]
        try:
            yield loaded
        finally:
            event_store.get = read  # type: ignore[method-assign]

    def stock_of(self, product_id: str) -> int:
        [row] = self.rows(
            "SELECT quantity FROM shipments_stock WHERE product_id = :product_id",
            product_id=product_id,
        )
        quantity: int = row["quantity"]
        return quantity


@contextmanager
def world(database_url: str) -> Iterator[World]:
    opened = World(database_url)
    try:
        yield opened
    finally:
        opened.close()


def money(value: Any) -> Decimal:
    """An amount read from the database (text on SQLite, NUMERIC on PostgreSQL)."""
    return Decimal(str(value))
