"""What the shipments handlers need, bundled so the composition root can wire it once."""

from __future__ import annotations

from dataclasses import dataclass

from modules.shipments.infrastructure.event_sourcing import ShipmentsApplication
from modules.shipments.infrastructure.inventory import Inventory
from modules.shipments.infrastructure.package_views import PackageViews
from shared.clock import Clock
from shared.unit_of_work import Transactions


@dataclass(frozen=True)
class ShipmentsContext:
    transactions: Transactions
    aggregates: ShipmentsApplication
    inventory: Inventory
    package_views: PackageViews
    clock: Clock
