"""The one specification harness: given / when / then, for aggregates and for message handlers.

**Aggregates** (no I/O): ``given`` rebuilds an aggregate from facts the way the event
store does (each event mutates it in turn, so no guard runs while replaying);
``when`` calls a command method; ``then`` compares what it recorded, fact by fact,
and ``then_refused`` checks that a refusal recorded nothing and changed nothing.
``given()`` with no facts specifies the commands that create an aggregate.

**Message handlers** (against the real database, as the relay delivers): ``given``
delivers past messages through the shop's routing tables; ``when`` delivers one more;
``then`` compares the messages that delivery put in the outbox — commands sent and
integration events published — with what the specification expects.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, field, is_dataclass
from datetime import UTC, datetime
from typing import Any, Generic, TypeVar, overload
from uuid import UUID, uuid4

import pydantic_core
from eventsourcing.domain import Aggregate, CanMutateAggregate
from eventsourcing.utils import get_topic
from sqlalchemy import func, select

from shared.errors import ShopError
from shared.event_sourcing import ModuleApplication
from shared.messaging import Message
from shared.outbox import IntegrationMessage, outbox_messages
from shop.bootstrap import Shop

A = TypeVar("A", bound=Aggregate)

RECORDED_AT = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)
BOOKKEEPING = frozenset({"originator_id", "originator_version", "timestamp", "originator_topic"})


# --- aggregates ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Fact:
    """An event as the business states it; the store adds the id, version and time."""

    kind: type[CanMutateAggregate[Any]]
    fields: Mapping[str, Any] = field(default_factory=dict)


def fact_of(event: object) -> Fact:
    """The business content of a recorded event, without the store's bookkeeping."""
    values = asdict(event) if is_dataclass(event) and not isinstance(event, type) else vars(event)
    recorded = {name: value for name, value in values.items() if name not in BOOKKEEPING}
    return Fact(type(event), recorded)  # type: ignore[arg-type]


class AggregateSpecification(Generic[A]):
    """Given an aggregate's history, when a command, then the events it records.

    ``state_of`` picks the attributes that a refused command must leave unchanged.
    """

    def __init__(self, aggregate: A, state_of: Callable[[A], object]) -> None:
        self.aggregate = aggregate
        self._state_of = state_of
        self._version_before = aggregate.version
        self._state_before = state_of(aggregate)
        self._refusal: ShopError | None = None

    def when(self, command: Callable[[A], object]) -> AggregateSpecification[A]:
        try:
            command(self.aggregate)
        except ShopError as refusal:
            self._refusal = refusal
        return self

    def then(self, *expected: Fact) -> A:
        """The command recorded exactly these facts, at the versions that follow the history."""
        assert self._refusal is None, f"the command was refused: {self._refusal!r}"
        _assert_recorded(self.aggregate, self._version_before, expected)
        return self.aggregate

    def then_refused(self, error: type[ShopError], detail: str) -> None:
        """The command raised ``error`` mentioning ``detail``, recorded nothing, changed nothing."""
        _assert_refusal(self._refusal, error, detail)
        assert self.aggregate.collect_events() == []
        assert self._state_of(self.aggregate) == self._state_before


class CreationSpecification(Generic[A]):
    """Given no history, when a command creates the aggregate, then the events it records."""

    def __init__(self, aggregate_class: type[A]) -> None:
        self._aggregate_class = aggregate_class
        self._created: A | None = None
        self._refusal: ShopError | None = None

    def when(self, create: Callable[[], A]) -> CreationSpecification[A]:
        try:
            self._created = create()
        except ShopError as refusal:
            self._refusal = refusal
        return self

    def then(self, *expected: Fact) -> A:
        """The command created the aggregate, recording exactly these facts from version 1."""
        assert self._refusal is None, f"the command was refused: {self._refusal!r}"
        created = self._created
        assert isinstance(created, self._aggregate_class), (
            f"expected a new {self._aggregate_class.__name__}, got {created!r}"
        )
        _assert_recorded(created, 0, expected)
        return created

    def then_refused(self, error: type[ShopError], detail: str) -> None:
        """The command raised ``error`` mentioning ``detail``, so nothing was created."""
        _assert_refusal(self._refusal, error, detail)


def _assert_recorded(aggregate: Aggregate, version_before: int, expected: tuple[Fact, ...]) -> None:
    recorded = aggregate.collect_events()
    assert [fact_of(event) for event in recorded] == list(expected)
    assert [event.originator_id for event in recorded] == [aggregate.id] * len(recorded)
    assert [event.originator_version for event in recorded] == list(
        range(version_before + 1, version_before + 1 + len(expected))
    )


def _assert_refusal(refusal: ShopError | None, error: type[ShopError], detail: str) -> None:
    assert isinstance(refusal, error), f"expected {error.__name__}, got {refusal!r}"
    assert detail in refusal.detail, f"{detail!r} is not in {refusal.detail!r}"


def history(aggregate_class: type[A], aggregate_id: UUID, *facts: Fact) -> A:
    """The aggregate rebuilt from ``facts``, as the event store would load it."""
    aggregate: Any = None
    for version, fact in enumerate(facts, start=1):
        bookkeeping: dict[str, Any] = {
            "originator_id": aggregate_id,
            "originator_version": version,
            "timestamp": RECORDED_AT,
        }
        if version == 1:
            bookkeeping["originator_topic"] = get_topic(aggregate_class)
        aggregate = fact.kind(**bookkeeping, **fact.fields).mutate(aggregate)
    assert isinstance(aggregate, aggregate_class), (
        f"a {aggregate_class.__name__}'s history starts with its creation"
    )
    return aggregate


