"""A seller's action in distributed mode (SPEC §8 "Seller actions", docs/decisions/0021): `serve`
produces it to the upstream topic keyed by its cart, an ingest worker decides it by the same rules,
and `GET /api/messages/{id}` tells it pending, then its outcome (accepted, or rejected with its code);
the order page's form likewise."""

import json
import re
import subprocess
import time
import urllib.error
import urllib.request

import httpx
import orjson
from kafka import KafkaConsumer

from entrypoints.presentation import words
from tests.e2e.conftest import ORDERCLAIMS, token_of, wait_until_serving
from tests.unit.builders import ORDER_DEFAULTS
from tools.services import free_port

ORDER, CART = "700001", "C700"


def line(n: int, type_: str, actor: str, day: int, **data) -> bytes:
    return orjson.dumps({"message_id": f"d-{n}", "type": type_, "order_no": ORDER, "cart_no": CART,
                         "occurred_at": f"2026-11-0{day}T10:00:00+09:00", "actor": actor, "data": data})


def call(base: str, key: str, path: str, body: dict | None = None, idempotency: str | None = None) -> tuple[int, dict]:
    headers = {"Authorization": f"Bearer {key}", "Content-Type": "application/json"}
    if idempotency:
        headers["Idempotency-Key"] = idempotency
    request = urllib.request.Request(base + path, data=None if body is None else json.dumps(body).encode(),
                                     headers=headers, method="GET" if body is None else "POST")
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def decided(base: str, key: str, message_id: str, timeout: float = 120) -> dict:
    deadline = time.monotonic() + timeout
    while True:
        status, document = call(base, key, f"/api/messages/{message_id}")
        assert status == 200, document
        if document["outcome"] != "pending":
            return document
        assert time.monotonic() < deadline, f"{message_id} still pending after {timeout:.0f} s"
        time.sleep(0.3)


def test_an_action_sent_to_the_broker_is_decided_by_an_ingest_worker_and_its_outcome_is_told(stack):
    placed = {**ORDER_DEFAULTS, "cart_no": CART, "seller_id": "S1", "promised_ship_date": "2026-11-12"}
    stack.cli("publish", "-", stdin=b"\n".join([line(1, "order.placed", "buyer", 2, **placed),
                                               line(2, "order.prepared", "seller", 3),
                                               line(3, "cancel.requested", "buyer", 4, reason="found_cheaper")]))
    [ingest] = stack.start_all(ingest_workers=1)["ingest"]  # and the relay and projectors the pages read
    stack.wait_caught_up()
    key = json.loads(stack.cli("keys", "create", "--seller", "S1", "--json").stdout)
    other = json.loads(stack.cli("keys", "create", "--seller", "S2", "--json").stdout)["key"]
    port = free_port()
    server = subprocess.Popen([str(ORDERCLAIMS), "serve", "--port", str(port)], env=stack.env, cwd=stack.workdir,
                              stdout=subprocess.DEVNULL, stderr=open(stack.workdir / "serve.log", "wb"))
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_serving(server, base, lambda: (stack.workdir / "serve.log").read_text())
        sent = call(base, key["key"], f"/api/orders/{ORDER}/actions/cancel.approved", {}, "approve-1")
        assert sent[0] == 202 and sent[1]["outcome"] == "pending" and sent[1]["message_id"] == "approve-1", sent
        accepted = decided(base, key["key"], "approve-1")
        assert accepted["outcome"] == "accepted" and accepted["type"] == "cancel.approved"
        assert accepted["origin"] == {"via": "api", "key_id": key["key_id"]}

        again = call(base, key["key"], f"/api/orders/{ORDER}/actions/cancel.approved", {}, "approve-1")
        refused = call(base, key["key"], f"/api/orders/{ORDER}/actions/return.collected", {}, "collect-1")
        assert again[0] == refused[0] == 202, (again, refused)
        rejected = decided(base, key["key"], "collect-1")
        assert rejected["outcome"] == "rejected" and rejected["code"] == "no_open_claim", rejected
        stack.wait(stack.ingested, "the repeat ingested")

        assert call(base, other, "/api/messages/approve-1")[0] == 404  # another seller's action: not found
        assert call(base, key["key"], "/api/messages/never-sent")[0] == 404

        stack.stop(ingest)  # the page's form while no worker runs: sent, and told as pending until decided
        browser = httpx.Client(base_url=base, follow_redirects=False, headers={"Accept": "text/html"})
        browser.post("/login", data={"key": key["key"], "csrf": token_of(browser.get("/login").text)})
        text = browser.get(f"/orders/{ORDER}").text
        found = re.search(rf'action="/orders/{ORDER}/actions/message.sent">(.*?)</form>', text, re.S)
        assert found, text[-3000:]
        form = found.group(1)
        hidden = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)">', form))
        sent = browser.post(f"/orders/{ORDER}/actions/message.sent", data={**hidden, "text": "ご連絡です"})
        assert sent.status_code == 303, sent.text
        assert words.ACTION_OUTCOME["pending"] in browser.get(sent.headers["location"]).text
        stack.start("ingest")
        stack.wait(lambda: words.ACTION_OUTCOME["accepted"] in browser.get(sent.headers["location"]).text,
                   "the page tells the message accepted", timeout=120)
    finally:
        server.terminate()
        server.wait(timeout=20)
    names = [type(e).__name__ for e in stack.app.order_events(ORDER)]
    assert names.count("CancelApproved") == 1, names  # the repeat was a duplicate
    approved = next(e for e in stack.app.order_events(ORDER) if type(e).__name__ == "CancelApproved")
    assert approved.origin == {"via": "api", "key_id": key["key_id"]}
    assert _keys_of_sent_actions(stack) == [CART.encode()] * 4  # keyed by the cart, as upstream systems key it


def _keys_of_sent_actions(stack) -> list[bytes]:
    consumer = KafkaConsumer(stack.topics.upstream, bootstrap_servers=stack.settings.kafka_bootstrap,
                             auto_offset_reset="earliest", consumer_timeout_ms=5000)
    try:
        return [r.key for r in consumer if any(name == "origin" for name, _ in r.headers)]
    finally:
        consumer.close()
