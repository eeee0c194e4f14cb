"""Base models of request and response bodies, and field types that refuse what JSON
would only loosely mean.

Litestar validates request models in lax mode, where ``"2"`` becomes ``2``; a
request with a string where a number belongs is a client bug we want to report.

Money is the other way round: an amount is a JSON *string* holding a plain decimal
(``"14.90"``), never a JSON number. Most JSON parsers, ours included, read a number
with a fraction as a binary float, so ``9.9999999999999999`` arrives as ``10.0`` and
no validator can tell what was sent; a string keeps every digit. The same choice as
payment APIs that carry amounts as decimal strings (PayPal's ``value``).
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, WithJsonSchema


def _json_integer(value: Any) -> int:
    # JSON has one number type: 2.0 is the integer 2 (as JSON Schema's "integer" says),
    # while "2", 2.5 and true are not integers.
    if isinstance(value, float) and value.is_integer():
        return int(value)
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
    # Python's Decimal() also takes " 3 ", "1_0.5", "-0", "1e2", "NaN" and non-ASCII
    # digits ("٣"): none of them is how anyone writes a price, so the spelling is checked
    # first, with ASCII-only character classes.
    if not isinstance(value, str):
        msg = 'must be a JSON string holding a decimal, such as "14.90"; JSON numbers are refused'
        raise ValueError(msg)
    if _PLAIN_DECIMAL.fullmatch(value) is None:
        msg = 'must be a plain decimal: ASCII digits, at most one ".", no sign, no exponent'
        raise ValueError(msg)
    return Decimal(value)


PLAIN_DECIMAL_PATTERN = r"^(0|[1-9][0-9]*)(\.[0-9]+)?$"
"""A non-negative decimal written plainly: ``0``, ``14``, ``14.9``, ``0.05``."""
_PLAIN_DECIMAL = re.compile(PLAIN_DECIMAL_PATTERN)

PRODUCT_ID_PATTERN = r"^[a-z0-9][a-z0-9-]*$"
"""What a product id looks like: lowercase letters, digits and dashes (``ceramic-mug``)."""

# Validators rather than pydantic's Strict(): Litestar validates with strict=False, which
# overrides a field's Strict().
JSON_INTEGER = BeforeValidator(_json_integer)
"""A JSON integer only (2 or 2.0); not "2", 2.5 or true. Put it after the field's range, as in
``Annotated[int, Field(ge=1), JSON_INTEGER]``, so that the range shows in the JSON schema."""
DecimalAmount = Annotated[
    Decimal,
    BeforeValidator(_decimal_amount),
    WithJsonSchema({"type": "string", "pattern": PLAIN_DECIMAL_PATTERN, "examples": ["14.90"]}),
]
"""An amount of money in a request: a JSON string holding a plain decimal (see above)."""
JsonBoolean = Annotated[bool, BeforeValidator(_json_boolean)]


class RequestBody(BaseModel):
    """Base of every request body: unknown fields are an error, not silently dropped."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class ResponseBody(BaseModel):
    """Base of every response body: built from a read model's attributes
    (``Model.model_validate(view)``), so no field is copied by hand."""

    model_config = ConfigDict(from_attributes=True)


class ProblemDocument(ResponseBody):
    """An error, as RFC 9457 problem details (``application/problem+json``)."""

    model_config = ConfigDict(extra="allow")

    type: str = "about:blank"
    title: str
    status: int
    detail: str
    instance: str
    errors: list[dict[str, Any]] | None = None
    """For a 400: each invalid field, where it is and what is wrong with it."""


class PricedLineResponse(ResponseBody):
    """A line of a cart or an order: so many of a product at a unit price, and the subtotal."""

    product_id: str
    quantity: int
    unit_price: Decimal
    subtotal: Decimal