class Given(Generic[A]):
    """``given(fact, ...)`` starts from the aggregate those facts rebuild.

    ``given()`` starts from nothing, for the commands that create the aggregate.
    """

    def __init__(
        self, aggregate_class: type[A], aggregate_id: UUID, state_of: Callable[[A], object]
    ) -> None:
        self._aggregate_class = aggregate_class
        self._aggregate_id = aggregate_id
        self._state_of = state_of

    @overload
    def __call__(self) -> CreationSpecification[A]: ...

    @overload
    def __call__(self, creation: Fact, /, *facts: Fact) -> AggregateSpecification[A]: ...

    def __call__(self, *facts: Fact) -> CreationSpecification[A] | AggregateSpecification[A]:
        if not facts:
            return CreationSpecification(self._aggregate_class)
        aggregate = history(self._aggregate_class, self._aggregate_id, *facts)
        return AggregateSpecification(aggregate, self._state_of)


def given_aggregate(
    aggregate_class: type[A], aggregate_id: UUID, state_of: Callable[[A], object]
) -> Given[A]:
    """A module's ``given(*facts)``: its aggregate class, id and refusal state, bound once."""
    return Given(aggregate_class, aggregate_id, state_of)


# --- message handlers ------------------------------------------------------------------------


def delivered(message: Message, *, extra: Mapping[str, Any] | None = None) -> IntegrationMessage:
    """``message`` as the relay hands it over: its payload parsed back from JSON.

    ``extra`` adds fields the publisher sends but the contract does not declare.
    """
    payload = json.loads(pydantic_core.to_json({**message.model_dump(), **(extra or {})}))
    return IntegrationMessage(
        message_id=uuid4(),
        message_type=message.message_type,
        source=message.message_type.split(".", 1)[0],
        payload=payload,
        recorded_at=RECORDED_AT,
        position=(0, 0),
    )


@dataclass(frozen=True)
class Sent:
    """A message a handler put in the outbox: its type and JSON payload."""

    message_type: str
    payload: Mapping[str, Any]

    def parsed(self, message_class: type[Message]) -> Message:
        assert self.message_type == message_class.message_type, self.message_type
        return message_class.model_validate(self.payload)


class MessageFlow:
    """Given messages, when a message, then the commands and events put in the outbox.

    Messages go through the shop's routing tables (``Shop.subscriptions``), to every
    handler registered for their type, exactly as the relay delivers them.
    """

    def __init__(self, shop: Shop) -> None:
        self.shop = shop
        self._before = 0

    def given(self, *messages: Message) -> MessageFlow:
        for message in messages:
            self.deliver(message)
        return self

    def when(self, message: Message, *, extra: Mapping[str, Any] | None = None) -> MessageFlow:
        self._before = self._outbox_size()
        self.deliver(message, extra=extra)
        return self

    def when_handled(self, action: Callable[[], object]) -> MessageFlow:
        """When a command that is not a message (an API call, say): ``action`` runs it."""
        self._before = self._outbox_size()
        action()
        return self

    def deliver(self, message: Message, *, extra: Mapping[str, Any] | None = None) -> None:
        subscriptions = self.shop.subscriptions.for_type(message.message_type)
        assert subscriptions, f"no module receives {message.message_type}"
        incoming = delivered(message, extra=extra)
        for subscription in subscriptions:
            subscription.handler(incoming)

    def then(self, *expected: Message) -> None:
        """The ``when`` put exactly these messages in the outbox, in this order."""
        sent = self.sent_since_when()
        assert [message.message_type for message in sent] == [
            message.message_type for message in expected
        ]
        for actual, wanted in zip(sent, expected, strict=True):
            assert actual.parsed(type(wanted)) == wanted

    def sent_since_when(self) -> list[Sent]:
        return self._outbox()[self._before :]

    def sent_of(self, message_class: type[Message]) -> list[Message]:
        """Every message of that class in the outbox, oldest first, parsed."""
        return [
            sent.parsed(message_class)
            for sent in self._outbox()
            if sent.message_type == message_class.message_type
        ]

    def _outbox(self) -> list[Sent]:
        with self.shop.datastore.transaction(commit=False) as session:
            rows = session.execute(
                select(outbox_messages.c.message_type, outbox_messages.c.payload).order_by(
                    outbox_messages.c.id
                )
            ).all()
        return [Sent(row.message_type, json.loads(row.payload)) for row in rows]

    def _outbox_size(self) -> int:
        with self.shop.datastore.transaction(commit=False) as session:
            size: int = session.execute(
                select(func.count()).select_from(outbox_messages)
            ).scalar_one()
        return size


def recorded_events(
    aggregates: ModuleApplication, aggregate_id: UUID, *, after_version: int = 0
) -> list[Fact]:
    """The aggregate's stored events after ``after_version``, as facts."""
    return [
        fact_of(event) for event in aggregates.events.get(aggregate_id, gt=after_version or None)
    ]
