"""``/console``: the operations console in the browser, for admins.

Pages are rendered on the server (Jinja2, autoescaped) and each keeps one panel
live: htmx asks for the page again every few seconds with an ``HX-Request``
header, and gets only the panel back. Every asset, htmx included, is served by
the shop, so the console works with no internet.

Signing in: the sign-in form takes a bearer token (in ``dev``, a button mints an
admin token) and keeps it in a short-lived cookie, ``HttpOnly`` (no script reads
it) and ``SameSite=Strict`` (no other site's page sends it). The forms that change
the session, signing in and out, carry a double-submit CSRF token: a random value
in a cookie of its own that the form must repeat. An admin's bearer header works
too, as on the API. Without a valid token, a page redirects to the sign-in form;
a customer's token gets 403.
"""

from __future__ import annotations

import hmac
import json
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any
from uuid import UUID

from jinja2 import Environment, PackageLoader, StrictUndefined
from litestar import Controller, Request, Response, get, post
from litestar.connection import ASGIConnection
from litestar.datastructures import CacheControlHeader, Cookie, ResponseHeader
from litestar.di import NamedDependency, Provide
from litestar.enums import RequestEncodingType
from litestar.exceptions import HTTPException, NotAuthorizedException, PermissionDeniedException
from litestar.handlers.base import BaseRouteHandler
from litestar.params import Body, FromPath, FromQuery
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.response import Redirect, Template
from litestar.router import Router
from litestar.static_files import create_static_files_router
from litestar.status_codes import (
    HTTP_401_UNAUTHORIZED,
    HTTP_403_FORBIDDEN,
    HTTP_404_NOT_FOUND,
    HTTP_415_UNSUPPORTED_MEDIA_TYPE,
)
from litestar.template.config import TemplateConfig
from pydantic import BaseModel, ConfigDict

from shared.relay import RelayStatus
from shared.web.auth import TOKENS_STATE_KEY, Principal, Role, TokenService
from shop.bootstrap import Shop
from shop.console.queries import (
    ConsoleQueries,
    InvalidSearch,
    OrderNotFound,
    StreamNotFound,
    UnknownModule,
    parse_stream_id,
    queries_for,
)
from shop.modules import MODULES

PATH = "/console"
SIGN_IN = f"{PATH}/sign-in"
SESSION_COOKIE = "shop_console_session"
CSRF_COOKIE = "shop_console_csrf"
CSRF_FIELD = "csrf_token"
# Short-lived: a console left open on a shared screen signs itself out within the hour,
# and never outlives the token it was opened with (checked on every request).
SESSION_SECONDS = 30 * 60
DEV_ADMIN_ID = "console-admin"
POLL_SECONDS = 2
STATIC_DIRECTORY = Path(__file__).parent.parent / "static"
HTMX_DIRECTORY = STATIC_DIRECTORY / "htmx"
CONSOLE_ASSETS_DIRECTORY = STATIC_DIRECTORY / "console"

# Nothing but the shop's own scripts and styles; no frame may embed a console page.
_PAGE_HEADERS = [
    ResponseHeader(
        name="Content-Security-Policy",
        value="default-src 'self'; img-src 'self' data:; frame-ancestors 'none';"
        " form-action 'self'; base-uri 'none'",
    ),
    ResponseHeader(name="Cache-Control", value="no-store"),
    ResponseHeader(name="X-Content-Type-Options", value="nosniff"),
    ResponseHeader(name="Referrer-Policy", value="same-origin"),
]
_FOREVER = CacheControlHeader(public=True, max_age=365 * 24 * 3600, immutable=True)


class SignInRequired(Exception):
    """No valid session: the visitor is sent to the sign-in form."""


class SignInForm(BaseModel):
    model_config = ConfigDict(extra="ignore")

    token: str = ""
    csrf_token: str = ""


class CsrfForm(BaseModel):
    model_config = ConfigDict(extra="ignore")

    csrf_token: str = ""


FormBody = Body(media_type=RequestEncodingType.URL_ENCODED)


def htmx_version() -> str:
    """The vendored htmx release, read from the package.json copied with it."""
    package = json.loads((HTMX_DIRECTORY / "package.json").read_text(encoding="utf-8"))
    version: str = package["version"]
    return version


