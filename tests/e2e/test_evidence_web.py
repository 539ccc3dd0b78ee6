"""The auditor's evidence over HTTP (SPEC §7, §8): `GET /api/orders/{no}/evidence` for auditor keys only
(any other key is answered as for an order never placed), verifying as a job (`POST /api/verify`, the
audit page's POST forms: one order, or the whole log, with progress; decision 0025) and the list of
checkpoints, each downloadable."""

import json
import sqlite3
import time
from datetime import datetime

import pytest
from fastapi.testclient import TestClient

from entrypoints.bootstrap import Settings
from entrypoints.documents import Documents
from entrypoints.serve import create_app
from store.api_keys import ApiKeys
from tests.e2e.conftest import embedded, log_in, simulated_store, token_of
from tests.e2e.test_evidence import standalone


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    with pytest.MonkeyPatch.context() as patch:
        embedded(patch)
        work = tmp_path_factory.mktemp("evidence")
        cli = simulated_store(work, orders=40, seed=5)
        cli("checkpoint")
        keys = {role: json.loads(cli("keys", "create", *args, "--json").stdout)["key"] for role, args in {
            "seller": ("--seller", "S002"), "analyst": ("--role", "analyst"), "auditor": ("--role", "auditor"),
            "operator": ("--role", "operator")}.items()}
        documents = Documents(Settings(database_url=f"sqlite:///{work / 'orderclaims.db'}"))
        app = create_app(documents, ApiKeys(documents.engine), clock=lambda: datetime.now().astimezone())
        yield {"app": app, "client": TestClient(app), "keys": keys}


def get(served, who: str, path: str):
    return served["client"].get(path, headers={"Authorization": f"Bearer {served['keys'][who]}"})


def test_an_auditor_gets_a_bundle_that_verifies_offline(served):
    answer = get(served, "auditor", "/api/orders/100007/evidence")
    assert answer.status_code == 200
    assert standalone().check_bundle(answer.json()) == []


@pytest.mark.security
@pytest.mark.parametrize("who", ["seller", "analyst", "operator"])
def test_any_other_key_is_answered_as_for_an_order_never_placed(served, who):
    theirs = get(served, who, "/api/orders/100007/evidence")
    nobodys = get(served, "auditor", "/api/orders/NO-SUCH-ORDER/evidence")
    assert theirs.status_code == nobodys.status_code == 404
    assert theirs.json()["code"] == nobodys.json()["code"] == "unknown_order"


def finished(browser, path: str) -> str:
    """The job's page once its job is done (30 s at most)."""
    deadline = time.monotonic() + 30
    while True:
        page = browser.get(path)
        assert page.status_code == 200, page.text
        if 'id="verify-progress"' not in page.text or time.monotonic() > deadline:
            return page.text
        time.sleep(0.1)


def test_the_audit_page_verifies_an_order_and_the_log_as_posts_and_lists_checkpoints(served):
    browser = log_in(served["app"], served["keys"]["auditor"])
    page = browser.get("/audit").text
    assert 'method="post" action="/audit/verify"' in page and "checkpoint-" in page
    token = token_of(page)
    started = browser.post("/audit/verify", data={"csrf": token, "order": "100007"})
    assert started.status_code == 303 and started.headers["location"].startswith("/audit/verify/")
    one = finished(browser, started.headers["location"])
    assert 'id="verify-order-result"' in one and "改ざんなし (OK)" in one and 'id="replay"' in one
    started = browser.post("/audit/verify", data={"csrf": token})
    whole = finished(browser, started.headers["location"])
    assert 'id="verify-result"' in whole and "改ざんなし (OK)" in whole
    size = json.loads(browser.get("/api/verify", headers={"Authorization": f"Bearer {served['keys']['auditor']}"})
                      .text)["checkpoints"]
    assert size >= 1
    link = page.split('href="/audit/checkpoints/')[1].split('"')[0]
    download = browser.get(f"/audit/checkpoints/{link}")
    assert download.status_code == 200 and "attachment" in download.headers["content-disposition"]
    assert set(download.json()) >= {"size", "root", "signature", "log_root"}


