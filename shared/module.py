"""How modules plug into the shop: what they receive, and what they offer."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, Protocol, TypeVar

from eventsourcing_sqlalchemy.datastore import SQLAlchemyDatastore
from litestar.types import ControllerRouterHandler

from shared.clock import Clock
from shared.outbox import Outbox
from shared.relay import Subscriptions
from shared.settings import Settings
from shared.unit_of_work import Transactions

C = TypeVar("C")


@dataclass(frozen=True)
class ModuleDependencies:
    datastore: SQLAlchemyDatastore
    outbox: Outbox
    subscriptions: Subscriptions
    clock: Clock
    settings: Settings

    def transactions_for(self, module_name: str) -> Transactions:
        return Transactions(self.datastore, self.outbox, module_name)


@dataclass(frozen=True)
class Seeded:
    """What a module's ``seed`` did: ``added`` of its ``things`` were missing, ``kept`` were not."""

    things: str
    added: int
    kept: int

    def __str__(self) -> str:
        return f"{self.added} {self.things} added, {self.kept} already there"


def _nothing(*_: Any) -> None:
    return None


@dataclass(frozen=True)
class ModuleDefinition(Generic[C]):
    """A module as the composition root sees it.

    ``build`` makes the module's context (its handlers' dependencies), which is also
    what its controllers receive as the dependency named after the module.
    ``subscribe`` registers its handlers for other modules' messages.
    """

    name: str
    build: Callable[[ModuleDependencies], C]
    route_handlers: Sequence[ControllerRouterHandler] = ()
    subscribe: Callable[[C, Subscriptions], None] = _nothing
    seed: Callable[[C], Seeded | None] = _nothing
    background_workers: Callable[[C], Sequence[BackgroundWorker]] = lambda _: ()


class BackgroundWorker(Protocol):
    """Something a module runs beside the web app (in ``serve``) or in ``shop worker``."""

    def start(self) -> None: ...

    def stop(self) -> None: ...
