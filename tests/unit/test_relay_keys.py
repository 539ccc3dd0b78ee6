"""The relay knows each event's Kafka key (its aggregate's natural key) from the event itself; for an
event stored by an earlier release it reads the aggregate's first event, as it used to."""

import shutil
from pathlib import Path

import orjson

from consumers.ingest import ingest_lines
from domain.keys import KEY_FIELD, natural_key
from entrypoints.bootstrap import Settings, build_orders
from messaging.topics import Topics
from producers.relay import Relay
from tests.unit.messages import lines, message, placed

RELEASE = Path(__file__).parents[1] / "compat" / "release_02f388d" / "store.db"


class Sent:
    def get(self, timeout=None):
        return None


class RecordingProducer:
    def __init__(self):
        self.records = []

    def send(self, topic, key=None, value=None, headers=None):
        self.records.append((topic, key, value, dict(headers or ())))
        return Sent()

    def flush(self):
        pass


def relayed(app) -> tuple[Relay, list]:
    producer = RecordingProducer()
    relay = Relay(app, producer, Topics(), batch_size=100)
    while relay.step():
        pass
    return relay, [r for r in producer.records if r[0] == Topics().events]


def first_event_keys(app) -> dict[str, bytes]:
    """Each aggregate's key as the earlier relay found it: from the aggregate's first stored event."""
    keys = {}
    for n in app.recorder.select_notifications(1, limit=100_000):
        if n.originator_version == 1:
            keys[str(n.originator_id)] = natural_key(orjson.loads(n.state), n.originator_id).encode()
    return keys


def test_each_new_event_carries_its_aggregates_key_and_the_relay_reads_no_event_back(tmp_path):
    app = build_orders(Settings(database_url=f"sqlite:///{tmp_path / 'store.db'}"))
    ingest_lines(app, lines(placed("100001", cart_no="C7"), placed("100002", cart_no="C7", seller_id="S2"),
                            message("seller.registered", "", "marketplace", seller_id="S2", level="power")))
    ingest_lines(app, lines(message("cancel.requested", "100001", reason="ordered_by_mistake"),
                            message("cancel.requested", "100002", reason="ordered_by_mistake")))
    app = build_orders(Settings(database_url=f"sqlite:///{tmp_path / 'store.db'}"))  # a new process: nothing cached
    relay, records = relayed(app)
    assert relay.first_reads == 0
    assert {key for _, key, _, _ in records} == {b"100001", b"100002", b"C7", b"S2"}
    expected = first_event_keys(app)
    assert all(key == expected[headers["aggregate_id"].decode()] for _, key, _, headers in records)
    later = [(key, value) for _, key, value, headers in records if headers["version"] != b"1"]
    assert later and all(orjson.loads(value)[KEY_FIELD].encode() == key for key, value in later)


def test_the_key_is_not_part_of_the_event_read_back(tmp_path):
    app = build_orders(Settings(database_url=f"sqlite:///{tmp_path / 'store.db'}"))
    ingest_lines(app, lines(placed("100001"), message("cancel.requested", "100001", reason="ordered_by_mistake")))
    events = app.order_events("100001")
    assert all(KEY_FIELD not in vars(e) for e in events)


def test_an_earlier_releases_events_are_relayed_under_their_first_events_key_and_new_ones_under_theirs(tmp_path):
    copy = tmp_path / "store.db"
    shutil.copyfile(RELEASE, copy)
    app = build_orders(Settings(database_url=f"sqlite:///{copy}"))
    old_head = app.recorder.max_notification_id()
    order_no = next(orjson.loads(n.state)["order_no"] for n in app.recorder.select_notifications(1, limit=1000)
                    if n.topic.endswith("Order.Placed"))
    ingest_lines(app, lines(message("inquiry.posted", "", "buyer", inquiry_no="Q1", seller_id="S1", item_no="I1",
                                    buyer_id="B1", title="t", body="b"),
                            message("message.sent", order_no, "seller", at="2026-12-01T10:00:00+09:00", text="hello")))
    relay, records = relayed(build_orders(Settings(database_url=f"sqlite:///{copy}")))
    expected = first_event_keys(relay.app)
    assert relay.first_reads > 0  # the old events' keys
    assert len(records) > 100
    assert all(key == expected[headers["aggregate_id"].decode()] for _, key, _, headers in records)
    new = [(key, value) for _, key, value, headers in records if int(headers["position"]) > old_head]
    assert new and all(orjson.loads(value)[KEY_FIELD].encode() == key for key, value in new)
