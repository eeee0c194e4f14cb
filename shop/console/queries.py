"""What the console shows, read straight from the event stores, the outbox and the read models.

Every query here is generic over the modules: a module is its name and its
``eventsourcing`` application, and an event is decoded by that application's own
mapper, so a new aggregate or event appears in the console with no change here.

A page that lists recent or many things reads one bounded slice through an index
(keyset pagination: "the page after this id"), never the whole store: its cost
stays the same at ten events or ten million (``bench/console_page.py`` measures it).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any
from uuid import UUID

import pydantic_core
from eventsourcing.application import Application
from eventsourcing.persistence import StoredEvent
from eventsourcing_sqlalchemy.datastore import SQLAlchemyDatastore
from sqlalchemy import Table, and_, func, or_, select
from sqlalchemy.orm import Session

from modules.orders.infrastructure.tables import order_views
from modules.payments.infrastructure.tables import payment_views
from modules.shipments.infrastructure.tables import package_views
from shared.database import metadata
from shared.outbox import outbox_messages
from shared.relay import relay_checkpoints
from shop.modules import MODULES

if TYPE_CHECKING:
    from shop.bootstrap import Shop

PAGE_SIZE = 20
MAX_PAGE_SIZE = 100
STREAM_PAGE_SIZE = 100
# Fields every event has; the console shows them in their own columns.
_ENVELOPE = ("originator_id", "originator_version", "originator_topic", "timestamp")
_HEX_DIGITS = frozenset("0123456789abcdef")


class StreamNotFound(LookupError):
    """No module has a stream with this id."""


class UnknownModule(LookupError):
    """No module has this name."""


class OrderNotFound(LookupError):
    """No order has this id."""


class InvalidSearch(ValueError):
    """A stream search that is not a (prefix of a) stream id."""


@dataclass(frozen=True)
class StreamSummary:
    """One aggregate: its stream's id, type (from its first event), version and last change."""

    module: str
    stream_id: UUID
    aggregate_type: str
    version: int
    last_change: datetime


@dataclass(frozen=True)
class StreamPage:
    """A page of a module's streams in id order; ``next_after`` is where the next page starts."""

    module: str
    streams: list[StreamSummary]
    next_after: UUID | None
    search: str = ""


@dataclass(frozen=True)
class RecordedEvent:
    """A stored event, decoded: its stream, version, type, time, and its own fields."""

    module: str
    stream_id: UUID
    version: int
    event_type: str
    timestamp: datetime
    fields: dict[str, Any]


@dataclass(frozen=True)
class StreamEvents:
    """A slice of one stream, oldest first; ``next_after`` is the version to continue after."""

    module: str
    stream_id: UUID
    events: list[RecordedEvent]
    next_after: int | None


@dataclass(frozen=True)
class OutboxEntry:
    """A message in the outbox, as the console lists it."""

    position: int
    message_id: UUID
    source: str
    message_type: str
    recorded_at: datetime
    payload: dict[str, Any]
    delivered: bool | None = None  # None where it was not asked
    raw: str = field(repr=False, compare=False, default="")


@dataclass(frozen=True)
class TableSize:
    """A table the shop owns: who owns it, how many rows it has, and its position if any."""

    table: str
    owner: str
    rows: int
    position: str | None = None


@dataclass(frozen=True)
class OrderSummary:
    """An order as the timeline page lists it, to pick one."""

    order_id: UUID
    customer_id: str
    status: str
    placed_at: datetime


@dataclass(frozen=True)
class TimelineEntry:
    """One step of a checkout: an event of a module's stream, or a message in the outbox."""

    at: datetime
    module: str
    kind: str  # "event" or "message"
    name: str
    stream_id: UUID | None
    version: int | None
    message_id: UUID | None
    fields: dict[str, Any]


@dataclass(frozen=True)
class Timeline:
    """Everything one checkout did, in time order, and the ids that tie it together."""

    order_id: UUID
    cart_id: UUID
    payment_ids: list[UUID]
    package_ids: list[UUID]
    entries: list[TimelineEntry] = field(default_factory=list)