def template_config() -> TemplateConfig[JinjaTemplateEngine]:
    """Jinja2 with autoescaping on for every template, and undefined names an error."""
    environment = Environment(
        loader=PackageLoader("shop.console", "templates"),
        autoescape=True,
        undefined=StrictUndefined,
    )
    environment.filters["moment"] = _moment
    environment.filters["compact_json"] = _compact_json
    return TemplateConfig(engine=JinjaTemplateEngine.from_environment(environment))


def console_router(shop: Shop) -> Router:
    """The console's pages, sign-in routes and assets, mounted at ``/console``."""
    queries = queries_for(shop)
    handlers: list[Any] = [
        ConsolePages,
        SignInController,
        create_static_files_router(
            path=f"/htmx-{htmx_version()}",
            directories=[HTMX_DIRECTORY],
            name="console-htmx",
            cache_control=_FOREVER,
            include_in_schema=False,
        ),
        create_static_files_router(
            path="/assets",
            directories=[CONSOLE_ASSETS_DIRECTORY],
            name="console-assets",
            include_in_schema=False,
        ),
    ]
    if shop.settings.is_dev:
        handlers.append(DevSignInController)
    return Router(
        path=PATH,
        route_handlers=handlers,
        dependencies={
            "queries": Provide(lambda: queries, sync_to_thread=False, use_cache=True),
            "relay_name": Provide(lambda: shop.relay.name, sync_to_thread=False),
            "relay_status": Provide(lambda: shop.relay_status, sync_to_thread=False),
            "is_dev": Provide(lambda: shop.settings.is_dev, sync_to_thread=False),
        },
        # The API takes JSON only; the console's forms post URL-encoded bodies.
        before_request=_accept_forms,
        response_headers=_PAGE_HEADERS,
        include_in_schema=False,
    )


# Who is signed in -------------------------------------------------------------------------


def _tokens(connection: ASGIConnection[Any, Any, Any, Any]) -> TokenService:
    tokens: TokenService = connection.app.state[TOKENS_STATE_KEY]
    return tokens


