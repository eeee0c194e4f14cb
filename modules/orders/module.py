"""How the orders module plugs into the shop."""

from __future__ import annotations

from modules.carts.contracts import ShoppingCartConfirmed
from modules.orders.api.controllers import OrderController, SalesReportController
from modules.orders.application import checkout_process
from modules.orders.application.context import OrdersContext
from modules.orders.infrastructure import sales_report
from modules.orders.infrastructure.event_sourcing import OrdersApplication
from modules.orders.infrastructure.order_views import OrderViews
from modules.payments.contracts import PaymentFailed, PaymentSucceeded
from modules.shipments.contracts import PackageSent, ProductsOutOfStock
from shared.module import BackgroundWorker, ModuleDefinition, ModuleDependencies
from shared.projections import ProjectionRunner, ProjectionWorker

NAME = "orders"


def build(dependencies: ModuleDependencies) -> OrdersContext:
    aggregates = OrdersApplication(dependencies.datastore)
    sales = sales_report.SalesPerProduct(aggregates, dependencies.clock)
    return OrdersContext(
        transactions=dependencies.transactions_for(NAME),
        aggregates=aggregates,
        order_views=OrderViews(),
        sales_per_product=sales,
        sales_projection=ProjectionRunner(
            sales, aggregates, dependencies.datastore, dependencies.clock
        ),
        clock=dependencies.clock,
    )


def projections(context: OrdersContext) -> tuple[ProjectionRunner, ...]:
    return (context.sales_projection,)


def background_workers(
    context: OrdersContext, dependencies: ModuleDependencies
) -> tuple[BackgroundWorker, ...]:
    poll_seconds = dependencies.settings.projection_poll_seconds
    return (ProjectionWorker(context.sales_projection, poll_seconds=poll_seconds),)


orders = ModuleDefinition(
    name=NAME,
    build=build,
    route_handlers=[OrderController, SalesReportController],
    routes={
        ShoppingCartConfirmed: checkout_process.on_shopping_cart_confirmed,
        PaymentSucceeded: checkout_process.on_payment_succeeded,
        PaymentFailed: checkout_process.on_payment_failed,
        PackageSent: checkout_process.on_package_sent,
        ProductsOutOfStock: checkout_process.on_products_out_of_stock,
    },
    sends=checkout_process.SENDS,
    background_workers=background_workers,
    projections=projections,
)