def parse_stream_id(text: str) -> UUID:
    """A stream id from what a person typed; raises :class:`InvalidSearch` if it is none."""
    try:
        return UUID(text.strip())
    except ValueError:
        raise InvalidSearch(f"not a stream id: {text.strip()[:40]!r}") from None


class ConsoleQueries:
    """Reads the console's facts. ``applications`` maps each module's name to its application."""

    def __init__(
        self, datastore: SQLAlchemyDatastore, applications: Mapping[str, Application[UUID]]
    ) -> None:
        self._datastore = datastore
        self._applications = dict(applications)

    @property
    def modules(self) -> list[str]:
        return list(self._applications)

    def _application(self, module: str) -> Application[UUID]:
        try:
            return self._applications[module]
        except KeyError:
            raise UnknownModule(f"no module {module[:40]!r}") from None

    # Streams ------------------------------------------------------------------------------

    def streams(
        self,
        module: str,
        *,
        after: UUID | None = None,
        search: str = "",
        limit: int = PAGE_SIZE,
    ) -> StreamPage:
        """A page of ``module``'s streams in id order, after ``after``, whose id starts with
        ``search`` (hex digits, dashes ignored).

        Raises :class:`UnknownModule` for an unknown module and :class:`InvalidSearch` for
        a search that cannot be the start of an id."""
        application = self._application(module)
        events = _events_table(application)
        limit = max(1, min(limit, MAX_PAGE_SIZE))
        conditions = []
        if after is not None:
            conditions.append(events.c.originator_id > after)
        if search.strip():
            low, high = _id_range(search)
            conditions.extend([events.c.originator_id >= low, events.c.originator_id <= high])
        # Served by the (originator_id, originator_version) index: the scan stops after one
        # page of streams, however many streams and events the store holds.
        page = (
            select(
                events.c.originator_id,
                func.min(events.c.originator_version).label("first"),
                func.max(events.c.originator_version).label("last"),
            )
            .where(*conditions)
            .group_by(events.c.originator_id)
            .order_by(events.c.originator_id)
            .limit(limit + 1)
        )
        with self._datastore.transaction(commit=False) as session:
            bounds = session.execute(page).all()
            # A second query with the page's keys as values, not a join on the first: a
            # planner with stale statistics (a freshly loaded table) was seen hashing the
            # whole table for the join; a short list of keys is index look-ups.
            keys = [
                (row.originator_id, version)
                for row in bounds
                for version in sorted({row.first, row.last})
            ]
            rows = (
                session.execute(
                    select(
                        events.c.originator_id,
                        events.c.originator_version,
                        events.c.topic,
                        events.c.state,
                    )
                    # One equality pair per key: SQLite and PostgreSQL both turn an OR of
                    # these into index look-ups, which SQLite does not for a row-value IN.
                    .where(
                        or_(
                            *(
                                and_(
                                    events.c.originator_id == stream_id,
                                    events.c.originator_version == version,
                                )
                                for stream_id, version in keys
                            )
                        )
                    )
                    .order_by(events.c.originator_id, events.c.originator_version)
                ).all()
                if keys
                else []
            )
        first_of = {row.originator_id: row.first for row in bounds}
        last_of = {row.originator_id: row.last for row in bounds}
        first_topics: dict[UUID, str] = {}
        summaries: list[StreamSummary] = []
        for row in rows:
            if row.originator_version == first_of[row.originator_id]:
                first_topics[row.originator_id] = row.topic
            if row.originator_version == last_of[row.originator_id]:
                last_event = self._decode(module, row)
                summaries.append(
                    StreamSummary(
                        module=module,
                        stream_id=row.originator_id,
                        aggregate_type=_aggregate_type(first_topics[row.originator_id]),
                        version=row.originator_version,
                        last_change=last_event.timestamp,
                    )
                )
        next_after = summaries[limit - 1].stream_id if len(summaries) > limit else None
        return StreamPage(module, summaries[:limit], next_after, search.strip())

    def stream(
        self, module: str, stream_id: UUID, *, after: int = 0, limit: int = STREAM_PAGE_SIZE
    ) -> StreamEvents:
        """``stream_id``'s events after version ``after``, oldest first, decoded.

        Raises :class:`UnknownModule` for an unknown module, :class:`StreamNotFound` if the
        module has no such stream."""
        application = self._application(module)
        limit = max(1, min(limit, 10 * STREAM_PAGE_SIZE))
        stored = application.recorder.select_events(stream_id, gt=after, limit=limit + 1)
        if not stored and after == 0:
            raise StreamNotFound(f"{module} has no stream {stream_id}")
        events = [self._decode_stored(module, event) for event in stored[:limit]]
        next_after = events[-1].version if len(stored) > limit else None
        return StreamEvents(module, stream_id, events, next_after)

    def find_stream(self, stream_id: UUID) -> str:
        """The module whose event store has ``stream_id``; raises :class:`StreamNotFound`."""
        with self._datastore.transaction(commit=False) as session:
            for module, application in self._applications.items():
                events = _events_table(application)
                found = session.execute(
                    select(events.c.originator_version)
                    .where(events.c.originator_id == stream_id)
                    .limit(1)
                ).first()
                if found is not None:
                    return module
        raise StreamNotFound(f"no module has a stream {stream_id}")

    def latest_events(self, limit: int = PAGE_SIZE) -> list[RecordedEvent]:
        """The most recent events of every module, newest first.

        Each module's newest ``limit`` rows by notification id (its primary key), then
        merged by time: one short index scan per module."""
        limit = max(1, min(limit, MAX_PAGE_SIZE))
        latest: list[RecordedEvent] = []
        with self._datastore.transaction(commit=False) as session:
            for module, application in self._applications.items():
                events = _events_table(application)
                rows = session.execute(
                    select(
                        events.c.originator_id,
                        events.c.originator_version,
                        events.c.topic,
                        events.c.state,
                    )
                    .order_by(events.c.id.desc())
                    .limit(limit)
                ).all()
                latest.extend(self._decode(module, row) for row in rows)
        latest.sort(key=lambda event: event.timestamp, reverse=True)
        return latest[:limit]

    # Outbox -------------------------------------------------------------------------------

    def recent_messages(
        self, relay_name: str, *, before: int | None = None, limit: int = PAGE_SIZE
    ) -> list[OutboxEntry]:
        """The outbox's messages before position ``before`` (all if None), newest first,
        each marked delivered if relay ``relay_name``'s checkpoint has passed it."""
        limit = max(1, min(limit, MAX_PAGE_SIZE))
        query = select(outbox_messages).order_by(outbox_messages.c.id.desc()).limit(limit)
        if before is not None:
            query = query.where(outbox_messages.c.id < before)
        with self._datastore.transaction(commit=False) as session:
            checkpoint = session.execute(
                select(relay_checkpoints.c.tx_id, relay_checkpoints.c.message_position).where(
                    relay_checkpoints.c.relay_name == relay_name
                )
            ).first()
            rows = session.execute(query).all()
        passed = (checkpoint.tx_id, checkpoint.message_position) if checkpoint else (-1, -1)
        return [_outbox_entry(row, delivered=(row.tx_id, row.id) <= passed) for row in rows]

    # Read models --------------------------------------------------------------------------

    def table_sizes(self) -> list[TableSize]:
        """Every table the shop owns besides the event stores, with its owner and row count.

        Counting is a scan of each table: this is the read models page, not a live list."""
        sizes: list[TableSize] = []
        with self._datastore.transaction(commit=False) as session:
            for table in sorted(metadata.tables.values(), key=lambda table: table.name):
                rows = session.execute(select(func.count()).select_from(table)).scalar_one()
                sizes.append(
                    TableSize(table=table.name, owner=self._owner_of(table.name), rows=rows)
                )
        return sizes

    def _owner_of(self, table_name: str) -> str:
        prefix = table_name.split("_", 1)[0]
        return prefix if prefix in self._applications else "shared"

    # Checkout timeline --------------------------------------------------------------------

    def recent_orders(self, limit: int = PAGE_SIZE) -> list[OrderSummary]:
        """The newest orders, by the index the orders API lists them with."""
        limit = max(1, min(limit, MAX_PAGE_SIZE))
        query = (
            select(
                order_views.c.order_id,
                order_views.c.customer_id,
                order_views.c.status,
                order_views.c.placed_at,
            )
            .order_by(order_views.c.placed_at.desc(), order_views.c.order_id.desc())
            .limit(limit)
        )
        with self._datastore.transaction(commit=False) as session:
            return [
                OrderSummary(row.order_id, row.customer_id, row.status, _utc(row.placed_at))
                for row in session.execute(query)
            ]

    def timeline(self, order_id: UUID) -> Timeline:
        """Every event and message of one checkout, in time order; raises :class:`OrderNotFound`.

        The order's read model gives its cart; the payments' and packages' read models
        give the streams that carry its ``order_id``. The cart's stream lives as long as
        its customer, so only the events after the cart's previous order and up to this
        order are this checkout's. Messages are the outbox rows that name any of these
        ids; there is no index on a message's payload, so that part reads the outbox."""
        with self._datastore.transaction(commit=False) as session:
            order = session.execute(
                select(order_views.c.cart_id, order_views.c.placed_at).where(
                    order_views.c.order_id == order_id
                )
            ).first()
            if order is None:
                raise OrderNotFound(f"no order {order_id}")
            previous_order = session.execute(
                select(order_views.c.order_id)
                .where(
                    order_views.c.cart_id == order.cart_id,
                    order_views.c.placed_at < order.placed_at,
                )
                .order_by(order_views.c.placed_at.desc())
                .limit(1)
            ).scalar_one_or_none()
            payment_ids = _ids(session, payment_views, "payment_id", order_id)
            package_ids = _ids(session, package_views, "package_id", order_id)
        timeline = Timeline(order_id, order.cart_id, payment_ids, package_ids)
        order_events = self.stream("orders", order_id).events
        placed_at = order_events[0].timestamp
        since = (
            self.stream("orders", previous_order, limit=1).events[0].timestamp
            if previous_order is not None
            else None
        )
        events = [
            *self._cart_events_between(order.cart_id, since, placed_at),
            *order_events,
            *(event for payment_id in payment_ids for event in self._all("payments", payment_id)),
            *(event for package_id in package_ids for event in self._all("shipments", package_id)),
        ]
        entries = [_timeline_event(event) for event in events]
        messages = self._checkout_messages(
            order.cart_id, [order_id, *payment_ids, *package_ids], previous_order
        )
        entries.extend(_timeline_message(message) for message in messages)
        entries.sort(key=lambda entry: entry.at)
        timeline.entries.extend(entries)
        return timeline

    def _all(self, module: str, stream_id: UUID) -> Iterable[RecordedEvent]:
        after: int | None = 0
        while after is not None:
            try:
                page = self.stream(module, stream_id, after=after)
            except StreamNotFound:
                return
            yield from page.events
            after = page.next_after

    def _cart_events_between(
        self, cart_id: UUID, since: datetime | None, until: datetime
    ) -> list[RecordedEvent]:
        # Newest first, stopping at the previous checkout: reads this session of the cart,
        # not the customer's whole history.
        recorder = self._applications["carts"].recorder
        found: list[RecordedEvent] = []
        before: int | None = None
        while True:
            stored = recorder.select_events(cart_id, lte=before, desc=True, limit=50)
            for record in stored:
                event = self._decode_stored("carts", record)
                if since is not None and event.timestamp <= since:
                    return found[::-1]
                if event.timestamp <= until:
                    found.append(event)
            if len(stored) < 50:
                return found[::-1]
            before = stored[-1].originator_version - 1

    def _checkout_messages(
        self, cart_id: UUID, own_ids: Sequence[UUID], previous_order: UUID | None
    ) -> list[OutboxEntry]:
        """The outbox rows naming this checkout's order, payments or packages, and those
        naming its cart between the previous order's first message and this order's."""
        named = [cart_id, *own_ids, *([previous_order] if previous_order else [])]
        query = select(outbox_messages).where(
            or_(*(outbox_messages.c.payload.contains(str(some_id)) for some_id in named))
        )
        with self._datastore.transaction(commit=False) as session:
            rows = [_outbox_entry(row) for row in session.execute(query)]

        def naming(ids: Sequence[UUID]) -> list[OutboxEntry]:
            return [row for row in rows if any(str(some_id) in row.raw for some_id in ids)]

        own = naming(own_ids)
        own_positions = {row.position for row in own}
        # The cart's stream (and so its id) serves every checkout of its customer: its
        # messages belong to this one when they come between the two orders' messages.
        previous = naming([previous_order]) if previous_order is not None else []
        after = min((row.position for row in previous), default=0)
        until = min((row.position for row in own), default=None)
        cart = [
            row
            for row in naming([cart_id])
            if after < row.position
            and (until is None or row.position < until)
            and row.position not in own_positions
        ]
        return sorted([*cart, *own], key=lambda row: row.position)

    # Decoding -----------------------------------------------------------------------------

    def _decode(self, module: str, row: Any) -> RecordedEvent:
        return self._decode_stored(
            module,
            StoredEvent(
                originator_id=row.originator_id,
                originator_version=row.originator_version,
                topic=row.topic,
                state=row.state,
            ),
        )

    def _decode_stored(self, module: str, stored: StoredEvent) -> RecordedEvent:
        domain_event = self._applications[module].mapper.to_domain_event(stored)
        state = vars(domain_event)
        stream_id = stored.originator_id
        return RecordedEvent(
            module=module,
            stream_id=stream_id if isinstance(stream_id, UUID) else UUID(stream_id),
            version=stored.originator_version,
            event_type=_event_type(stored.topic),
            timestamp=_utc(state["timestamp"]),
            fields={
                name: pydantic_core.to_jsonable_python(value)
                for name, value in state.items()
                if name not in _ENVELOPE
            },
        )


