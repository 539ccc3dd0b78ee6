"""Chains, checkpoints and verify on PostgreSQL: the links are written by the PostgreSQL recorder,
in the events' transaction, and a change made with SQL is found."""

import json

import psycopg
import pytest
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


@pytest.mark.security
def test_a_forged_event_with_a_correct_plain_link_on_postgresql_is_named_by_its_key_tag(stack):
    """A writer without ORDERCLAIMS_CHAIN_KEY appends an event and its plain link, computed right."""
    from uuid import UUID

    from domain.ids import ORDER
    from store.chain import link

    ingest_lines(stack.app, lines(*simulate(orders=20, seed=4)))
    stack.cli("checkpoint")
    oid = stack.app.ids.find(ORDER, "100002")  # a new store's: time-ordered (docs/decisions/0019)
    url = make_url(stack.settings.database_url)
    with psycopg.connect(host=url.host, port=url.port, user=url.username, password=url.password,
                         dbname=url.database, autocommit=True) as conn:
        version, head = conn.execute("SELECT originator_version, hash FROM event_hashes WHERE originator_id = %s "
                                     "ORDER BY originator_version DESC LIMIT 1", (oid,)).fetchone()
        state = b'{"at": "2026-11-30T10:00:00+09:00", "actor": "buyer", "rating": "great"}'
        topic = "domain.order:Order.FeedbackGiven"
        conn.execute("INSERT INTO orderclaims_events (originator_id, originator_version, topic, state) "
                     "VALUES (%s, %s, %s, %s)", (oid, version + 1, topic, state))
        conn.execute("INSERT INTO event_hashes (originator_id, originator_version, hash) VALUES (%s, %s, %s)",
                     (oid, version + 1, link(bytes(head), UUID(str(oid)), version + 1, topic, state)))
    done = stack.cli("verify", "--json", check=False)
    report = json.loads(done.stdout)
    assert done.returncode == 1
    assert [(f["finding"], f["order"], f["version"]) for f in report["findings"]] == [
        ("event forged or altered", "100002", version + 1)]
