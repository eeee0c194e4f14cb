"""The checkout process manager's vocabulary for specifications: the messages the other
modules publish, the commands it sends, and a flow that reads back the order."""

from __future__ import annotations

from decimal import Decimal
from uuid import UUID

from modules.carts.contracts import ConfirmedItem, ShoppingCartConfirmed
from modules.orders.application import queries
from modules.orders.application.context import OrdersContext
from modules.orders.domain.order import Order
from modules.orders.infrastructure.order_views import OrderDetails
from modules.payments.contracts import PaymentFailed, PaymentSucceeded, RequestPayment
from modules.shipments.contracts import PackageSent, ProductsOutOfStock, ShipOrder, ShippedItem
from shared.clock import ManualClock
from shop.bootstrap import Shop
from tests.specification import Fact, MessageFlow, recorded_events

CART_ID = UUID("00000000-0000-4000-8000-0000000000ca")
PAYMENT_ID = UUID("00000000-0000-4000-8000-0000000000a1")
PACKAGE_ID = UUID("00000000-0000-4000-8000-0000000000b1")
ITEMS = [
    ConfirmedItem(product_id="espresso-beans-1kg", quantity=2, unit_price=Decimal("24.90")),
    ConfirmedItem(product_id="ceramic-mug", quantity=1, unit_price=Decimal("14.00")),
]
TOTAL = Decimal("63.80")


def cart_confirmed(
    payment_method: str = "tok_ok", customer_id: str = "alice"
) -> ShoppingCartConfirmed:
    return ShoppingCartConfirmed(
        originator_id=CART_ID,
        customer_id=customer_id,
        items=ITEMS,
        total=TOTAL,
        currency="EUR",
        payment_method=payment_method,
    )


def payment_succeeded(order_id: UUID, payment_id: UUID = PAYMENT_ID) -> PaymentSucceeded:
    return PaymentSucceeded(originator_id=payment_id, order_id=order_id, provider_reference="sbx_1")


def payment_failed(order_id: UUID, payment_id: UUID = PAYMENT_ID) -> PaymentFailed:
    return PaymentFailed(originator_id=payment_id, order_id=order_id, reason="card declined")


def package_sent(order_id: UUID, package_id: UUID = PACKAGE_ID) -> PackageSent:
    return PackageSent(originator_id=package_id, order_id=order_id)


def out_of_stock(order_id: UUID, package_id: UUID = PACKAGE_ID) -> ProductsOutOfStock:
    return ProductsOutOfStock(
        originator_id=package_id, order_id=order_id, product_ids=["ceramic-mug"]
    )


def request_payment(order_id: UUID, payment_method: str = "tok_ok") -> RequestPayment:
    return RequestPayment(
        order_id=order_id,
        customer_id="alice",
        amount=TOTAL,
        currency="EUR",
        payment_method=payment_method,
    )


def ship_order(order_id: UUID) -> ShipOrder:
    return ShipOrder(
        order_id=order_id,
        customer_id="alice",
        items=[
            ShippedItem(product_id="espresso-beans-1kg", quantity=2),
            ShippedItem(product_id="ceramic-mug", quantity=1),
        ],
    )


def cancelled(reason: str) -> Fact:
    return Fact(Order.Cancelled, {"reason": reason})


class Checkout(MessageFlow):
    """The flow, plus what the specifications read of the order."""

    def __init__(self, shop: Shop, clock: ManualClock) -> None:
        super().__init__(shop)
        self.clock = clock
        self.context: OrdersContext = shop.orders

    def placed(self, payment_method: str = "tok_ok", customer_id: str = "alice") -> UUID:
        """Given a confirmed cart: the id of the order it placed."""
        self.given(cart_confirmed(payment_method, customer_id))
        payment_request = self.sent_of(RequestPayment)[-1]
        assert isinstance(payment_request, RequestPayment)
        return payment_request.order_id

    def order(self, order_id: UUID) -> Order:
        return self.context.aggregates.get(Order, order_id)

    def details(self, order_id: UUID) -> OrderDetails:
        details = queries.order_details(order_id, self.context)
        assert details is not None
        return details

    def then_order_recorded(self, order_id: UUID, after_version: int, *facts: Fact) -> None:
        assert recorded_events(self.context.aggregates, order_id, after_version=after_version) == (
            list(facts)
        )
