"""Routes of the carts module. Handlers are sync: the event store is synchronous."""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, Response, delete, get, post, put
from litestar.di import NamedDependency
from litestar.params import JSONBody, PathParameter
from litestar.status_codes import HTTP_202_ACCEPTED

from modules.carts.api.schemas import (
    AddCartItem,
    CartResponse,
    Checkout,
    CheckoutAccepted,
    ProductResponse,
    ProductUpdate,
)
from modules.carts.application import queries
from modules.carts.application.commands import (
    AddProductItem,
    ConfirmShoppingCart,
    RemoveProductItem,
    add_product_item,
    confirm_shopping_cart,
    put_product,
    remove_product_item,
)
from modules.carts.application.context import CartsContext
from modules.carts.infrastructure.cart_views import CartView
from modules.carts.infrastructure.catalogue import Product
from shared.errors import NotFound
from shared.web.auth import BEARER_SECURITY, Principal, admin_only
from shared.web.etag import IfMatch, etag, expected_version
from shared.web.openapi import problems
from shared.web.types import PRODUCT_ID_PATTERN

ProductIdPath = Annotated[str, PathParameter(pattern=PRODUCT_ID_PATTERN, max_length=64)]


class ProductController(Controller):
    path = "/api/products"
    tags = ["catalogue"]

    @get("/", sync_to_thread=True)
    def list_products(self, carts: NamedDependency[CartsContext]) -> list[ProductResponse]:
        return [ProductResponse.model_validate(product) for product in queries.products(carts)]

    @get("/{product_id:str}", responses=problems(404), sync_to_thread=True)
    def get_product(
        self, carts: NamedDependency[CartsContext], product_id: ProductIdPath
    ) -> ProductResponse:
        product = queries.product(product_id, carts)
        if product is None:
            raise NotFound(f"product {product_id} not found")
        return ProductResponse.model_validate(product)

    @put("/{product_id:str}", guards=[admin_only], security=BEARER_SECURITY, sync_to_thread=True)
    def put_product(
        self,
        carts: NamedDependency[CartsContext],
        product_id: ProductIdPath,
        data: JSONBody[ProductUpdate],
    ) -> ProductResponse:
        product = Product(product_id, **data.model_dump())
        put_product(product, carts)
        return ProductResponse.model_validate(product)


class CartController(Controller):
    path = "/api/cart"
    security = BEARER_SECURITY
    tags = ["cart"]

    @get("/", sync_to_thread=True)
    def get_cart(
        self, carts: NamedDependency[CartsContext], principal: NamedDependency[Principal]
    ) -> Response[CartResponse]:
        return _cart_response(queries.cart_of(principal.customer_id, carts))

    @post("/items", status_code=200, responses=problems(409, 412, 422), sync_to_thread=True)
    def add_item(
        self,
        carts: NamedDependency[CartsContext],
        principal: NamedDependency[Principal],
        data: JSONBody[AddCartItem],
        if_match: IfMatch,
    ) -> Response[CartResponse]:
        cart = add_product_item(
            AddProductItem(
                principal.customer_id, data.product_id, data.quantity, expected_version(if_match)
            ),
            carts,
        )
        # The cart as this command left it, which its read-model row now holds too.
        return _cart_response(CartView.of(cart))

    @delete(
        "/items/{product_id:str}",
        status_code=200,
        responses=problems(404, 409, 412),
        sync_to_thread=True,
    )
    def remove_item(
        self,
        carts: NamedDependency[CartsContext],
        principal: NamedDependency[Principal],
        product_id: ProductIdPath,
        if_match: IfMatch,
    ) -> Response[CartResponse]:
        cart = remove_product_item(
            RemoveProductItem(principal.customer_id, product_id, expected_version(if_match)),
            carts,
        )
        return _cart_response(CartView.of(cart))

    @post(
        "/checkout",
        status_code=HTTP_202_ACCEPTED,
        responses=problems(409, 412),
        sync_to_thread=True,
    )
    def checkout(
        self,
        carts: NamedDependency[CartsContext],
        principal: NamedDependency[Principal],
        data: JSONBody[Checkout],
        if_match: IfMatch,
    ) -> Response[CheckoutAccepted]:
        cart = confirm_shopping_cart(
            ConfirmShoppingCart(
                principal.customer_id, data.payment_method, expected_version(if_match)
            ),
            carts,
        )
        return Response(
            CheckoutAccepted(cart_id=cart.id, cart_version=cart.version),
            status_code=HTTP_202_ACCEPTED,
            headers={"ETag": etag(cart.version), "Location": "/api/orders"},
        )


def _cart_response(view: CartView) -> Response[CartResponse]:
    return Response(CartResponse.model_validate(view), headers={"ETag": etag(view.version)})
