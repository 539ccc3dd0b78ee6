"""A seller's actions from the API and the order page (SPEC §8 "Seller actions", issue 20,
docs/decisions/0021): each is the §4 message a JSONL line would be, decided by the same path — the
same outcome and the same events, on a table of states; a repeat is one action; only a seller's key
acts, on its own orders, from this site's own forms."""

import itertools
import json
import re
from urllib.parse import urlencode
from datetime import datetime

import pytest
from fastapi.testclient import TestClient

from consumers.ingest import ingest_lines
from domain.inquiry import inquiry_id
from entrypoints.actions import INQUIRY_ACTIONS, ORDER_ACTIONS
from entrypoints.bootstrap import Settings
from entrypoints.documents import Documents
from entrypoints.serve import create_app
from entrypoints.site import Site
from store.api_keys import ApiKeys
from tests.e2e.conftest import embedded, log_in, token_of
from entrypoints.presentation import words
from tests.unit.builders import ORDER_DEFAULTS

SITE = Site(origin="http://testserver")
EVIL = "http://evil.example"
NOW = "2026-11-10T10:00:00+09:00"
SELLER, OTHER = "S1", "S2"
_numbers = itertools.count(1)

# A table of states: the messages after the order is placed (at increasing times, before NOW).
STATES = {
    "new": (),
    "preparing, cancel requested": (("order.prepared", "seller", {}), ("cancel.requested", "buyer", {"reason": "found_cheaper"})),
    "new, cancel requested (made to order)": (("cancel.requested", "buyer", {"reason": "found_cheaper"}),),
    "delivered": (("order.prepared", "seller", {}), ("order.shipped", "seller", {"carrier": "ヤマト", "tracking_no": "1", "trackable": True}),
                  ("order.delivered", "carrier", {"by": "tracking"})),
    "return requested (buyer)": ("delivered", ("return.requested", "buyer", {"reason": "changed_mind", "responsibility": "buyer"})),
    "returning": ("return requested (buyer)", ("return.approved", "seller", {})),
    "return on hold": ("returning", ("return.held", "seller", {})),
    "return charge asked": ("returning", ("return_charge.requested", "seller", {"amount": 500})),
    "exchange requested": ("delivered", ("exchange.requested", "buyer", {"reason": "wrong_option"})),
    "exchange accepted": ("exchange requested", ("exchange.accepted", "seller", {"memo": "m"})),
    "exchange refunding": ("exchange requested", ("claim.refunded_in_full", "seller", {})),
    "non-receipt reported": ("delivered", ("non_receipt.reported", "buyer", {})),
    "partial refund asked": ("delivered", ("partial_refund.requested", "seller", {"category": "price_or_shipping", "amount": 300})),
}

# Each seller action's data, as a form or a client sends it.
DATA = {
    "order.prepared": {},
    "order.shipped": {"carrier": "佐川", "tracking_no": "T9", "trackable": True},
    "cancel.approved": {},
    "cancel.refused": {"reason": "already_packed", "note": "本日発送します"},
    "cancel.seller_initiated": {"reason": "out_of_stock"},
    "return.approved": {"note": "返送してください"},
    "return.held": {"note": "確認中"},
    "return.resumed": {},
    "return.collected": {"note": "届きました"},
    "return_charge.requested": {"amount": 500},
    "return_charge.cancelled": {},
    "exchange.accepted": {"memo": "交換します"},
    "exchange.reshipped": {"carrier": "佐川", "tracking_no": "R1", "cost_bearer": "seller", "reship_date": "2026-11-10",
                           "recipient": {"name": "佐藤", "phone": "090", "address": "東京"}},
    "exchange.converted_to_return": {},
    "non_receipt.answered": {"action": "wait", "until": "2026-11-15", "message": "お待ちください"},
    "claim.refunded_in_full": {},
    "partial_refund.requested": {"category": "quantity_error", "quantity": 1},
    "partial_refund.cancelled": {},
    "message.sent": {"text": "ご連絡です"},
}


def steps(state: str) -> list[tuple]:
    done = []
    for step in STATES[state]:
        done += steps(step) if isinstance(step, str) else [step]
    return done


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    with pytest.MonkeyPatch.context() as patch:
        embedded(patch)
        work = tmp_path_factory.mktemp("actions")
        documents = Documents(Settings(database_url=f"sqlite:///{work / 'orderclaims.db'}"))
        keys = ApiKeys(documents.engine)
        made = {"seller": keys.create("seller", SELLER), "other": keys.create("seller", OTHER),
                **{role: keys.create(role) for role in ("analyst", "auditor", "operator")}}
        app = create_app(documents, keys, SITE, clock=lambda: datetime.fromisoformat(NOW))
        yield {"documents": documents, "app": app, "key": {w: k for w, (_, k) in made.items()},
               "key_id": {w: i for w, (i, _) in made.items()}}