def test_a_running_verify_shows_its_progress_with_a_script_and_a_refresh_without_one(served):
    browser = log_in(served["app"], served["keys"]["auditor"])
    jobs = served["app"].state.verify_jobs
    job = jobs.start()
    while job.state == "running":  # the page of a running job, as it is rendered: hold the job at the start
        time.sleep(0.05)
    job.state, job.events, job.position = "running", 0, 0
    page = browser.get(f"/audit/verify/{job.id}").text
    assert '<progress id="verify-progress"' in page and f'data-progress="/audit/verify/{job.id}/progress"' in page
    assert '<script src="/static/verify-progress.js"' in page and '<meta http-equiv="refresh" content="2">' in page
    assert browser.get(f"/audit/verify/{job.id}/progress").json()["share"] == 0
    job.state = "done"
    done = browser.get(f"/audit/verify/{job.id}").text
    assert "verify-progress" not in done and 'http-equiv="refresh"' not in done and "改ざんなし (OK)" in done


def api_job(served, who: str, path: str, body: dict | None = None):
    headers = {"Authorization": f"Bearer {served['keys'][who]}"}
    if body is None:
        return served["client"].get(path, headers=headers)
    return served["client"].post(path, headers=headers, json=body)


def test_the_api_verifies_as_a_job_with_its_progress(served):
    started = api_job(served, "auditor", "/api/verify", {})
    assert started.status_code == 202, started.text
    job = started.json()
    assert started.headers["location"] == f"/api/verify/{job['id']}" and job["head"] > 0
    deadline = time.monotonic() + 30
    while job["state"] == "running" and time.monotonic() < deadline:
        job = api_job(served, "auditor", f"/api/verify/{job['id']}").json()
        time.sleep(0.05)
    assert job["state"] == "done" and job["share"] == 1 and job["report"]["ok"]
    assert job["events"] == job["report"]["events"] and job["position"] == job["head"]  # every event was counted
    one = api_job(served, "auditor", "/api/verify", {"order_no": "100007"}).json()
    while one["state"] == "running":
        one = api_job(served, "auditor", f"/api/verify/{one['id']}").json()
    assert one["report"]["order_no"] == "100007" and one["report"]["ok"]


@pytest.mark.security
@pytest.mark.parametrize("who", ["seller", "analyst", "operator"])
def test_only_an_auditor_starts_or_reads_a_verify_job(served, who):
    job = api_job(served, "auditor", "/api/verify", {"order_no": "100007"}).json()
    assert api_job(served, who, "/api/verify", {}).status_code == 403
    assert api_job(served, who, f"/api/verify/{job['id']}").status_code == 403
    assert api_job(served, "auditor", "/api/verify/" + "0" * 32).json()["code"] == "unknown_job"


def test_one_verify_at_a_time_per_store(served):
    from entrypoints.verify_jobs import VerifyBusy, _guard, _running

    jobs = served["app"].state.verify_jobs
    while _running:  # no other test's job
        time.sleep(0.05)
    whole = jobs.start()
    while whole.state == "running":
        time.sleep(0.05)
    with _guard:  # held as if it were still running
        _running[jobs.store] = whole
        whole.state = "running"
    try:
        assert jobs.start() is whole  # the same check joins it
        with pytest.raises(VerifyBusy):
            jobs.start("100007")
        refused = api_job(served, "auditor", "/api/verify", {"order_no": "100007"})
        assert refused.status_code == 409 and refused.json() == {**refused.json(), "code": "verify_running",
                                                                 "job": whole.id}
    finally:
        with _guard:
            _running.pop(jobs.store, None)
        whole.state = "done"


@pytest.mark.security
def test_verifying_from_the_audit_page_needs_the_forms_token(served):
    browser = log_in(served["app"], served["keys"]["auditor"])
    assert browser.post("/audit/verify", data={}).status_code == 403
    seller = log_in(served["app"], served["keys"]["seller"])
    assert seller.post("/audit/verify", data={"csrf": token_of(seller.get("/todo").text)}).status_code == 403


