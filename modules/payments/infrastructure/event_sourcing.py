"""The payments module's event-sourced application: where its aggregates are stored."""

from __future__ import annotations

from shared.event_sourcing import ModuleApplication


class PaymentsApplication(ModuleApplication):
    """Payment streams, in the table ``payments_events``."""

    name = "payments"
