"""`orderclaims serve`'s API on an ingested simulated stream: every endpoint × every kind of key,
the JSON the command line prints, another seller's things answered as ones that do not exist,
and no input the OpenAPI schema allows makes the server fail."""

import io
import json
from datetime import datetime

import openpyxl
import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings

from entrypoints.bootstrap import Settings
from entrypoints.documents import Documents
from entrypoints.serve import create_app
from store.api_keys import ApiKeys
from tests.e2e.conftest import embedded, simulated_store

AS_OF = "2026-11-21T09:00:00+09:00"
OWN, OTHER = "S001", "S002"


@pytest.fixture(scope="module")
def embedded_keys():
    """The in-process server reads the master key as the command line does here: from the key file
    in the key directory (another test may have set ORDERCLAIMS_MASTER_KEY in this process)."""
    with pytest.MonkeyPatch.context() as patch:
        embedded(patch)
        yield


@pytest.fixture(scope="module")
def served(tmp_path_factory, embedded_keys):
    work = tmp_path_factory.mktemp("served")
    cli = simulated_store(work, orders=600, seed=8)
    keys = {role: json.loads(cli("keys", "create", *args, "--json").stdout)["key"] for role, args in {
        "own seller": ("--seller", OWN), "other seller": ("--seller", OTHER), "analyst": ("--role", "analyst"),
        "auditor": ("--role", "auditor"), "operator": ("--role", "operator")}.items()}
    keys["bad key"] = keys["own seller"][:-4] + "xxxx"
    documents = Documents(Settings(database_url=f"sqlite:///{work / 'orderclaims.db'}"))
    client = TestClient(create_app(documents, ApiKeys(documents.engine), clock=lambda: datetime.fromisoformat(AS_OF)))
    order = cli("claims", "--seller", OWN, "--status", "cancel.completed", "--json").stdout
    own_order = json.loads(order)["orders"][0]["order_no"]
    own_item = json.loads(cli("inquiries", "--seller", OWN, "--json").stdout)["inquiries"]
    return {"cli": cli, "client": client, "keys": keys, "order": own_order,
            "item": own_item[0]["item_no"] if own_item else "I00001"}


def call(served, who: str, method: str, path: str, **kwargs):
    key = served["keys"].get(who)
    headers = {"Authorization": f"Bearer {key}"} if key else {}
    return served["client"].request(method, path.format(order=served["order"], item=served["item"]), headers=headers,
                                    **kwargs)


ENDPOINTS = {
    "dashboard": ("GET", f"/api/dashboard?seller={OWN}&as_of={AS_OF}"),
    "claims": ("GET", f"/api/claims?seller={OWN}&status=cancel.completed&as_of={AS_OF}"),
    "claims.xlsx": ("GET", f"/api/claims.xlsx?seller={OWN}&status=return.completed"),
    "settlement": ("GET", f"/api/settlement?seller={OWN}&as_of={AS_OF}"),
    "todo": ("GET", f"/api/todo?seller={OWN}&as_of={AS_OF}"),
    "points": ("GET", f"/api/points?seller={OWN}&month=2026-10&items=true"),
    "history": ("GET", "/api/orders/{order}/history"),
    "inquiries": ("GET", f"/api/inquiries?seller={OWN}"),
    "item inquiries": ("GET", f"/api/items/{{item}}/inquiries?seller={OWN}"),
    "summary": ("GET", f"/api/summary?as_of={AS_OF}"),
    "trends": ("GET", f"/api/trends?seller={OWN}&period=month&as_of={AS_OF}"),
    "verify": ("GET", "/api/verify"),
    "parked": ("GET", "/api/parked"),
    "metrics": ("GET", "/metrics"),
}
SELLER_VIEWS = ("dashboard", "claims", "claims.xlsx", "settlement", "todo", "points", "history", "inquiries", "item inquiries")
ALLOWED = {
    "own seller": {*SELLER_VIEWS, "trends"},
    "other seller": set(),  # another seller's views, its item pages included: as an unknown seller's
    "analyst": {*SELLER_VIEWS, "summary", "trends"},
    "auditor": {"history", "verify"},
    "operator": {"parked", "metrics"},
    "no key": set(),
    "bad key": set(),
}


