"""Read side of the carts module: answered from the read model, never from the event store."""

from __future__ import annotations

from decimal import Decimal

from modules.carts.application.context import CartsContext
from modules.carts.domain.cart import DEFAULT_CURRENCY, ShoppingCart
from modules.carts.infrastructure.cart_views import CartView
from modules.carts.infrastructure.catalogue import Product


def cart_of(customer_id: str, context: CartsContext) -> CartView:
    cart_id = ShoppingCart.create_id(customer_id)
    with context.transactions.read_only() as session:
        view = context.cart_views.get(session, cart_id)
    if view is None:
        return CartView(cart_id, customer_id, 0, DEFAULT_CURRENCY, Decimal("0.00"), ())
    return view


def products(context: CartsContext) -> list[Product]:
    with context.transactions.read_only() as session:
        return context.catalogue.list(session)


def product(product_id: str, context: CartsContext) -> Product | None:
    with context.transactions.read_only() as session:
        return context.catalogue.get(session, product_id)
