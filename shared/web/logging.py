"""One log line per request: method, path, status, duration and a request id."""

from __future__ import annotations

import logging
import time
import uuid

from litestar.datastructures import MutableScopeHeaders
from litestar.enums import ScopeType
from litestar.types import ASGIApp, Message, Receive, Scope, Send

logger = logging.getLogger("shop.http")

REQUEST_ID_HEADER = "x-request-id"


def request_logging(app: ASGIApp) -> ASGIApp:
    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != ScopeType.HTTP:
            await app(scope, receive, send)
            return
        started = time.perf_counter()
        incoming = dict(scope["headers"]).get(REQUEST_ID_HEADER.encode(), b"").decode("latin-1")
        request_id = incoming if 0 < len(incoming) <= 64 else uuid.uuid4().hex
        status = 500

        async def send_with_request_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                MutableScopeHeaders.from_message(message)[REQUEST_ID_HEADER] = request_id
            await send(message)

        method = scope["method"]
        try:
            await app(scope, receive, send_with_request_id)
        finally:
            logger.info(
                "%s %s %d %.1fms request_id=%s",
                method,
                scope["path"],
                status,
                (time.perf_counter() - started) * 1000,
                request_id,
            )

    return middleware
