"""Bearer tokens: who is calling, and whether they may.

Tokens are HS256 JWTs carrying the customer id and a role. Controllers declare a
``principal`` dependency; a missing, malformed, forged or expired token is a 401
before any handler runs.

A signature proves who minted a token, not that its claims are well-formed (the
secret may have signed for a buggy or older minter), so each claim is checked for
its type and range as well: ``sub`` a whole customer id, ``role`` a known role,
``exp`` an integer of seconds (RFC 7519 NumericDate) in the future and no further
than one token lifetime (and a minute of clock skew) away: a token that claims to
live longer was not minted here.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum
from typing import Any

import jwt
from litestar import Request
from litestar.connection import ASGIConnection
from litestar.exceptions import NotAuthorizedException, PermissionDeniedException
from litestar.handlers.base import BaseRouteHandler
from litestar.openapi.spec import SecurityRequirement

from shared.clock import Clock

CUSTOMER_ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.@-]{0,63}$"
_CUSTOMER_ID = re.compile(CUSTOMER_ID_PATTERN)
_ALGORITHM = "HS256"
# Another web process, whose clock runs a little ahead, may have minted the token.
_CLOCK_SKEW_SECONDS = 60
_CHALLENGE = {"WWW-Authenticate": 'Bearer realm="shop"'}


BEARER_TOKEN = "BearerToken"  # noqa: S105 - the security scheme's name, not a secret
# What a route that takes a ``principal`` declares in the OpenAPI document.
BEARER_SECURITY: list[SecurityRequirement] = [{BEARER_TOKEN: []}]


class Role(StrEnum):
    CUSTOMER = "customer"
    ADMIN = "admin"


@dataclass(frozen=True)
class Principal:
    customer_id: str
    role: Role

    @property
    def is_admin(self) -> bool:
        return self.role is Role.ADMIN

    @property
    def owner_filter(self) -> str | None:
        """Whose rows a listing shows the caller: their own, or everyone's (None) for an admin."""
        return None if self.is_admin else self.customer_id

    def may_see(self, owner_id: str) -> bool:
        return self.is_admin or self.customer_id == owner_id


class TokenService:
    def __init__(self, secret: str, ttl: timedelta, clock: Clock) -> None:
        self._secret = secret
        self._ttl = ttl
        self._clock = clock

    def mint(self, customer_id: str, role: Role = Role.CUSTOMER) -> str:
        if not _CUSTOMER_ID.fullmatch(customer_id):
            msg = f"customer id must match {CUSTOMER_ID_PATTERN}"
            raise ValueError(msg)
        now = self._clock.now()
        claims = {"sub": customer_id, "role": role.value, "iat": now, "exp": now + self._ttl}
        return jwt.encode(claims, self._secret, algorithm=_ALGORITHM)

    def verify(self, token: str) -> Principal:
        try:
            claims = jwt.decode(
                token,
                self._secret,
                algorithms=[_ALGORITHM],
                options={
                    "require": ["sub", "exp", "role"],
                    "verify_exp": False,
                    "verify_iat": False,
                },
            )
        except jwt.PyJWTError as error:
            raise NotAuthorizedException("invalid bearer token", headers=_CHALLENGE) from error
        subject, role, expires = claims["sub"], claims["role"], claims["exp"]
        # fullmatch, not match: the pattern's "$" would accept "alice\n".
        if not isinstance(subject, str) or not _CUSTOMER_ID.fullmatch(subject):
            raise NotAuthorizedException("invalid bearer token", headers=_CHALLENGE)
        if not isinstance(role, str) or role not in set(Role):
            raise NotAuthorizedException("invalid bearer token", headers=_CHALLENGE)
        if isinstance(expires, bool) or not isinstance(expires, int):
            raise NotAuthorizedException("invalid bearer token", headers=_CHALLENGE)
        # Time is checked against the injected clock, not the wall clock.
        now = int(self._clock.now().timestamp())
        if expires <= now:
            raise NotAuthorizedException("expired bearer token", headers=_CHALLENGE)
        if expires > now + int(self._ttl.total_seconds()) + _CLOCK_SKEW_SECONDS:
            raise NotAuthorizedException("invalid bearer token", headers=_CHALLENGE)
        return Principal(customer_id=subject, role=Role(role))

    def authenticate(self, authorization: str | None) -> Principal:
        scheme, _, token = (authorization or "").partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise NotAuthorizedException("a bearer token is required", headers=_CHALLENGE)
        return self.verify(token.strip())


def principal_provider(tokens: TokenService) -> Callable[[Request[Any, Any, Any]], Principal]:
    def principal(request: Request[Any, Any, Any]) -> Principal:
        return tokens.authenticate(request.headers.get("authorization"))

    return principal


TOKENS_STATE_KEY = "tokens"


def admin_only(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
    """Route guard: an admin's bearer token, checked before the request body is even read.

    The app keeps its :class:`TokenService` in ``app.state`` under ``TOKENS_STATE_KEY``.
    """
    tokens: TokenService = connection.app.state[TOKENS_STATE_KEY]
    if not tokens.authenticate(connection.headers.get("authorization")).is_admin:
        raise PermissionDeniedException("this operation needs the admin role")
