"""The payments module's event store."""

from __future__ import annotations

from shared.eventstore import ModuleEventStore


class PaymentsEventStore(ModuleEventStore):
    """Payment streams, in the table ``payments_events``."""

    name = "payments"
