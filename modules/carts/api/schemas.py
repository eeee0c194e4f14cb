"""Request and response bodies of the carts API."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated
from uuid import UUID

from pydantic import AfterValidator, Field, WithJsonSchema

from modules.carts.domain.cart import MAX_QUANTITY_PER_PRODUCT
from shared.database import CENT
from shared.web.types import (
    JSON_INTEGER,
    PRODUCT_ID_PATTERN,
    DecimalAmount,
    JsonBoolean,
    PricedLineResponse,
    RequestBody,
    ResponseBody,
)

ProductId = Annotated[str, Field(min_length=1, max_length=64, pattern=PRODUCT_ID_PATTERN)]
PRICE_PATTERN = r"^(0|[1-9][0-9]{0,5})(\.[0-9]{1,2})?$"
"""A price as the document describes it: what the checks of :data:`Price` accept."""
# Prices are stored to the cent; "19.9" is answered as "19.90", as every later read shows it.
Price = Annotated[
    DecimalAmount,
    Field(ge=0, le=Decimal("999999.99"), decimal_places=2),
    AfterValidator(lambda price: price.quantize(CENT)),
    WithJsonSchema({"type": "string", "pattern": PRICE_PATTERN, "examples": ["14.90"]}),
]
PaymentMethod = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_]+$")]


class ProductResponse(ResponseBody):
    product_id: str
    name: str
    description: str
    unit_price: Decimal
    currency: str
    available: bool


class ProductUpdate(RequestBody):
    name: Annotated[str, Field(min_length=1, max_length=200)]
    description: Annotated[str, Field(max_length=2000)] = ""
    unit_price: Price
    currency: Annotated[str, Field(pattern=r"^[A-Z]{3}$")] = "EUR"
    available: JsonBoolean = True


class CartResponse(ResponseBody):
    cart_id: UUID
    customer_id: str
    version: int
    currency: str
    items: list[PricedLineResponse] = Field(validation_alias="lines")
    total: Decimal


class AddCartItem(RequestBody):
    product_id: ProductId
    quantity: Annotated[int, Field(ge=1, le=MAX_QUANTITY_PER_PRODUCT), JSON_INTEGER]


class Checkout(RequestBody):
    payment_method: PaymentMethod


class CheckoutAccepted(ResponseBody):
    cart_id: UUID
    cart_version: int
    status: str = "accepted"
