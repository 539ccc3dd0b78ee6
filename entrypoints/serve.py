"""`orderclaims serve` (SPEC §8): the HTTP API (/api, OpenAPI at /docs) and the web dashboard, on
FastAPI + uvicorn; `/healthz`, `/readyz` and `/metrics` beside them. Binds 127.0.0.1 unless told.
Its defences (docs/decisions/0012): sessions for pages and bearer keys for the API, the cross-site
check on every route, security headers on every response, only the configured Host names."""

import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

import click
from fastapi import Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from sqlalchemy import text
from starlette.exceptions import HTTPException
from starlette.middleware.trustedhost import TrustedHostMiddleware

from domain.errors import Rejected
from entrypoints.actions import Actions, InvalidAction
from messaging.topics import Topics
from producers.action_sender import BrokerUnavailable, UpstreamSender
from store.sent_actions import SentActions
from entrypoints.access import Capability, Forbidden, NotFound, Unauthenticated
from entrypoints.api_docs import add_api_docs
from entrypoints.audit_verify import api as verify_api, pages as verify_pages
from entrypoints.arguments import BadArgument, moment
from entrypoints.authentication import Who
from entrypoints.csrf import CsrfRefused, refuse_cross_site
from entrypoints.documents import Documents, now
from entrypoints.headers import SecurityHeaders
from entrypoints.http_api import error_body, rejected_status, router
from entrypoints.site import Site
from entrypoints.throttle import LoginThrottle
from entrypoints.verify_jobs import VerifyJobs
from entrypoints.web import page, pages, visitor_or_none
from entrypoints.web_bulk import bulk_pages
from entrypoints.web_login import login_pages
from store.api_keys import ApiKeys
from store.keyring import KeyMissing
from store.sessions import Sessions

STATIC = Path(__file__).parent / "static"


PARKED_RECOUNT_S = 60


class ServerMetrics:
    """What /metrics shows of the server: requests by route and status, and their durations; the
    store's head and the projections' positions, read when scraped."""

    def __init__(self, documents: Documents):
        self.registry = CollectorRegistry()
        self.requests = Counter("orderclaims_http_requests", "HTTP requests answered", ["route", "status"],
                                registry=self.registry)
        self.seconds = Histogram("orderclaims_http_request_seconds", "Server time per request", ["route"],
                                 registry=self.registry)
        self.head = Gauge("orderclaims_store_head", "The store's last notification id", registry=self.registry)
        self.position = Gauge("orderclaims_projection_position", "Position of a projection on a stream",
                              ["projection", "stream"], registry=self.registry)
        self.lag = Gauge("orderclaims_projection_lag_events", "Events of the store's log not yet applied",
                         ["projection"], registry=self.registry)
        self.parked = Gauge("orderclaims_parked", "Parked messages and events", ["kind"], registry=self.registry)
        self.documents = documents
        self._parked_at = (-1, -PARKED_RECOUNT_S)  # the head and the time of the last count

    def scrape(self) -> bytes:
        lags = self.documents.lags()
        self.head.set(lags["head"])
        for p in lags["positions"]:
            self.position.labels(p["projection"], p["stream"]).set(p["position"])
            if p["lag_events"] is not None:
                self.lag.labels(p["projection"]).set(p["lag_events"])
        self._count_parked(lags["head"])
        return generate_latest(self.registry)

    def _count_parked(self, head: int) -> None:
        """Listing parked messages reads the log's parked topic: done again only when the log has grown,
        and at most once a minute, not on every scrape."""
        if head == self._parked_at[0] or time.monotonic() - self._parked_at[1] < PARKED_RECOUNT_S:
            return
        parked = self.documents.parked()
        self.parked.labels("messages").set(len(parked["messages"]))
        self.parked.labels("events").set(len(parked["events"]))
        self._parked_at = (head, time.monotonic())


