"""A database writer who holds no key (SPEC §7 "A database writer alone cannot forge"): each thing such
a writer can do to the store is found by `verify`, and the finding names the order. The attacker
below has the SQL connection and the code (store/chain.py) — never ORDERCLAIMS_KEY_DIR's files."""

import json
import os
import shutil
import sqlite3
import subprocess
from uuid import UUID

import pytest

from store.chain import genesis, link
from tests.e2e.conftest import ORDERCLAIMS
from tests.e2e.test_verify import verify

pytestmark = pytest.mark.security

PLACED = "domain.order:Order.Placed"


@pytest.fixture
def store(cli, tmp_path):
    """60 orders ingested in two halves with a checkpoint after each (exported); the SQL connection."""
    lines = cli("simulate", "--orders", "60", "--seed", "5").stdout.splitlines(keepends=True)
    cli("ingest", "-", stdin=b"".join(lines[:150]))
    cli("checkpoint", "--export", "first.json")
    cli("ingest", "-", stdin=b"".join(lines[150:]))
    cli("checkpoint", "--export", "checkpoint.json")
    db = sqlite3.connect(tmp_path / "orderclaims.db")
    yield db
    db.close()


def order_id_of(db, order_no: str) -> str:
    return next(o for o, state in db.execute(f"SELECT originator_id, state FROM stored_events WHERE topic = '{PLACED}'")
                if json.loads(state)["order_no"] == order_no)


def events_of(db, oid: str) -> list[tuple]:
    return db.execute("SELECT rowid, originator_version, topic, state FROM stored_events WHERE originator_id = ? "
                      "ORDER BY originator_version", (oid,)).fetchall()


def plain_chain(db, oid: str) -> list[tuple[int, int, bytes]]:
    """(rowid, version, link) of an aggregate's events, as the unkeyed link function gives them."""
    head, rows = genesis(UUID(oid)), []
    for rowid, version, topic, state in events_of(db, oid):
        head = link(head, UUID(oid), version, topic, state)
        rows.append((rowid, version, head))
    return rows


def named(report: dict, order_no: str) -> list[dict]:
    """The findings that name this order."""
    return [f for f in report["findings"] if f.get("order") == order_no or f["aggregate"] == f"order {order_no}"]


def test_a_forged_event_appended_with_a_correct_plain_link_is_named(cli, store):
    oid = order_id_of(store, "100010")
    (_, version, head) = plain_chain(store, oid)[-1]
    state = b'{"at": "2026-11-30T10:00:00+09:00", "actor": "buyer", "rating": "great"}'
    forged = link(head, UUID(oid), version + 1, "domain.order:Order.FeedbackGiven", state)
    cur = store.execute("INSERT INTO stored_events (originator_id, originator_version, topic, state) "
                        "VALUES (?, ?, 'domain.order:Order.FeedbackGiven', ?)", (oid, version + 1, state))
    store.execute("INSERT INTO event_links (notification_id, originator_id, originator_version, hash) VALUES (?, ?, ?, ?)",
                  (cur.lastrowid, oid, version + 1, forged))
    store.commit()
    code, report = verify(cli, "--checkpoint", "checkpoint.json")
    assert code == 1 and any(f["version"] == version + 1 for f in named(report, "100010")), report["findings"]


def test_an_altered_event_with_its_chain_recomputed_and_every_checkpoint_deleted_is_named(cli, store):
    oid = order_id_of(store, "100012")
    rowid = events_of(store, oid)[1][0]
    store.execute("UPDATE stored_events SET state = CAST(REPLACE(CAST(state AS TEXT), 'seller', 'se11er') AS BLOB) "
                  "WHERE rowid = ?", (rowid,))
    for rowid, version, value in plain_chain(store, oid):
        store.execute("UPDATE event_links SET hash = ? WHERE notification_id = ?", (value, rowid))
    store.execute("DELETE FROM checkpoints")
    store.commit()
    code, report = verify(cli)
    assert code == 1 and any(f["version"] == 2 for f in named(report, "100012")), report["findings"]


def test_an_order_deleted_with_its_links_is_named(cli, store):
    oid = order_id_of(store, "100011")
    last = events_of(store, oid)[-1][1]
    store.execute("DELETE FROM event_links WHERE originator_id = ?", (oid,))
    store.execute("DELETE FROM stored_events WHERE originator_id = ?", (oid,))
    store.commit()
    code, report = verify(cli)
    assert code == 1 and any(f["version"] == last for f in named(report, "100011")), report["findings"]


def test_a_truncated_log_names_every_order_whose_events_were_cut(cli, store):
    (start,) = store.execute("SELECT MAX(rowid) - 10 FROM stored_events WHERE topic LIKE 'domain.order:%'").fetchone()
    cut = store.execute("SELECT DISTINCT originator_id FROM stored_events WHERE rowid > ?", (start,)).fetchall()
    orders = {json.loads(state)["order_no"] for (oid,) in cut for _, version, topic, state in events_of(store, oid)
              if topic == PLACED}
    assert orders  # the tail holds the last batch's order events, then its receipts
    store.execute("DELETE FROM stored_events WHERE rowid > ?", (start,))
    store.execute("DELETE FROM event_links WHERE notification_id NOT IN (SELECT rowid FROM stored_events)")
    store.commit()
    code, report = verify(cli)
    assert code == 1 and "log truncated" in {f["finding"] for f in report["findings"]}
    assert all(named(report, order_no) for order_no in orders), (orders, report["findings"])


