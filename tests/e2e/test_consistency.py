"""`orderclaims checkpoint --consistency OLD NEW` (SPEC §7): an RFC 6962 consistency proof that a later
checkpoint's log extends an earlier one's, checked offline by tools/verify_evidence.py — and refused
for a store whose history was rewritten by an insider holding every key."""

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path
from uuid import UUID

import pytest

from store.audit import chain_key
from store.chain import genesis, link, tag, tag_checkpoint

VERIFIER = Path(__file__).parents[2] / "tools" / "verify_evidence.py"


def offline(path: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-I", str(VERIFIER), "--consistency", str(path)], capture_output=True,
                          text=True)


@pytest.fixture
def store(cli, tmp_path):
    """30 orders and a checkpoint exported; then 20 more and another."""
    cli("ingest", "-", stdin=cli("simulate", "--orders", "30", "--seed", "5").stdout)
    cli("checkpoint", "--export", "old.json")
    cli("ingest", "-", stdin=cli("simulate", "--orders", "50", "--seed", "5").stdout)
    cli("checkpoint", "--export", "new.json")
    return tmp_path


def test_a_later_checkpoint_of_one_store_extends_an_earlier_one(cli, store):
    old = json.loads((store / "old.json").read_text())
    cli("checkpoint", "--consistency", "old.json", "new.json", "--out", "proof.json")
    done = offline(store / "proof.json")
    assert done.returncode == 0, done.stdout
    proof = json.loads((store / "proof.json").read_text())
    assert proof["old"]["log_size"] == old["log_size"] < proof["new"]["log_size"] and proof["proof"]
    cli("checkpoint", "--consistency", str(old["size"]), "new.json", "--out", "by-position.json")
    assert offline(store / "by-position.json").returncode == 0


def rewrite_history(db_path: Path, order_no: str) -> None:
    """An insider with the chain key alters an order's second event and recomputes its links and tags."""
    db = sqlite3.connect(db_path)
    oid = next(o for o, s in db.execute("SELECT originator_id, state FROM stored_events WHERE topic = "
                                        "'domain.order:Order.Placed'") if json.loads(s)["order_no"] == order_no)
    key = chain_key(f"sqlite:///{db_path}", create=False)
    db.execute("UPDATE stored_events SET state = CAST(REPLACE(CAST(state AS TEXT), 'seller', 'se11er') AS BLOB) "
               "WHERE originator_id = ? AND originator_version = 2", (oid,))
    value = genesis(UUID(oid))
    for rowid, version, topic, state in db.execute(
            "SELECT rowid, originator_version, topic, state FROM stored_events WHERE originator_id = ? "
            "ORDER BY originator_version", (oid,)).fetchall():
        value = link(value, UUID(oid), version, topic, state)
        (old_tag,) = db.execute("SELECT tag FROM event_links WHERE notification_id = ?", (rowid,)).fetchone()
        db.execute("UPDATE event_links SET hash = ?, tag = ? WHERE notification_id = ?",
                   (value, tag(key, value, tag_checkpoint(old_tag)), rowid))
    db.execute("DELETE FROM checkpoint_leaves")
    db.execute("DELETE FROM checkpoints")
    db.commit()
    db.close()


@pytest.mark.security
def test_a_store_whose_history_was_rewritten_gives_no_proof_against_an_old_checkpoint(cli, store, monkeypatch):
    monkeypatch.delenv("ORDERCLAIMS_CHAIN_KEY", raising=False)
    rewrite_history(store / "orderclaims.db", "100007")
    cli("checkpoint", "--export", "rewritten.json")
    done = cli("checkpoint", "--consistency", "old.json", "rewritten.json", "--out", "proof.json", check=False)
    assert done.returncode == 1 and b"rewritten" in done.stderr + done.stdout
    checked = offline(store / "proof.json")
    assert checked.returncode == 1 and "consistency proof" in checked.stdout
    # and a proof made before the rewrite does not join the old checkpoint to the rewritten one
    proof = json.loads((store / "proof.json").read_text())
    assert proof["old"]["log_root"] != proof["new"]["log_root"]


@pytest.mark.security
def test_an_altered_proof_or_checkpoint_is_named(cli, store):
    cli("checkpoint", "--consistency", "old.json", "new.json", "--out", "proof.json")
    good = json.loads((store / "proof.json").read_text())
    for where, change in [("consistency proof", lambda d: d["proof"].__setitem__(0, "00" * 32)),
                          ("old checkpoint", lambda d: d["old"].__setitem__("log_size", d["old"]["log_size"] - 1)),
                          ("new checkpoint", lambda d: d["new"].__setitem__("log_root", "11" * 32)),
                          ("public key", lambda d: d.__setitem__("public_key", "22" * 32))]:
        altered = json.loads(json.dumps(good))
        change(altered)
        (store / "altered.json").write_text(json.dumps(altered))
        done = offline(store / "altered.json")
        assert done.returncode == 1 and where in done.stdout, (where, done.stdout)