def ingest(store, *messages: dict):
    return ingest_lines(store["documents"].app, [json.dumps(m, ensure_ascii=False).encode() for m in messages])


def message(type_: str, order_no: str, actor: str, data: dict, at: str, message_id: str | None = None) -> dict:
    return {"message_id": message_id or f"m-{next(_numbers)}", "type": type_, "order_no": order_no,
            "occurred_at": at, "actor": actor, "data": data}


def an_order(store, state: str, seller: str = SELLER) -> str:
    """A new order of the seller in that state (each step a day after the last)."""
    number = next(_numbers)
    order_no, kind = f"O{number}", "made_to_order" if "made to order" in state else "general"
    placed = {**ORDER_DEFAULTS, "cart_no": f"C{number}", "seller_id": seller, "item_kind": kind,
              "promised_ship_date": "2026-11-12"}
    summary = ingest(store, message("order.placed", order_no, "buyer", placed, "2026-11-02T10:00:00+09:00"),
                     *(message(t, order_no, actor, data, f"2026-11-0{3 + i}T10:00:00+09:00")
                       for i, (t, actor, data) in enumerate(steps(state))))
    assert summary.accepted == 1 + len(steps(state)), summary.as_json()
    return order_no


def api(store, who: str, order_no: str, type_: str, data: dict, key: str | None = None, **headers):
    client = TestClient(store["app"])
    return client.post(f"/api/orders/{order_no}/actions/{type_}", json=data,
                       headers={"Authorization": f"Bearer {store['key'][who]}",
                                **({"Idempotency-Key": key} if key else {}), **headers})


def events(store, order_no: str, after: int = 0) -> list[tuple]:
    """The order's events as comparable facts: name and state, without the order's own numbers and origin."""
    found = []
    for e in store["documents"].app.order_events(order_no)[after:]:
        state = {k: v for k, v in e.__dict__.items() if k not in ("originator_id", "timestamp", "origin")}
        text = json.dumps(state, default=str, ensure_ascii=False, sort_keys=True)
        found.append((type(e).__qualname__.split(".")[-1], text.replace(order_no, "ORDER").replace(f"C{order_no[1:]}", "CART")))
    return found


@pytest.mark.parametrize("type_", ORDER_ACTIONS)
@pytest.mark.parametrize("state", STATES)
def test_an_action_from_the_api_is_decided_exactly_as_the_same_message_from_a_jsonl_file(store, state, type_):
    from_file, from_api = an_order(store, state), an_order(store, state)
    before = len(store["documents"].app.order_events(from_file))
    summary = ingest(store, message(type_, from_file, "seller", DATA[type_], NOW))
    answer = api(store, "seller", from_api, type_, DATA[type_], key=f"k-{next(_numbers)}")
    if summary.accepted:
        assert answer.status_code == 201 and answer.json()["outcome"] == "accepted", answer.text
    else:
        [rejection] = summary.rejected
        assert answer.status_code == 409 and answer.json()["code"] == rejection["code"], (answer.text, rejection)
    assert events(store, from_api, before) == events(store, from_file, before)


def test_the_api_records_where_the_action_came_from_and_the_auditor_reads_it(store):
    order_no = an_order(store, "returning")
    answer = api(store, "seller", order_no, "return.collected", {"note": "届きました"}, key="who-did-it")
    assert answer.status_code == 201, answer.text
    origin = {"via": "api", "key_id": store["key_id"]["seller"]}
    assert answer.json()["origin"] == origin
    history = TestClient(store["app"]).get(f"/api/orders/{order_no}/history",
                                           headers={"Authorization": f"Bearer {store['key']['auditor']}"}).json()
    assert history["events"][-1]["data"]["origin"] == origin
    assert store["key"]["seller"] not in json.dumps(history)  # the key's id, never its secret


def test_a_retried_api_call_is_one_action_and_a_reused_id_with_other_content_a_conflict(store):
    order_no = an_order(store, "returning")
    first = api(store, "seller", order_no, "return.held", {"note": "a"}, key="retry-1")
    again = api(store, "seller", order_no, "return.held", {"note": "a"}, key="retry-1")
    body_id = api(store, "seller", order_no, "return.held", {"note": "a", "message_id": "retry-1"})
    other = api(store, "seller", order_no, "return.held", {"note": "b"}, key="retry-1")
    assert (first.status_code, again.status_code, body_id.status_code) == (201, 200, 200)
    assert again.json()["outcome"] == "duplicate"
    assert other.status_code == 409 and other.json()["code"] == "duplicate_conflict"
    assert [name for name, _ in events(store, order_no)].count("ReturnHeld") == 1


