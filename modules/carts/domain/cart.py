"""The shopping cart: what a customer intends to buy, until they confirm it.

A customer has one cart. Confirming it records what was bought and leaves the
cart empty, ready for the next purchase.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate, event

from shared.errors import BusinessRuleViolation, InvalidRequest, NotFound
from shared.pricing import PricedLine

CARTS_NAMESPACE = uuid5(NAMESPACE_URL, "https://shop.example/carts")

DEFAULT_CURRENCY = "EUR"  # what an empty cart is shown in
MAX_QUANTITY_PER_PRODUCT = 99
MAX_DISTINCT_PRODUCTS = 50


class CartIsEmpty(BusinessRuleViolation):
    pass


class ShoppingCart(Aggregate):
    @staticmethod
    def create_id(customer_id: str) -> UUID:
        return uuid5(CARTS_NAMESPACE, customer_id)

    class Opened(Aggregate.Created):
        customer_id: str
        currency: str

    class ProductItemAdded(Aggregate.Event):
        product_id: str
        quantity: int
        unit_price: Decimal
        currency: str

    class ProductItemRemoved(Aggregate.Event):
        product_id: str

    class Confirmed(Aggregate.Event):
        customer_id: str
        items: list[dict[str, Any]]
        total: Decimal
        currency: str
        payment_method: str

    @event(Opened)
    def __init__(self, customer_id: str, currency: str) -> None:
        self.customer_id = customer_id
        self.currency = currency
        self.lines: dict[str, PricedLine] = {}

    @property
    def total(self) -> Decimal:
        return sum((line.subtotal for line in self.lines.values()), Decimal("0.00"))

    def add_product_item(
        self, product_id: str, quantity: int, unit_price: Decimal, currency: str
    ) -> None:
        if quantity < 1:
            raise InvalidRequest("quantity must be at least 1")
        if self.lines and currency != self.currency:
            raise InvalidRequest(f"this cart is in {self.currency}, not {currency}")
        already = self.lines.get(product_id)
        if already is None and len(self.lines) >= MAX_DISTINCT_PRODUCTS:
            raise BusinessRuleViolation(
                f"a cart holds at most {MAX_DISTINCT_PRODUCTS} different products"
            )
        if (already.quantity if already else 0) + quantity > MAX_QUANTITY_PER_PRODUCT:
            raise BusinessRuleViolation(
                f"at most {MAX_QUANTITY_PER_PRODUCT} of one product per order"
            )
        self._product_item_added(product_id, quantity, unit_price, currency)

    @event(ProductItemAdded)
    def _product_item_added(
        self, product_id: str, quantity: int, unit_price: Decimal, currency: str
    ) -> None:
        # The first product of a purchase sets its currency.
        if not self.lines:
            self.currency = currency
        already = self.lines.get(product_id)
        # The price of the first addition holds for the line, as shown to the customer then.
        price = already.unit_price if already else unit_price
        quantity += already.quantity if already else 0
        self.lines[product_id] = PricedLine(product_id, quantity, price)

    def remove_product_item(self, product_id: str) -> None:
        if product_id not in self.lines:
            raise NotFound(f"product {product_id} is not in the cart")
        self._product_item_removed(product_id)

    @event(ProductItemRemoved)
    def _product_item_removed(self, product_id: str) -> None:
        del self.lines[product_id]

    def confirm(self, payment_method: str) -> None:
        if not self.lines:
            raise CartIsEmpty("cannot check out an empty cart")
        items = [
            {
                "product_id": line.product_id,
                "quantity": line.quantity,
                "unit_price": line.unit_price,
            }
            for line in self.lines.values()
        ]
        self._confirmed(self.customer_id, items, self.total, self.currency, payment_method)

    @event(Confirmed)
    def _confirmed(
        self,
        customer_id: str,
        items: list[dict[str, Any]],
        total: Decimal,
        currency: str,
        payment_method: str,
    ) -> None:
        self.lines = {}
