"""How the shipments module plugs into the shop."""

from __future__ import annotations

from modules.shipments.api.controllers import InventoryController, ShipmentController
from modules.shipments.application import commands
from modules.shipments.application.context import ShipmentsContext
from modules.shipments.contracts import ShipOrder
from modules.shipments.infrastructure.event_sourcing import ShipmentsApplication
from modules.shipments.infrastructure.inventory import SEED_STOCK, Inventory
from modules.shipments.infrastructure.package_views import PackageViews
from shared.module import ModuleDefinition, ModuleDependencies, Seeded

NAME = "shipments"


def build(dependencies: ModuleDependencies) -> ShipmentsContext:
    return ShipmentsContext(
        transactions=dependencies.transactions_for(NAME),
        aggregates=ShipmentsApplication(dependencies.datastore),
        inventory=Inventory(),
        package_views=PackageViews(),
        clock=dependencies.clock,
    )


def seed(context: ShipmentsContext) -> Seeded:
    with context.transactions.unit_of_work() as uow:
        added = context.inventory.seed(uow.session, SEED_STOCK)
    return Seeded("stock levels", added, kept=len(SEED_STOCK) - added)


shipments = ModuleDefinition(
    name=NAME,
    build=build,
    route_handlers=[InventoryController, ShipmentController],
    routes={ShipOrder: commands.ship_order},
    seed=seed,
)
