"""One log line per request: method, path, status, duration and a request id; and a log
that says a recurring failure once per interval rather than once per request."""

from __future__ import annotations

import logging
import threading
import time
import uuid
from collections.abc import Callable

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
        # A decoded path may hold a newline or other control characters; escaped, it
        # cannot forge a log line of its own.
        path = scope["path"].encode("unicode_escape").decode("ascii")
        try:
            await app(scope, receive, send_with_request_id)
        finally:
            logger.info(
                "%s %s %d %.1fms request_id=%s",
                method,
                path,
                status,
                (time.perf_counter() - started) * 1000,
                request_id,
            )

    return middleware


class ThrottledLog:
    """Logs a failure the first time its kind is seen, then at most once per ``interval``
    seconds per kind, counting what it left out meanwhile.

    While the database restarts every request fails the same way; one line per request
    (with a traceback each) would bury the one line that matters. ``clock`` gives
    monotonic seconds (``time.monotonic`` unless a test injects one).
    """

    def __init__(
        self,
        logger: logging.Logger,
        interval: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._logger = logger
        self._interval = interval
        self._clock = clock
        self._lock = threading.Lock()
        self._last_logged: dict[str, float] = {}
        self._left_out: dict[str, int] = {}

    def warning(self, kind: str, message: str) -> bool:
        """Logs ``message`` as a warning unless ``kind`` was logged less than ``interval``
        seconds ago; returns whether it did."""
        now = self._clock()
        with self._lock:
            last = self._last_logged.get(kind)
            if last is not None and now - last < self._interval:
                self._left_out[kind] = self._left_out.get(kind, 0) + 1
                return False
            self._last_logged[kind] = now
            left_out = self._left_out.pop(kind, 0)
        suffix = f" ({left_out} more since the last report)" if left_out else ""
        self._logger.warning("%s%s", message, suffix)
        return True
