"""Handlers for the cart commands: load, decide, update the read model, save last."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from modules.carts.application.context import CartsContext
from modules.carts.contracts import ShoppingCartConfirmed
from modules.carts.domain.cart import CartIsEmpty, ShoppingCart
from modules.carts.infrastructure.catalogue import Product
from shared.errors import InvalidRequest, NotFound, StaleVersion
from shared.unit_of_work import UnitOfWork, retry_on_conflict

PUBLISHED_EVENTS = {ShoppingCart.Confirmed: ShoppingCartConfirmed.message_type}


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
    def attempt() -> ShoppingCart:
        with _cart_of(command.customer_id, command.expected_version, context) as (uow, cart):
            product = context.catalogue.get(uow.session, command.product_id)
            if product is None or not product.available:
                raise InvalidRequest(f"product {command.product_id} is not for sale")
            if cart is None:
                cart = ShoppingCart(customer_id=command.customer_id, currency=product.currency)
            cart.add_product_item(
                product.product_id, command.quantity, product.unit_price, product.currency
            )
            _save(uow, context, cart)
        return cart

    return retry_on_conflict(attempt, expected_version=command.expected_version)


def remove_product_item(command: RemoveProductItem, context: CartsContext) -> ShoppingCart:
    def attempt() -> ShoppingCart:
        with _cart_of(command.customer_id, command.expected_version, context) as (uow, cart):
            if cart is None:
                raise NotFound(f"product {command.product_id} is not in the cart")
            cart.remove_product_item(command.product_id)
            _save(uow, context, cart)
        return cart

    return retry_on_conflict(attempt, expected_version=command.expected_version)


def confirm_shopping_cart(command: ConfirmShoppingCart, context: CartsContext) -> ShoppingCart:
    def attempt() -> ShoppingCart:
        with _cart_of(command.customer_id, command.expected_version, context) as (uow, cart):
            if cart is None:
                raise CartIsEmpty("cannot check out an empty cart")
            cart.confirm(command.payment_method)
            _save(uow, context, cart)
        return cart

    return retry_on_conflict(attempt, expected_version=command.expected_version)


def put_product(product: Product, context: CartsContext) -> None:
    with context.transactions.unit_of_work() as uow:
        context.catalogue.put(uow.session, product)


@contextmanager
def _cart_of(
    customer_id: str, expected_version: int | None, context: CartsContext
) -> Iterator[tuple[UnitOfWork, ShoppingCart | None]]:
    """A unit of work with the customer's cart (None if never used), at the version expected."""
    with context.transactions.unit_of_work() as uow:
        cart = context.aggregates.find(ShoppingCart, ShoppingCart.create_id(customer_id))
        current = cart.version if cart else 0
        if expected_version is not None and expected_version != current:
            raise StaleVersion(f"the cart is at version {current}, not {expected_version}")
        yield uow, cart


def _save(uow: UnitOfWork, context: CartsContext, cart: ShoppingCart) -> None:
    context.cart_views.save(uow.session, cart, context.clock.now())
    uow.publish_events(cart.pending_events, PUBLISHED_EVENTS)
    context.aggregates.save(cart)
