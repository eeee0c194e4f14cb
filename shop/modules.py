"""The modules that make up the shop, in the order they are built."""

from __future__ import annotations

from typing import Any

from modules.carts.module import carts
from modules.orders.module import orders
from modules.payments.module import payments
from modules.shipments.module import shipments
from shared.module import ModuleDefinition

MODULES: tuple[ModuleDefinition[Any], ...] = (carts, orders, payments, shipments)