def admin_signed_in(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
    """Route guard: an admin's session cookie (or bearer header); else sign in, or 403."""
    authorization = connection.headers.get("authorization")
    session = connection.cookies.get(SESSION_COOKIE)
    if authorization is None and not session:
        raise SignInRequired
    try:
        principal = (
            _tokens(connection).authenticate(authorization)
            if authorization is not None
            else _tokens(connection).verify(session or "")
        )
    except NotAuthorizedException:
        raise SignInRequired from None
    if not principal.is_admin:
        raise PermissionDeniedException("the console is for admins")
    connection.state.console_admin = principal


def _send_to_sign_in(request: Request[Any, Any, Any], _: Exception) -> Response[Any]:
    if request.headers.get("hx-request"):
        # A panel refreshing itself: htmx follows HX-Redirect with the whole page.
        return Response("", status_code=HTTP_401_UNAUTHORIZED, headers={"HX-Redirect": SIGN_IN})
    redirect = Redirect(SIGN_IN, status_code=303)
    redirect.delete_cookie(SESSION_COOKIE, path=PATH)
    return redirect


def _forbidden(request: Request[Any, Any, Any], error: Exception) -> Response[Any]:
    detail = error.detail if isinstance(error, HTTPException) else "forbidden"
    return _error_page(request, HTTP_403_FORBIDDEN, "Forbidden", detail)


def _not_found(request: Request[Any, Any, Any], error: Exception) -> Response[Any]:
    return _error_page(request, HTTP_404_NOT_FOUND, "Not found", str(error))


def _error_page(request: Request[Any, Any, Any], status: int, title: str, detail: str) -> Template:
    return Template(
        template_name="console/error.html",
        context={**_layout(request, signed_in=None), "title": title, "detail": detail},
        status_code=status,
    )


def _accept_forms(request: Request[Any, Any, Any]) -> None:
    media_type, _ = request.content_type
    if request.method == "POST" and media_type != RequestEncodingType.URL_ENCODED.value:
        raise HTTPException(
            status_code=HTTP_415_UNSUPPORTED_MEDIA_TYPE,
            detail=f"the console's forms post {RequestEncodingType.URL_ENCODED.value}",
        )


_EXCEPTION_HANDLERS: Mapping[Any, Any] = {
    SignInRequired: _send_to_sign_in,
    PermissionDeniedException: _forbidden,
    StreamNotFound: _not_found,
    OrderNotFound: _not_found,
    UnknownModule: _not_found,
}


# Signing in and out -----------------------------------------------------------------------


class SignInController(Controller):
    path = "/"
    exception_handlers = dict(_EXCEPTION_HANDLERS)

    @get("/sign-in", sync_to_thread=False)
    def sign_in_form(
        self, request: Request[Any, Any, Any], is_dev: NamedDependency[bool]
    ) -> Template:
        return _sign_in_page(request, is_dev)

    @post("/sign-in", sync_to_thread=False, status_code=303)
    def sign_in(
        self,
        request: Request[Any, Any, Any],
        data: Annotated[SignInForm, FormBody],
        is_dev: NamedDependency[bool],
    ) -> Response[Any]:
        _check_csrf(request, data.csrf_token)
        try:
            principal = _tokens(request).verify(data.token.strip())
        except NotAuthorizedException:
            return _sign_in_page(request, is_dev, "That token is not valid, or it has expired.")
        if not principal.is_admin:
            raise PermissionDeniedException("the console is for admins; this token is a customer's")
        return _signed_in(request, data.token.strip())

    @post("/sign-out", sync_to_thread=False, status_code=303)
    def sign_out(
        self, request: Request[Any, Any, Any], data: Annotated[CsrfForm, FormBody]
    ) -> Response[Any]:
        _check_csrf(request, data.csrf_token)
        redirect = Redirect(SIGN_IN, status_code=303)
        redirect.delete_cookie(SESSION_COOKIE, path=PATH)
        return redirect


class DevSignInController(Controller):
    """``dev`` only: one button signs in as an admin, as ``POST /api/dev/tokens`` would."""

    path = "/"
    exception_handlers = dict(_EXCEPTION_HANDLERS)

    @post("/sign-in/dev", sync_to_thread=False, status_code=303)
    def sign_in_as_dev_admin(
        self, request: Request[Any, Any, Any], data: Annotated[CsrfForm, FormBody]
    ) -> Response[Any]:
        _check_csrf(request, data.csrf_token)
        return _signed_in(request, _tokens(request).mint(DEV_ADMIN_ID, Role.ADMIN))


def _sign_in_page(request: Request[Any, Any, Any], is_dev: bool, problem: str = "") -> Template:
    csrf = request.cookies.get(CSRF_COOKIE) or secrets.token_urlsafe(32)
    page = Template(
        template_name="console/sign_in.html",
        context={
            **_layout(request, signed_in=None),
            "csrf": csrf,
            "is_dev": is_dev,
            "problem": problem,
        },
        status_code=401 if problem else 200,
    )
    page.cookies.append(_cookie(request, CSRF_COOKIE, csrf, max_age=None))
    return page


def _check_csrf(request: Request[Any, Any, Any], submitted: str) -> None:
    expected = request.cookies.get(CSRF_COOKIE, "")
    if not expected or not hmac.compare_digest(expected.encode(), submitted.encode()):
        raise PermissionDeniedException(
            "the form's CSRF token does not match this browser's: reload the sign-in page"
        )


def _signed_in(request: Request[Any, Any, Any], token: str) -> Response[Any]:
    redirect = Redirect(f"{PATH}/", status_code=303)
    redirect.cookies.append(_cookie(request, SESSION_COOKIE, token, max_age=SESSION_SECONDS))
    return redirect


def _cookie(
    request: Request[Any, Any, Any], key: str, value: str, *, max_age: int | None
) -> Cookie:
    return Cookie(
        key=key,
        value=value,
        path=PATH,
        max_age=max_age,
        httponly=True,
        samesite="strict",
        # Served over HTTPS (behind a proxy that says so), the cookie never travels in clear.
        secure=request.url.scheme == "https",
    )


# The pages --------------------------------------------------------------------------------


class ConsolePages(Controller):
    path = "/"
    guards = [admin_signed_in]
    exception_handlers = dict(_EXCEPTION_HANDLERS)

    @get("/", sync_to_thread=True)
    def overview(
        self, request: Request[Any, Any, Any], queries: NamedDependency[ConsoleQueries]
    ) -> Template:
        return _page(request, "overview", latest=queries.latest_events())

    @get("/streams/{module:str}", sync_to_thread=True)
    def streams(
        self,
        request: Request[Any, Any, Any],
        queries: NamedDependency[ConsoleQueries],
        module: FromPath[str],
        after: FromQuery[UUID | None] = None,
        search: FromQuery[str] = "",
    ) -> Template:
        try:
            page = queries.streams(module, after=after, search=search)
            problem = ""
        except InvalidSearch as error:
            page = queries.streams(module, after=after)
            problem = str(error)
        return _page(request, "streams", module=module, page=page, problem=problem)

    @get("/streams/{module:str}/{stream_id:uuid}", sync_to_thread=True)
    def stream(
        self,
        request: Request[Any, Any, Any],
        queries: NamedDependency[ConsoleQueries],
        module: FromPath[str],
        stream_id: FromPath[UUID],
        after: FromQuery[int] = 0,
    ) -> Template:
        return _page(
            request, "stream", module=module, stream=queries.stream(module, stream_id, after=after)
        )

    @get("/find", sync_to_thread=True)
    def find(
        self, queries: NamedDependency[ConsoleQueries], stream_id: FromQuery[str] = ""
    ) -> Redirect:
        """Any stream by its id, whichever module holds it."""
        try:
            found = parse_stream_id(stream_id)
        except InvalidSearch as error:
            raise StreamNotFound(str(error)) from None
        return Redirect(f"{PATH}/streams/{queries.find_stream(found)}/{found}")

    @get("/outbox", sync_to_thread=True)
    def outbox(
        self,
        request: Request[Any, Any, Any],
        queries: NamedDependency[ConsoleQueries],
        relay_name: NamedDependency[str],
        relay_status: NamedDependency[Callable[[], RelayStatus]],
        before: FromQuery[int | None] = None,
    ) -> Template:
        """The relay's status (as ``shop outbox`` prints it) and the outbox's recent messages."""
        messages = queries.recent_messages(relay_name, before=before)
        return _page(request, "outbox", status=relay_status(), messages=messages, before=before)

    @get("/read-models", sync_to_thread=True)
    def read_models(
        self, request: Request[Any, Any, Any], queries: NamedDependency[ConsoleQueries]
    ) -> Template:
        return _page(request, "read_models", tables=queries.table_sizes())

    @get("/timeline", sync_to_thread=True)
    def timeline(
        self,
        request: Request[Any, Any, Any],
        queries: NamedDependency[ConsoleQueries],
        order_id: FromQuery[str] = "",
    ) -> Template:
        if not order_id.strip():
            return _page(request, "timeline", timeline=None, orders=queries.recent_orders())
        try:
            wanted = parse_stream_id(order_id)
        except InvalidSearch as error:
            raise OrderNotFound(str(error)) from None
        return _page(request, "timeline", timeline=queries.timeline(wanted), orders=[])


@dataclass(frozen=True)
class _Nav:
    href: str
    label: str
    section: str  # the pages under this path are this item's


_NAV = [
    _Nav(f"{PATH}/", "Overview", f"{PATH}/"),
    _Nav(f"{PATH}/streams/carts", "Streams", f"{PATH}/streams/"),
    _Nav(f"{PATH}/outbox", "Outbox and relay", f"{PATH}/outbox"),
    _Nav(f"{PATH}/read-models", "Read models", f"{PATH}/read-models"),
    _Nav(f"{PATH}/timeline", "Checkout timeline", f"{PATH}/timeline"),
]


def _page(request: Request[Any, Any, Any], view: str, **context: Any) -> Template:
    """The whole page, or only its live panel when htmx refreshes it."""
    principal: Principal = request.state.console_admin
    partial = bool(request.headers.get("hx-request"))
    return Template(
        template_name=f"console/_{view}.html" if partial else f"console/{view}.html",
        context={
            **_layout(request, signed_in=principal),
            **context,
            "panel": f"console/_{view}.html",
            "modules": [module.name for module in MODULES],
        },
    )


def _layout(request: Request[Any, Any, Any], signed_in: Principal | None) -> dict[str, Any]:
    here = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return {
        "signed_in": signed_in,
        "csrf": request.cookies.get(CSRF_COOKIE, ""),
        "nav": _NAV,
        "here": here,
        "path": request.url.path,
        "console": PATH,
        "htmx": f"{PATH}/htmx-{htmx_version()}/htmx.min.js",
        "poll_seconds": POLL_SECONDS,
    }


def _moment(value: datetime | None) -> str:
    """A time as an operator reads it: UTC, to the millisecond."""
    if value is None:
        return "—"
    return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")[:-3]


def _compact_json(value: Any) -> str:
    return json.dumps(value, separators=(", ", ": "), ensure_ascii=False, default=str)
