"""The Litestar application factory. Nothing is built at import time."""

from __future__ import annotations

from typing import Any

from litestar import Litestar, get
from litestar.datastructures import State
from litestar.di import Provide
from litestar.openapi import OpenAPIConfig
from litestar.openapi.spec import Components, SecurityScheme
from sqlalchemy import text

from shared.web.auth import BEARER_TOKEN, TOKENS_STATE_KEY, principal_provider
from shared.web.input import check_input
from shared.web.logging import request_logging
from shared.web.openapi import complete_the_document
from shared.web.problems import exception_handlers
from shop.api_docs import SelfHostedSwaggerUI
from shop.bootstrap import Shop
from shop.console.web import console_router
from shop.console.web import template_config as console_templates
from shop.dev_tokens import DevTokenController
from shop.health import ready
from shop.modules import MODULES


@get("/health", sync_to_thread=True, tags=["operations"])
def health(state: State) -> dict[str, str]:
    """Liveness and database reachability."""
    shop: Shop = state.shop
    with shop.datastore.transaction(commit=False) as session:
        session.execute(text("SELECT 1"))
    return {"status": "ok"}


def create_app(shop: Shop, *, run_background_workers: bool = False) -> Litestar:
    def provide(value: Any) -> Provide:
        return Provide(lambda: value, sync_to_thread=False, use_cache=True)

    route_handlers: list[Any] = [health, ready]
    for module in MODULES:
        route_handlers.extend(module.route_handlers)
    if shop.settings.is_dev:
        route_handlers.append(DevTokenController)
    route_handlers.append(console_router(shop))

    on_startup: list[Any] = [complete_the_document]
    if run_background_workers:
        on_startup.append(shop.start_background_workers)
    return Litestar(
        route_handlers=route_handlers,
        dependencies={
            "principal": Provide(principal_provider(shop.tokens), sync_to_thread=False),
            "tokens": provide(shop.tokens),
            **{module.name: provide(shop.contexts[module.name]) for module in MODULES},
        },
        exception_handlers=exception_handlers,
        before_request=check_input,
        middleware=[request_logging],
        # The process's logging is the CLI's (and uvicorn's): Litestar would replace the
        # root logger's handler with its own format. Errors are logged by exception_handlers.
        logging_config=None,
        openapi_config=OpenAPIConfig(
            title="Event-sourced shop",
            version="1.0.0",
            path="/docs",
            render_plugins=[SelfHostedSwaggerUI()],
            components=Components(
                security_schemes={
                    BEARER_TOKEN: SecurityScheme(type="http", scheme="bearer", bearer_format="JWT")
                }
            ),
        ),
        template_config=console_templates(),
        request_max_body_size=shop.settings.max_request_body_bytes,
        state=State({"shop": shop, TOKENS_STATE_KEY: shop.tokens}),
        on_startup=on_startup,
        on_shutdown=[shop.close],
    )
