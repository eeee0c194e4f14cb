"""Handlers for the cart commands: load, decide, update the read model, save last."""

from __future__ import annotations

from dataclasses import asdict, dataclass

from modules.carts.application.ports import CartsContext
from modules.carts.contracts import SHOPPING_CART_CONFIRMED
from modules.carts.domain.cart import CartIsEmpty, ShoppingCart
from modules.carts.infrastructure.catalogue import Product
from shared.errors import InvalidRequest, StaleVersion
from shared.unit_of_work import UnitOfWork


@dataclass(frozen=True)
class AddProductItem:
    customer_id: str
    product_id: str
    quantity: int
    expected_version: int | None = None


@dataclass(frozen=True)
class RemoveProductItem:
    customer_id: str
    product_id: str
    expected_version: int | None = None


@dataclass(frozen=True)
class ConfirmShoppingCart:
    customer_id: str
    payment_method: str
    expected_version: int | None = None


def add_product_item(command: AddProductItem, context: CartsContext) -> ShoppingCart:
    with context.transactions.unit_of_work() as uow:
        product = context.catalogue.get(uow.session, command.product_id)
        if product is None or not product.available:
            raise InvalidRequest(f"product {command.product_id} is not for sale")
        cart_id = ShoppingCart.create_id(command.customer_id)
        cart = context.event_store.find(ShoppingCart, cart_id)
        _check_version(cart.version if cart else 0, command.expected_version)
        if cart is None:
            cart = ShoppingCart(customer_id=command.customer_id, currency=product.currency)
        cart.add_product_item(
            product.product_id, command.quantity, product.unit_price, product.currency
        )
        _save(uow, context, cart)
    return cart


def remove_product_item(command: RemoveProductItem, context: CartsContext) -> ShoppingCart:
    with context.transactions.unit_of_work() as uow:
        cart = context.event_store.find(ShoppingCart, ShoppingCart.create_id(command.customer_id))
        _check_version(cart.version if cart else 0, command.expected_version)
        if cart is None:
            raise InvalidRequest(f"product {command.product_id} is not in the cart")
        cart.remove_product_item(command.product_id)
        _save(uow, context, cart)
    return cart


def confirm_shopping_cart(command: ConfirmShoppingCart, context: CartsContext) -> ShoppingCart:
    with context.transactions.unit_of_work() as uow:
        cart = context.event_store.find(ShoppingCart, ShoppingCart.create_id(command.customer_id))
        _check_version(cart.version if cart else 0, command.expected_version)
        if cart is None:
            raise CartIsEmpty("cannot check out an empty cart")
        cart.confirm(command.payment_method)
        for confirmed in cart.pending_events:
            if isinstance(confirmed, ShoppingCart.Confirmed):
                uow.publish(SHOPPING_CART_CONFIRMED, asdict(confirmed))
        _save(uow, context, cart)
    return cart


def put_product(product: Product, context: CartsContext) -> None:
    with context.transactions.unit_of_work() as uow:
        context.catalogue.put(uow.session, product)


def _check_version(current: int, expected: int | None) -> None:
    if expected is not None and expected != current:
        raise StaleVersion(f"the cart is at version {current}, not {expected}")


def _save(uow: UnitOfWork, context: CartsContext, cart: ShoppingCart) -> None:
    context.cart_views.save(uow.session, cart, context.clock.now())
    context.event_store.save(cart)
