"""Where the shipments module records its packages' events."""

from __future__ import annotations

from shared.eventstore import ModuleEventStore


class ShipmentsEventStore(ModuleEventStore):
    """Package streams, in the table ``shipments_events``."""

    name = "shipments"
