"""The package: what the warehouse sends for a paid order, or why it could not.

A package is decided once, when the order is paid. Either every product is in
stock and the package is sent, or some are missing and nothing leaves the
warehouse: the package records which products were out of stock.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate

from shared.errors import InvalidRequest


class PackageStatus(StrEnum):
    SENT = "sent"
    OUT_OF_STOCK = "out_of_stock"


@dataclass(frozen=True)
class PackageItem:
    product_id: str
    quantity: int


class Package(Aggregate):
    """Created by one of two events; which one is the whole story of the package."""

    status: PackageStatus

    class Sent(Aggregate.Created):
        order_id: UUID
        customer_id: str
        items: list[dict[str, Any]]

        def apply(self, package: Package) -> None:
            package.status = PackageStatus.SENT
            package.items = tuple(PackageItem(**item) for item in self.items)

    class ProductsOutOfStock(Aggregate.Created):
        order_id: UUID
        customer_id: str
        product_ids: list[str]

        def apply(self, package: Package) -> None:
            package.status = PackageStatus.OUT_OF_STOCK
            package.missing_product_ids = tuple(self.product_ids)

    def __init__(self, order_id: UUID, customer_id: str) -> None:
        self.order_id = order_id
        self.customer_id = customer_id
        self.items: tuple[PackageItem, ...] = ()
        self.missing_product_ids: tuple[str, ...] = ()

    @classmethod
    def send(cls, order_id: UUID, customer_id: str, items: Sequence[PackageItem]) -> Package:
        if not items:
            raise InvalidRequest("a package holds at least one product")
        if any(item.quantity < 1 for item in items):
            raise InvalidRequest("every product in a package has a quantity of at least 1")
        return cls._create(
            cls.Sent,
            order_id=order_id,
            customer_id=customer_id,
            items=[{"product_id": item.product_id, "quantity": item.quantity} for item in items],
        )

    @classmethod
    def report_out_of_stock(
        cls, order_id: UUID, customer_id: str, product_ids: Sequence[str]
    ) -> Package:
        if not product_ids:
            raise InvalidRequest("name at least one product that is out of stock")
        return cls._create(
            cls.ProductsOutOfStock,
            order_id=order_id,
            customer_id=customer_id,
            product_ids=list(product_ids),
        )
