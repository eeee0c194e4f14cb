"""Routes of the shipments module. Handlers are sync: the event store is synchronous."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from litestar import Controller, get, put
from litestar.di import NamedDependency
from litestar.params import FromQuery, JSONBody, PathParameter

from modules.shipments.api.schemas import (
    PackageResponse,
    StockResponse,
    StockUpdate,
)
from modules.shipments.application import queries
from modules.shipments.application.commands import SetStock, set_stock
from modules.shipments.application.context import ShipmentsContext
from shared.web.auth import BEARER_SECURITY, Principal, admin_only
from shared.web.types import PRODUCT_ID_PATTERN


class InventoryController(Controller):
    path = "/api/inventory"
    guards = [admin_only]
    security = BEARER_SECURITY
    tags = ["inventory"]

    @get("/", sync_to_thread=True)
    def list_stock(self, shipments: NamedDependency[ShipmentsContext]) -> list[StockResponse]:
        return [StockResponse.model_validate(level) for level in queries.stock_levels(shipments)]

    @put("/{product_id:str}", sync_to_thread=True)
    def put_stock(
        self,
        shipments: NamedDependency[ShipmentsContext],
        product_id: Annotated[str, PathParameter(pattern=PRODUCT_ID_PATTERN, max_length=64)],
        data: JSONBody[StockUpdate],
    ) -> StockResponse:
        return StockResponse.model_validate(
            set_stock(SetStock(product_id, data.quantity), shipments)
        )


class ShipmentController(Controller):
    path = "/api/shipments"
    security = BEARER_SECURITY
    tags = ["shipments"]

    @get("/", sync_to_thread=True)
    def packages_of_order(
        self,
        shipments: NamedDependency[ShipmentsContext],
        principal: NamedDependency[Principal],
        order_id: FromQuery[UUID],
    ) -> list[PackageResponse]:
        """The order's packages, oldest first; a customer sees only their own, an admin all.

        Another customer's order has, for the caller, no packages: the answer is the same
        as for an order that does not exist.
        """
        packages = queries.packages_of_order(order_id, principal.owner_filter, shipments)
        return [PackageResponse.model_validate(package) for package in packages]
