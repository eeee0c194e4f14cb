"""ASGI entry point for uvicorn: ``uvicorn --factory shop.asgi:app``."""

from __future__ import annotations

from litestar import Litestar

from shared.settings import Settings
from shop.app import create_app
from shop.bootstrap import bootstrap


def app() -> Litestar:
    return create_app(bootstrap(Settings()))
