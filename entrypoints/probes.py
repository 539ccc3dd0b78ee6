"""`/metrics`, `/healthz` and `/readyz` of a long-running process (SPEC §8), on a small HTTP server in a
daemon thread. `answer` is the whole protocol, for any other server to reuse."""

import logging
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import orjson
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, CollectorRegistry, generate_latest

from messaging.health import Health

log = logging.getLogger("orderclaims.probes")
JSON = "application/json"


def answer(path: str, health: Health, registry: CollectorRegistry = REGISTRY) -> tuple[int, str, bytes]:
    """(status, content type, body) of a GET."""
    if path == "/metrics":
        return 200, CONTENT_TYPE_LATEST, generate_latest(registry)
    if path == "/healthz":
        reason = health.not_alive()
    elif path == "/readyz":
        reason = health.not_ready()
    else:
        return 404, JSON, orjson.dumps({"error": "not found"})
    body = {"role": health.role, "ok": reason is None, "reason": reason, "lag": health.lag}
    return (200 if reason is None else 503), JSON, orjson.dumps(body)


def serve_probes(health: Health, host: str, port: int) -> ThreadingHTTPServer:
    """Answer on host:port (0: a free port, logged) until the process exits."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            status, content_type, body = answer(self.path.split("?")[0], health)
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args) -> None:  # noqa: A002 (the base class's name)
            log.debug(format, *args)

    server = ThreadingHTTPServer((host, port), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, name="probes", daemon=True).start()
    host, port = server.server_address[:2]
    log.info("probes listening", extra={"url": f"http://{host}:{port}", "port": port})
    return server
