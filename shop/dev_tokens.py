"""``POST /api/dev/tokens``: mints bearer tokens for local development. Absent in production."""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, post
from litestar.di import NamedDependency
from litestar.params import JSONBody
from pydantic import Field

from shared.web.auth import CUSTOMER_ID_PATTERN, Role, TokenService
from shared.web.types import RequestBody, ResponseBody


class TokenRequest(RequestBody):
    customer_id: Annotated[str, Field(pattern=CUSTOMER_ID_PATTERN)]
    role: Role = Role.CUSTOMER


class TokenResponse(ResponseBody):
    access_token: str
    token_type: str = "bearer"  # noqa: S105 - a scheme name, not a secret


class DevTokenController(Controller):
    path = "/api/dev/tokens"
    tags = ["development"]

    @post("/", sync_to_thread=False)
    def mint(
        self, tokens: NamedDependency[TokenService], data: JSONBody[TokenRequest]
    ) -> TokenResponse:
        return TokenResponse(access_token=tokens.mint(data.customer_id, data.role))
