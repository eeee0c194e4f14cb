"""The OpenAPI document, made to say what the API does.

Litestar writes the document from the handlers' signatures, and leaves out three
things a client (or a fuzzer) relies on:

- **errors**: it declares only a 400, as ``application/json`` with the shape of its
  own validation error, while every error here is an RFC 9457 problem document
  (``application/problem+json``). Each operation now declares every 4xx it can
  answer, and 503: the ones that follow from the route's shape (a bearer token
  means 401; the admin guard, 403; a request body, 413 and 415; anything, 400 and
  503), and the ones only the handler knows, which it names with :func:`problems`.
- **request bodies as validated**: its schemas of pydantic models drop ``pattern``
  and ``additionalProperties: false``. Request models get pydantic's own JSON schema
  (validation mode), which is what the server checks; a free-text field also says it
  takes no U+0000, which the server refuses in any text.
- **response bodies as sent**: it declares a ``Decimal`` as a number, while it is
  sent as a string ("14.00"). Response models get pydantic's serialisation schema.
- **optional parameters**: it declares ``str | None`` as "a string or null", while an
  optional header or query parameter is one that may be left out
  (``required: false``); no client can send a null header.

:func:`complete_the_document` runs once at startup, on the document Litestar
builds and caches, before it is first served.
"""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

from litestar import Litestar

# The plugin that builds and caches the served document; Litestar does not re-export it.
from litestar._openapi.plugin import OpenAPIPlugin
from litestar.handlers import HTTPRouteHandler
from litestar.openapi.datastructures import ResponseSpec
from litestar.routes import HTTPRoute
from pydantic import BaseModel

from shared.web.auth import admin_only
from shared.web.problems import PROBLEM_JSON, RETRY_AFTER_SECONDS
from shared.web.types import ProblemDocument, RequestBody, ResponseBody

_PROBLEM_SCHEMA_REF = f"#/components/schemas/{ProblemDocument.__name__}"
_METHODS_WITH_A_BODY = frozenset({"POST", "PUT", "PATCH"})
_STATUS_HEADERS: dict[int, dict[str, Any]] = {
    401: {
        "WWW-Authenticate": {
            "description": "how to authenticate: a bearer token, or the webhook's signature",
            "schema": {"type": "string"},
        }
    },
    503: {
        "Retry-After": {
            "description": f"seconds to wait before retrying (about {RETRY_AFTER_SECONDS})",
            "schema": {"type": "string"},
        }
    },
}


def problems(*statuses: int) -> dict[int, ResponseSpec]:
    """A handler's ``responses``: the problem documents only it can answer (404, 409, …)."""
    return {
        status: ResponseSpec(
            data_container=ProblemDocument,
            description=HTTPStatus(status).phrase,
            media_type=PROBLEM_JSON,
            generate_examples=False,
        )
        for status in statuses
    }


def complete_the_document(app: Litestar) -> None:
    """Startup hook: declares every operation's problems and pydantic's schemas (see above)."""
    document = app.plugins.get(OpenAPIPlugin).provide_openapi_schema()
    schemas: dict[str, Any] = document.setdefault("components", {}).setdefault("schemas", {})
    for model in _subclasses(RequestBody):
        _put_schema(schemas, model, "validation")
    for model in _subclasses(ResponseBody):
        _put_schema(schemas, model, "serialization")
    schemas[ProblemDocument.__name__] = ProblemDocument.model_json_schema(mode="serialization")
    for route in app.routes:
        if not isinstance(route, HTTPRoute):
            continue
        for handler in route.route_handlers:
            if not handler.resolve_include_in_schema():
                continue
            for method in handler.http_methods:
                operation = document["paths"].get(route.path_format, {}).get(method.lower())
                if operation is not None:
                    _declare_problems(operation, _problems_of(handler, method, operation))
                    for parameter in operation.get("parameters", []):
                        parameter["schema"] = _without_null(parameter["schema"])


def _problems_of(handler: HTTPRouteHandler, method: str, operation: dict[str, Any]) -> set[int]:
    statuses = {400, 503} | {int(status) for status in operation.get("responses", {})}
    if operation.get("security"):
        statuses.add(401)
    # The layers' own lists: resolve_guards() returns the guards wrapped.
    if any(admin_only in (layer.guards or ()) for layer in handler.ownership_layers):
        statuses.add(403)
    if method in _METHODS_WITH_A_BODY:
        statuses |= {413, 415}
    return {status for status in statuses if status >= 400}


def _declare_problems(operation: dict[str, Any], statuses: set[int]) -> None:
    responses: dict[str, Any] = operation.setdefault("responses", {})
    for status in sorted(statuses):
        response: dict[str, Any] = {
            "description": HTTPStatus(status).phrase,
            "content": {PROBLEM_JSON: {"schema": {"$ref": _PROBLEM_SCHEMA_REF}}},
        }
        if status in _STATUS_HEADERS:
            response["headers"] = _STATUS_HEADERS[status]
        responses[str(status)] = response


def _without_null(schema: dict[str, Any]) -> dict[str, Any]:
    variants = schema.get("oneOf", [])
    others = [variant for variant in variants if variant != {"type": "null"}]
    if len(variants) != 2 or len(others) != 1:
        return schema
    rest = {key: value for key, value in schema.items() if key != "oneOf"}
    return {**others[0], **rest}


def _put_schema(schemas: dict[str, Any], model: type[BaseModel], mode: str) -> None:
    """Replaces the schema Litestar wrote for ``model``; a model it did not use is left out."""
    if model.__name__ not in schemas:
        return
    schema = model.model_json_schema(
        mode="validation" if mode == "validation" else "serialization",
        ref_template="#/components/schemas/{model}",
    )
    if mode == "validation":
        _forbid_nul(schema)
    schemas.update(schema.pop("$defs", {}))
    schemas[model.__name__] = schema


# No text in a request may hold U+0000 (shared/web/input.py): a free-text field says so.
_NO_NUL = {"pattern": "^[^\\u0000]*$"}


def _forbid_nul(schema: dict[str, Any]) -> None:
    for definition in (*schema.get("properties", {}).values(), *schema.get("$defs", {}).values()):
        if definition.get("type") == "string" and "pattern" not in definition:
            definition.update(_NO_NUL)
        _forbid_nul(definition)


def _subclasses(base: type[BaseModel]) -> list[type[BaseModel]]:
    found: list[type[BaseModel]] = []
    for subclass in base.__subclasses__():
        found.append(subclass)
        found.extend(_subclasses(subclass))
    return found