@pytest.mark.security
def test_a_sellers_key_never_takes_an_upstream_message_id_nor_another_sellers(store):
    """Idempotency keys live in their seller's own space: a key equal to a message id the marketplace
    sends later leaves that message its own, and another seller's same key is its own action."""
    order_no, others = an_order(store, "returning"), an_order(store, "returning", seller=OTHER)
    assert api(store, "seller", order_no, "return.held", {"note": "a"}, key="m-upstream-777").status_code == 201
    assert api(store, "other", others, "return.held", {"note": "b"}, key="m-upstream-777").status_code == 201
    later = ingest(store, message("return.collected", order_no, "seller", {}, "2026-11-30T10:00:00+09:00",
                                  message_id="m-upstream-777"))
    assert (later.accepted, later.rejected_count) == (1, 0), later.as_json()


def test_an_invalid_body_is_422_naming_the_field_and_an_id_is_required(store):
    order_no = an_order(store, "exchange accepted")
    answer = api(store, "seller", order_no, "exchange.reshipped", {"carrier": "佐川"}, key="bad-1")
    assert answer.status_code == 422 and "cost_bearer" in answer.json()["detail"], answer.text
    assert api(store, "seller", order_no, "exchange.accepted", {}).status_code == 422
    assert api(store, "seller", order_no, "order.placed", {}, key="k").status_code == 404


def test_the_action_endpoint_is_in_the_openapi_document(store):
    document = TestClient(store["app"]).get("/openapi.json").json()
    action = document["paths"]["/api/orders/{order_no}/actions/{message_type}"]["post"]
    assert {"201", "200", "202", "403", "404", "409", "422", "503"} <= set(action["responses"])
    assert "post" in document["paths"]["/api/inquiries/{inquiry_no}/actions/{message_type}"]
    assert {"200", "403", "404"} <= set(document["paths"]["/api/messages/{message_id}"]["get"]["responses"])


# ---- safety --------------------------------------------------------------------------------------

@pytest.mark.security
def test_another_sellers_order_is_answered_exactly_like_a_missing_one_and_nothing_changes(store):
    theirs = an_order(store, "returning", seller=OTHER)
    before = events(store, theirs)
    foreign = api(store, "seller", theirs, "return.collected", {}, key="foreign-1")
    missing = api(store, "seller", "O-missing", "return.collected", {}, key="foreign-2")
    assert foreign.status_code == missing.status_code == 404
    assert foreign.json() == {**missing.json(), "detail": missing.json()["detail"].replace("O-missing", theirs)}
    assert events(store, theirs) == before


@pytest.mark.security
@pytest.mark.parametrize("who", ["analyst", "auditor", "operator"])
def test_a_key_that_is_not_a_sellers_may_not_act(store, who):
    order_no = an_order(store, "returning")
    answer = api(store, who, order_no, "return.collected", {}, key=f"not-seller-{who}")
    assert answer.status_code == 403 and answer.json()["code"] == "forbidden"
    assert "ReturnCollected" not in [name for name, _ in events(store, order_no)]


@pytest.mark.security
def test_a_message_on_one_order_cannot_name_another_sellers_cart_or_orders(store):
    mine, theirs = an_order(store, "delivered"), an_order(store, "delivered", seller=OTHER)
    for data in ({"text": "x", "order_nos": [theirs]}, {"text": "x", "cart_no": f"C{theirs[1:]}"}):
        assert api(store, "seller", mine, "message.sent", data, key=f"msg-{next(_numbers)}").status_code == 422
    assert "BuyerMessaged" not in [name for name, _ in events(store, theirs)]


def page_form(browser: TestClient, order_no: str, type_: str) -> dict:
    """The order page's form of that action: its hidden fields (the CSRF token, a fresh message id)."""
    text = browser.get(f"/orders/{order_no}").text
    form = re.search(rf'action="/orders/{order_no}/actions/{re.escape(type_)}">(.*?)</form>', text, re.S)
    assert form, f"{type_} is not offered"
    return dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)">', form.group(1)))


@pytest.mark.security
def test_a_forged_cross_site_post_and_a_missing_or_stale_token_are_refused_and_nothing_changes(store):
    order_no = an_order(store, "returning")
    browser = log_in(store["app"], store["key"]["seller"])
    form = page_form(browser, order_no, "return.collected")
    stale_browser = log_in(store["app"], store["key"]["seller"])
    stale = token_of(stale_browser.get("/todo").text)
    stale_browser.post("/logout", data={"csrf": stale})
    path = f"/orders/{order_no}/actions/return.collected"
    for headers, sent in (({"Origin": EVIL}, form), ({"Sec-Fetch-Site": "cross-site"}, form),
                          ({}, {**form, "csrf": ""}), ({}, {k: v for k, v in form.items() if k != "csrf"}),
                          ({}, {**form, "csrf": stale})):
        answer = browser.post(path, data=sent, headers={**headers, "Accept": "text/html"})
        assert answer.status_code == 403 and "csrf_refused" in answer.text, (headers, sent)
    assert "ReturnCollected" not in [name for name, _ in events(store, order_no)]
    api_forged = api(store, "seller", order_no, "return.collected", {}, key="forged", Origin=EVIL)
    assert api_forged.status_code == 403 and api_forged.json()["code"] == "csrf_refused"


