"""A priced line: so many of one product at a unit price, as carts and orders hold them.

Part of the shared kernel because both modules mean the same thing by it, and the
subtotal must be computed the same way in both.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True)
class PricedLine:
    product_id: str
    quantity: int
    unit_price: Decimal

    @property
    def subtotal(self) -> Decimal:
        """``unit_price * quantity``, exact (money is never a float)."""
        return self.unit_price * self.quantity
