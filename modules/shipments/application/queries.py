"""Read side of the shipments module: answered from the read model and the stock table."""

from __future__ import annotations

from uuid import UUID

from modules.shipments.application.context import ShipmentsContext
from modules.shipments.infrastructure.inventory import StockLevel
from modules.shipments.infrastructure.package_views import PackageView


def packages_of_order(
    order_id: UUID, customer_id: str | None, context: ShipmentsContext
) -> list[PackageView]:
    """The order's packages, oldest first: only one customer's, or all when ``customer_id``
    is None."""
    with context.transactions.read_only() as session:
        return context.package_views.of_order(session, order_id, customer_id)


def stock_levels(context: ShipmentsContext) -> list[StockLevel]:
    with context.transactions.read_only() as session:
        return context.inventory.levels(session)
