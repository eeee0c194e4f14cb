"""How the shipments module plugs into the shop."""

from __future__ import annotations

from modules.orders.contracts import ORDER_PAID
from modules.shipments.api.controllers import InventoryController, ShipmentController
from modules.shipments.application.policies import ship_paid_order
from modules.shipments.application.ports import ShipmentsContext
from modules.shipments.infrastructure.event_store import ShipmentsEventStore
from modules.shipments.infrastructure.inventory import SEED_STOCK, Inventory
from modules.shipments.infrastructure.package_views import PackageViews
from shared.module import ModuleDefinition, ModuleDependencies, Seeded
from shared.relay import Subscriptions


def build(dependencies: ModuleDependencies) -> ShipmentsContext:
    return ShipmentsContext(
        transactions=dependencies.transactions_for("shipments"),
        event_store=ShipmentsEventStore(dependencies.datastore),
        inventory=Inventory(),
        package_views=PackageViews(),
        clock=dependencies.clock,
    )


def subscribe(context: ShipmentsContext, subscriptions: Subscriptions) -> None:
    subscriptions.subscribe(
        ORDER_PAID,
        lambda message: ship_paid_order(message, context),
        name="shipments.on_order_paid",
    )


def seed(context: ShipmentsContext) -> Seeded:
    with context.transactions.unit_of_work() as uow:
        added = context.inventory.seed(uow.session, SEED_STOCK)
    return Seeded("stock levels", added, kept=len(SEED_STOCK) - added)


shipments = ModuleDefinition(
    name="shipments",
    build=build,
    route_handlers=[InventoryController, ShipmentController],
    subscribe=subscribe,
    seed=seed,
)
