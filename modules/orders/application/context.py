"""What the orders handlers need, bundled so the composition root can wire it once."""

from __future__ import annotations

from dataclasses import dataclass

from modules.orders.infrastructure.event_sourcing import OrdersApplication
from modules.orders.infrastructure.order_views import OrderViews
from modules.orders.infrastructure.sales_report import SalesPerProduct
from shared.clock import Clock
from shared.projections import ProjectionRunner
from shared.unit_of_work import Transactions


@dataclass(frozen=True)
class OrdersContext:
    transactions: Transactions
    aggregates: OrdersApplication
    order_views: OrderViews
    sales_per_product: SalesPerProduct
    sales_projection: ProjectionRunner
    """Runs ``sales_per_product`` over the order events (a worker, or a rebuild)."""
    clock: Clock
