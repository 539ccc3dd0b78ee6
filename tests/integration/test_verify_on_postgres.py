"""Chains, checkpoints and verify on PostgreSQL: the links are written by the PostgreSQL recorder,
in the events' transaction, and a change made with SQL is found."""

import json

import psycopg
from sqlalchemy.engine import make_url

from consumers.ingest import ingest_lines
from producers.simulator import simulate
from tests.unit.messages import lines


def test_a_postgresql_store_verifies_and_an_altered_event_is_named(stack):
    ingest_lines(stack.app, lines(*simulate(orders=40, seed=3)))
    assert json.loads(stack.cli("checkpoint", "--json").stdout)["heads"] > 40
    assert json.loads(stack.cli("verify", "--json").stdout)["ok"] is True
    url = make_url(stack.settings.database_url)
    with psycopg.connect(host=url.host, port=url.port, user=url.username, password=url.password,
                         dbname=url.database, autocommit=True) as conn:
        conn.execute("UPDATE orderclaims_events SET state = state || '\\x20'::bytea WHERE notification_id = 5")
    done = stack.cli("verify", "--json", check=False)
    report = json.loads(done.stdout)
    assert done.returncode == 1  # the event, and so the checkpoint that covered it
    assert sorted(f["finding"] for f in report["findings"]) == ["checkpoint mismatch", "event altered"]
