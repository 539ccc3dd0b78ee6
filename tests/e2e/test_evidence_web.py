"""The auditor's evidence over HTTP (SPEC §7, §8): `GET /api/orders/{no}/evidence` for auditor keys only
(any other key is answered as for an order never placed), and the audit page's POST forms (verify one
order, or the whole log) and its list of checkpoints, each downloadable."""

import json
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


def test_the_audit_page_verifies_an_order_and_the_log_as_posts_and_lists_checkpoints(served):
    browser = log_in(served["app"], served["keys"]["auditor"])
    page = browser.get("/audit").text
    assert 'method="post" action="/audit/verify"' in page and "checkpoint-" in page
    token = token_of(page)
    one = browser.post("/audit/verify", data={"csrf": token, "order": "100007"}).text
    assert 'id="verify-order-result"' in one and "改ざんなし (OK)" in one
    whole = browser.post("/audit/verify", data={"csrf": token}).text
    assert 'id="verify-result"' in whole and "改ざんなし (OK)" in whole
    size = json.loads(browser.get("/api/verify", headers={"Authorization": f"Bearer {served['keys']['auditor']}"})
                      .text)["checkpoints"]
    assert size >= 1
    link = page.split('href="/audit/checkpoints/')[1].split('"')[0]
    download = browser.get(f"/audit/checkpoints/{link}")
    assert download.status_code == 200 and "attachment" in download.headers["content-disposition"]
    assert set(download.json()) >= {"size", "root", "signature", "log_root"}


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
    links = {browser.get(f"/audit/orders/100007/replay?step={k}").text.split('<code id="link">')[1].split("<")[0]
             for k in range(1, steps + 1)}
    assert len(links) == steps  # each step shows its own event's hash
    seller = log_in(served["app"], served["keys"]["seller"])
    assert seller.get("/audit/orders/100007/replay").status_code == 403
