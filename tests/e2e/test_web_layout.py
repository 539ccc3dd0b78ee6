"""What every page of the dashboard has around it (issue 19): the time it reads — the server's
default (`serve --as-of`, the demo's time under `make serve`) said on every page with a way back to
now — the navigation with the current page marked, on error pages too, a skip link, Japanese."""

from datetime import datetime

import pytest
from fastapi.testclient import TestClient

from domain.calendar import TOKYO
from entrypoints.bootstrap import Settings
from entrypoints.documents import Documents
from entrypoints.serve import create_app
from entrypoints.site import Site
from store.api_keys import ApiKeys
from tests.e2e.conftest import embedded, log_in, simulated_store

DEMO_TIME = datetime(2026, 11, 21, 9, 0, tzinfo=TOKYO)
CLOCK = datetime(2026, 12, 3, 10, 0, tzinfo=TOKYO)  # the server's now: later than the demo's data
SELLER = "S001"


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    with pytest.MonkeyPatch.context() as patch:
        embedded(patch)
        work = tmp_path_factory.mktemp("layout")
        simulated_store(work, orders=600, seed=42)
        documents = Documents(Settings(database_url=f"sqlite:///{work / 'orderclaims.db'}"))
        keys = ApiKeys(documents.engine)
        made = {"seller": keys.create("seller", SELLER)[1], "operator": keys.create("operator")[1]}
        app = create_app(documents, keys, Site(origin="http://testserver"), clock=lambda: CLOCK, as_of=DEMO_TIME)
        yield {"app": app, "key": made, "documents": documents}


def test_the_pages_and_the_api_read_the_servers_as_of_time_unless_asked_for_another_or_now(store):
    seller = log_in(store["app"], store["key"]["seller"])
    page = seller.get("/todo").text
    assert "2026/11/21 09:00 時点のデータ" in page and 'href="/todo?as_of=now"' in page
    now = seller.get("/todo?as_of=now").text
    assert "現在のデータ" in now and "2026/11/21 09:00 時点に戻す" in now
    asked = seller.get("/settlement?as_of=2026-11-01T12:00").text
    assert "2026/11/01 12:00 時点のデータ" in asked
    api = log_in(store["app"], store["key"]["seller"])  # the API reads the same default, with a bearer key
    bearer = {"Authorization": f"Bearer {store['key']['seller']}"}
    assert api.get("/api/dashboard", headers=bearer).json()["as_of"] == DEMO_TIME.isoformat()
    assert api.get("/api/dashboard?as_of=now", headers=bearer).json()["as_of"] != DEMO_TIME.isoformat()


def test_the_points_page_shows_the_month_before_the_time_the_pages_read(store):
    seller = log_in(store["app"], store["key"]["seller"])
    assert 'name="month" value="2026-10"' in seller.get("/points").text  # as `make demo` prints (--month 2026-10)
    assert 'name="month" value="2026-11"' in seller.get("/points?as_of=now").text  # the month before the clock's


def test_the_navigation_marks_the_current_page_and_keeps_the_time_asked_for(store):
    seller = log_in(store["app"], store["key"]["seller"])
    page = seller.get("/settlement").text
    assert '<a href="/settlement" aria-current="page">' in page and page.count('aria-current="page"') == 1
    assert '<a href="/todo?as_of=now">' in seller.get("/dashboard?as_of=now").text
    assert '<html lang="ja">' in page and '<a class="skip" href="#main">' in page and '<main id="main"' in page


def test_an_error_page_keeps_the_navigation_and_a_defect_is_a_page_too(store, monkeypatch):
    seller = log_in(store["app"], store["key"]["seller"])
    missing = seller.get("/orders/NO-SUCH-ORDER", headers={"Accept": "text/html"})
    assert missing.status_code == 404 and "見つかりません" in missing.text and 'href="/todo"' in missing.text
    operator = log_in(store["app"], store["key"]["operator"])
    refused = operator.get("/todo", headers={"Accept": "text/html"})
    assert refused.status_code == 403 and 'aria-current' not in refused.text and 'href="/operations"' in refused.text

    def broken(*args, **kwargs):
        raise ZeroDivisionError("a bug")

    monkeypatch.setattr(store["documents"], "todo", broken)

    defect = TestClient(store["app"], raise_server_exceptions=False, cookies=seller.cookies)
    answer = defect.get("/todo", headers={"Accept": "text/html"})
    assert answer.status_code == 500 and "サーバーの障害" in answer.text and 'href="/settlement"' in answer.text
    assert "ZeroDivisionError" not in answer.text and "a bug" not in answer.text
    assert defect.get("/api/todo", headers={"Authorization": f"Bearer {store['key']['seller']}"}).json() == {
        "code": "internal_error", "detail": "the server failed on this request; its log says why"}
