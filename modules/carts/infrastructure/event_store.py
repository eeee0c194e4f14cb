from __future__ import annotations

from shared.eventstore import ModuleEventStore


class CartsEventStore(ModuleEventStore):
    """Shopping cart streams, in the table ``carts_events``."""

    name = "carts"