def test_the_order_page_offers_only_what_the_state_allows(store):
    browser = log_in(store["app"], store["key"]["seller"])
    text = browser.get(f"/orders/{an_order(store, 'returning')}").text
    offered = set(re.findall(r'/actions/([\w.]+)"', text))
    assert {"return.held", "return.collected"} <= offered
    assert not offered & {"return.approved", "cancel.approved", "exchange.accepted", "return.resumed"}
    analyst = log_in(store["app"], store["key"]["analyst"])
    assert "/actions/" not in analyst.get(f"/orders/{an_order(store, 'returning')}?seller={SELLER}").text


def test_a_double_submit_of_the_page_form_is_one_action_and_the_page_tells_the_outcome(store):
    order_no = an_order(store, "return requested (buyer)")
    browser = log_in(store["app"], store["key"]["seller"])
    form = page_form(browser, order_no, "return.approved")
    first = browser.post(f"/orders/{order_no}/actions/return.approved", data={**form, "note": "ok"})
    second = browser.post(f"/orders/{order_no}/actions/return.approved", data={**form, "note": "ok"})
    assert first.status_code == second.status_code == 303  # post/redirect/get: a reload never sends again
    assert second.headers["location"].endswith("&repeat=1")
    shown, reloaded = browser.get(first.headers["location"]), browser.get(second.headers["location"])
    assert 'id="action-result" class="ok"' in shown.text and 'id="action-result" class="ok"' in reloaded.text
    other = browser.post(f"/orders/{order_no}/actions/return.approved", data={**form, "note": "changed"})
    assert other.status_code == 409 and "duplicate_conflict" in other.text
    assert [name for name, _ in events(store, order_no)].count("ReturnApproved") == 1
    web = store["documents"].app.order_events(order_no)[-1].origin
    assert web == {"via": "web", "key_id": store["key_id"]["seller"]}


def test_the_outcome_of_an_action_is_shown_only_on_its_own_sellers_order(store):
    mine, theirs = an_order(store, "returning"), an_order(store, "returning", seller=OTHER)
    browser = log_in(store["app"], store["key"]["seller"])
    sent = browser.post(f"/orders/{mine}/actions/return.held", data=page_form(browser, mine, "return.held"))
    done = sent.headers["location"].split("done=")[1]
    assert 'id="action-result"' in browser.get(sent.headers["location"]).text
    assert browser.get(f"/orders/{theirs}?done={done}").status_code == 404


def test_a_rejection_is_told_in_japanese_with_what_to_do_and_its_code(store):
    order_no = an_order(store, "exchange accepted")
    browser = log_in(store["app"], store["key"]["seller"])
    form = page_form(browser, order_no, "exchange.reshipped")
    data = {**form, "carrier": "佐川", "tracking_no": " ", "cost_bearer": "seller", "reship_date": "2026-11-10",
            "recipient.name": "佐藤", "recipient.phone": "090", "recipient.address": "東京"}
    sent = browser.post(f"/orders/{order_no}/actions/exchange.reshipped", data=data)
    assert sent.status_code == 303
    answer = browser.get(sent.headers["location"])
    assert "送り状番号を入力してください" in answer.text and "tracking_required" in answer.text


def test_what_cannot_be_undone_asks_for_a_confirmation_first(store):
    order_no = an_order(store, "exchange requested")
    browser = log_in(store["app"], store["key"]["seller"])
    form = page_form(browser, order_no, "claim.refunded_in_full")
    unconfirmed = browser.post(f"/orders/{order_no}/actions/claim.refunded_in_full", data=form)
    assert unconfirmed.status_code == 200 and "取り消せません" in unconfirmed.text
    assert "RefundedInFull" not in [name for name, _ in events(store, order_no)]
    done = browser.post(f"/orders/{order_no}/actions/claim.refunded_in_full", data={**form, "confirm": "yes"})
    assert done.status_code == 303
    assert "RefundedInFull" in [name for name, _ in events(store, order_no)]


