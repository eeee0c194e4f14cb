"""Drives the checkout process manager in tests: messages as other modules publish them.

The handlers run against the real database; what they published is read back from
the outbox, exactly as the relay would deliver it.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID, uuid4

import pydantic_core
from sqlalchemy import func, select

from modules.carts.contracts import SHOPPING_CART_CONFIRMED
from modules.orders.application import checkout_process, queries
from modules.orders.application.ports import OrdersContext
from modules.orders.contracts import ORDER_PLACED
from modules.orders.domain.order import Order
from modules.orders.infrastructure.order_views import OrderDetails, OrderPage
from modules.payments.contracts import PAYMENT_FAILED, PAYMENT_SUCCEEDED
from modules.shipments.contracts import PACKAGE_SENT, PRODUCTS_OUT_OF_STOCK
from shared.clock import ManualClock
from shared.outbox import IntegrationMessage, outbox_messages
from shop.bootstrap import Shop

CART_ID = UUID("00000000-0000-4000-8000-0000000000ca")
ITEMS = [
    {"product_id": "espresso-beans-1kg", "quantity": 2, "unit_price": Decimal("24.90")},
    {"product_id": "ceramic-mug", "quantity": 1, "unit_price": Decimal("14.00")},
]

Handler = Callable[[IntegrationMessage, OrdersContext], None]

HANDLERS: dict[str, Handler] = {
    SHOPPING_CART_CONFIRMED: checkout_process.on_shopping_cart_confirmed,
    PAYMENT_SUCCEEDED: checkout_process.on_payment_succeeded,
    PAYMENT_FAILED: checkout_process.on_payment_failed,
    PACKAGE_SENT: checkout_process.on_package_sent,
    PRODUCTS_OUT_OF_STOCK: checkout_process.on_products_out_of_stock,
}


def message(message_type: str, payload: Mapping[str, Any]) -> IntegrationMessage:
    source = message_type.split(".", 1)[0]
    return IntegrationMessage(
        message_id=uuid4(),
        message_type=message_type,
        source=source,
        # As the relay hands it over: parsed from JSON, uuids and decimals as strings.
        payload=json.loads(pydantic_core.to_json(payload)),
        recorded_at=datetime(2026, 1, 1, 12, 0, tzinfo=UTC),
        position=(0, 0),
    )


def event_fields(originator_id: UUID, version: int) -> dict[str, Any]:
    return {
        "originator_id": originator_id,
        "originator_version": version,
        "timestamp": datetime(2026, 1, 1, 12, 0, tzinfo=UTC),
    }


def cart_confirmed(customer_id: str = "alice") -> IntegrationMessage:
    return message(
        SHOPPING_CART_CONFIRMED,
        {
            **event_fields(CART_ID, 3),
            "customer_id": customer_id,
            "items": ITEMS,
            "total": Decimal("63.80"),
            "currency": "EUR",
            "payment_method": "tok_ok",
        },
    )


def payment_succeeded(order_id: UUID, payment_id: UUID) -> IntegrationMessage:
    return message(
        PAYMENT_SUCCEEDED,
        {**event_fields(payment_id, 2), "order_id": order_id, "provider_reference": "ref-1"},
    )


def payment_failed(order_id: UUID, payment_id: UUID) -> IntegrationMessage:
    return message(
        PAYMENT_FAILED,
        {**event_fields(payment_id, 2), "order_id": order_id, "reason": "card_declined"},
    )


def package_sent(order_id: UUID, package_id: UUID) -> IntegrationMessage:
    return message(
        PACKAGE_SENT,
        {
            **event_fields(package_id, 1),
            "order_id": order_id,
            "customer_id": "alice",
            "items": [
                {"product_id": item["product_id"], "quantity": item["quantity"]} for item in ITEMS
            ],
        },
    )


def products_out_of_stock(order_id: UUID, package_id: UUID) -> IntegrationMessage:
    return message(
        PRODUCTS_OUT_OF_STOCK,
        {
            **event_fields(package_id, 1),
            "order_id": order_id,
            "customer_id": "alice",
            "product_ids": ["ceramic-mug"],
        },
    )


@dataclass(frozen=True)
class Published:
    message_type: str
    payload: dict[str, Any]


class CheckoutProcess:
    """Drives the process manager's handlers and reads back what they wrote."""

    def __init__(self, shop: Shop, clock: ManualClock) -> None:
        self.shop = shop
        self.clock = clock
        self.context: OrdersContext = shop.contexts["orders"]
        self._seen = 0

    def given(self, *messages: IntegrationMessage) -> None:
        for past in messages:
            HANDLERS[past.message_type](past, self.context)
        self._seen = len(self.published())

    def when(self, incoming: IntegrationMessage) -> None:
        HANDLERS[incoming.message_type](incoming, self.context)

    def then_published(self) -> list[Published]:
        return self.published()[self._seen :]

    def published(self) -> list[Published]:
        with self.shop.datastore.transaction(commit=False) as session:
            rows = session.execute(
                select(outbox_messages.c.message_type, outbox_messages.c.payload)
                .where(outbox_messages.c.source == "orders")
                .order_by(outbox_messages.c.id)
            ).all()
        return [Published(row.message_type, json.loads(row.payload)) for row in rows]

    def placed_order_id(self) -> UUID:
        """The order placed most recently."""
        placed = [m for m in self.published() if m.message_type == ORDER_PLACED]
        return UUID(placed[-1].payload["originator_id"])

    def order(self, order_id: UUID) -> Order:
        return self.context.event_store.get(Order, order_id)

    def details(self, order_id: UUID) -> OrderDetails:
        details = queries.order_details(order_id, self.context)
        assert details is not None
        return details

    def page(self) -> OrderPage:
        """Everyone's orders, newest first, as an admin lists them."""
        return queries.orders_page(None, limit=100, offset=0, context=self.context)

    def rows(self, table: Any) -> int:
        with self.shop.datastore.transaction(commit=False) as session:
            return session.execute(select(func.count()).select_from(table)).scalar_one()
