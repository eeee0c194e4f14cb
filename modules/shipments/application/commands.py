"""Handlers for the shipments commands: take the stock, decide the package, save last."""

from __future__ import annotations

from collections import Counter
from dataclasses import asdict, dataclass
from uuid import UUID

from modules.shipments.application.ports import ShipmentsContext
from modules.shipments.contracts import PACKAGE_SENT, PRODUCTS_OUT_OF_STOCK
from modules.shipments.domain.package import Package, PackageItem
from modules.shipments.infrastructure.inventory import StockLevel


@dataclass(frozen=True)
class ShipOrder:
    order_id: UUID
    customer_id: str
    items: tuple[PackageItem, ...]


@dataclass(frozen=True)
class SetStock:
    product_id: str
    quantity: int


def ship_order(command: ShipOrder, context: ShipmentsContext) -> Package:
    """Sends the whole order, or nothing: a missing product is an outcome, not an error."""
    wanted: Counter[str] = Counter()
    for item in command.items:
        wanted[item.product_id] += item.quantity
    with context.transactions.unit_of_work() as uow:
        short = context.inventory.take(uow.session, wanted)
        if short:
            package = Package.report_out_of_stock(command.order_id, command.customer_id, short)
        else:
            package = Package.send(command.order_id, command.customer_id, command.items)
        for decided in package.pending_events:
            if isinstance(decided, Package.Sent):
                uow.publish(PACKAGE_SENT, asdict(decided))
            elif isinstance(decided, Package.ProductsOutOfStock):
                uow.publish(PRODUCTS_OUT_OF_STOCK, asdict(decided))
        context.package_views.add(uow.session, package, context.clock.now())
        context.event_store.save(package)
    return package


def set_stock(command: SetStock, context: ShipmentsContext) -> StockLevel:
    level = StockLevel(command.product_id, command.quantity)
    with context.transactions.unit_of_work() as uow:
        context.inventory.put(uow.session, level)
    return level
