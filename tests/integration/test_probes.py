"""SPEC §8: `/metrics`, `/healthz` and `/readyz` of the `orderclaims run` processes, scraped over HTTP
while they work on a real broker and database."""

import urllib.error
import urllib.request

import orjson
from prometheus_client.parser import text_string_to_metric_families

from producers.simulator import simulate
from projections.runner import PROJECTIONS


def get(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def scrape(url: str) -> dict[tuple, float]:
    """(metric, its labels but role) → value, of one process."""
    status, body = get(f"{url}/metrics")
    assert status == 200
    return {(s.name, *sorted((k, v) for k, v in s.labels.items() if k != "role")): s.value
            for family in text_string_to_metric_families(body.decode()) for s in family.samples}


def projected(stack) -> int:
    with stack.engine.connect() as conn:
        return PROJECTIONS["dashboard"]().highest_position(conn)


def test_the_probes_count_what_each_process_did_and_say_ready_once_it_caught_up(stack):
    placed = next(m for m in simulate(orders=1, seed=3) if m["type"] == "order.placed")
    cancel = {"message_id": "cancel-it", "type": "cancel.requested", "order_no": placed["order_no"],
              "cart_no": placed["cart_no"], "occurred_at": placed["occurred_at"], "actor": "buyer", "data": {"reason": "x"}}
    unknown = {**cancel, "message_id": "cancel-unknown", "order_no": "900001", "cart_no": "C-900001"}
    stack.cli("publish", "-", stdin=b"\n".join([
        orjson.dumps(placed), orjson.dumps(placed), b'{"message_id": "broken', orjson.dumps(cancel), orjson.dumps(unknown),
    ]))
    assert not stack.app.recorder.max_notification_id()  # the store's tables, made before three processes race to
    ingest, relay, projector = (stack.start(*role, "--metrics-port", "0") for role in (["ingest"], ["relay"],
                                                                                        ["project", "dashboard"]))
    ingest_url, relay_url, projector_url = (stack.probes_url(p) for p in (ingest, relay, projector))
    stack.wait(stack.ingested, "ingested")
    stack.cli("checkpoint")
    stack.wait(stack.relayed, "relayed")
    stack.wait(lambda: projected(stack) > 0 and scrape(projector_url).get(("orderclaims_lag",)) == 0, "projected")
    head, applied = stack.app.recorder.max_notification_id(), projected(stack)

    stack.wait(lambda: scrape(ingest_url).get(("orderclaims_lag",)) == 0, "ingest's lag measured")
    metrics = scrape(ingest_url)
    assert {k[1:]: v for k, v in metrics.items() if k[0] == "orderclaims_messages_total"} == {
        (("code", ""), ("outcome", "accepted")): 2, (("code", ""), ("outcome", "duplicate")): 1,
        (("code", "unknown_order"), ("outcome", "rejected")): 1, (("code", ""), ("outcome", "invalid")): 1,
    }
    assert metrics[("orderclaims_dead_letters_total", ("reason", "invalid"))] == 1
    assert metrics[("orderclaims_batch_duration_seconds_count",)] >= 1

    metrics = scrape(relay_url)
    assert (metrics[("orderclaims_position",)], metrics[("orderclaims_store_head",)]) == (head, head)
    assert metrics[("orderclaims_lag",)] == 0
    assert metrics[("orderclaims_checkpoint_size",)] == head  # the checkpoint was made once everything was stored

    metrics = scrape(projector_url)
    assert metrics[("orderclaims_position",)] == applied
    assert (metrics[("orderclaims_lag",)], metrics[("orderclaims_lag_seconds",)]) == (0, 0)

    for url in (ingest_url, relay_url, projector_url):
        assert get(f"{url}/healthz")[0] == 200
        status, body = get(f"{url}/readyz")
        assert (status, orjson.loads(body)["reason"]) == (200, None)
    assert [stack.stop(p) for p in (ingest, relay, projector)] == [0, 0, 0]
