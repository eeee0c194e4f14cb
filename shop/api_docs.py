"""The interactive API docs, served with everything they need from the shop itself.

Litestar's render plugins load their scripts, styles and favicon from public CDNs,
which leaves `/docs` blank wherever there is no internet (a workshop room, a closed
network). Swagger UI is vendored instead, under `shop/static/swagger-ui/` (its
README says which release and how to update it), and served beside the docs.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from litestar.datastructures import CacheControlHeader
from litestar.openapi.plugins import SwaggerRenderPlugin
from litestar.router import Router
from litestar.static_files import create_static_files_router

SWAGGER_UI_DIRECTORY = Path(__file__).parent / "static" / "swagger-ui"

# The release is part of every asset's URL, so browsers may cache the files for good:
# an updated Swagger UI comes under new URLs.
_FOREVER = CacheControlHeader(public=True, max_age=365 * 24 * 3600, immutable=True)


def swagger_ui_version() -> str:
    """The vendored release, read from the package.json that was copied with it."""
    package = json.loads((SWAGGER_UI_DIRECTORY / "package.json").read_text(encoding="utf-8"))
    version: str = package["version"]
    return version


class SelfHostedSwaggerUI(SwaggerRenderPlugin):
    """Swagger UI at the docs' root, its assets and favicon served under the docs' path."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(path="/", **kwargs)
        self.assets_path = f"/swagger-ui-{swagger_ui_version()}"

    def receive_router(self, router: Router) -> None:
        """Mounts the assets on the docs router, whose path is known only now."""
        super().receive_router(router)
        router.register(
            create_static_files_router(
                path=self.assets_path,
                directories=[SWAGGER_UI_DIRECTORY],
                name="swagger-ui-assets",
                cache_control=_FOREVER,
                include_in_schema=False,
            )
        )
        assets_url = f"{router.path.rstrip('/')}{self.assets_path}"
        self.js_url = f"{assets_url}/swagger-ui-bundle.js"
        self.css_url = f"{assets_url}/swagger-ui.css"
        self.standalone_preset_js_url = f"{assets_url}/swagger-ui-standalone-preset.js"
        self.favicon = f"<link rel='icon' type='image/png' href='{assets_url}/favicon-32x32.png'>"
