"""The headers every response of `serve` carries (docs/decisions/0012): a Content-Security-Policy
with no inline script or style and nothing from another site (the pages' CSS is /static/style.css),
no framing, no MIME sniffing, no referrer to other sites, nothing cached; never a `server` banner.
Swagger UI (/docs) is under the same policy: its files are served from this server too
(entrypoints/api_docs.py) and it is started by a script file, not an inline script."""

from starlette.types import ASGIApp, Message, Receive, Scope, Send

PAGES_CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; object-src 'none'; "
             "frame-ancestors 'none'; form-action 'self'; base-uri 'none'")
CACHED = ("/static/", "/docs-assets/")  # files of the release, no personal data

ALWAYS = [
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"same-origin"),
    (b"cross-origin-opener-policy", b"same-origin"),
]


class SecurityHeaders:
    """ASGI middleware: the outermost one, so a refusal by the Host check carries them too."""

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        path = scope["path"]

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [(k, v) for k, v in message.get("headers", []) if k.lower() != b"server"]
                names = {k.lower() for k, _ in headers}
                headers += [(k, v) for k, v in ALWAYS if k not in names]
                headers.append((b"content-security-policy", PAGES_CSP.encode()))
                if b"cache-control" not in names and not path.startswith(CACHED):
                    headers.append((b"cache-control", b"no-store"))
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, with_headers)
