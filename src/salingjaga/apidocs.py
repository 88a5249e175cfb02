"""The API's documentation pages, served from the installation: Swagger UI's files come from
the ``fastapi-offline`` package, so ``/docs`` works with no network, and the page runs under
the same Content-Security-Policy as every other page (no inline script: its start-up code is
``/docs/init.js``)."""

from __future__ import annotations

from importlib import resources

from fastapi import Depends, FastAPI
from fastapi.responses import HTMLResponse, Response

from salingjaga.auth.deps import public
from salingjaga.core.errors import NotFound

_ASSETS = {"swagger-ui.css": "text/css", "swagger-ui-bundle.js": "text/javascript", "favicon.png": "image/png"}

PAGE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>{title} API</title>
<link rel="icon" href="/docs/assets/favicon.png">
<link rel="stylesheet" href="/docs/assets/swagger-ui.css">
</head>
<body>
<div id="swagger-ui"></div>
<script src="/docs/assets/swagger-ui-bundle.js"></script>
<script src="/docs/init.js"></script>
</body>
</html>
"""

INIT = """window.ui = SwaggerUIBundle({
  url: "/openapi.json",
  dom_id: "#swagger-ui",
  deepLinking: true,
  persistAuthorization: true,
  tryItOutEnabled: false,
  presets: [SwaggerUIBundle.presets.apis],
  layout: "BaseLayout"
});
"""


def _asset(name: str) -> bytes:
    return resources.files("fastapi_offline").joinpath("static", name).read_bytes()


def install_docs(app: FastAPI) -> None:
    """``/docs`` (Swagger UI over ``/openapi.json``) and its files."""

    @app.get("/docs", include_in_schema=False, dependencies=[Depends(public)])
    async def docs() -> HTMLResponse:
        return HTMLResponse(PAGE.format(title=app.title))

    @app.get("/docs/init.js", include_in_schema=False, dependencies=[Depends(public)])
    async def docs_init() -> Response:
        return Response(INIT, media_type="text/javascript")

    @app.get("/docs/assets/{name}", include_in_schema=False, dependencies=[Depends(public)])
    async def docs_asset(name: str) -> Response:
        if name not in _ASSETS:
            raise NotFound(f"no documentation file {name!r}", reason="file.unknown")
        return Response(_asset(name), media_type=_ASSETS[name],
                        headers={"Cache-Control": "public, max-age=86400"})
