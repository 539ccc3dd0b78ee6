"""The headers every response of `serve` carries (docs/decisions/0012): a Content-Security-Policy
with no inline script or style and nothing from another site (the pages' CSS is /static/style.css),
no framing, no MIME sniffing, no referrer to other sites, nothing cached; never a `server` banner.
Swagger UI and ReDoc (/docs, /redoc, only when ORDERCLAIMS_API_DOCS=on) load their scripts from a
CDN and start with an inline script: those two pages alone get a policy that allows it."""

from starlette.types import ASGIApp, Message, Receive, Scope, Send

PAGES_CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; object-src 'none'; "
             "frame-ancestors 'none'; form-action 'self'; base-uri 'none'")
CDN = "https://cdn.jsdelivr.net"
DOCS_CSP = (f"default-src 'self'; script-src 'self' 'unsafe-inline' {CDN}; style-src 'self' 'unsafe-inline' {CDN}; "
            "img-src 'self' data: https://fastapi.tiangolo.com; worker-src 'self' blob:; object-src 'none'; "
            "frame-ancestors 'none'; form-action 'self'; base-uri 'none'")
DOCS_PAGES = ("/docs", "/docs/oauth2-redirect", "/redoc")

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
        policy = DOCS_CSP if path in DOCS_PAGES else PAGES_CSP

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [(k, v) for k, v in message.get("headers", []) if k.lower() != b"server"]
                names = {k.lower() for k, _ in headers}
                headers += [(k, v) for k, v in ALWAYS if k not in names]
                headers.append((b"content-security-policy", policy.encode()))
                if b"cache-control" not in names and not path.startswith("/static/"):
                    headers.append((b"cache-control", b"no-store"))
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, with_headers)