def expected_status(who: str, endpoint: str) -> int:
    if who in ("no key", "bad key"):
        return 401
    if endpoint in ALLOWED[who]:
        return 200
    if who == "other seller" and endpoint in (*SELLER_VIEWS, "trends"):
        return 404  # another seller's list or order: as one that does not exist
    return 403


@pytest.mark.parametrize("endpoint", ENDPOINTS)
@pytest.mark.parametrize("who", ALLOWED)
def test_every_endpoint_answers_each_kind_of_key_as_its_role_allows(served, who, endpoint):
    response = call(served, who, *ENDPOINTS[endpoint])
    assert response.status_code == expected_status(who, endpoint), response.text
    if response.status_code != 200:
        assert set(response.json()) == {"code", "detail"}


def test_another_sellers_order_and_list_are_answered_exactly_like_ones_that_do_not_exist(served):
    theirs = call(served, "other seller", "GET", "/api/orders/{order}/history")
    nobodys = call(served, "other seller", "GET", "/api/orders/NO-SUCH-ORDER/history")
    assert theirs.status_code == nobodys.status_code == 404
    assert theirs.json()["code"] == nobodys.json()["code"] == "unknown_order"
    assert set(theirs.headers) == set(nobodys.headers)
    listed = call(served, "other seller", "GET", f"/api/dashboard?seller={OWN}")
    unknown = call(served, "other seller", "GET", "/api/dashboard?seller=NO-SUCH-SELLER")
    assert (listed.status_code, listed.json()) == (unknown.status_code, unknown.json())
    cart = call(served, "other seller", "GET", f"/api/claims?cart=C0000001&seller={OTHER}")
    assert cart.status_code == 200 and all(o["order_no"] for o in cart.json()["orders"])
    assert OWN not in cart.text


@pytest.mark.parametrize("endpoint, args", [
    ("dashboard", ("dashboard", "--seller", OWN, "--as-of", AS_OF)),
    ("claims", ("claims", "--seller", OWN, "--status", "cancel.completed", "--as-of", AS_OF)),
    ("settlement", ("settlement", "--seller", OWN, "--as-of", AS_OF)),
    ("todo", ("todo", "--seller", OWN, "--as-of", AS_OF)),
    ("points", ("points", "--seller", OWN, "--month", "2026-10", "--items")),
    ("inquiries", ("inquiries", "--seller", OWN)),
    ("summary", ("summary", "--as-of", AS_OF)),
    ("trends", ("trends", "--seller", OWN, "--period", "month", "--as-of", AS_OF)),
])
def test_the_json_of_each_query_endpoint_is_the_command_lines(served, endpoint, args):
    who = "analyst" if endpoint == "summary" else "own seller"
    api = call(served, who, *ENDPOINTS[endpoint]).json()
    assert api == json.loads(served["cli"](*args, "--json").stdout)


def test_a_seller_key_reads_its_own_trends_and_an_analyst_every_sellers(served):
    own = call(served, "own seller", "GET", f"/api/trends?as_of={AS_OF}").json()
    assert own == json.loads(served["cli"]("trends", "--seller", OWN, "--as-of", AS_OF, "--json").stdout)
    every = call(served, "analyst", "GET", f"/api/trends?as_of={AS_OF}").json()
    assert every["seller_id"] is None and every["total"]["all"]["filed"] > own["total"]["all"]["filed"] > 0
    refused = call(served, "other seller", "GET", f"/api/trends?seller={OWN}&as_of={AS_OF}")
    unknown = call(served, "other seller", "GET", f"/api/trends?seller=NO-SUCH-SELLER&as_of={AS_OF}")
    assert (refused.status_code, refused.json()) == (unknown.status_code, unknown.json()) == (404, unknown.json())
    assert call(served, "analyst", "GET", "/api/trends?period=year").status_code == 422


def test_history_is_masked_for_a_seller_and_unmasked_for_an_auditor_as_on_the_command_line(served):
    order = served["order"]
    masked = call(served, "own seller", "GET", "/api/orders/{order}/history").json()
    unmasked = call(served, "auditor", "GET", "/api/orders/{order}/history").json()
    assert masked == json.loads(served["cli"]("history", order, "--json").stdout)
    assert unmasked == json.loads(served["cli"]("history", order, "--unmask", "--json").stdout)
    assert masked["events"][0]["data"]["buyer"]["name"] != unmasked["events"][0]["data"]["buyer"]["name"]
    assert "*" in masked["events"][0]["data"]["buyer"]["phone"] and "*" not in unmasked["events"][0]["data"]["buyer"]["phone"]