def test_a_to_do_rows_next_step_is_a_button_that_opens_its_form(store):
    order_no = an_order(store, "return requested (buyer)")
    browser = log_in(store["app"], store["key"]["seller"])
    todo = browser.get("/todo?as_of=now").text
    link = f'/orders/{order_no}?act=return.approved&amp;as_of=now#action-return-approved'
    assert f'<a class="button" href="{link}">' in todo
    opened = browser.get(link.replace("&amp;", "&").split("#")[0]).text
    assert '<details class="action" id="action-return-approved" open>' in opened


def cart_api(store, who: str, cart_no: str, data: dict, key: str):
    return TestClient(store["app"]).post(f"/api/carts/{cart_no}/messages", json=data,
                                         headers={"Authorization": f"Bearer {store['key'][who]}", "Idempotency-Key": key})


def test_a_cart_message_goes_once_to_the_sellers_own_orders_of_the_cart_and_a_repeat_is_a_duplicate(store):
    mine = an_order(store, "delivered")
    cart = f"C{mine[1:]}"
    first = cart_api(store, "seller", cart, {"text": "ご連絡"}, "cart-1")
    again = cart_api(store, "seller", cart, {"text": "ご連絡"}, "cart-1")
    assert (first.status_code, again.status_code) == (201, 200), first.text
    assert [name for name, _ in events(store, mine)].count("BuyerMessaged") == 1


@pytest.mark.security
def test_another_sellers_cart_is_answered_exactly_like_a_missing_one(store):
    theirs = an_order(store, "delivered", seller=OTHER)
    foreign = cart_api(store, "seller", f"C{theirs[1:]}", {"text": "x"}, "cart-foreign")
    missing = cart_api(store, "seller", "C-missing", {"text": "x"}, "cart-missing")
    assert foreign.status_code == missing.status_code == 404 and foreign.json()["code"] == missing.json()["code"]
    assert cart_api(store, "analyst", f"C{theirs[1:]}", {"text": "x"}, "cart-analyst").status_code == 403
    assert "BuyerMessaged" not in [name for name, _ in events(store, theirs)]


def test_no_action_a_seller_key_sends_makes_the_server_fail(store):
    import schemathesis
    from hypothesis import HealthCheck, given, settings

    an_order(store, "returning")
    schema = schemathesis.openapi.from_asgi("/openapi.json", store["app"])
    key, failures = store["key"]["seller"], []
    operations = [op.ok() for op in schema.get_all_operations()
                  if op.ok().method.upper() == "POST" and ("/actions/" in op.ok().path or "/messages" in op.ok().path)]
    assert len(operations) == 3  # an order's action, a cart's message, an inquiry's action
    for operation in operations:
        @settings(max_examples=80, deadline=None, suppress_health_check=list(HealthCheck))
        @given(case=operation.as_strategy())
        def no_500(case):
            response = case.call(headers={"Authorization": f"Bearer {key}"})
            if response.status_code >= 500:
                failures.append((case.formatted_path, case.body, response.status_code, response.text[:200]))

        no_500()
    assert not failures, failures[:5]


def test_no_body_sent_to_any_action_on_an_own_order_makes_the_server_fail(store):
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    json_values = st.recursive(st.none() | st.booleans() | st.integers() | st.text(max_size=8),
                               lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
                               max_leaves=8)
    field_names = st.sampled_from(["reason", "note", "amount", "quantity", "category", "carrier", "tracking_no",
                                   "cost_bearer", "reship_date", "recipient", "action", "until", "memo", "text",
                                   "order_nos", "cart_no", "message_id", "trackable", "promised_ship_date"])
    orders = {state: an_order(store, state) for state in ("returning", "exchange accepted", "delivered")}
    failures = []

    @settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
    @given(state=st.sampled_from(sorted(orders)), type_=st.sampled_from(sorted(ORDER_ACTIONS)),
           body=st.dictionaries(field_names, json_values, max_size=5))
    def no_500(state, type_, body):
        answer = api(store, "seller", orders[state], type_, body, key=f"fuzz-{next(_numbers)}")
        if answer.status_code >= 500:
            failures.append((type_, body, answer.text[:200]))

    no_500()
    assert not failures, failures[:5]


def test_an_actions_outcome_is_told_by_its_message_id_to_its_own_seller_only(store):
    order_no = an_order(store, "returning")
    assert api(store, "seller", order_no, "return.held", {"note": "a"}, key="told-1").status_code == 201
    assert api(store, "seller", order_no, "return.approved", {}, key="told-2").status_code == 409
    client = TestClient(store["app"])

    def told(who: str, message_id: str):
        return client.get(f"/api/messages/{message_id}", headers={"Authorization": f"Bearer {store['key'][who]}"})

    accepted, rejected = told("seller", "told-1"), told("seller", "told-2")
    assert accepted.status_code == 200 and accepted.json()["outcome"] == "accepted", accepted.text
    assert rejected.json()["outcome"] == "rejected" and rejected.json()["code"] == "invalid_transition", rejected.text
    assert told("other", "told-1").status_code == told("seller", "never-sent").status_code == 404
    assert told("other", "told-1").json() == {**told("seller", "never-sent").json(),
                                              "detail": "no action with message id 'told-1'"}
    assert told("analyst", "told-1").status_code == 403


