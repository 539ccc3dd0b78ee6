"""The distributed mode end to end: a real broker, a real PostgreSQL, the real `orderclaims run` processes.

Each test publishes to a 4-partition upstream topic of its own and reads a database of its own.
"""

import json

import orjson
from kafka import KafkaProducer
import pytest

from consumers.ingest import ingest_lines
from entrypoints.bootstrap import Settings, build_engine, build_orders
from producers.simulator import simulate
from projections.runner import PROJECTIONS, LogFollower, all_projections
from tests.integration.stack import read_models

ORDERS = 1200
AS_OF = "2026-11-21T09:00:00+09:00"


@pytest.fixture(scope="module")
def stream() -> list[bytes]:
    return [orjson.dumps(m) for m in simulate(orders=ORDERS, seed=11)]


@pytest.fixture(scope="module")
def embedded(stream, tmp_path_factory) -> dict:
    """What the embedded default (SQLite, no servers) computes from the same stream."""
    settings = Settings(database_url=f"sqlite:///{tmp_path_factory.mktemp('embedded') / 'orderclaims.db'}")
    app, engine = build_orders(settings), build_engine(settings)
    summary = ingest_lines(app, stream)
    LogFollower(app, engine, all_projections()).catch_up()
    return {"summary": summary, "read_models": read_models(engine), "events": app.recorder.max_notification_id()}


def assert_same_read_models(actual: dict, expected: dict) -> None:
    for table in ("dash_claims", "settle_orders", "settle_sellers", "points_entries"):
        assert expected[table], f"{table} is empty in embedded mode: the stream exercises nothing"
    assert set(actual) == set(expected)
    for table, rows in expected.items():
        assert actual[table] == rows, f"{table} differs from embedded mode"


def test_two_ingest_workers_on_four_partitions_build_what_embedded_mode_builds(stack, stream, embedded):
    half = len(stream) // 2  # the first half by `orderclaims publish`, the rest by a plain producer keyed by cart
    assert stack.cli("publish", "-", stdin=b"\n".join(stream[:half])).stdout.decode().startswith(f"published {half:,}")
    plain = KafkaProducer(bootstrap_servers=stack.settings.kafka_bootstrap)  # the default partitioner
    for line in stream[half:]:
        document = orjson.loads(line)
        data = document["data"]  # SPEC §4 Keys: an inquiry by its item, an order or cart by its cart, a seller by id
        key = data["item_no"] if document["type"].startswith("inquiry.") else (
            document.get("cart_no") or data.get("cart_no") or data.get("seller_id"))
        plain.send(stack.topics.upstream, key=key.encode(), value=line)
    plain.flush()
    plain.close()
    processes = stack.start_all(ingest_workers=2)
    stack.wait_caught_up()

    assert_same_read_models(stack.read_models(), embedded["read_models"])
    seller = json.loads(stack.cli("dashboard", "--seller", "S001", "--as-of", AS_OF, "--json").stdout)
    assert sum(n for counts in seller["counts"].values() for n in counts.values()) > 0
    stopped = [stack.stop(p) for group in processes.values() for p in group]
    assert stopped == [0] * len(stopped) and len(stopped) == 2 + 1 + 1  # SIGTERM: a clean exit


