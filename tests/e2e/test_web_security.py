"""`orderclaims serve` against a hostile browser or client (docs/decisions/0012): sessions instead of
keys in cookies, CSRF tokens and the Origin check, the API on bearer keys only, slowed wrong logins,
security headers, redirects that never follow the Host header, the server's own clock for the
exchange, /docs behind a setting, and the dashboard page's period filter. `make security` runs them."""

import json
import os
import re
import subprocess
import time
from datetime import datetime
from http.client import HTTPConnection
from urllib.request import urlopen

import pytest
from fastapi.testclient import TestClient

from domain.calendar import TOKYO
from entrypoints.bootstrap import Settings
from entrypoints.documents import Documents
from entrypoints.headers import PAGES_CSP
from entrypoints.serve import create_app
from entrypoints.site import Site
from store.api_keys import ApiKeys, sha256
from tests.e2e.conftest import ORDERCLAIMS, command_line, embedded, log_in, simulated_store, token_of
from tools.services import free_port

pytestmark = pytest.mark.security

SITE = Site(origin="http://testserver")
EVIL = "http://evil.example"
MID_OCTOBER = datetime(2026, 10, 15, 9, 0, tzinfo=TOKYO)  # September's points may be exchanged
LATE_NOVEMBER = datetime(2026, 11, 21, 9, 0, tzinfo=TOKYO)  # only October's
RICH, ALSO_RICH, OTHER = "S006", "S005", "S001"  # seed 8, 1,200 orders: 121 and 102 points in 2026-09


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    with pytest.MonkeyPatch.context() as patch:
        embedded(patch)
        work = tmp_path_factory.mktemp("hostile")
        cli = simulated_store(work, orders=1200, seed=8)
        documents = Documents(Settings(database_url=f"sqlite:///{work / 'orderclaims.db'}"))
        keys = ApiKeys(documents.engine)
        made = {who: keys.create(*args) for who, args in {
            "rich": ("seller", RICH), "also rich": ("seller", ALSO_RICH), "other": ("seller", OTHER),
            "analyst": ("analyst",)}.items()}
        yield {"cli": cli, "documents": documents, "keys": keys, "key": {w: k for w, (_, k) in made.items()},
               "key_id": {w: i for w, (i, _) in made.items()},
               "app": create_app(documents, keys, SITE, clock=lambda: MID_OCTOBER)}


def client(store, app=None) -> TestClient:
    return TestClient(app or store["app"], follow_redirects=False)


def logged_in(store, who: str, app=None) -> tuple[TestClient, str]:
    """A browser that has logged in with the key through the form; the token its pages carry."""
    browser = log_in(app or store["app"], store["key"][who])
    return browser, token_of(browser.get("/todo").text)


def bearer(store, who: str) -> dict:
    return {"Authorization": f"Bearer {store['key'][who]}"}


def exchanged(store, seller_key: str, month: str):
    points = client(store).get(f"/api/points?month={month}", headers=bearer(store, seller_key))
    return points.json()["exchanged"]


# ---- sessions ------------------------------------------------------------------------------------

def test_the_session_cookie_is_neither_the_key_nor_its_hash_and_only_this_site_sends_it(store):
    browser, _ = logged_in(store, "rich")
    jar = {c.name: c for c in browser.cookies.jar}
    assert set(jar) == {"orderclaims_session"}
    value = jar["orderclaims_session"].value
    key = store["key"]["rich"]
    assert key not in value and value != sha256(key).hex()
    assert len(value) >= 43  # 256 random bits, urlsafe
    login = client(store)
    login.get("/login")
    set_cookie = login.post("/login", data={"key": key, "csrf": login.cookies["orderclaims_login"]}).headers[
        "set-cookie"]
    assert "HttpOnly" in set_cookie and "SameSite=strict" in set_cookie and "Path=/" in set_cookie


def test_the_api_refuses_a_request_that_has_only_the_session_cookie(store):
    browser, _ = logged_in(store, "rich")
    assert browser.get("/todo").status_code == 200
    answer = browser.get("/api/todo")
    assert answer.status_code == 401 and answer.json()["code"] == "unauthenticated"