def test_the_audit_page_replays_an_order_step_by_step(served):
    browser = log_in(served["app"], served["keys"]["auditor"])
    first = browser.get("/audit/orders/100007/replay")
    assert first.status_code == 200 and 'id="next"' in first.text and 'id="previous"' not in first.text
    assert "ここまで一致 (OK)" in first.text
    steps = int(first.text.split("手順 1 / ")[1].split("<")[0])
    last = browser.get(f"/audit/orders/100007/replay?step={steps}").text
    assert 'id="next"' not in last and 'id="previous"' in last and "ここまで一致 (OK)" in last
    links = {browser.get(f"/audit/orders/100007/replay?step={k}").text.split('<code class="hash" id="link">')[1].split("<")[0]
             for k in range(1, steps + 1)}
    assert len(links) == steps  # each step shows its own event's hash
    seller = log_in(served["app"], served["keys"]["seller"])
    assert seller.get("/audit/orders/100007/replay").status_code == 403


def test_the_progress_is_told_after_each_page_of_the_log(served, monkeypatch):
    import store.audit

    monkeypatch.setattr(store.audit, "PAGE", 50)
    told: list[tuple[int, int]] = []
    documents = served["app"].state.documents
    report = documents.verify(progress=lambda events, position: told.append((events, position)))
    assert len(told) == -(-report["events"] // 50) > 2
    assert told == sorted(told) and told[-1] == (report["events"], documents.app.recorder.max_notification_id())


@pytest.mark.security
def test_a_verify_job_of_an_altered_store_groups_its_findings_in_japanese(tmp_path, monkeypatch):
    embedded(monkeypatch)
    cli = simulated_store(tmp_path, orders=8, seed=5)
    cli("checkpoint")
    key = json.loads(cli("keys", "create", "--role", "auditor", "--json").stdout)["key"]
    db = sqlite3.connect(tmp_path / "orderclaims.db")
    oid = next(o for o, s in db.execute("SELECT originator_id, state FROM stored_events WHERE topic = "
                                        "'domain.order:Order.Placed'") if json.loads(s)["order_no"] == "100003")
    db.execute("UPDATE stored_events SET state = CAST(REPLACE(CAST(state AS TEXT), 'seller', 'se11er') AS BLOB) "
               "WHERE originator_id = ? AND originator_version = 2", (oid,))
    db.commit()
    documents = Documents(Settings(database_url=f"sqlite:///{tmp_path / 'orderclaims.db'}"))
    app = create_app(documents, ApiKeys(documents.engine), clock=lambda: datetime.now().astimezone())
    browser = log_in(app, key)
    token = token_of(browser.get("/audit").text)
    whole = finished(browser, browser.post("/audit/verify", data={"csrf": token}).headers["location"])
    assert "不一致あり (FAILED)" in whole
    assert '<span title="event altered">イベントの改ざん</span>:' in whole and "<th scope=\"row\">注文 100003</th>" in whole
    assert ">event altered<" not in whole and ">order 100003<" not in whole  # the keys only as tooltips
    one = finished(browser, browser.post("/audit/verify", data={"csrf": token, "order": "100003"}).headers["location"])
    assert "不一致あり (FAILED)" in one and "イベントの改ざん</span>: " in one


@pytest.mark.security
@pytest.mark.parametrize("who", ["seller", "analyst", "operator"])
def test_only_an_auditor_sees_a_verify_jobs_page_or_downloads_a_checkpoint(served, who):
    job = api_job(served, "auditor", "/api/verify", {"order_no": "100007"}).json()
    auditor = log_in(served["app"], served["keys"]["auditor"])
    size = auditor.get("/audit").text.split('href="/audit/checkpoints/')[1].split(".json")[0]
    assert auditor.get(f"/audit/checkpoints/{size}.json").status_code == 200
    browser = log_in(served["app"], served["keys"][who])
    for path in (f"/audit/verify/{job['id']}", f"/audit/verify/{job['id']}/progress", f"/audit/checkpoints/{size}.json"):
        assert browser.get(path).status_code == 403, path
