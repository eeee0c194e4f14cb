"""Messages between modules, and who handles them.

Two kinds of message travel through the outbox:

- an **integration event** says what happened in the module that publishes it; any
  number of modules may subscribe, and the publisher does not know who does;
- a **command** asks one module to do something. Its schema belongs to the module
  that handles it (in that module's ``contracts``), and exactly one handler exists
  for each command type: the shop refuses to start otherwise.

Each module declares a routing table, message class → handler. The composition root
registers the tables here with :meth:`Subscriptions.route`, and the relay asks
:meth:`Subscriptions.for_type` whom to hand a message to.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict

from shared.outbox import IntegrationMessage


class IntegrationEvent(BaseModel):
    """Something that happened in the publishing module, as its subscribers read it.

    Subscribers declare only the fields they read; others in the payload are ignored.
    """

    model_config = ConfigDict(frozen=True, extra="ignore")

    message_type: ClassVar[str]


class Command(BaseModel):
    """A request to the one module that handles it; that module owns the schema.

    Unknown fields are refused: a command says exactly what its handler will do.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    message_type: ClassVar[str]


Message = IntegrationEvent | Command


MessageHandler = Callable[[IntegrationMessage], None]
Routes = Mapping[type[IntegrationEvent] | type[Command], Callable[[Any, Any], object]]
"""A module's routing table: message class → ``handler(message, module_context)``."""


@dataclass(frozen=True)
class Subscription:
    name: str
    message_type: str
    handler: MessageHandler


class RoutingError(Exception):
    """The modules' routing tables contradict each other; raised while the shop is built."""


@dataclass
class Subscriptions:
    """Which handlers receive which message types; filled in by the composition root."""

    _by_type: dict[str, list[Subscription]] = field(default_factory=dict)
    _commands: set[str] = field(default_factory=set)

    def route(self, module_name: str, routes: Routes, context: object) -> None:
        """Registers a module's routing table; each handler receives ``(message, context)``.

        Raises :class:`RoutingError` for a command whose schema another module owns, or
        that another module already handles.
        """
        for message_class, handler in routes.items():
            name = f"{module_name}.{handler.__name__}"
            deliver = _parsing(message_class, handler, context)
            if issubclass(message_class, Command):
                owner = message_class.message_type.split(".", 1)[0]
                if owner != module_name:
                    msg = (
                        f"{name} handles {message_class.message_type}, a command of the "
                        f"{owner} module: a command is handled where its schema is defined"
                    )
                    raise RoutingError(msg)
                self.handle(message_class.message_type, deliver, name=name)
            else:
                self.subscribe(message_class.message_type, deliver, name=name)

    def subscribe(self, message_type: str, handler: MessageHandler, *, name: str) -> None:
        """Adds a subscriber to an event type, which may have any number of them."""
        if message_type in self._commands:
            msg = f"{name} subscribes to {message_type}, which is a command"
            raise RoutingError(msg)
        subscriptions = self._by_type.setdefault(message_type, [])
        if any(existing.name == name for existing in subscriptions):
            msg = f"{name!r} already subscribes to {message_type!r}"
            raise RoutingError(msg)
        subscriptions.append(Subscription(name, message_type, handler))

    def handle(self, message_type: str, handler: MessageHandler, *, name: str) -> None:
        """Names the one handler of a command type."""
        existing = self._by_type.get(message_type, [])
        if existing:
            others = ", ".join(subscription.name for subscription in existing)
            msg = f"{name} would be a second handler of {message_type}, after {others}"
            raise RoutingError(msg)
        self._commands.add(message_type)
        self._by_type[message_type] = [Subscription(name, message_type, handler)]

    def check_handled(self, commands: Iterable[type[Command]]) -> None:
        """Raises :class:`RoutingError` unless every command that is sent has its handler."""
        unhandled = sorted({command.message_type for command in commands} - self._commands)
        if unhandled:
            msg = f"commands sent but handled by no module: {', '.join(unhandled)}"
            raise RoutingError(msg)

    def for_type(self, message_type: str) -> Sequence[Subscription]:
        return self._by_type.get(message_type, ())

    @property
    def message_types(self) -> list[str]:
        return sorted(self._by_type)


def _parsing(
    message_class: type[Message], handler: Callable[[Any, Any], object], context: object
) -> MessageHandler:
    def deliver(message: IntegrationMessage) -> None:
        handler(message_class.model_validate(message.payload), context)

    return deliver
