"""How the carts module plugs into the shop."""

from __future__ import annotations

from modules.carts.api.controllers import CartController, ProductController
from modules.carts.application.context import CartsContext
from modules.carts.infrastructure.cart_views import CartViews
from modules.carts.infrastructure.catalogue import SEED_PRODUCTS, ProductCatalogue
from modules.carts.infrastructure.event_sourcing import CartsApplication
from shared.module import ModuleDefinition, ModuleDependencies, Seeded

NAME = "carts"


def build(dependencies: ModuleDependencies) -> CartsContext:
    return CartsContext(
        transactions=dependencies.transactions_for(NAME),
        aggregates=CartsApplication(dependencies.datastore),
        catalogue=ProductCatalogue(),
        cart_views=CartViews(),
        clock=dependencies.clock,
    )


def seed(context: CartsContext) -> Seeded:
    with context.transactions.unit_of_work() as uow:
        added = context.catalogue.seed(uow.session, SEED_PRODUCTS)
    return Seeded("products", added, kept=len(SEED_PRODUCTS) - added)


carts = ModuleDefinition(
    name=NAME,
    build=build,
    route_handlers=[ProductController, CartController],
    seed=seed,
)