def test_a_page_refuses_a_bearer_key_without_a_session(store):
    answer = client(store).get("/todo", headers={**bearer(store, "rich"), "Accept": "text/html"})
    assert answer.status_code == 303 and answer.headers["location"] == "/login"


def test_logging_out_by_a_get_does_not_log_out(store):
    browser, _ = logged_in(store, "rich")
    browser.get("/logout")
    assert browser.get("/todo").status_code == 200


def test_after_logging_out_the_old_cookie_no_longer_opens_a_page(store):
    browser, token = logged_in(store, "rich")
    cookie = browser.cookies["orderclaims_session"]
    assert browser.post("/logout", data={"csrf": token}).status_code == 303
    replayed = client(store)
    replayed.cookies.set("orderclaims_session", cookie)
    answer = replayed.get("/todo", headers={"Accept": "text/html"})
    assert answer.status_code == 303 and answer.headers["location"] == "/login"


def test_a_revoked_key_ends_its_sessions(store):
    key_id, key = store["keys"].create("seller", OTHER)
    browser = client(store)
    browser.get("/login")
    browser.post("/login", data={"key": key, "csrf": browser.cookies["orderclaims_login"]})
    assert browser.get("/todo").status_code == 200
    store["keys"].revoke(key_id)
    assert browser.get("/todo", headers={"Accept": "text/html"}).headers.get("location") == "/login"


# ---- cross-site requests -------------------------------------------------------------------------

def test_a_cross_site_exchange_is_refused_on_the_page_and_the_api_and_nothing_is_exchanged(store):
    browser, token = logged_in(store, "rich")
    form = {"month": "2026-09", "csrf": token}
    for headers in ({"Origin": EVIL}, {"Sec-Fetch-Site": "cross-site"}, {"Origin": "null"}):
        page = browser.post("/points/exchange", data=form, headers={**headers, "Accept": "text/html"})
        assert page.status_code == 403 and "csrf_refused" in page.text
        api = client(store).post("/api/exchange-points", json={"month": "2026-09"},
                                 headers={**bearer(store, "rich"), **headers})
        assert api.status_code == 403 and api.json()["code"] == "csrf_refused"
    assert exchanged(store, "rich", "2026-09") is None
    unconfirmed = browser.post("/points/exchange", data=form, headers={"Origin": SITE.origin})
    assert unconfirmed.status_code == 200 and 'id="exchange-result"' not in unconfirmed.text  # asked to confirm first
    assert exchanged(store, "rich", "2026-09") is None
    done = browser.post("/points/exchange", data={**form, "confirm": "yes"},
                        headers={"Origin": SITE.origin, "Sec-Fetch-Site": "same-origin"})
    assert done.status_code == 200 and 'class="ok" id="exchange-result"' in done.text  # what the refusals stopped
    assert exchanged(store, "rich", "2026-09") == 100


def test_a_form_without_its_token_with_a_stale_one_or_another_sessions_is_refused(store):
    browser, token = logged_in(store, "also rich")
    _, others = logged_in(store, "other")
    stale_browser, stale = logged_in(store, "also rich")
    stale_browser.post("/logout", data={"csrf": stale})
    altered = token[:-1] + ("1" if token.endswith("0") else "0")
    for sent in ({}, {"csrf": ""}, {"csrf": stale}, {"csrf": others}, {"csrf": altered}):
        answer = browser.post("/points/exchange", data={"month": "2026-09", **sent}, headers={"Accept": "text/html"})
        assert answer.status_code == 403 and "csrf_refused" in answer.text, sent
    assert browser.post("/logout").status_code == 403  # logging out needs the token too
    assert browser.get("/todo").status_code == 200
    assert exchanged(store, "also rich", "2026-09") is None


