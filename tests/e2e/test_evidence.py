"""One order's evidence (SPEC §7): `verify --order`, `evidence ORDER_NO --out FILE`, checked offline by
tools/verify_evidence.py — which names what failed when any byte of an event, link, proof, checkpoint
or key is altered, and still holds after the buyer's erasure."""

import base64
import copy
import importlib.util
import json
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

VERIFIER = Path(__file__).parents[2] / "tools" / "verify_evidence.py"


def standalone():
    spec = importlib.util.spec_from_file_location("verify_evidence", VERIFIER)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def store(cli, tmp_path):
    cli("ingest", "-", stdin=cli("simulate", "--orders", "40", "--seed", "5").stdout)
    cli("checkpoint")
    return tmp_path


def offline(path: Path) -> subprocess.CompletedProcess:
    """The verifier as another team runs it: a bare interpreter, nothing of orderclaims on its path."""
    return subprocess.run([sys.executable, "-I", str(VERIFIER), str(path)], capture_output=True, text=True)


def test_verify_order_checks_one_order_and_its_inclusion(cli, store):
    done = cli("verify", "--order", "100007", "--json")
    report = json.loads(done.stdout)
    assert report["ok"] and report["events"] == report["covered"] > 1 and report["tags_checked"]
    print(f"verify --order: {report['milliseconds']} ms")


@pytest.mark.security
def test_verify_order_names_an_altered_event(cli, store):
    db = sqlite3.connect(store / "orderclaims.db")
    oid = next(o for o, s in db.execute("SELECT originator_id, state FROM stored_events WHERE topic = "
                                        "'domain.order:Order.Placed'") if json.loads(s)["order_no"] == "100007")
    db.execute("UPDATE stored_events SET state = CAST(REPLACE(CAST(state AS TEXT), 'seller', 'se11er') AS BLOB) "
               "WHERE originator_id = ? AND originator_version = 2", (oid,))
    db.commit()
    done = cli("verify", "--order", "100007", "--json", check=False)
    assert done.returncode == 1
    found = [(f["finding"], f["version"]) for f in json.loads(done.stdout)["findings"]]
    assert found[0] == ("event altered", 2) and {f for f, _ in found} == {"event altered"}  # and each later link


def test_a_bundle_verifies_offline_and_holds_ciphertext_only(cli, store):
    cli("evidence", "100007", "--out", "bundle.json")
    done = offline(store / "bundle.json")
    assert done.returncode == 0, done.stdout
    assert done.stdout.startswith("OK")
    bundle = json.loads((store / "bundle.json").read_text())
    assert "unmasked" not in bundle
    placed = json.loads(base64.b64decode(bundle["events"][0]["state"]))
    name = json.loads(cli("history", "100007", "--unmask", "--json").stdout)["events"][0]["data"]["buyer"]["name"]
    assert name not in json.dumps(placed, ensure_ascii=False)


def test_an_unmasked_bundle_also_verifies(cli, store):
    cli("evidence", "100007", "--out", "bundle.json", "--unmask")
    bundle = json.loads((store / "bundle.json").read_text())
    assert "*" not in bundle["unmasked"][0]["data"]["buyer"]["name"]
    assert offline(store / "bundle.json").returncode == 0


def test_an_order_with_events_after_the_latest_checkpoint_gets_one_signed_for_its_bundle(cli, store):
    cli("ingest", "-", stdin=cli("simulate", "--orders", "45", "--seed", "5").stdout)
    cli("evidence", "100042", "--out", "bundle.json")
    assert offline(store / "bundle.json").returncode == 0


def test_an_erased_buyers_order_still_verifies(cli, store):
    buyer = json.loads(cli("history", "100007", "--json").stdout)["events"][0]["data"]["buyer"]["id"]
    cli("forget-buyer", buyer)
    assert json.loads(cli("verify", "--order", "100007", "--json").stdout)["ok"]
    cli("evidence", "100007", "--out", "bundle.json")
    assert offline(store / "bundle.json").returncode == 0
    history = json.loads(cli("history", "100007", "--json").stdout)
    assert "erased" in json.dumps(history["events"][0]["data"]["buyer"], ensure_ascii=False)


def altered_hex(value: str, at: int) -> str:
    return value[:at] + ("0" if value[at] != "0" else "1") + value[at + 1:]


