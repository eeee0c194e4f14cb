"""The shipments module's event-sourced application: where its aggregates are stored."""

from __future__ import annotations

from shared.event_sourcing import ModuleApplication


class ShipmentsApplication(ModuleApplication):
    """Package streams, in the table ``shipments_events``."""

    name = "shipments"
