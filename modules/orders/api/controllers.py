"""Routes of the orders module. Handlers are sync: the database access is synchronous."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlencode
from uuid import UUID

from litestar import Controller, Response, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, QueryParameter

from modules.orders.api.schemas import (
    OrderListResponse,
    OrderResponse,
    OrderSummaryResponse,
    SalesReportResponse,
)
from modules.orders.application import queries
from modules.orders.application.checkout_process import CancelOrder, cancel_order
from modules.orders.application.context import OrdersContext
from shared.errors import Forbidden, NotFound
from shared.web.auth import BEARER_SECURITY, CUSTOMER_ID_PATTERN, Principal, admin_only
from shared.web.etag import IfMatch, etag, expected_version
from shared.web.openapi import problems

DEFAULT_PAGE_SIZE = 20
MAX_PAGE_SIZE = 100
MAX_OFFSET = 1_000_000


class OrderController(Controller):
    path = "/api/orders"
    security = BEARER_SECURITY
    tags = ["orders"]

    @get("/", responses=problems(403), sync_to_thread=True)
    def list_orders(
        self,
        orders: NamedDependency[OrdersContext],
        principal: NamedDependency[Principal],
        limit: Annotated[int, QueryParameter(ge=1, le=MAX_PAGE_SIZE)] = DEFAULT_PAGE_SIZE,
        offset: Annotated[int, QueryParameter(ge=0, le=MAX_OFFSET)] = 0,
        customer_id: Annotated[
            str | None,
            QueryParameter(
                pattern=CUSTOMER_ID_PATTERN,
                description="only this customer's orders (customers may name only themselves)",
            ),
        ] = None,
    ) -> OrderListResponse:
        """The caller's orders, newest first; an admin sees everyone's."""
        if principal.is_admin:
            owner = customer_id
        elif customer_id in (None, principal.customer_id):
            owner = principal.customer_id
        else:
            raise Forbidden("only an admin may list another customer's orders")
        page = queries.orders_page(owner, limit, offset, orders)
        following = offset + limit
        next_link = None
        if following < page.total_count:
            query: dict[str, str | int] = {"limit": limit, "offset": following}
            if customer_id is not None:
                query["customer_id"] = customer_id
            next_link = f"{self.path}?{urlencode(query)}"
        return OrderListResponse(
            orders=[OrderSummaryResponse.model_validate(summary) for summary in page.orders],
            total_count=page.total_count,
            limit=limit,
            offset=offset,
            next=next_link,
        )

    @get("/{order_id:str}", responses=problems(404), sync_to_thread=True)
    def get_order(
        self,
        orders: NamedDependency[OrdersContext],
        principal: NamedDependency[Principal],
        order_id: FromPath[UUID],
    ) -> Response[OrderResponse]:
        """The order with its status history; ``ETag`` is the order's version."""
        details = queries.order_details(order_id, orders)
        # Someone else's order is reported as missing: its existence is not the caller's business.
        if details is None or not principal.may_see(details.customer_id):
            raise NotFound(f"order {order_id} not found")
        return Response(
            OrderResponse.model_validate(details), headers={"ETag": etag(details.version)}
        )

    @post(
        "/{order_id:str}/cancellation",
        status_code=200,
        responses=problems(404, 409, 412),
        sync_to_thread=True,
    )
    def cancel_order(
        self,
        orders: NamedDependency[OrdersContext],
        principal: NamedDependency[Principal],
        order_id: FromPath[UUID],
        if_match: IfMatch,
    ) -> Response[OrderResponse]:
        """Cancels an order that waits for its payment; the payment is then discarded.

        409 once the order is paid (it is on its way), 412 for a stale ``If-Match``.
        """
        details = queries.order_details(order_id, orders)
        if details is None or not principal.may_see(details.customer_id):
            raise NotFound(f"order {order_id} not found")
        cancel_order(CancelOrder(order_id, expected_version(if_match)), orders)
        cancelled = queries.order_details(order_id, orders)
        assert cancelled is not None
        return Response(
            OrderResponse.model_validate(cancelled), headers={"ETag": etag(cancelled.version)}
        )


class SalesReportController(Controller):
    path = "/api/reports/sales"
    guards = [admin_only]
    security = BEARER_SECURITY
    tags = ["reports"]

    @get("/", sync_to_thread=True)
    def sales_per_product(self, orders: NamedDependency[OrdersContext]) -> SalesReportResponse:
        """Units sold, revenue and orders per product and currency, counted when an order
        is paid; by product id.

        The figures come from an asynchronous read model: ``projection.lag`` is the number
        of order events recorded since it last read, not counted yet.
        """
        return SalesReportResponse.model_validate(queries.sales_report(orders))