def create_app(documents: Documents, keys: ApiKeys, site: Site | None = None,
               clock: Callable[[], datetime] = now, as_of: datetime | None = None) -> FastAPI:
    """The app; `site`: its public origin and whether it serves /docs (default: the environment's);
    `clock`: the server's now for acts such as the exchange (a test's fixed moment; never a request's);
    `as_of`: the time its views read when a request names none (`serve --as-of`; None: the present) —
    what the pages show, never when an act happens."""
    site = site or Site.from_env()
    docs = site.api_docs
    app = FastAPI(title="orderclaims", version="0.1.0",
                  description="The claims of a marketplace's sellers: every endpoint's JSON is the command line's "
                              "`--json`. Every request needs a key: `Authorization: Bearer KEY` "
                              "(`orderclaims keys create`).",
                  docs_url=None, redoc_url=None, swagger_ui_oauth2_redirect_url=None,
                  openapi_url="/openapi.json" if docs else None, redirect_slashes=False,
                  dependencies=[Depends(refuse_cross_site)])
    app.state.documents, app.state.keys, app.state.site, app.state.clock = documents, keys, site, clock
    app.state.as_of = as_of.isoformat() if as_of else None
    app.state.actions = actions_of(documents, clock)
    app.state.sessions, app.state.login_throttle = Sessions(documents.engine), LoginThrottle()
    app.state.verify_jobs = VerifyJobs(documents)
    metrics = ServerMetrics(documents)
    app.include_router(router)
    app.include_router(verify_api)
    app.include_router(pages)
    app.include_router(verify_pages)
    app.include_router(login_pages)
    app.include_router(bulk_pages)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    if docs:
        add_api_docs(app)  # /docs from the server's own copy of Swagger UI

    @app.middleware("http")
    async def measure(request: Request, call_next):
        began = time.perf_counter()
        response = await call_next(request)
        route = request.scope.get("route")
        name = getattr(route, "path", "unmatched")
        metrics.requests.labels(name, str(response.status_code)).inc()
        metrics.seconds.labels(name).observe(time.perf_counter() - began)
        response.headers["Server-Timing"] = f"app;dur={(time.perf_counter() - began) * 1000:.1f}"
        return response

    app.add_middleware(TrustedHostMiddleware, allowed_hosts=site.hosts, www_redirect=False)
    app.add_middleware(SecurityHeaders)  # the outermost: on the Host check's refusals too

    @app.get("/healthz", include_in_schema=False)
    def healthz():
        return {"ok": True}

    @app.get("/readyz", include_in_schema=False)
    def readyz():
        try:
            with documents.engine.connect() as conn:
                conn.execute(text("SELECT 1"))
        except Exception as fault:  # any database fault: not ready, said why
            return JSONResponse({"ok": False, "reason": f"database: {type(fault).__name__}"}, status_code=503)
        return {"ok": True}

    @app.get("/asyncapi.json", include_in_schema=False)
    def asyncapi():
        """The upstream contract (`orderclaims contract`), for the teams that send to the upstream topic."""
        from consumers.contract_document import contract_document

        return contract_document(documents.settings.topic_prefix)

    @app.get("/metrics", include_in_schema=False)
    def metrics_endpoint(who: Who):
        who.require(Capability.OPERATIONS)
        return Response(metrics.scrape(), media_type=CONTENT_TYPE_LATEST)

    def answer(request: Request, status: int, code: str, detail: str, headers: dict | None = None) -> Response:
        if _wants_json(request):
            return JSONResponse(error_body(code, detail), status_code=status, headers=headers)
        if status == 401:
            return RedirectResponse("/login", status_code=303)
        shown = page(request, visitor_or_none(request), "error.html", status=status, code=code, detail=detail)
        shown.status_code = status
        return shown

    @app.exception_handler(Unauthenticated)
    def unauthenticated(request: Request, error: Unauthenticated):
        return answer(request, 401, "unauthenticated", str(error), {"WWW-Authenticate": "Bearer"})

    @app.exception_handler(CsrfRefused)
    def csrf_refused(request: Request, error: CsrfRefused):
        return answer(request, 403, "csrf_refused", str(error))

    @app.exception_handler(Forbidden)
    def forbidden(request: Request, error: Forbidden):
        return answer(request, 403, "forbidden", str(error))

    @app.exception_handler(NotFound)
    def not_found(request: Request, error: NotFound):
        return answer(request, 404, error.code, error.detail)

    @app.exception_handler(Rejected)
    def rejected(request: Request, error: Rejected):
        return answer(request, rejected_status(error), error.code, error.detail)

    @app.exception_handler(InvalidAction)
    def invalid_action(request: Request, error: InvalidAction):
        return answer(request, 422, "invalid", error.reason)

    @app.exception_handler(BrokerUnavailable)
    def broker_unavailable(request: Request, error: BrokerUnavailable):
        return answer(request, 503, "broker_unavailable", f"{error}; nothing was sent, send it again later")

    @app.exception_handler(BadArgument)
    def bad_argument(request: Request, error: BadArgument):
        return answer(request, 422, "invalid_argument", str(error))

    @app.exception_handler(RequestValidationError)
    def invalid_request(request: Request, error: RequestValidationError):
        detail = "; ".join(f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in error.errors())
        return answer(request, 422, "invalid_argument", detail)

    @app.exception_handler(KeyMissing)  # the master, signing or chain key: missing, or its file broken
    def key_missing(request: Request, error: KeyMissing):
        return answer(request, 503, "key_missing", str(error))

    @app.exception_handler(HTTPException)
    def http_error(request: Request, error: HTTPException):
        codes = {404: "not_found", 405: "method_not_allowed"}
        return answer(request, error.status_code, codes.get(error.status_code, "http_error"), str(error.detail))

    @app.exception_handler(Exception)  # a defect: the error page with the navigation (Starlette still logs it)
    def defect(request: Request, error: Exception):
        return answer(request, 500, "internal_error", "the server failed on this request; its log says why")

    return app


