"""What the orders handlers need, bundled so the composition root can wire it once."""

from __future__ import annotations

from dataclasses import dataclass

from modules.orders.infrastructure.event_store import OrdersEventStore
from modules.orders.infrastructure.order_views import OrderViews
from shared.clock import Clock
from shared.unit_of_work import Transactions


@dataclass(frozen=True)
class OrdersContext:
    transactions: Transactions
    event_store: OrdersEventStore
    order_views: OrderViews
    clock: Clock
