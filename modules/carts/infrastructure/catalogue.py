"""The product catalogue: plain rows, edited in place. Prices are copied into carts when added."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from modules.carts.infrastructure.tables import products
from shared.database import upsert


@dataclass(frozen=True)
class Product:
    product_id: str
    name: str
    description: str
    unit_price: Decimal
    currency: str
    available: bool


class ProductCatalogue:
    def list(self, session: Session) -> list[Product]:
        rows = session.execute(select(products).order_by(products.c.product_id)).all()
        return [Product(**row._mapping) for row in rows]

    def get(self, session: Session, product_id: str) -> Product | None:
        row = session.execute(
            select(products).where(products.c.product_id == product_id)
        ).one_or_none()
        return Product(**row._mapping) if row else None

    def put(self, session: Session, product: Product) -> None:
        values = {
            "name": product.name,
            "description": product.description,
            "unit_price": product.unit_price,
            "currency": product.currency,
            "available": product.available,
        }
        upsert(session, products, key={"product_id": product.product_id}, values=values)

    def seed(self, session: Session, catalogue: Sequence[Product]) -> int:
        """Adds the products that are missing; existing rows are left as they are."""
        existing = set(session.execute(select(products.c.product_id)).scalars())
        missing = [product for product in catalogue if product.product_id not in existing]
        for product in missing:
            self.put(session, product)
        return len(missing)


def _product(product_id: str, name: str, description: str, price: str) -> Product:
    return Product(product_id, name, description, Decimal(price), "EUR", available=True)


SEED_PRODUCTS = (
    _product("espresso-beans-1kg", "Espresso beans, 1 kg", "Dark roast, whole beans.", "24.90"),
    _product("filter-coffee-500g", "Filter coffee, 500 g", "Light roast, ground.", "12.50"),
    _product("green-tea-100g", "Sencha green tea, 100 g", "Loose leaf, first flush.", "9.80"),
    _product("ceramic-mug", "Ceramic mug", "350 ml, dishwasher safe.", "14.00"),
    _product("french-press", "French press", "1 litre, borosilicate glass.", "39.00"),
    _product("hand-grinder", "Hand grinder", "Conical ceramic burrs.", "54.90"),
    _product("milk-frother", "Milk frother", "Battery powered, stainless whisk.", "19.90"),
    _product("pour-over-dripper", "Pour-over dripper", "Porcelain, size 02.", "22.00"),
    _product("paper-filters-100", "Paper filters, 100", "Unbleached, size 02.", "5.90"),
    _product("travel-tumbler", "Travel tumbler", "450 ml, vacuum insulated.", "27.50"),
    _product("digital-scale", "Digital scale", "0.1 g resolution, with timer.", "34.00"),
    _product("gooseneck-kettle", "Gooseneck kettle", "1 litre, temperature control.", "79.00"),
)