def actions_of(documents: Documents, clock: Callable[[], datetime]) -> Actions:
    """Seller actions decided in the request (embedded), or produced to the upstream topic when a broker is
    configured (distributed: ORDERCLAIMS_KAFKA_BOOTSTRAP)."""
    settings = documents.settings
    if settings.embedded:
        return Actions(documents.app, clock)
    return Actions(documents.app, clock, UpstreamSender(settings.kafka_bootstrap, Topics(settings.topic_prefix)),
                   SentActions(documents.engine))


def _wants_json(request: Request) -> bool:
    path = request.url.path
    return path.startswith("/api") or path in ("/metrics", "/openapi.json") or "text/html" not in request.headers.get(
        "accept", "")


@click.command(name="serve")
@click.option("--host", default="127.0.0.1", show_default=True, envvar="ORDERCLAIMS_HTTP_HOST")
@click.option("--port", default=8765, show_default=True, type=click.IntRange(0, 65535), envvar="ORDERCLAIMS_HTTP_PORT")
@click.option("--as-of", "as_of", envvar="ORDERCLAIMS_AS_OF", metavar="T",
              help="The time the pages and the API read when a request names none (the demo's: `make serve` "
                   "sets the time `make demo` printed); default: now. Acts (the exchange) stay at the clock's now.")
def serve_command(host: str, port: int, as_of: str | None) -> None:
    """The HTTP API and the web dashboard (SPEC §8); ORDERCLAIMS_PUBLIC_ORIGIN, ORDERCLAIMS_API_DOCS=on|off."""
    import uvicorn

    documents = Documents()
    try:
        site = Site.from_env(host, port)
        reads = moment(as_of)
    except (ValueError, BadArgument) as bad:
        raise click.UsageError(str(bad)) from None
    app = create_app(documents, ApiKeys(documents.engine), site, as_of=reads)
    docs = "OpenAPI at /docs" if site.api_docs else "no /docs: ORDERCLAIMS_API_DOCS=off"
    when = f", as of {reads.isoformat()} unless a page says otherwise" if reads else ""
    click.echo(f"orderclaims: the dashboard at {site.origin}/ (API at /api, {docs}{when})", err=True)
    uvicorn.run(app, host=host, port=port, log_level="warning", access_log=False, server_header=False)
