"""Errors as RFC 9457 problem details (``application/problem+json``)."""

from __future__ import annotations

import logging
from http import HTTPStatus
from typing import Any

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

logger = logging.getLogger(__name__)

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
    Exception: _unexpected_error,
}
