"""How modules plug into the shop: what they receive, and what they offer."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Generic, Protocol, TypeVar

from eventsourcing_sqlalchemy.datastore import SQLAlchemyDatastore
from litestar.types import ControllerRouterHandler

from shared.clock import Clock
from shared.messaging import Command, Routes
from shared.outbox import Outbox
from shared.projections import ProjectionRunner
from shared.settings import Settings
from shared.unit_of_work import Transactions

C = TypeVar("C")


@dataclass(frozen=True)
class ModuleDependencies:
    datastore: SQLAlchemyDatastore
    outbox: Outbox
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


def _no_workers(*_: Any) -> Sequence[BackgroundWorker]:
    return ()


def _no_projections(*_: Any) -> Sequence[ProjectionRunner]:
    return ()


class BackgroundWorker(Protocol):
    """Something a module runs beside the web app (in ``serve``) or in ``shop worker``."""

    def start(self) -> None: ...

    def stop(self) -> None: ...


@dataclass(frozen=True)
class ModuleDefinition(Generic[C]):
    """A module as the composition root sees it.

    ``build`` makes the module's context (its handlers' dependencies), which is also
    what its controllers receive as the dependency named after the module.
    ``routes`` is its routing table: each message class it handles or subscribes to,
    and the handler that receives ``(message, context)``. ``sends`` lists the commands
    it sends to other modules; the shop is not built unless each has one handler.
    ``background_workers`` run beside the web app, or in ``shop worker``.
    ``projections`` are its asynchronous read models, for ``shop projections``.
    """

    name: str
    build: Callable[[ModuleDependencies], C]
    route_handlers: Sequence[ControllerRouterHandler] = ()
    routes: Routes = field(default_factory=dict)
    sends: Sequence[type[Command]] = ()
    seed: Callable[[C], Seeded | None] = _nothing
    background_workers: Callable[[C, ModuleDependencies], Sequence[BackgroundWorker]] = _no_workers
    projections: Callable[[C], Sequence[ProjectionRunner]] = _no_projections