def test_with_a_broker_that_does_not_answer_an_action_is_503_and_nothing_counts_as_sent(tmp_path, monkeypatch):
    """Distributed mode (a broker configured) with no broker listening: refused at once, said why, and no
    pending action is recorded. (The broker's own path: tests/integration/test_seller_actions_distributed.py.)"""
    embedded(monkeypatch)
    documents = Documents(Settings(database_url=f"sqlite:///{tmp_path / 'orderclaims.db'}",
                                   kafka_bootstrap="127.0.0.1:9"))
    keys = ApiKeys(documents.engine)
    _, key = keys.create("seller", SELLER)
    app = create_app(documents, keys, SITE, clock=lambda: datetime.fromisoformat(NOW))
    placed = {**ORDER_DEFAULTS, "cart_no": "C-down", "seller_id": SELLER, "promised_ship_date": "2026-11-12"}
    ingest_lines(documents.app, [json.dumps(message("order.placed", "O-down", "buyer", placed,
                                                    "2026-11-02T10:00:00+09:00")).encode()])
    client = TestClient(app)
    headers = {"Authorization": f"Bearer {key}", "Idempotency-Key": "down-1"}
    answer = client.post("/api/orders/O-down/actions/order.prepared", json={}, headers=headers)
    assert answer.status_code == 503 and answer.json()["code"] == "broker_unavailable", answer.text
    assert client.get("/api/messages/down-1", headers=headers).status_code == 404
    assert len(documents.app.order_events("O-down")) == 1


def an_inquiry(store, seller: str = SELLER) -> str:
    number = next(_numbers)
    posted = {"inquiry_no": f"Q{number}", "seller_id": seller, "item_no": f"I{number}", "buyer_id": f"B{number}",
              "title": "サイズについて", "text": "電話 090-1111-2222 に連絡ください"}
    summary = ingest(store, message("inquiry.posted", "", "buyer", posted, "2026-11-03T10:00:00+09:00"))
    assert summary.accepted == 1, summary.as_json()
    return posted["inquiry_no"]


def inquiry_api(store, who: str, inquiry_no: str, type_: str, data: dict, key: str):
    return TestClient(store["app"]).post(f"/api/inquiries/{inquiry_no}/actions/{type_}", json=data,
                                         headers={"Authorization": f"Bearer {store['key'][who]}", "Idempotency-Key": key})


def test_a_seller_answers_and_then_hides_an_inquiry_from_the_api_by_the_inquirys_own_rules(store):
    inquiry = an_inquiry(store)
    hide = {"title": "個人情報", "reason": "電話番号が含まれていたため", "restrict_asker": True}
    early = inquiry_api(store, "seller", inquiry, "inquiry.hidden", hide, "hide-early")
    assert early.status_code == 409 and early.json()["code"] == "not_answered", early.text
    assert inquiry_api(store, "seller", inquiry, "inquiry.answered", {"text": "S です"}, "answer-1").status_code == 201
    assert inquiry_api(store, "seller", inquiry, "inquiry.answered", {"text": "S です"}, "answer-1").status_code == 200
    assert inquiry_api(store, "seller", inquiry, "inquiry.hidden", hide, "hide-1").status_code == 201
    again = inquiry_api(store, "seller", inquiry, "inquiry.hidden", hide, "hide-2")
    assert again.status_code == 409 and again.json()["code"] == "already_hidden"
    seen = TestClient(store["app"]).get("/api/inquiries", headers={"Authorization": f"Bearer {store['key']['seller']}"})
    [row] = [i for i in seen.json()["inquiries"] if i["inquiry_no"] == inquiry]
    assert row["status"] == "hidden" and row["asker_restricted"], row


@pytest.mark.security
def test_another_sellers_inquiry_is_answered_exactly_like_a_missing_one(store):
    theirs = an_inquiry(store, seller=OTHER)
    foreign = inquiry_api(store, "seller", theirs, "inquiry.answered", {"text": "x"}, "inq-foreign")
    missing = inquiry_api(store, "seller", "Q-missing", "inquiry.answered", {"text": "x"}, "inq-missing")
    assert foreign.status_code == missing.status_code == 404
    assert foreign.json()["code"] == missing.json()["code"] == "unknown_inquiry"
    assert inquiry_api(store, "analyst", theirs, "inquiry.answered", {"text": "x"}, "inq-analyst").status_code == 403


