"""Builds the whole shop from settings: one datastore, the modules, the outbox relay.

The modules' routing tables are checked here, before anything runs: a command
handled by no module, or by two, stops the shop from being built.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from eventsourcing_sqlalchemy.datastore import SQLAlchemyDatastore

from modules.carts.application.context import CartsContext
from modules.orders.application.context import OrdersContext
from modules.payments.application.context import PaymentsContext
from modules.shipments.application.context import ShipmentsContext
from shared.background import Heartbeat
from shared.clock import Clock, SystemClock
from shared.database import create_datastore, engine_of
from shared.leases import lease_for
from shared.messaging import Subscriptions
from shared.module import BackgroundWorker, ModuleDependencies, Seeded
from shared.outbox import Outbox
from shared.relay import OutboxNotifications, OutboxRelay, RelayStatus, RelayWorker
from shared.settings import Settings
from shared.web.auth import TokenService
from shop.modules import MODULES


@dataclass
class Shop:
    settings: Settings
    clock: Clock
    datastore: SQLAlchemyDatastore
    outbox: Outbox
    subscriptions: Subscriptions
    relay: OutboxRelay
    tokens: TokenService
    dependencies: ModuleDependencies
    contexts: dict[str, Any]
    _running: list[BackgroundWorker] = field(default_factory=list)
    _on_close: list[Callable[[], None]] = field(default_factory=list)

    @property
    def carts(self) -> CartsContext:
        context: CartsContext = self.contexts["carts"]
        return context

    @property
    def orders(self) -> OrdersContext:
        context: OrdersContext = self.contexts["orders"]
        return context

    @property
    def payments(self) -> PaymentsContext:
        context: PaymentsContext = self.contexts["payments"]
        return context

    @property
    def shipments(self) -> ShipmentsContext:
        context: ShipmentsContext = self.contexts["shipments"]
        return context

    def seed(self) -> list[Seeded]:
        """Adds each module's demo data where missing; says what each added and kept."""
        seeded = (module.seed(self.contexts[module.name]) for module in MODULES)
        return [result for result in seeded if result is not None]

    def start_background_workers(self) -> None:
        """The relay and every module's workers: ``shop serve`` runs them in threads."""
        heartbeat_file = self.settings.worker_heartbeat_file
        relay = RelayWorker(
            self.relay,
            lease_for(self.datastore, self.relay.name),
            poll_seconds=self.settings.relay_poll_seconds,
            retry_seconds=self.settings.relay_retry_seconds,
            stall_threshold_seconds=self.settings.relay_stall_seconds,
            heartbeat=Heartbeat(heartbeat_file).beat if heartbeat_file else None,
        )
        self._on_close.append(self.outbox.on_commit(relay.wake))
        workers: list[BackgroundWorker] = [relay]
        if engine_of(self.datastore).dialect.name == "postgresql":
            workers.append(
                OutboxNotifications(
                    self.datastore, relay.wake, retry_seconds=self.settings.relay_retry_seconds
                )
            )
        for module in MODULES:
            workers.extend(module.background_workers(self.contexts[module.name], self.dependencies))
        for worker in workers:
            worker.start()
            self._running.append(worker)

    def relay_status(self) -> RelayStatus:
        """The relay's lease, backlog and what holds it back, seen from this process."""
        return self.relay.status(
            lease_for(self.datastore, self.relay.name),
            stall_threshold_seconds=self.settings.relay_stall_seconds,
        )

    def close(self) -> None:
        while self._running:
            self._running.pop().stop()
        while self._on_close:
            self._on_close.pop()()
        engine_of(self.datastore).dispose()


def bootstrap(settings: Settings, clock: Clock | None = None) -> Shop:
    clock = clock or SystemClock()
    datastore = create_datastore(settings.database_url)
    outbox = Outbox(clock)
    dependencies = ModuleDependencies(datastore, outbox, clock, settings)
    contexts = {module.name: module.build(dependencies) for module in MODULES}
    subscriptions = Subscriptions()
    for module in MODULES:
        subscriptions.route(module.name, module.routes, contexts[module.name])
    subscriptions.check_handled(command for module in MODULES for command in module.sends)
    return Shop(
        settings=settings,
        clock=clock,
        datastore=datastore,
        outbox=outbox,
        subscriptions=subscriptions,
        relay=OutboxRelay(datastore, subscriptions, clock=clock),
        dependencies=dependencies,
        tokens=TokenService(
            settings.token_secret.get_secret_value(),
            timedelta(seconds=settings.token_ttl_seconds),
            clock,
        ),
        contexts=contexts,
    )
