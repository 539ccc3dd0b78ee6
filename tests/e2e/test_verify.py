"""`orderclaims verify` (SPEC §7) on a store someone with write access changed: each change named."""

import json
import shutil
import sqlite3
from pathlib import Path
from uuid import UUID

import pytest

from store.chain import genesis, link

COMPAT = Path(__file__).parents[1] / "compat" / "release_02f388d" / "store.db"


@pytest.fixture
def store(cli, tmp_path):
    """A store of 60 orders with a checkpoint; the SQL connection an attacker would use."""
    cli("ingest", "-", stdin=cli("simulate", "--orders", "60", "--seed", "5").stdout)
    cli("checkpoint", "--export", "checkpoint.json")
    db = sqlite3.connect(tmp_path / "orderclaims.db")
    yield db
    db.close()


def verify(cli, *args: str) -> tuple[int, dict]:
    done = cli("verify", "--json", *args, check=False)
    return done.returncode, json.loads(done.stdout)


def order_events(db, order_no: str) -> list[tuple]:
    """rowid, originator id, version of an order's events (its Placed names it)."""
    (oid,) = next((o,) for o, state in db.execute("SELECT originator_id, state FROM stored_events WHERE topic = "
                                                  "'domain.order:Order.Placed'") if json.loads(state)["order_no"] == order_no)
    return db.execute("SELECT rowid, originator_id, originator_version FROM stored_events WHERE originator_id = ? "
                      "ORDER BY originator_version", (oid,)).fetchall()


def findings(report: dict) -> list[tuple]:
    return sorted((f["finding"], f["aggregate"], f["version"]) for f in report["findings"])


def test_a_store_nobody_changed_verifies(cli, store):
    code, report = verify(cli, "--checkpoint", "checkpoint.json")
    assert (code, report["ok"], report["findings"]) == (0, True, [])
    assert report["events"] > 300 and report["checkpoints"] == 1


def test_one_altered_byte_names_its_order_and_version(cli, store):
    rowid, _, version = order_events(store, "100007")[1]
    store.execute("UPDATE stored_events SET state = CAST(REPLACE(CAST(state AS TEXT), 'seller', 'se11er') AS BLOB) "
                  "WHERE rowid = ?", (rowid,))
    store.commit()
    code, report = verify(cli)
    assert code == 1 and ("event altered", "order 100007", version) in findings(report)


def test_a_removed_event_is_named(cli, store):
    rowid, _, version = order_events(store, "100008")[1]
    store.execute("DELETE FROM stored_events WHERE rowid = ?", (rowid,))
    store.commit()
    code, report = verify(cli)
    assert code == 1 and ("event removed", "order 100008", version) in findings(report)


def test_two_swapped_events_are_named(cli, store):
    (_, oid, _), second, third = order_events(store, "100009")[:3]
    states = {v: s for v, s in store.execute("SELECT originator_version, state FROM stored_events WHERE originator_id = ?",
                                             (oid,))}
    for (_, _, version), other in ((second, third[2]), (third, second[2])):
        store.execute("UPDATE stored_events SET state = ? WHERE originator_id = ? AND originator_version = ?",
                      (states[other], oid, version))
    store.commit()
    code, report = verify(cli)
    assert code == 1
    assert {("event altered", "order 100009", second[2]), ("event altered", "order 100009", third[2])} <= set(
        findings(report))


def test_an_inserted_event_is_named(cli, store):
    _, oid, last = order_events(store, "100010")[-1]
    store.execute("INSERT INTO stored_events VALUES (?, ?, 'domain.order:Order.FeedbackGiven', ?)",
                  (oid, last + 1, b'{"at": null, "actor": "buyer", "rating": "great"}'))
    store.commit()
    code, report = verify(cli)
    assert code == 1 and ("event inserted", "order 100010", last + 1) in findings(report)


