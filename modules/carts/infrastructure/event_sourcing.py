"""The carts module's event-sourced application: where its aggregates are stored."""

from __future__ import annotations

from shared.event_sourcing import ModuleApplication


class CartsApplication(ModuleApplication):
    """Shopping cart streams, in the table ``carts_events``."""

    name = "carts"
