"""Request bodies are JSON: a body declared as anything else is refused before it is read.

Litestar parses a ``JSONBody`` whatever the ``Content-Type`` says, so without this a
client that mislabels its body would be served as if it had sent JSON.
"""

from __future__ import annotations

from typing import Any

from litestar import Request
from litestar.exceptions import HTTPException
from litestar.status_codes import HTTP_415_UNSUPPORTED_MEDIA_TYPE

_METHODS_WITH_A_BODY = frozenset({"POST", "PUT", "PATCH"})


def is_json(media_type: str) -> bool:
    return media_type == "application/json" or (
        media_type.startswith("application/") and media_type.endswith("+json")
    )


def refuse_bodies_that_are_not_json(request: Request[Any, Any, Any]) -> None:
    media_type, _ = request.content_type
    if request.method in _METHODS_WITH_A_BODY and media_type and not is_json(media_type):
        raise HTTPException(
            status_code=HTTP_415_UNSUPPORTED_MEDIA_TYPE,
            detail=f"request bodies must be application/json, not {media_type}",
        )
