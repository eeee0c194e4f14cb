"""What the carts handlers need, bundled so the composition root can wire it once."""

from __future__ import annotations

from dataclasses import dataclass

from modules.carts.infrastructure.cart_views import CartViews
from modules.carts.infrastructure.catalogue import ProductCatalogue
from modules.carts.infrastructure.event_sourcing import CartsApplication
from shared.clock import Clock
from shared.unit_of_work import Transactions


@dataclass(frozen=True)
class CartsContext:
    transactions: Transactions
    aggregates: CartsApplication
    catalogue: ProductCatalogue
    cart_views: CartViews
    clock: Clock
