"""Errors the application layer raises and the web layer translates into problem details.

Modules subclass these for their own business rules, so the HTTP mapping lives in
one place and no domain code knows about status codes.
"""

from __future__ import annotations


class ShopError(Exception):
    """Base class: a request the shop refuses, with a message safe to show the caller."""

    title = "Request refused"

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


class NotFound(ShopError):
    title = "Not found"


class InvalidRequest(ShopError):
    """Well-formed input that names something that does not exist or cannot be used."""

    title = "Invalid request"


class BusinessRuleViolation(ShopError):
    """The command is well-formed but the current state does not allow it."""

    title = "Business rule violated"


class ConcurrencyConflict(ShopError):
    """Someone else changed the same thing first; the caller should reload and retry."""

    title = "Concurrent modification"


class StaleVersion(ShopError):
    """The caller's If-Match does not name the current version."""

    title = "Precondition failed"


class Forbidden(ShopError):
    title = "Forbidden"
