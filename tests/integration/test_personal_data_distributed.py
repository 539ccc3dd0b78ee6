"""On the real broker and PostgreSQL: no buyer name, phone or address of a simulated stream is in any
table of the database (pg_dump), on any topic the service writes, or in the processes' logs; and an
erasure reaches every projector process."""

import json
import os
import subprocess

import orjson
from kafka import KafkaConsumer
from sqlalchemy.engine import make_url

from producers.simulator import simulate
from tests.e2e.test_personal_data import personal_data
from tools.services.postgres import pg_bin


def everything_on(bootstrap: str, topic: str) -> bytes:
    consumer = KafkaConsumer(topic, bootstrap_servers=bootstrap, auto_offset_reset="earliest", consumer_timeout_ms=4000)
    try:
        return b"\n".join((r.key or b"") + b" " + (r.value or b"") + b"".join(v for _, v in r.headers or ())
                          for r in consumer)
    finally:
        consumer.close()


def pg_dump(database_url: str) -> bytes:
    url = make_url(database_url)
    return subprocess.run([str(pg_bin() / "pg_dump"), "-h", url.host, "-p", str(url.port), "-U", url.username,
                           url.database], env={**os.environ, "PGPASSWORD": url.password}, capture_output=True,
                          check=True).stdout


def test_no_personal_data_in_postgresql_the_topics_or_the_logs_and_an_erasure_reaches_every_projector(stack):
    stream = b"\n".join(orjson.dumps(m) for m in simulate(orders=300, seed=12))
    invalid = {**orjson.loads(stream.splitlines()[40]), "message_id": "bad", "actor": "robot"}  # a dead letter
    secrets = personal_data(stream)
    stack.cli("publish", "-", stdin=stream + b"\n" + orjson.dumps(invalid))
    stack.start_all(ingest_workers=2)
    stack.wait_caught_up()

    dump = pg_dump(stack.settings.database_url)
    assert b"stored_events" in dump or b"orderclaims_events" in dump
    written = (stack.topics.events, stack.topics.rejections, stack.topics.dead_letters)  # not upstream: the input
    topics = b"".join(everything_on(stack.settings.kafka_bootstrap, t) for t in written)
    logs = stack.logs().encode()
    assert len(topics) > 100_000
    assert sorted(s for s in secrets if s.encode() in dump or s.encode() in topics or s.encode() in logs) == []

    placed = next(orjson.loads(line) for line in stream.splitlines() if b'"order.placed"' in line)
    stack.cli("forget-buyer", placed["data"]["buyer"]["id"])
    stack.wait_caught_up()
    listed = json.loads(stack.cli("claims", "--seller", placed["data"]["seller_id"], "--order", placed["order_no"],
                                  "--json").stdout)["orders"]
    assert all(o["buyer_name"] == "[erased]" for o in listed)
    assert json.loads(stack.cli("verify", "--json").stdout)["ok"] is True
