"""The orders module's event-sourced application: where its aggregates are stored."""

from __future__ import annotations

from shared.event_sourcing import ModuleApplication


class OrdersApplication(ModuleApplication):
    """Order streams, in the table ``orders_events``."""

    name = "orders"
    # The sales report reads the orders' notification log (shared.projections).
    notification_log_is_read = True
