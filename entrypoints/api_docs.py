"""The API's documentation page, `/docs` (Swagger UI), served offline (issue 19): its script and
style are the copies that the `fastapi-offline` package ships, served by this server under
`/docs-assets/`, and Swagger UI is started by our own `/static/api-docs.js`, not an inline script —
so nothing of the page comes from another site and its CSP (entrypoints/headers.py) allows no
inline script. The Authorize button takes an API key: the bearer scheme is declared in OpenAPI
(entrypoints/authentication.py). No /redoc: ReDoc loads its logo from its maker's site, and one
documentation page is enough."""

from pathlib import Path

import fastapi_offline
from fastapi import FastAPI
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

ASSETS = Path(fastapi_offline.__file__).parent / "static"  # swagger-ui-bundle.js, swagger-ui.css, favicon.png
ASSETS_URL = "/docs-assets"

SWAGGER = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title} — API</title>
<link rel="icon" href="{assets}/favicon.png">
<link rel="stylesheet" href="{assets}/swagger-ui.css">
</head>
<body>
<div id="swagger-ui" data-openapi="{openapi}"></div>
<script src="{assets}/swagger-ui-bundle.js"></script>
<script src="/static/api-docs.js"></script>
</body>
</html>
"""


def add_api_docs(app: FastAPI) -> None:
    """/docs and its assets on `app` (made with docs_url=None, redoc_url=None)."""
    app.mount(ASSETS_URL, StaticFiles(directory=ASSETS), name="docs-assets")
    fill = {"title": app.title, "assets": ASSETS_URL, "openapi": app.openapi_url}

    @app.get("/docs", include_in_schema=False)
    def swagger_ui() -> HTMLResponse:
        return HTMLResponse(SWAGGER.format(**fill))

