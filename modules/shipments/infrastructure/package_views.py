"""The package read model: what was sent for each order, or what was missing."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from sqlalchemy import select
from sqlalchemy.orm import Session

from modules.shipments.domain.package import Package, PackageItem, PackageStatus
from modules.shipments.infrastructure.tables import package_views


@dataclass(frozen=True)
class PackageView:
    package_id: UUID
    order_id: UUID
    customer_id: str
    status: PackageStatus
    items: tuple[PackageItem, ...]
    missing_product_ids: tuple[str, ...]
    updated_at: datetime


class PackageViews:
    """A package is decided once and never changes, so each row is written once."""

    def add(self, session: Session, package: Package, now: datetime) -> None:
        sent = package.items if package.status is PackageStatus.SENT else ()
        items = [{"product_id": item.product_id, "quantity": item.quantity} for item in sent]
        session.execute(
            package_views.insert().values(
                package_id=package.id,
                order_id=package.order_id,
                customer_id=package.customer_id,
                status=package.status.value,
                items=json.dumps(items),
                missing_product_ids=json.dumps(list(package.missing_product_ids)),
                updated_at=now,
            )
        )

    def of_order(
        self, session: Session, order_id: UUID, customer_id: str | None = None
    ) -> list[PackageView]:
        """The order's packages, oldest first: only ``customer_id``'s, unless it is None."""
        query = select(package_views).where(package_views.c.order_id == order_id)
        if customer_id is not None:
            query = query.where(package_views.c.customer_id == customer_id)
        rows = session.execute(
            query.order_by(package_views.c.updated_at, package_views.c.package_id)
        ).all()
        return [
            PackageView(
                package_id=row.package_id,
                order_id=row.order_id,
                customer_id=row.customer_id,
                status=PackageStatus(row.status),
                items=tuple(PackageItem(**item) for item in json.loads(row.items)),
                missing_product_ids=tuple(json.loads(row.missing_product_ids)),
                updated_at=row.updated_at,
            )
            for row in rows
        ]
