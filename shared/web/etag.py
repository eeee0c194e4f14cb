"""Optimistic concurrency over HTTP: ``ETag`` carries a stream version, ``If-Match`` checks it."""

from __future__ import annotations

import re
from typing import Annotated

from litestar.exceptions import HTTPException
from litestar.params import HeaderParameter
from litestar.status_codes import HTTP_400_BAD_REQUEST

from shared.errors import StaleVersion

# ASCII digits only: "\d" would also take "٣", which int() reads as 3.
_ENTITY_TAG = re.compile(r'"?([0-9]{1,18})"?')

IF_MATCH_PATTERN = r'^\s*(\*|(W/)?"?[0-9]{1,18}"?)\s*$'
"""What ``If-Match`` may hold: ``*``, or one entity tag of ours (``"3"``; ``W/"3"`` never
matches, since the comparison is strong)."""

IfMatch = Annotated[
    str | None, HeaderParameter(name="If-Match", required=False, pattern=IF_MATCH_PATTERN)
]
"""The optional ``If-Match`` header of a write: the version the caller last saw."""


def etag(version: int) -> str:
    return f'"{version}"'


def expected_version(if_match: str | None) -> int | None:
    """The version named by an ``If-Match`` header, or None when the caller sent none."""
    if if_match is None:
        return None
    value = if_match.strip()
    if value == "*":
        return None
    if value.startswith("W/"):
        raise StaleVersion("If-Match compares strongly: a weak entity tag never matches")
    match = _ENTITY_TAG.fullmatch(value)
    if match is None:
        raise HTTPException(
            status_code=HTTP_400_BAD_REQUEST,
            detail='If-Match must be an entity tag such as "3"',
        )
    return int(match.group(1))