def alterations(bundle: dict):
    """(what, altered bundle, a word the verifier's finding must carry) for every byte of every
    signed or hashed value."""
    for i, event in enumerate(bundle["events"]):
        state = base64.b64decode(event["state"])
        for at in range(len(state)):
            b = copy.deepcopy(bundle)
            b["events"][i]["state"] = base64.b64encode(state[:at] + bytes([state[at] ^ 1]) + state[at + 1:]).decode()
            yield f"event {i + 1} state byte {at}", b, f"event {i + 1}"
        for at in range(len(event["link"])):
            b = copy.deepcopy(bundle)
            b["events"][i]["link"] = altered_hex(event["link"], at)
            yield f"event {i + 1} link char {at}", b, f"event {i + 1}"
        b = copy.deepcopy(bundle)
        b["events"][i]["topic"] = event["topic"] + "x"
        yield f"event {i + 1} topic", b, f"event {i + 1}"
        b = copy.deepcopy(bundle)
        b["events"][i]["version"] += 1
        yield f"event {i + 1} version", b, "event"
    for at in range(len(bundle["aggregate_id"])):
        if bundle["aggregate_id"][at] != "-":
            b = copy.deepcopy(bundle)
            b["aggregate_id"] = altered_hex(bundle["aggregate_id"], at)
            yield f"aggregate id char {at}", b, "event 1"
    b = copy.deepcopy(bundle)
    b["order_no"] = bundle["order_no"] + "0"
    yield "order number", b, "order"
    for name in ("tree_size", "version"):
        b = copy.deepcopy(bundle)
        b["inclusion"][name] += 1
        yield f"inclusion {name}", b, "inclusion"
    for at in range(len(bundle["inclusion"]["head"])):
        b = copy.deepcopy(bundle)
        b["inclusion"]["head"] = altered_hex(bundle["inclusion"]["head"], at)
        yield f"inclusion head char {at}", b, "inclusion"
    for j, node in enumerate(bundle["inclusion"]["audit_path"]):
        for at in range(len(node)):
            b = copy.deepcopy(bundle)
            b["inclusion"]["audit_path"][j] = altered_hex(node, at)
            yield f"audit path {j} char {at}", b, "inclusion proof"
    b = copy.deepcopy(bundle)
    b["inclusion"]["leaf_index"] += 1
    yield "leaf index", b, "inclusion proof"
    for name in ("root", "signature", "previous_root", "log_root"):
        for at in range(len(bundle["checkpoint"][name])):
            b = copy.deepcopy(bundle)
            b["checkpoint"][name] = altered_hex(bundle["checkpoint"][name], at)
            yield f"checkpoint {name} char {at}", b, "checkpoint"
    for name in ("size", "heads", "previous_size", "keyed_from", "log_size"):
        b = copy.deepcopy(bundle)
        b["checkpoint"][name] += 1
        yield f"checkpoint {name}", b, "checkpoint"
    for at in range(len(bundle["public_key"])):
        b = copy.deepcopy(bundle)
        b["public_key"] = altered_hex(bundle["public_key"], at)
        yield f"public key char {at}", b, "key"
        b = copy.deepcopy(bundle)
        b["checkpoint"]["public_key"] = altered_hex(bundle["public_key"], at)
        yield f"checkpoint public key char {at}", b, "key"


@pytest.mark.security
def test_altering_any_byte_of_the_bundle_makes_the_verifier_name_what_failed(cli, store):
    cli("evidence", "100007", "--out", "bundle.json")
    bundle = json.loads((store / "bundle.json").read_text())
    verifier = standalone()
    assert verifier.check_bundle(bundle) == []
    tried = 0
    for what, altered, named in alterations(bundle):
        failed = verifier.check_bundle(altered)
        assert failed, f"{what}: not caught"
        assert any(named in f for f in failed), f"{what}: {failed}"
        tried += 1
    assert tried > 1000
    altered = copy.deepcopy(bundle)
    altered["events"][1]["state"] = base64.b64encode(b"x" + base64.b64decode(bundle["events"][1]["state"])).decode()
    (store / "altered.json").write_text(json.dumps(altered))
    done = offline(store / "altered.json")
    assert done.returncode == 1 and "FAILED: event 2" in done.stdout


@pytest.mark.security
def test_a_bundle_missing_its_last_event_or_signed_by_another_key_fails(cli, store):
    cli("evidence", "100007", "--out", "bundle.json")
    bundle = json.loads((store / "bundle.json").read_text())
    verifier = standalone()
    short = copy.deepcopy(bundle)
    short["events"].pop()
    assert any("inclusion" in f for f in verifier.check_bundle(short))
    assert any("--public-key" in f for f in verifier.check_bundle(bundle, pinned=bytes(32)))


def test_every_orders_bundle_verifies_across_the_checkpoints_blocks(cli, store, monkeypatch):
    """The audit path is its block's leaves and the blocks' hashes (docs/decisions/0020): orders in
    the first and the later blocks alike."""
    from domain.errors import UnknownOrder
    from entrypoints.bootstrap import Settings
    from entrypoints.documents import Documents
    from store.audit import BLOCK
    from tests.e2e.conftest import embedded

    embedded(monkeypatch)
    # 300 orders: a new store's orders have time-ordered ids, which sort together, so it takes more
    # orders than chains of a block for them to reach the second block (docs/decisions/0019)
    cli("ingest", "-", stdin=cli("simulate", "--orders", "300", "--seed", "5").stdout)
    docs = Documents(Settings(database_url=f"sqlite:///{store / 'orderclaims.db'}"))
    verifier = standalone()
    indexes = []
    for n in range(100000, 100305):
        try:
            bundle = docs.evidence(str(n))
        except UnknownOrder:
            continue
        assert verifier.check_bundle(bundle) == [], n
        assert docs.verify_order(str(n))["ok"]
        indexes.append(bundle["inclusion"]["leaf_index"])
    assert len(indexes) >= 295 and bundle["inclusion"]["tree_size"] > BLOCK and max(indexes) >= BLOCK > min(indexes)
