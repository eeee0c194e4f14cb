"""How shipments reacts to other modules' messages: each one becomes a command."""

from __future__ import annotations

from modules.orders.contracts import OrderPaid
from modules.shipments.application.commands import ShipOrder, ship_order
from modules.shipments.application.ports import ShipmentsContext
from modules.shipments.domain.package import PackageItem
from shared.outbox import IntegrationMessage


def ship_paid_order(message: IntegrationMessage, context: ShipmentsContext) -> None:
    paid = OrderPaid.model_validate(message.payload)
    ship_order(
        ShipOrder(
            order_id=paid.originator_id,
            customer_id=paid.customer_id,
            items=tuple(PackageItem(item.product_id, item.quantity) for item in paid.items),
        ),
        context,
    )
