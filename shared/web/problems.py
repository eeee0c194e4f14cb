"""Errors as RFC 9457 problem details (``application/problem+json``)."""

from __future__ import annotations

import logging
from http import HTTPStatus
from typing import Any

import sqlalchemy.exc
from eventsourcing import persistence
from litestar import Request, Response
from litestar.exceptions import HTTPException, ValidationException
from litestar.status_codes import (
    HTTP_400_BAD_REQUEST,
    HTTP_403_FORBIDDEN,
    HTTP_404_NOT_FOUND,
    HTTP_409_CONFLICT,
    HTTP_412_PRECONDITION_FAILED,
    HTTP_422_UNPROCESSABLE_ENTITY,
    HTTP_500_INTERNAL_SERVER_ERROR,
    HTTP_503_SERVICE_UNAVAILABLE,
)
from litestar.types import ExceptionHandlersMap

from shared.errors import (
    BusinessRuleViolation,
    ConcurrencyConflict,
    Forbidden,
    InvalidRequest,
    NotFound,
    ShopError,
    StaleVersion,
)
from shared.web.logging import ThrottledLog

logger = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 2
"""What a 503 asks the client to wait: about as long as PostgreSQL takes to restart."""

DATABASE_UNAVAILABLE: tuple[type[Exception], ...] = (
    sqlalchemy.exc.OperationalError,  # connection refused or lost, server shutting down, busy
    sqlalchemy.exc.InterfaceError,
    sqlalchemy.exc.DisconnectionError,
    sqlalchemy.exc.TimeoutError,  # no connection free in the pool in time
    persistence.OperationalError,  # the same, wrapped by the event store
    persistence.InterfaceError,
)
"""Errors that say the database cannot be reached now, rather than that a request is wrong.

They are answered 503 with ``Retry-After``: the request may well succeed later."""

_database_failures = ThrottledLog(logger, interval=30.0)

PROBLEM_JSON = "application/problem+json"

_STATUS_OF: dict[type[ShopError], int] = {
    NotFound: HTTP_404_NOT_FOUND,
    InvalidRequest: HTTP_422_UNPROCESSABLE_ENTITY,
    BusinessRuleViolation: HTTP_409_CONFLICT,
    ConcurrencyConflict: HTTP_409_CONFLICT,
    StaleVersion: HTTP_412_PRECONDITION_FAILED,
    Forbidden: HTTP_403_FORBIDDEN,
}


def problem(
    request: Request[Any, Any, Any],
    status: int,
    title: str,
    detail: str,
    headers: dict[str, str] | None = None,
    **extensions: Any,
) -> Response[dict[str, Any]]:
    body = {
        "type": "about:blank",
        "title": title,
        "status": status,
        "detail": detail,
        "instance": request.url.path,
        **extensions,
    }
    return Response(body, status_code=status, media_type=PROBLEM_JSON, headers=headers)


def _shop_error(request: Request[Any, Any, Any], error: Exception) -> Response[dict[str, Any]]:
    assert isinstance(error, ShopError)
    status = next(
        (code for kind, code in _STATUS_OF.items() if isinstance(error, kind)),
        HTTP_400_BAD_REQUEST,
    )
    return problem(request, status, error.title, error.detail)


def _validation_error(
    request: Request[Any, Any, Any], error: Exception
) -> Response[dict[str, Any]]:
    assert isinstance(error, ValidationException)
    errors = error.extra if isinstance(error.extra, list) else []
    return problem(
        request, HTTP_400_BAD_REQUEST, "Invalid request", str(error.detail), errors=errors
    )


def _http_error(request: Request[Any, Any, Any], error: Exception) -> Response[dict[str, Any]]:
    assert isinstance(error, HTTPException)
    headers = dict(error.headers or {})
    return problem(
        request,
        error.status_code,
        _reason(error.status_code),
        str(error.detail),
        headers=headers or None,
    )


def _database_unavailable(
    request: Request[Any, Any, Any], error: Exception
) -> Response[dict[str, Any]]:
    cause = _root_cause(error)
    kind = f"{type(cause).__module__}.{type(cause).__qualname__}"
    reason = str(cause).strip().partition("\n")[0] or "no message"
    _database_failures.warning(kind, f"database unavailable, answering 503: {kind}: {reason}")
    return problem(
        request,
        HTTP_503_SERVICE_UNAVAILABLE,
        "Service unavailable",
        "The database cannot be reached just now; retry shortly.",
        headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
    )


def _root_cause(error: BaseException) -> BaseException:
    seen = {id(error)}
    while (cause := error.__cause__ or error.__context__) is not None and id(cause) not in seen:
        seen.add(id(cause))
        error = cause
    return error


def _unexpected_error(
    request: Request[Any, Any, Any], error: Exception
) -> Response[dict[str, Any]]:
    logger.exception("unhandled error on %s %s", request.method, request.url.path, exc_info=error)
    return problem(
        request,
        HTTP_500_INTERNAL_SERVER_ERROR,
        "Internal server error",
        "The request could not be completed.",
    )


def _reason(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"


exception_handlers: ExceptionHandlersMap = {
    ShopError: _shop_error,
    ValidationException: _validation_error,
    HTTPException: _http_error,
    **dict.fromkeys(DATABASE_UNAVAILABLE, _database_unavailable),
    Exception: _unexpected_error,
}