def test_the_inquiries_page_offers_an_answer_then_a_hide_after_confirming(store):
    inquiry = an_inquiry(store)
    browser = log_in(store["app"], store["key"]["seller"])
    text = browser.get("/inquiries").text
    assert f'action="/inquiries/{inquiry}/actions/inquiry.answered"' in text
    assert f'action="/inquiries/{inquiry}/actions/inquiry.hidden"' not in text  # not answered yet
    form = re.search(rf'action="/inquiries/{inquiry}/actions/inquiry.answered">(.*?)</form>', text, re.S).group(1)
    hidden = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)">', form))
    answered = browser.post(f"/inquiries/{inquiry}/actions/inquiry.answered", data={**hidden, "text": "はい"})
    assert answered.status_code == 303
    assert 'id="action-result" class="ok"' in browser.get(answered.headers["location"]).text
    text = browser.get("/inquiries").text
    form = re.search(rf'action="/inquiries/{inquiry}/actions/inquiry.hidden">(.*?)</form>', text, re.S).group(1)
    hidden = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)">', form))
    fields = {**hidden, "title": "個人情報", "reason": "電話番号のため"}
    assert browser.post(f"/inquiries/{inquiry}/actions/inquiry.hidden", data=fields).status_code == 200  # unconfirmed
    assert f'action="/inquiries/{inquiry}/actions/inquiry.hidden"' in browser.get("/inquiries").text
    done = browser.post(f"/inquiries/{inquiry}/actions/inquiry.hidden", data={**fields, "confirm": "yes"})
    assert done.status_code == 303
    assert f'action="/inquiries/{inquiry}/actions/inquiry.hidden"' not in browser.get("/inquiries").text


def cancel_requested_in_cart(store, cart_no: str) -> str:
    number = next(_numbers)
    order_no = f"O{number}"
    placed = {**ORDER_DEFAULTS, "cart_no": cart_no, "seller_id": SELLER, "promised_ship_date": "2026-11-12"}
    summary = ingest(store, message("order.placed", order_no, "buyer", placed, "2026-11-02T10:00:00+09:00"),
                     *(message(t, order_no, actor, data, f"2026-11-0{3 + i}T10:00:00+09:00")
                       for i, (t, actor, data) in enumerate(steps("preparing, cancel requested"))))
    assert summary.accepted == 3, summary.as_json()
    return order_no


def post_form(browser: TestClient, fields: list[tuple[str, str]]):
    """A form with repeated fields (the checked rows), as a browser posts it."""
    return browser.post("/claims/bulk", content=urlencode(fields),
                        headers={"Content-Type": "application/x-www-form-urlencoded", "Accept": "text/html"})


def bulk_form(browser: TestClient, orders: list[str]) -> list[tuple[str, str]]:
    """The cancel-requested list's bulk form with these orders checked: its hidden fields and each row's id."""
    text = browser.get("/claims?status=cancel.requested").text
    form = re.search(r'<form method="post" action="/claims/bulk" id="bulk">(.*?)</form>', text, re.S).group(1)
    fields = [(k, v) for k, v in re.findall(r'<input type="hidden" name="(csrf|back)" value="([^"]*)">', form)]
    for no in orders:
        [row_id] = re.findall(rf'name="id\.{no}" value="([^"]+)"', form)
        fields += [("order_no", no), (f"id.{no}", row_id)]
    return fields


def test_bulk_approve_of_the_checked_cancels_asks_first_and_a_resubmit_is_a_duplicate_of_each(store):
    orders = [cancel_requested_in_cart(store, f"CA{next(_numbers)}") for _ in range(2)]
    browser = log_in(store["app"], store["key"]["seller"])
    fields = bulk_form(browser, orders) + [("bulk", "cancel.approved")]
    asked = post_form(browser, fields)
    assert asked.status_code == 200 and 'id="bulk-confirm"' in asked.text and all(no in asked.text for no in orders), asked.text[-1500:]
    assert all("CancelApproved" not in [n for n, _ in events(store, no)] for no in orders)
    done = post_form(browser, fields + [("confirm", "yes")])
    assert done.status_code == 303
    told = browser.get(done.headers["location"]).text
    assert told.count('class="ok" role="status"') == 2, told
    again = post_form(browser, fields + [("confirm", "yes")])
    assert browser.get(again.headers["location"]).text.count(words.ACTION_OUTCOME["duplicate"]) == 2
    assert all([n for n, _ in events(store, no)].count("CancelApproved") == 1 for no in orders)