def test_kill_9_of_ingest_relay_and_a_projector_mid_stream_loses_and_doubles_nothing(stack, stream, embedded):
    """The projectors run one per projection; the killed dashboard projector is replaced by one that
    runs every projection (its own consumer group, from the start), beside the four still running:
    two writers of the same rows, kept apart by the positions. The killed relay comes back on the
    optional confluent-kafka producer: each aggregate's events must reach the partition the first
    relay sent its earlier ones to, or the projections would apply them out of order."""
    stack.cli("publish", "-", stdin=b"\n".join(stream))
    processes = stack.start_all(ingest_workers=2, projectors_apart=True)
    total = embedded["events"]
    stored = lambda: stack.app.recorder.max_notification_id() or 0  # noqa: E731

    stack.wait(lambda: stored() > total // 4, "a quarter of the stream stored")
    processes["ingest"][0].kill()  # SIGKILL: no clean shutdown, a batch may be half done
    stack.start("ingest")

    stack.wait(lambda: stack.relayed_up_to() > total // 2, "half the events relayed")
    processes["relay"][0].kill()
    stack.start("relay", env={"ORDERCLAIMS_KAFKA_PRODUCER": "confluent-kafka"})

    stack.wait(lambda: stored() > total * 3 // 4, "three quarters stored")
    processes["dashboard"][0].kill()
    processes["ingest"][1].kill()
    stack.start("project")
    stack.start("ingest")

    stack.wait_caught_up()
    assert_same_read_models(stack.read_models(), embedded["read_models"])


def test_invalid_messages_go_to_the_dead_letter_topic_rejected_ones_to_rejections_and_the_rest_goes_on(stack):
    placed = next(m for m in simulate(orders=1, seed=3) if m["type"] == "order.placed")
    later = {**placed, "message_id": "after-the-bad-ones", "order_no": "900002", "cart_no": "C-900002",
             "data": {**placed["data"], "cart_no": "C-900002"}}
    lines = [
        b'{"message_id": "broken',  # not JSON
        orjson.dumps({**placed, "message_id": "no-type", "type": None}),  # a wrong type
        orjson.dumps({**placed, "message_id": "unknown-type", "type": "order.teleported"}),
        orjson.dumps({"message_id": "cancel-unknown", "type": "cancel.requested", "order_no": "900001",
                      "occurred_at": "2026-11-02T10:00:00+09:00", "actor": "buyer", "data": {"reason": "x"}}),
        orjson.dumps(later),
        orjson.dumps({"message_id": "cancel-after", "type": "cancel.requested", "order_no": "900002",
                      "cart_no": "C-900002", "occurred_at": placed["occurred_at"], "actor": "buyer",
                      "data": {"reason": "x"}}),  # keyed by its cart, as upstream systems key it
    ]
    stack.cli("publish", "-", stdin=b"\n".join(lines))
    stack.start_all(ingest_workers=1)
    stack.wait_caught_up(timeout=120)

    dead = {d["message_id"]: d for d in stack.consume(stack.topics.dead_letters, 3)}
    assert dead[None]["reason"].startswith("not valid JSON")
    assert dead["no-type"]["reason"].startswith("type:")
    assert "order.teleported" in dead["unknown-type"]["reason"]
    assert all(d["source"]["topic"] == stack.topics.upstream for d in dead.values())
    buyer = placed["data"]["buyer"]  # an invalid order.placed keeps its buyer's data masked on the DLQ
    assert not [v for v in (buyer["name"], buyer["phone"], buyer["address"]) if v in dead["no-type"]["value"]]
    assert orjson.loads(dead["no-type"]["value"])["data"]["buyer"]["name"][0] == buyer["name"][0]

    (rejection,) = stack.consume(stack.topics.rejections, 1)
    assert (rejection["message_id"], rejection["code"]) == ("cancel-unknown", "unknown_order")

    order = json.loads(stack.cli("claims", "--seller", placed["data"]["seller_id"], "--order", "900002", "--json").stdout)
    assert [(o["order_no"], o["status"]) for o in order["orders"]] == [("900002", "cancel.in_progress")]


def test_database_connections_cut_mid_stream_are_retried_and_nothing_is_skipped(stack, stream, embedded):
    stack.cli("publish", "-", stdin=b"\n".join(stream))
    stack.start_all(ingest_workers=2)
    stored = lambda: stack.app.recorder.max_notification_id() or 0  # noqa: E731

    for share in (3, 2):
        stack.wait(lambda: stored() > embedded["events"] // share, f"1/{share} of the stream stored")
        # the processes may still be backing off from the last cut: cut as soon as they are back
        stack.wait(lambda: stack.cut_database_connections() > 0, "connections to cut", timeout=60)

    stack.wait_caught_up()
    assert_same_read_models(stack.read_models(), embedded["read_models"])
    assert "transient fault, retrying" in stack.logs()
