"""What every request must be before any handler looks at it: text the database can store,
and a JSON body that means one thing.

Runs as the app's ``before_request`` hook, so it applies to every route, after the
route's guards (an admin route refuses a customer before reading the body) and
before the handler's parameters are parsed — and so before the bearer token of a
customer route is checked: a body that cannot be decoded is a 400 to anyone.

Why each rule:

- **Text the database can store.** PostgreSQL's ``text`` cannot hold U+0000, and
  no UTF-8 encoding exists for a lone surrogate (U+D800 to U+DFFF, which JSON's
  ``\\ud800`` escape can produce). Either would fail deep in a write, or be stored
  on SQLite and not on PostgreSQL. Such text is refused wherever it comes from:
  path, query string or body.
- **No control characters in path and query parameters.** Every path and query
  parameter of this API is an identifier or a number; a pattern such as
  ``^[a-z0-9-]+$`` checked by Python's ``re`` lets a trailing newline through (``$``
  matches before it), so they are refused here, whatever the pattern says.
- **A body is UTF-8 JSON** (RFC 8259 §8.1), **with unique keys** (§4 leaves
  duplicates to the parser; ours would keep the last one, so what we validated
  would not be what was sent), **no NaN or Infinity** (not JSON), **nested at most**
  :data:`MAX_DEPTH` **levels** (no request of ours needs more; deeper ones only
  cost stack).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from typing import Any

from litestar import Request
from litestar.exceptions import HTTPException
from litestar.status_codes import HTTP_400_BAD_REQUEST

from shared.web.media_types import is_json, refuse_bodies_that_are_not_json

MAX_DEPTH = 32
"""How deeply a request body's arrays and objects may nest."""

_METHODS_WITH_A_BODY = frozenset({"POST", "PUT", "PATCH"})
_CONTROL_CHARACTERS = re.compile(r"[\x00-\x1f\x7f]")


class UnacceptableInput(ValueError):
    """The input is well-formed enough to read, but not something the shop accepts."""


def unstorable(text: str) -> str | None:
    """Why ``text`` cannot be stored in the database (None when it can)."""
    if "\x00" in text:
        return "contains a NUL character (U+0000)"
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return "contains a lone surrogate (U+D800 to U+DFFF), which has no UTF-8 encoding"
    return None


def decode_json_body(body: bytes) -> Any:
    """The JSON value in ``body``, decoded strictly (see the module's docstring).

    Raises :class:`UnacceptableInput` saying what is wrong. Numbers keep their JSON
    form: integers as ``int``, anything with a fraction or exponent as ``float``.
    """
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as error:
        msg = f"the body is not UTF-8 (byte {error.start})"
        raise UnacceptableInput(msg) from None
    try:
        value = json.loads(
            text, object_pairs_hook=_object_with_unique_keys, parse_constant=_not_json
        )
    except RecursionError:
        msg = f"the body nests deeper than {MAX_DEPTH} levels"
        raise UnacceptableInput(msg) from None
    except json.JSONDecodeError as error:
        msg = f"the body is not JSON: {error.msg} (line {error.lineno}, column {error.colno})"
        raise UnacceptableInput(msg) from None
    _check_value(value, "body", depth=0)
    return value


def _object_with_unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    value = dict(pairs)
    if len(value) < len(pairs):
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                msg = f"the body repeats the key {_printable(key)!r}"
                raise UnacceptableInput(msg)
            seen.add(key)
    return value


def _not_json(constant: str) -> Any:
    msg = f"{constant} is not a JSON number"
    raise UnacceptableInput(msg)


def _check_value(value: Any, where: str, depth: int) -> None:
    if depth > MAX_DEPTH:
        msg = f"the body nests deeper than {MAX_DEPTH} levels"
        raise UnacceptableInput(msg)
    if isinstance(value, str):
        _check_text(value, where)
    elif isinstance(value, dict):
        for key, item in value.items():
            _check_text(key, f"{where}: a key")
            _check_value(item, f"{where}.{_printable(key)}", depth + 1)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            _check_value(item, f"{where}[{index}]", depth + 1)


def _check_text(text: str, where: str) -> None:
    reason = unstorable(text)
    if reason is not None:
        msg = f"{where} {reason}"
        raise UnacceptableInput(msg)


def _printable(key: str) -> str:
    return key if unstorable(key) is None else repr(key)


def check_parameters(parameters: Iterable[tuple[str, Any]], kind: str) -> None:
    """Refuses path or query parameters holding unstorable text or control characters."""
    for name, value in parameters:
        if name == "":
            # "?a=1&=2": a value with no name is not a parameter of any operation.
            msg = f"a {kind} parameter has no name"
            raise UnacceptableInput(msg)
        for text, what in ((name, "name"), (value, "value")):
            if not isinstance(text, str):
                continue
            reason = unstorable(text) or (
                "contains a control character" if _CONTROL_CHARACTERS.search(text) else None
            )
            if reason is not None:
                msg = f"the {kind} parameter {_printable(name)}'s {what} {reason}"
                raise UnacceptableInput(msg)


async def check_input(request: Request[Any, Any, Any]) -> None:
    """The ``before_request`` hook: 415 for a body that is not JSON, 400 for input that
    breaks the rules above; 413 comes from reading a body over the app's limit."""
    refuse_bodies_that_are_not_json(request)
    try:
        check_parameters(request.path_params.items(), "path")
        check_parameters(request.query_params.multi_items(), "query")
        media_type, _ = request.content_type
        if request.method in _METHODS_WITH_A_BODY and (not media_type or is_json(media_type)):
            body = await request.body()
            if body:
                decode_json_body(body)
    except UnacceptableInput as error:
        raise HTTPException(status_code=HTTP_400_BAD_REQUEST, detail=str(error)) from None
