"""`/docs` names only assets that the shop serves itself, so it works with no internet.

The browser test (tests/browser) proves the page renders; this one runs everywhere and
says at once which asset is missing or which URL points elsewhere.
"""

from __future__ import annotations

import re

from tests.support import ApiClient

ASSET_URL = re.compile(r"""(?:src|href)=["']([^"']+)["']""")


def test_the_docs_page_loads_its_assets_from_the_shop(api: ApiClient) -> None:
    page = api.get("/docs")
    assert page.status_code == 200
    urls = ASSET_URL.findall(page.text)

    assert len(urls) == 4, urls  # the script, the preset, the stylesheet and the favicon
    for url in urls:
        assert url.startswith("/docs/swagger-ui-"), url
        asset = api.get(url)
        assert asset.status_code == 200, url
        # Each release comes under its own URL, so the files never change under a cached one.
        assert "immutable" in asset.headers["cache-control"]
