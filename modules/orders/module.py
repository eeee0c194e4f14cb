"""How the orders module plugs into the shop."""

from __future__ import annotations

from modules.carts.contracts import ShoppingCartConfirmed
from modules.orders.api.controllers import OrderController
from modules.orders.application import checkout_process
from modules.orders.application.context import OrdersContext
from modules.orders.infrastructure.event_sourcing import OrdersApplication
from modules.orders.infrastructure.order_views import OrderViews
from modules.payments.contracts import PaymentFailed, PaymentSucceeded
from modules.shipments.contracts import PackageSent, ProductsOutOfStock
from shared.module import ModuleDefinition, ModuleDependencies

NAME = "orders"


def build(dependencies: ModuleDependencies) -> OrdersContext:
    return OrdersContext(
        transactions=dependencies.transactions_for(NAME),
        aggregates=OrdersApplication(dependencies.datastore),
        order_views=OrderViews(),
        clock=dependencies.clock,
    )


orders = ModuleDefinition(
    name=NAME,
    build=build,
    route_handlers=[OrderController],
    routes={
        ShoppingCartConfirmed: checkout_process.on_shopping_cart_confirmed,
        PaymentSucceeded: checkout_process.on_payment_succeeded,
        PaymentFailed: checkout_process.on_payment_failed,
        PackageSent: checkout_process.on_package_sent,
        ProductsOutOfStock: checkout_process.on_products_out_of_stock,
    },
    sends=checkout_process.SENDS,
)
