"""The orders module's event store."""

from __future__ import annotations

from shared.eventstore import ModuleEventStore


class OrdersEventStore(ModuleEventStore):
    """Order streams, in the table ``orders_events``."""

    name = "orders"
