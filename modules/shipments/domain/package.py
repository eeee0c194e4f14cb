"""The package: what the warehouse sends for a paid order, or why it could not.

A package is requested with the order's products. Either every product is in
stock and the package is sent, or some are missing and nothing leaves the
warehouse: the package records which products were out of stock. Once one of
these outcomes is recorded, the other can no longer happen.

    requested ──sent──▶ sent
        │
        └──products out of stock──▶ out of stock
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from shared.errors import BusinessRuleViolation


class PackageStatus(StrEnum):
    REQUESTED = "requested"
    SENT = "sent"
    OUT_OF_STOCK = "out_of_stock"


@dataclass(frozen=True)
class PackageItem:
    product_id: str
    quantity: int


class InvalidPackageItems(BusinessRuleViolation):
    pass


class InvalidOutOfStockReport(BusinessRuleViolation):
    pass


class PackageAlreadyDecided(BusinessRuleViolation):
    pass


class Package(Aggregate):
    class Requested(Aggregate.Created):
        order_id: UUID
        customer_id: str
        items: list[dict[str, Any]]

    class Sent(Aggregate.Event):
        order_id: UUID
        customer_id: str
        items: list[dict[str, Any]]

    class ProductsOutOfStock(Aggregate.Event):
        order_id: UUID
        customer_id: str
        product_ids: list[str]

    @classmethod
    def request(cls, order_id: UUID, customer_id: str, items: Sequence[PackageItem]) -> Package:
        if not items:
            raise InvalidPackageItems("a package holds at least one product")
        if any(item.quantity < 1 for item in items):
            raise InvalidPackageItems("every product in a package has a quantity of at least 1")
        return cls(order_id=order_id, customer_id=customer_id, items=_recorded(items))

    @event(Requested)
    def __init__(self, order_id: UUID, customer_id: str, items: list[dict[str, Any]]) -> None:
        self.order_id = order_id
        self.customer_id = customer_id
        self.items = tuple(PackageItem(item["product_id"], item["quantity"]) for item in items)
        self.status = PackageStatus.REQUESTED
        self.missing_product_ids: tuple[str, ...] = ()

    @property
    def quantities(self) -> Counter[str]:
        """How many of each product the package holds, over all its lines."""
        quantities: Counter[str] = Counter()
        for item in self.items:
            quantities[item.product_id] += item.quantity
        return quantities

    def send(self) -> None:
        if self.status is PackageStatus.OUT_OF_STOCK:
            raise PackageAlreadyDecided(
                f"package {self.id} has products out of stock; it cannot be sent"
            )
        self._sent(self.order_id, self.customer_id, _recorded(self.items))

    @event(Sent)
    def _sent(self, order_id: UUID, customer_id: str, items: list[dict[str, Any]]) -> None:
        self.status = PackageStatus.SENT

    def report_out_of_stock(self, product_ids: Sequence[str]) -> None:
        if self.status is PackageStatus.SENT:
            raise PackageAlreadyDecided(
                f"package {self.id} was sent; its products cannot be out of stock"
            )
        if not product_ids:
            raise InvalidOutOfStockReport("name at least one product that is out of stock")
        foreign = sorted(set(product_ids) - set(self.quantities))
        if foreign:
            raise InvalidOutOfStockReport(
                f"not in the package, so not missing from it: {', '.join(foreign)}"
            )
        self._products_out_of_stock(self.order_id, self.customer_id, list(product_ids))

    @event(ProductsOutOfStock)
    def _products_out_of_stock(
        self, order_id: UUID, customer_id: str, product_ids: list[str]
    ) -> None:
        self.status = PackageStatus.OUT_OF_STOCK
        self.missing_product_ids = tuple(product_ids)


def _recorded(items: Sequence[PackageItem]) -> list[dict[str, Any]]:
    return [{"product_id": item.product_id, "quantity": item.quantity} for item in items]