def test_bulk_message_to_the_checked_orders_buyers_is_sent_once_per_cart(store):
    cart, alone = f"CB{next(_numbers)}", f"CB{next(_numbers)}"
    orders = [cancel_requested_in_cart(store, cart), cancel_requested_in_cart(store, cart),
              cancel_requested_in_cart(store, alone)]
    browser = log_in(store["app"], store["key"]["seller"])
    fields = bulk_form(browser, orders) + [("bulk", "message.sent"), ("text", "発送についてのご連絡")]
    asked = post_form(browser, fields)
    assert asked.status_code == 200 and "2件のカート" in asked.text, asked.text
    done = post_form(browser, fields + [("confirm", "yes")])
    told = browser.get(done.headers["location"]).text
    assert told.count('class="ok" role="status"') == 2 and cart in told and alone in told
    assert [[n for n, _ in events(store, no)].count("BuyerMessaged") for no in orders] == [1, 1, 1]
    post_form(browser, fields + [("confirm", "yes")])  # a resubmit: duplicates
    assert [[n for n, _ in events(store, no)].count("BuyerMessaged") for no in orders] == [1, 1, 1]


@pytest.mark.security
def test_bulk_actions_refuse_another_sellers_order_and_a_key_that_is_not_a_sellers(store):
    theirs = an_order(store, "preparing, cancel requested", seller=OTHER)
    mine = cancel_requested_in_cart(store, f"CC{next(_numbers)}")
    browser = log_in(store["app"], store["key"]["seller"])
    fields = bulk_form(browser, [mine]) + [("order_no", theirs), (f"id.{theirs}", "x-1"), ("bulk", "message.sent"),
                                           ("text", "x"), ("confirm", "yes")]
    assert post_form(browser, fields).status_code == 404
    done = post_form(browser, [f for f in fields if f[1] != theirs and f[0] != f"id.{theirs}"])
    assert done.status_code == 303
    assert "CancelApproved" not in [n for n, _ in events(store, theirs)]
    assert "BuyerMessaged" not in [n for n, _ in events(store, theirs)]
    analyst = log_in(store["app"], store["key"]["analyst"])
    assert 'action="/claims/bulk"' not in analyst.get(f"/claims?status=cancel.requested&seller={SELLER}").text
    refused = analyst.post("/claims/bulk", data={"csrf": token_of(analyst.get("/summary").text), "bulk": "cancel.approved",
                                                 "order_no": mine, f"id.{mine}": "a-1", "confirm": "yes"})
    assert refused.status_code == 403


INQUIRY_DATA = {"inquiry.answered": {"text": "回答です"},
                "inquiry.hidden": {"title": "個人情報", "reason": "電話番号のため", "restrict_asker": True}}
INQUIRY_STATES = {"posted": (), "answered": ("inquiry.answered",), "hidden": ("inquiry.answered", "inquiry.hidden")}


def inquiry_events(store, inquiry_no: str) -> list[tuple]:
    app = store["documents"].app
    found = []
    for stored in app.recorder.select_events(inquiry_id(inquiry_no)):
        e = app.mapper.to_domain_event(stored)
        state = {k: v for k, v in e.__dict__.items() if k not in ("originator_id", "timestamp", "origin")}
        text = json.dumps(state, default=str, ensure_ascii=False, sort_keys=True)
        found.append((type(e).__qualname__.split(".")[-1], re.sub(r"\b([QIB])\d+\b", r"\1N", text)))
    return found


@pytest.mark.parametrize("type_", INQUIRY_ACTIONS)
@pytest.mark.parametrize("state", INQUIRY_STATES)
def test_an_inquiry_action_from_the_api_is_decided_exactly_as_the_same_message_from_a_jsonl_file(store, state, type_):
    from_file, from_api = an_inquiry(store), an_inquiry(store)
    for inquiry in (from_file, from_api):
        for i, step in enumerate(INQUIRY_STATES[state]):
            data = {**INQUIRY_DATA[step], "inquiry_no": inquiry, "item_no": f"I{inquiry[1:]}"}
            assert ingest(store, message(step, "", "seller", data, f"2026-11-0{4 + i}T10:00:00+09:00")).accepted == 1
    data = {**INQUIRY_DATA[type_], "inquiry_no": from_file, "item_no": f"I{from_file[1:]}"}
    summary = ingest(store, message(type_, "", "seller", data, NOW))
    answer = inquiry_api(store, "seller", from_api, type_, INQUIRY_DATA[type_], f"k-{next(_numbers)}")
    if summary.accepted:
        assert answer.status_code == 201 and answer.json()["outcome"] == "accepted", answer.text
    else:
        [rejection] = summary.rejected
        assert answer.status_code == 409 and answer.json()["code"] == rejection["code"], (answer.text, rejection)
    assert inquiry_events(store, from_api) == inquiry_events(store, from_file)
