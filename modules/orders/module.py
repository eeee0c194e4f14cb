"""How the orders module plugs into the shop."""

from __future__ import annotations

from modules.carts.contracts import SHOPPING_CART_CONFIRMED
from modules.orders.api.controllers import OrderController
from modules.orders.application import checkout_process
from modules.orders.application.ports import OrdersContext
from modules.orders.infrastructure.event_store import OrdersEventStore
from modules.orders.infrastructure.order_views import OrderViews
from modules.payments.contracts import PAYMENT_FAILED, PAYMENT_SUCCEEDED
from modules.shipments.contracts import PACKAGE_SENT, PRODUCTS_OUT_OF_STOCK
from shared.module import ModuleDefinition, ModuleDependencies
from shared.relay import Subscriptions

NAME = "orders"


def build(dependencies: ModuleDependencies) -> OrdersContext:
    return OrdersContext(
        transactions=dependencies.transactions_for(NAME),
        event_store=OrdersEventStore(dependencies.datastore),
        order_views=OrderViews(),
        clock=dependencies.clock,
    )


def subscribe(context: OrdersContext, subscriptions: Subscriptions) -> None:
    subscriptions.subscribe(
        SHOPPING_CART_CONFIRMED,
        lambda message: checkout_process.on_shopping_cart_confirmed(message, context),
        name="orders.on_shopping_cart_confirmed",
    )
    subscriptions.subscribe(
        PAYMENT_SUCCEEDED,
        lambda message: checkout_process.on_payment_succeeded(message, context),
        name="orders.on_payment_succeeded",
    )
    subscriptions.subscribe(
        PAYMENT_FAILED,
        lambda message: checkout_process.on_payment_failed(message, context),
        name="orders.on_payment_failed",
    )
    subscriptions.subscribe(
        PACKAGE_SENT,
        lambda message: checkout_process.on_package_sent(message, context),
        name="orders.on_package_sent",
    )
    subscriptions.subscribe(
        PRODUCTS_OUT_OF_STOCK,
        lambda message: checkout_process.on_products_out_of_stock(message, context),
        name="orders.on_products_out_of_stock",
    )


orders = ModuleDefinition(
    name=NAME,
    build=build,
    route_handlers=[OrderController],
    subscribe=subscribe,
)
