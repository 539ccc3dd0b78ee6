"""Where `serve` is reached (docs/decisions/0012): the public origin that the Origin check compares
with and that the Host check accepts, and whether the API's documentation pages are served.

`ORDERCLAIMS_PUBLIC_ORIGIN` (e.g. `https://claims.example.com`): default `http://HOST:PORT` of
`serve --host --port` (127.0.0.1 for a wildcard address). `ORDERCLAIMS_API_DOCS=on|off`: /docs
and /openapi.json; on by default (the embedded default on a developer's machine), off in
production (compose.yaml)."""

import os
from dataclasses import dataclass
from urllib.parse import urlsplit

LOOPBACK = ("127.0.0.1", "localhost")
WILDCARD = ("0.0.0.0", "::", "")
TEST_CLIENT = "testserver"  # Starlette's TestClient's host name (resolves nowhere)


@dataclass(frozen=True)
class Site:
    origin: str = "http://127.0.0.1:8765"
    api_docs: bool = True

    @classmethod
    def from_env(cls, host: str = "127.0.0.1", port: int = 8765) -> "Site":
        configured = os.environ.get("ORDERCLAIMS_PUBLIC_ORIGIN", "").strip().rstrip("/")
        name = "127.0.0.1" if host in WILDCARD else f"[{host}]" if ":" in host else host
        derived = f"http://{name}:{port}"
        docs = os.environ.get("ORDERCLAIMS_API_DOCS", "on").strip().lower()
        if docs not in ("on", "off"):
            raise ValueError(f"ORDERCLAIMS_API_DOCS={docs!r}: on or off")
        origin = _as_browsers_send_it(configured or derived)
        return cls(origin=origin, api_docs=docs == "on")

    @property
    def secure(self) -> bool:
        return urlsplit(self.origin).scheme == "https"

    @property
    def origins(self) -> frozenset[str]:
        """The Origin headers of our own pages: the public origin, and on a loopback address its
        other loopback name (a browser on http://localhost:8765 as well as http://127.0.0.1:8765)."""
        parts = urlsplit(self.origin)
        if parts.hostname not in LOOPBACK:
            return frozenset({self.origin})
        port = f":{parts.port}" if parts.port else ""
        return frozenset({self.origin, *(f"{parts.scheme}://{name}{port}" for name in LOOPBACK)})

    @property
    def hosts(self) -> list[str]:
        """The Host headers answered: the public origin's host name, the loopback names (a probe or
        an operator on the machine itself) and the test client's; any other is refused (400)."""
        return sorted({urlsplit(self.origin).hostname, *LOOPBACK, TEST_CLIENT})


def _as_browsers_send_it(origin: str) -> str:
    """scheme://host[:port] as an Origin header says it: lower case, no default port, no path."""
    parts = urlsplit(origin)
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.path not in ("", "/"):
        raise ValueError(f"ORDERCLAIMS_PUBLIC_ORIGIN={origin!r}: scheme://host[:port]")
    host = f"[{parts.hostname}]" if ":" in parts.hostname else parts.hostname
    default = {"http": 80, "https": 443}[parts.scheme]
    return f"{parts.scheme}://{host}" + (f":{parts.port}" if parts.port not in (None, default) else "")