def test_the_login_form_needs_its_own_token(store):
    browser = client(store)
    browser.get("/login")
    for sent in ({}, {"csrf": "forged"}):
        answer = browser.post("/login", data={"key": store["key"]["other"], **sent}, headers={"Accept": "text/html"})
        assert answer.status_code == 403 and "orderclaims_session" not in answer.headers.get("set-cookie", "")


def test_eleven_wrong_keys_from_one_client_are_answered_429_with_retry_after(store):
    app = create_app(store["documents"], store["keys"], SITE)  # its own count of wrong keys
    browser = client(store, app)
    browser.get("/login")
    token = browser.cookies["orderclaims_login"]
    wrong = store["key"]["other"][:-4] + "xxxx"
    answers = [browser.post("/login", data={"key": wrong, "csrf": token}) for _ in range(11)]
    assert [a.status_code for a in answers[:10]] == [401] * 10
    assert answers[10].status_code == 429 and int(answers[10].headers["retry-after"]) > 0
    right = browser.post("/login", data={"key": store["key"]["other"], "csrf": token})
    assert right.status_code == 429  # even the right key waits: the wait is the address's


# ---- headers, hosts, redirects, docs -----------------------------------------------------------------

def test_every_response_carries_the_security_headers(store):
    browser, _ = logged_in(store, "rich")
    answers = [browser.get(path) for path in ("/todo", "/login", "/static/style.css", "/no-such-page", "/healthz")]
    answers += [client(store).get("/api/todo"), client(store).get("/api/todo", headers=bearer(store, "rich")),
                client(store).get("/todo", headers={"Host": "evil.example"})]
    for answer in answers:
        policy = answer.headers["content-security-policy"]
        assert "default-src 'self'" in policy and "script-src 'self';" in policy and "style-src 'self';" in policy
        assert "frame-ancestors 'none'" in policy and "form-action 'self'" in policy and "base-uri 'none'" in policy
        assert "unsafe-inline" not in policy
        assert answer.headers["x-content-type-options"] == "nosniff"
        assert answer.headers["x-frame-options"] == "DENY"
        assert answer.headers["referrer-policy"] in ("same-origin", "no-referrer")
        assert "server" not in answer.headers


def test_no_page_has_an_inline_script_or_style(store):
    browser, _ = logged_in(store, "rich")
    for path in ("/todo", "/dashboard", "/claims?status=cancel.completed", "/settlement", "/points", "/inquiries",
                 "/logout", "/orders/NO-SUCH-ORDER"):
        html = browser.get(path, headers={"Accept": "text/html"}).text
        assert "<script" not in html and "<style" not in html and " style=" not in html, path


