"""The cart read model: the cart as the customer sees it, updated with every command."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from uuid import UUID

from sqlalchemy import select
from sqlalchemy.orm import Session

from modules.carts.domain.cart import ShoppingCart
from modules.carts.infrastructure.tables import cart_views
from shared.database import upsert
from shared.pricing import PricedLine


@dataclass(frozen=True)
class CartView:
    cart_id: UUID
    customer_id: str
    version: int
    currency: str
    total: Decimal
    lines: tuple[PricedLine, ...]

    @classmethod
    def of(cls, cart: ShoppingCart) -> CartView:
        """The row :meth:`CartViews.save` writes for ``cart``: what a command answers with."""
        lines = tuple(cart.lines.values())
        return cls(cart.id, cart.customer_id, cart.version, cart.currency, cart.total, lines)


class CartViews:
    def save(self, session: Session, cart: ShoppingCart, now: datetime) -> None:
        view = CartView.of(cart)
        lines = [
            {
                "product_id": line.product_id,
                "quantity": line.quantity,
                "unit_price": str(line.unit_price),
            }
            for line in view.lines
        ]
        values = {
            "customer_id": view.customer_id,
            "version": view.version,
            "currency": view.currency,
            "total": view.total,
            "lines": json.dumps(lines),
            "updated_at": now,
        }
        upsert(session, cart_views, key={"cart_id": view.cart_id}, values=values)

    def get(self, session: Session, cart_id: UUID) -> CartView | None:
        row = session.execute(
            select(cart_views).where(cart_views.c.cart_id == cart_id)
        ).one_or_none()
        if row is None:
            return None
        return CartView(
            cart_id=row.cart_id,
            customer_id=row.customer_id,
            version=row.version,
            currency=row.currency,
            total=row.total,
            lines=tuple(
                PricedLine(line["product_id"], line["quantity"], Decimal(line["unit_price"]))
                for line in json.loads(row.lines)
            ),
        )
