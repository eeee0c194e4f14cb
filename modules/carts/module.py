"""How the carts module plugs into the shop."""

from __future__ import annotations

from modules.carts.api.controllers import CartController, ProductController
from modules.carts.application.context import CartsContext
from modules.carts.infrastructure.cart_views import CartViews
from modules.carts.infrastructure.catalogue import SEED_PRODUCTS, ProductCatalogue
from modules.carts.infrastructure.event_sourcing import CartsApplication
from shared.module import ModuleDefinition, ModuleDependencies

NAME = "carts"


def build(dependencies: ModuleDependencies) -> CartsContext:
    return CartsContext(
        transactions=dependencies.transactions_for(NAME),
        aggregates=CartsApplication(dependencies.datastore),
        catalogue=ProductCatalogue(),
        cart_views=CartViews(),
        clock=dependencies.clock,
    )


def seed(context: CartsContext) -> None:
    with context.transactions.unit_of_work() as uow:
        context.catalogue.seed(uow.session, SEED_PRODUCTS)


carts = ModuleDefinition(
    name=NAME,
    build=build,
    route_handlers=[ProductController, CartController],
    seed=seed,
)
