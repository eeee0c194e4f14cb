"""Handlers for the shipments commands: take the stock, decide the package, save last."""

from __future__ import annotations

from dataclasses import dataclass

from modules.shipments.application.context import ShipmentsContext
from modules.shipments.contracts import PackageSent, ProductsOutOfStock, ShipOrder
from modules.shipments.domain.package import Package, PackageItem
from modules.shipments.infrastructure.inventory import StockLevel

PUBLISHED_EVENTS: dict[type[Package.Event], str] = {
    Package.Sent: PackageSent.message_type,
    Package.ProductsOutOfStock: ProductsOutOfStock.message_type,
}


@dataclass(frozen=True)
class SetStock:
    product_id: str
    quantity: int


def ship_order(command: ShipOrder, context: ShipmentsContext) -> Package:
    """Sends the whole order, or nothing: a missing product is an outcome, not an error."""
    with context.transactions.unit_of_work() as uow:
        items = [PackageItem(item.product_id, item.quantity) for item in command.items]
        package = Package.request(command.order_id, command.customer_id, items)
        short = context.inventory.take(uow.session, package.quantities)
        if short:
            package.report_out_of_stock(short)
        else:
            package.send()
        context.package_views.add(uow.session, package, context.clock.now())
        uow.publish_events(package.pending_events, PUBLISHED_EVENTS)
        context.aggregates.save(package)
    return package


def set_stock(command: SetStock, context: ShipmentsContext) -> StockLevel:
    level = StockLevel(command.product_id, command.quantity)
    with context.transactions.unit_of_work() as uow:
        context.inventory.put(uow.session, level)
    return level
