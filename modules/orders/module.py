"""How the orders module plugs into the shop."""

from __future__ import annotations

from collections.abc import Callable

from modules.carts.contracts import SHOPPING_CART_CONFIRMED
from modules.orders.api.controllers import OrderController
from modules.orders.application import checkout_process
from modules.orders.application.ports import OrdersContext
from modules.orders.infrastructure.event_store import OrdersEventStore
from modules.orders.infrastructure.order_views import OrderViews
from modules.payments.contracts import PAYMENT_FAILED, PAYMENT_SUCCEEDED
from modules.shipments.contracts import PACKAGE_SENT, PRODUCTS_OUT_OF_STOCK
from shared.module import ModuleDefinition, ModuleDependencies
from shared.outbox import IntegrationMessage
from shared.relay import Subscriptions

CheckoutHandler = Callable[[IntegrationMessage, OrdersContext], None]


def build(dependencies: ModuleDependencies) -> OrdersContext:
    return OrdersContext(
        transactions=dependencies.transactions_for("orders"),
        event_store=OrdersEventStore(dependencies.datastore),
        order_views=OrderViews(),
    )


def subscribe(context: OrdersContext, subscriptions: Subscriptions) -> None:
    def on(message_type: str, handler: CheckoutHandler) -> None:
        subscriptions.subscribe(
            message_type,
            lambda message: handler(message, context),
            name=f"orders.checkout_process.{handler.__name__}",
        )

    on(SHOPPING_CART_CONFIRMED, checkout_process.on_shopping_cart_confirmed)
    on(PAYMENT_SUCCEEDED, checkout_process.on_payment_succeeded)
    on(PAYMENT_FAILED, checkout_process.on_payment_failed)
    on(PACKAGE_SENT, checkout_process.on_package_sent)
    on(PRODUCTS_OUT_OF_STOCK, checkout_process.on_products_out_of_stock)


orders = ModuleDefinition(
    name="orders",
    build=build,
    route_handlers=[OrderController],
    subscribe=subscribe,
)