def test_a_deleted_order_is_named(cli, store):
    (_, oid, _), *_ = order_events(store, "100011")
    store.execute("DELETE FROM stored_events WHERE originator_id = ?", (oid,))
    store.commit()
    code, report = verify(cli)
    assert code == 1 and ("order deleted", "order 100011") in {(f, name) for f, name, _ in findings(report)}


def test_a_truncated_log_is_found_by_the_checkpoint(cli, store):
    store.execute("DELETE FROM stored_events WHERE rowid > (SELECT MAX(rowid) - 20 FROM stored_events)")
    store.execute("DELETE FROM event_links WHERE notification_id NOT IN (SELECT rowid FROM stored_events)")
    store.commit()
    code, report = verify(cli)
    assert code == 1 and "log truncated" in {f for f, _, _ in findings(report)}


def test_every_link_recomputed_after_a_change_is_caught_by_the_key_tags_and_the_exported_checkpoint(cli, store):
    rowid, _, _ = order_events(store, "100012")[1]
    store.execute("UPDATE stored_events SET state = CAST(REPLACE(CAST(state AS TEXT), 'seller', 'se11er') AS BLOB) "
                  "WHERE rowid = ?", (rowid,))
    store.execute("DELETE FROM event_links")  # the attacker rebuilds every chain (no key: no tags), drops the checkpoints
    chains: dict[str, bytes] = {}
    for rowid, oid, version, topic, state in store.execute(
            "SELECT rowid, originator_id, originator_version, topic, state FROM stored_events "
            "ORDER BY originator_id, originator_version").fetchall():
        chains[oid] = link(chains.get(oid) or genesis(UUID(oid)), UUID(oid), version, topic, state)
        store.execute("INSERT INTO event_links (notification_id, originator_id, originator_version, hash) "
                      "VALUES (?, ?, ?, ?)", (rowid, oid, version, chains[oid]))
    store.execute("DELETE FROM checkpoints")
    store.commit()
    code, report = verify(cli)  # the plain links agree with each other; their key tags are gone
    assert code == 1 and {f for f, name, _ in findings(report) if name == "order 100012"} == {"event forged or altered"}
    code, report = verify(cli, "--checkpoint", "checkpoint.json")
    assert code == 1 and "store differs from the exported checkpoint" in [f for f, _, _ in findings(report)]


def test_an_erasure_leaves_every_chain_intact(cli, store):
    buyer = json.loads(cli("history", "100013", "--json").stdout)["events"][0]["data"]["buyer"]["id"]
    cli("forget-buyer", buyer)
    assert verify(cli, "--checkpoint", "checkpoint.json")[0] == 0


def test_the_store_of_release_02f388d_verifies_its_events_counted_as_stored_before_chaining(cli, tmp_path):
    shutil.copyfile(COMPAT, tmp_path / "orderclaims.db")
    code, report = verify(cli)
    assert (code, report["unchained"], report["events"]) == (0, report["events"], 3405)
    cli("checkpoint")
    assert verify(cli)[0] == 0


def test_a_store_with_the_earlier_links_table_is_moved_over_and_still_names_a_removed_event(cli, store):
    """Stores written before event_links kept the links by aggregate and version (event_hashes)."""
    store.executescript(
        "CREATE TABLE event_hashes (originator_id TEXT, originator_version INTEGER, hash BLOB NOT NULL, "
        "PRIMARY KEY (originator_id, originator_version)) WITHOUT ROWID;"
        "INSERT INTO event_hashes SELECT originator_id, originator_version, hash FROM event_links;"
        "DROP TABLE event_links;")
    rowid, _, version = order_events(store, "100014")[1]
    store.execute("DELETE FROM stored_events WHERE rowid = ?", (rowid,))
    store.commit()
    code, report = verify(cli, "--checkpoint", "checkpoint.json")
    assert code == 1 and ("event removed", "order 100014", version) in findings(report)
    tables = {name for (name,) in store.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert "event_hashes" not in tables and "event_links" in tables
    (orphans,) = store.execute("SELECT COUNT(*) FROM event_links WHERE notification_id < 0").fetchone()
    assert orphans == 1