def test_the_served_process_sends_no_server_header_and_refuses_another_host(tmp_path):
    port = free_port()
    env = {**os.environ, "ORDERCLAIMS_DATABASE_URL": f"sqlite:///{tmp_path / 'orderclaims.db'}"}
    for name in ("ORDERCLAIMS_KAFKA_BOOTSTRAP", "ORDERCLAIMS_MASTER_KEY", "ORDERCLAIMS_PUBLIC_ORIGIN", "ORDERCLAIMS_API_DOCS"):
        env.pop(name, None)
    command_line(tmp_path)("keys", "create", "--role", "operator")  # the database exists
    server = subprocess.Popen([str(ORDERCLAIMS), "serve", "--port", str(port)], env=env, cwd=tmp_path,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                answer = urlopen(f"http://127.0.0.1:{port}/login", timeout=2)
                break
            except OSError:
                assert time.monotonic() < deadline and server.poll() is None
                time.sleep(0.2)
        assert "server" not in {k.lower() for k in answer.headers.keys()}
        assert answer.headers["x-frame-options"] == "DENY"
        connection = HTTPConnection("127.0.0.1", port, timeout=10)
        connection.request("GET", "/todo/", headers={"Host": "evil.example"})
        refused = connection.getresponse()
        assert refused.status == 400 and refused.getheader("location") is None and refused.getheader("server") is None
    finally:
        server.terminate()
        server.wait(timeout=20)


def test_a_redirect_never_points_at_the_requests_host(store):
    browser, _ = logged_in(store, "rich")
    for path in ("/todo/", "/api/todo/", "/", "/audit?order=X"):
        answer = browser.get(path, headers={"Host": "evil.example", **bearer(store, "rich")})
        assert "evil.example" not in answer.headers.get("location", ""), path
        assert answer.status_code == 400  # a Host that is not the site's is refused
    assert browser.get("/todo/").status_code == 404  # no redirect to the slashless path, built from the Host
    assert browser.get("/").headers["location"] == "/todo"  # a path, never scheme://host


def test_docs_and_the_openapi_document_are_off_when_the_setting_says_so(store, monkeypatch):
    monkeypatch.setenv("ORDERCLAIMS_API_DOCS", "off")
    app = create_app(store["documents"], store["keys"], Site.from_env())
    for path in ("/docs", "/redoc", "/openapi.json"):
        assert client(store, app).get(path).status_code == 404, path
    assert client(store).get("/openapi.json").status_code == 200  # the default: on
    docs = client(store).get("/docs")  # Swagger UI from the server's own files, under the pages' policy
    assert docs.headers["content-security-policy"] == PAGES_CSP and "/docs-assets/swagger-ui-bundle.js" in docs.text
    assert client(store).get("/redoc").status_code == 404  # ReDoc loads its logo from another site: not served


def test_a_configured_public_origin_is_the_one_the_origin_check_accepts(monkeypatch):
    monkeypatch.setenv("ORDERCLAIMS_PUBLIC_ORIGIN", "https://claims.example.com:443/")  # as a browser says it
    site = Site.from_env("0.0.0.0", 8765)
    assert site.origins == {"https://claims.example.com"} and site.secure
    assert "claims.example.com" in site.hosts and "evil.example" not in site.hosts
    monkeypatch.delenv("ORDERCLAIMS_PUBLIC_ORIGIN")
    assert Site.from_env("0.0.0.0", 9000).origins == {"http://127.0.0.1:9000", "http://localhost:9000"}


# ---- the server decides time ---------------------------------------------------------------------

def test_a_client_cannot_choose_the_exchange_time(store):
    app = create_app(store["documents"], store["keys"], SITE, clock=lambda: LATE_NOVEMBER)
    asked = {"month": "2026-09", "at": MID_OCTOBER.isoformat()}  # inside September's window, not the server's now
    answer = client(store, app).post("/api/exchange-points", json=asked, headers=bearer(store, "also rich"))
    assert answer.status_code == 422 and answer.json()["code"] == "invalid_argument" and "at" in answer.json()["detail"]
    assert exchanged(store, "also rich", "2026-09") is None
    schema = client(store, app).get("/openapi.json").json()["components"]["schemas"]["Exchange"]
    assert "at" not in schema["properties"]
    late = client(store, app).post("/api/exchange-points", json={"month": "2026-09"}, headers=bearer(store, "also rich"))
    assert late.status_code == 409 and late.json()["code"] == "exchange_window_closed"


# ---- the period filter ---------------------------------------------------------------------------

def test_the_period_filter_on_the_dashboard_page_changes_the_counts_as_on_the_command_line(store):
    browser, _ = logged_in(store, "other")
    whole = browser.get("/dashboard").text
    period = browser.get("/dashboard?from=2026-09-01&to=2026-09-30").text
    counts = dict(re.findall(r'data-status="([a-z_.]+)">(\d+)<', period))
    assert counts != dict(re.findall(r'data-status="([a-z_.]+)">(\d+)<', whole))
    cli = json.loads(store["cli"]("dashboard", "--seller", OTHER, "--from", "2026-09-01", "--to", "2026-09-30",
                                  "--json").stdout)["counts"]
    assert counts == {f"{t}.{k}": str(n) for t, row in cli.items() for k, n in row.items() if f"{t}.{k}" in counts}
    api = client(store).get("/api/dashboard?from=2026-09-01&to=2026-09-30", headers=bearer(store, "other"))
    assert api.json()["counts"] == cli