def test_the_list_downloads_as_an_xlsx_with_the_lists_rows(served):
    response = call(served, "own seller", *ENDPOINTS["claims.xlsx"])
    assert response.headers["content-type"].startswith("application/vnd.openxmlformats")
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    listed = call(served, "own seller", "GET", f"/api/claims?seller={OWN}&status=return.completed").json()["orders"]
    assert sheet.max_row == len(listed) + 1 and listed
    assert sorted(str(sheet.cell(row=r, column=7).value) for r in range(2, sheet.max_row + 1)) == sorted(
        o["order_no"] for o in listed)


def test_a_download_named_after_any_cart_number_is_served(served):
    response = call(served, "own seller", "GET", "/api/claims.xlsx?cart=%C4%80%22x%0D")
    assert response.status_code == 200
    assert response.headers["content-disposition"].startswith('attachment; filename="claims-S001-__x_.xlsx"')
    assert "filename*=UTF-8''claims-S001-%C4%80%22x%0D.xlsx" in response.headers["content-disposition"]


def test_points_exchange_once_and_the_second_try_is_refused_with_its_code(served):
    first = call(served, "own seller", "POST", "/api/exchange-points", json={})  # at the server's now: AS_OF
    second = call(served, "own seller", "POST", "/api/exchange-points")
    assert first.status_code == 200 or first.json()["code"] == "nothing_to_exchange"
    assert second.status_code == 409
    assert second.json()["code"] in ("already_exchanged", "nothing_to_exchange")
    analyst = call(served, "analyst", "POST", "/api/exchange-points", json={"seller": OWN})
    assert analyst.status_code == 403


@pytest.mark.parametrize("path", [
    "/api/dashboard?as_of=yesterday", "/api/dashboard?from=2026-13-01", "/api/claims?status=cancel.sideways",
    "/api/claims", "/api/points?month=2026-1", "/api/points", "/api/summary?sort=name", "/api/dashboard?as_of=9999-01-01",
])
def test_bad_arguments_are_answered_422_with_a_code_and_the_reason(served, path):
    who = "analyst" if "summary" in path else "own seller"
    response = call(served, who, "GET", path)
    assert response.status_code == 422
    assert response.json()["code"] == "invalid_argument" and response.json()["detail"]


def test_probes_answer_without_a_key(served):
    assert served["client"].get("/healthz").json() == {"ok": True}
    assert served["client"].get("/readyz").status_code == 200
    metrics = call(served, "operator", "GET", "/metrics").text
    assert "orderclaims_store_head" in metrics and 'orderclaims_http_requests_total{route="/api/dashboard"' in metrics


def test_a_revoked_key_is_refused(served):
    cli = served["cli"]
    created = json.loads(cli("keys", "create", "--seller", OWN, "--json").stdout)
    assert call_with(served, created["key"], "/api/dashboard").status_code == 200
    cli("keys", "revoke", created["key_id"])
    assert call_with(served, created["key"], "/api/dashboard").status_code == 401
    assert created["key"] not in cli("keys", "list").stdout.decode()


def call_with(served, key: str, path: str):
    return served["client"].get(path, headers={"Authorization": f"Bearer {key}"})


def test_no_input_the_openapi_schema_allows_makes_the_server_fail(served):
    schema = schemathesis.openapi.from_asgi("/openapi.json", served["client"].app)
    key = served["keys"]["analyst"]
    failures, calls = [], []
    operations = list(schema.get_all_operations())
    for operation in operations:
        operation = operation.ok()

        @settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
        @given(case=operation.as_strategy())
        def no_500(case):
            response = case.call(headers={"Authorization": f"Bearer {key}"})
            calls.append(response.status_code)
            if response.status_code >= 500:
                failures.append((case.method, case.formatted_path, case.query, response.status_code, response.text[:200]))

        no_500()
    assert not failures, failures[:5]
    assert len(operations) >= 12 and len(calls) >= 5 * len(operations)


def test_every_next_step_has_its_japanese_label_on_the_to_do_page():
    from domain.todo import Action
    from entrypoints.presentation.words import STEP

    assert set(STEP) == {a.value for a in Action}