def test_deleted_checkpoints_are_found_and_the_finding_names_an_order(cli, store):
    store.execute("DELETE FROM checkpoints")
    store.commit()
    code, report = verify(cli)
    assert code == 1 and any(f.get("order") for f in report["findings"]), report["findings"]
    assert any("checkpoint" in f["finding"] for f in report["findings"])


def test_a_middle_checkpoint_deleted_breaks_their_sequence(cli, store):
    cli("ingest", "-", stdin=cli("simulate", "--orders", "3", "--seed", "9").stdout)
    cli("checkpoint")
    store.execute("DELETE FROM checkpoints WHERE size = (SELECT MIN(size) FROM checkpoints)")
    store.commit()
    code, report = verify(cli)
    assert code == 1 and any("checkpoint" in f["finding"] and "removed" in f["finding"] for f in report["findings"])


def test_a_copy_of_the_database_without_the_key_directory_cannot_sign_a_checkpoint_the_service_accepts(
        cli, store, tmp_path):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    store.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    shutil.copyfile(tmp_path / "orderclaims.db", elsewhere / "orderclaims.db")
    env = {**os.environ, "ORDERCLAIMS_DATABASE_URL": f"sqlite:///{elsewhere / 'orderclaims.db'}",
           "ORDERCLAIMS_KEY_DIR": str(tmp_path / "the-attackers-keys")}
    for name in ("ORDERCLAIMS_MASTER_KEY", "ORDERCLAIMS_SIGNING_KEY", "ORDERCLAIMS_CHAIN_KEY",
                 "ORDERCLAIMS_KAFKA_BOOTSTRAP"):
        env.pop(name, None)
    done = subprocess.run([str(ORDERCLAIMS), "checkpoint", "--export", "forged.json"], capture_output=True, env=env,
                          cwd=elsewhere)
    if done.returncode == 0:  # whatever it signed, the service's key did not sign it
        shutil.copyfile(elsewhere / "forged.json", tmp_path / "forged.json")
        code, report = verify(cli, "--checkpoint", "forged.json")
        assert code == 1 and "checkpoint not signed by the service" in {f["finding"] for f in report["findings"]}
    else:
        assert b"Traceback" not in done.stderr and b"key" in done.stderr
    assert not list(elsewhere.glob("orderclaims.db.*key"))  # and no key was made beside the copy


def test_a_store_written_with_plain_links_still_verifies_after_keyed_events_are_appended(cli, tmp_path):
    """As the release before key tags left it: links without tags, no record of keyed links, checkpoints of
    message v1; its plain links stay evidence up to where keyed links begin, and the new ones are keyed."""
    lines = cli("simulate", "--orders", "60", "--seed", "5").stdout.splitlines(keepends=True)
    cli("ingest", "-", stdin=b"".join(lines[:150]))
    db = sqlite3.connect(tmp_path / "orderclaims.db")
    db.executescript("ALTER TABLE event_links DROP COLUMN tag; DELETE FROM store_settings WHERE name = "
                     "'chain_keyed_from'; DROP TABLE checkpoints; DROP TABLE checkpoint_leaves;")
    for rowid, oid, version, topic, state in db.execute(
            "SELECT rowid, originator_id, originator_version, topic, state FROM stored_events ORDER BY rowid").fetchall():
        (stored,) = db.execute("SELECT hash FROM event_links WHERE notification_id = ?", (rowid,)).fetchone()
        previous = genesis(UUID(oid)) if version == 1 else db.execute(
            "SELECT l.hash FROM event_links l JOIN stored_events n ON n.rowid = l.notification_id "
            "WHERE n.originator_id = ? AND n.originator_version = ?", (oid, version - 1)).fetchone()[0]
        assert stored == link(previous, UUID(oid), version, topic, state)  # the plain link function's
    db.commit()
    (plain,) = db.execute("SELECT MAX(rowid) FROM stored_events").fetchone()
    code, report = verify(cli)
    assert (code, report["keyed_from"]) == (0, 0)

    cli("ingest", "-", stdin=b"".join(lines[150:]))  # later events of the same orders join the plain chains
    cli("checkpoint")
    code, report = verify(cli)
    assert (code, report["keyed_from"], report["tags_checked"]) == (0, plain + 1, True), report["findings"]
    (untagged,) = db.execute("SELECT COUNT(*) FROM event_links WHERE tag IS NULL AND notification_id > ?",
                             (plain,)).fetchone()
    assert untagged == 0

    oid = order_id_of(db, "100003")  # and a plain link appended past that point is not evidence
    (_, version, head) = plain_chain(db, oid)[-1]
    state = b'{"at": "2026-11-30T10:00:00+09:00", "actor": "buyer", "rating": "bad"}'
    cur = db.execute("INSERT INTO stored_events (originator_id, originator_version, topic, state) "
                     "VALUES (?, ?, 'domain.order:Order.FeedbackGiven', ?)", (oid, version + 1, state))
    db.execute("INSERT INTO event_links (notification_id, originator_id, originator_version, hash) VALUES (?, ?, ?, ?)",
               (cur.lastrowid, oid, version + 1,
                link(head, UUID(oid), version + 1, "domain.order:Order.FeedbackGiven", state)))
    db.commit()
    db.close()
    code, report = verify(cli)
    assert code == 1 and [f["finding"] for f in named(report, "100003")] == ["event forged or altered"]


def test_removing_the_record_of_where_keyed_links_begin_is_found_by_the_signed_checkpoints(cli, store):
    store.execute("DELETE FROM store_settings WHERE name = 'chain_keyed_from'")
    store.execute("UPDATE event_links SET tag = NULL")
    store.commit()
    code, report = verify(cli)
    assert code == 1 and "keyed links record removed" in {f["finding"] for f in report["findings"]}