def _events_table(application: Application[UUID]) -> Table:
    table: Table = application.recorder.events_record_cls.__table__  # type: ignore[attr-defined]
    return table


def _event_type(topic: str) -> str:
    """``ShoppingCart.ProductItemAdded`` from ``modules.carts.domain.cart:ShoppingCart.Pr…``."""
    return topic.rpartition(":")[2]


def _aggregate_type(first_topic: str) -> str:
    """The aggregate's class, from the topic of the event that created it."""
    return _event_type(first_topic).rpartition(".")[0] or _event_type(first_topic)


def _id_range(search: str) -> tuple[UUID, UUID]:
    """The lowest and highest ids that start with the hex digits of ``search``."""
    digits = search.strip().lower().replace("-", "")
    if not digits or len(digits) > 32 or not set(digits) <= _HEX_DIGITS:
        raise InvalidSearch("search by the start of a stream id: hexadecimal digits")
    return UUID(digits.ljust(32, "0")), UUID(digits.ljust(32, "f"))


def _ids(session: Session, table: Table, column: str, order_id: UUID) -> list[UUID]:
    rows = session.execute(select(table.c[column]).where(table.c.order_id == order_id))
    return sorted(rows.scalars())


def _outbox_entry(row: Any, *, delivered: bool | None = None) -> OutboxEntry:
    return OutboxEntry(
        position=row.id,
        message_id=row.message_id,
        source=row.source,
        message_type=row.message_type,
        recorded_at=_utc(row.recorded_at),
        payload=pydantic_core.from_json(row.payload),
        delivered=delivered,
        raw=row.payload,
    )


def _timeline_event(event: RecordedEvent) -> TimelineEntry:
    return TimelineEntry(
        at=event.timestamp,
        module=event.module,
        kind="event",
        name=event.event_type,
        stream_id=event.stream_id,
        version=event.version,
        message_id=None,
        fields=event.fields,
    )


def _timeline_message(message: OutboxEntry) -> TimelineEntry:
    return TimelineEntry(
        at=message.recorded_at,
        module=message.source,
        kind="message",
        name=message.message_type,
        stream_id=None,
        version=None,
        message_id=message.message_id,
        fields=message.payload,
    )


def _utc(moment: datetime) -> datetime:
    # SQLite gives back naive datetimes; everything the shop writes is UTC.
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def queries_for(shop: Shop) -> ConsoleQueries:
    """The console's queries over a built shop: its datastore and each module's application."""
    return ConsoleQueries(
        shop.datastore,
        {module.name: shop.contexts[module.name].aggregates for module in MODULES},
    )
