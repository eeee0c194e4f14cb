"""Base models of request and response bodies, and field types that refuse what JSON
would only loosely mean.

Litestar validates request models in lax mode, where ``"2"`` becomes ``2``; a
request with a string where a number belongs is a client bug we want to report.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict


def _whole_number(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        msg = "must be a JSON integer"
        raise ValueError(msg)
    return value


def _json_boolean(value: Any) -> bool:
    if not isinstance(value, bool):
        msg = "must be a JSON boolean"
        raise ValueError(msg)
    return value


def _decimal_amount(value: Any) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, str | int | float | Decimal):
        msg = "must be a decimal number or a string holding one"
        raise ValueError(msg)
    try:
        # str() first: a JSON number arrives as a float, and Decimal(0.1) is not 0.1.
        return Decimal(str(value))
    except InvalidOperation:
        msg = "must be a decimal number or a string holding one"
        raise ValueError(msg) from None


PRODUCT_ID_PATTERN = r"^[a-z0-9][a-z0-9-]*$"
"""What a product id looks like: lowercase letters, digits and dashes (``ceramic-mug``)."""

WholeNumber = Annotated[int, BeforeValidator(_whole_number)]
DecimalAmount = Annotated[Decimal, BeforeValidator(_decimal_amount)]
JsonBoolean = Annotated[bool, BeforeValidator(_json_boolean)]


class RequestBody(BaseModel):
    """Base of every request body: unknown fields are an error, not silently dropped."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class ResponseBody(BaseModel):
    """Base of every response body: built from a read model's attributes
    (``Model.model_validate(view)``), so no field is copied by hand."""

    model_config = ConfigDict(from_attributes=True)


class PricedLineResponse(ResponseBody):
    """A line of a cart or an order: so many of a product at a unit price, and the subtotal."""

    product_id: str
    quantity: int
    unit_price: Decimal
    subtotal: Decimal
