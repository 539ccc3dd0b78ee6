"""Buyer personal data (SPEC §7), as a user meets it on the embedded default: never in plaintext at
rest (database file, WAL, read models, exports, output), masked unless --unmask, erasable."""

import glob
import json

import orjson

AS_OF = "2026-11-21T09:00:00+09:00"


def personal_data(stream: bytes) -> set[str]:
    """Every buyer's and recipient's name, phone and address in an upstream stream, and every
    inquiry's text (personal data of its asker)."""
    found = set()
    for line in stream.splitlines():
        document = orjson.loads(line)
        for person in (document["data"].get("buyer"), document["data"].get("recipient")):
            if person:
                found |= {person["name"], person["phone"], person["address"]}
        if document["type"] == "inquiry.posted":
            found.add(document["data"]["text"])
    return found


def leaks(secrets: set[str], paths: list[str], *texts: bytes) -> list[str]:
    blobs = [open(p, "rb").read() for p in paths] + list(texts)
    return sorted(s for s in secrets if any(s.encode() in blob for blob in blobs))


def test_no_buyer_name_phone_or_address_is_stored_exported_or_printed_in_plaintext(cli, tmp_path):
    stream = cli("simulate", "--orders", "400", "--seed", "9").stdout
    secrets = personal_data(stream)
    assert len(secrets) > 600
    outputs = [cli("ingest", "-", stdin=stream)]
    for status in ("return.requested", "exchange.reshipping", "cancel.completed"):
        outputs.append(cli("claims", "--seller", "S001", "--status", status, "--as-of", AS_OF, "--xlsx",
                           f"{status}.xlsx"))
    outputs += [cli("dashboard", "--seller", "S001", "--as-of", AS_OF), cli("settlement", "--seller", "S001"),
                cli("history", "100007"), cli("history", "100007", "--json"), cli("rebuild")]
    files = glob.glob(str(tmp_path / "orderclaims.db*")) + glob.glob(str(tmp_path / "*.xlsx"))
    assert any(f.endswith("-wal") for f in files) or any(f.endswith(".db") for f in files)
    printed = [o.stdout + o.stderr for o in outputs]
    assert leaks(secrets, [f for f in files if not f.endswith(".key")], *printed) == []


def test_an_inquirys_text_is_sealed_at_rest_and_shown_in_the_sellers_view(cli, tmp_path):
    stream = cli("simulate", "--orders", "1000", "--seed", "2").stdout
    cli("ingest", "-", stdin=stream)
    posted = [orjson.loads(line) for line in stream.splitlines() if b'"inquiry.posted"' in line]
    assert len(posted) >= 5
    seller = posted[0]["data"]["seller_id"]
    files = [f for f in glob.glob(str(tmp_path / "orderclaims.db*")) if not f.endswith("key")]
    assert leaks({p["data"]["text"] for p in posted}, files) == []
    shown = json.loads(cli("inquiries", "--seller", seller, "--json").stdout)["inquiries"]
    assert posted[0]["data"]["text"] in {i["text"] for i in shown}


def test_history_is_masked_and_unmasked_only_when_asked(cli):
    stream = cli("simulate", "--orders", "50", "--seed", "4").stdout
    cli("ingest", "-", stdin=stream)
    placed = next(orjson.loads(line) for line in stream.splitlines() if b'"order.placed"' in line)
    buyer = placed["data"]["buyer"]
    masked = json.loads(cli("history", placed["order_no"], "--json").stdout)["events"][0]["data"]["buyer"]
    shown = json.loads(cli("history", placed["order_no"], "--json", "--unmask").stdout)["events"][0]["data"]["buyer"]
    assert shown == buyer
    assert masked["name"] != buyer["name"] and masked["name"][0] == buyer["name"][0]
    assert masked["phone"].endswith(buyer["phone"][-4:]) and buyer["phone"] not in json.dumps(masked)


def test_an_erased_buyer_leaves_nothing_readable_and_a_later_order_starts_a_new_key(cli, tmp_path):
    stream = cli("simulate", "--orders", "400", "--seed", "9").stdout
    reship = next(orjson.loads(line) for line in stream.splitlines() if b'"exchange.reshipped"' in line)
    cut = stream.index(orjson.dumps(reship))
    cli("ingest", "-", stdin=stream[:cut])  # everything up to the reship of one exchange
    order_no = reship["order_no"]
    placed = next(orjson.loads(line) for line in stream.splitlines()
                  if b'"order.placed"' in line and orjson.loads(line)["order_no"] == order_no)
    buyer = placed["data"]["buyer"]
    seller = placed["data"]["seller_id"]
    assert json.loads(cli("claims", "--seller", seller, "--order", order_no, "--json").stdout)["orders"][0][
        "buyer_name"].startswith(buyer["name"][0])

    done = json.loads(cli("forget-buyer", buyer["id"], "--by", "privacy desk", "--json").stdout)
    assert (done["buyer_id"], done["keys_destroyed"], done["by"]) == (buyer["id"], 1, "privacy desk")
    cli("ingest", "-", stdin=stream[cut:])  # the reship arrives after the erasure, with the recipient's data

    for flags in ((), ("--unmask",)):
        history = json.loads(cli("history", order_no, "--json", *flags).stdout)
        assert {k: history["events"][0]["data"]["buyer"][k] for k in ("name", "phone", "address")} == {
            "name": "[erased]", "phone": "[erased]", "address": "[erased]"}
        recipient = next(e["data"]["recipient"] for e in history["events"] if e["event"] == "ExchangeReshipped")
        assert {recipient[k] for k in ("name", "phone", "address")} == {"[erased]"}
    listed = json.loads(cli("claims", "--seller", seller, "--order", order_no, "--xlsx", "erased.xlsx", "--json").stdout)
    assert {o["buyer_name"] for o in listed["orders"]} == {"[erased]"}
    person = {buyer["name"], buyer["phone"], buyer["address"], *reship["data"]["recipient"].values()}
    files = [f for f in glob.glob(str(tmp_path / "orderclaims.db*")) if not f.endswith(".key")]
    assert leaks(person, files + [str(tmp_path / "erased.xlsx")]) == []

    again = {**placed, "message_id": "after-erasure", "order_no": "new-after-erasure", "cart_no": "C-new",
             "occurred_at": "2026-11-30T10:00:00+09:00",
             "data": {**placed["data"], "cart_no": "C-new", "promised_ship_date": "2026-12-02"}}
    cli("ingest", "-", stdin=orjson.dumps(again))
    shown = json.loads(cli("history", "new-after-erasure", "--json", "--unmask").stdout)["events"][0]["data"]["buyer"]
    assert shown["name"] == buyer["name"]  # a new order after the erasure: a new key, readable


def test_a_store_copied_without_its_key_file_gets_no_new_master_key(cli, tmp_path):
    cli("ingest", "-", stdin=cli("simulate", "--orders", "20", "--seed", "4").stdout)
    master = key_folder(tmp_path) / "master.key"
    master.unlink()
    refused = cli("history", "100001", check=False)
    assert refused.returncode != 0 and b"ORDERCLAIMS_MASTER_KEY" in refused.stderr and b"Traceback" not in refused.stderr
    assert not master.exists() and not (tmp_path / "orderclaims.db.key").exists()


def key_folder(tmp_path):
    """The store's folder in the (session's) key directory: named by the store's id."""
    import os
    import sqlite3
    from pathlib import Path

    db = sqlite3.connect(tmp_path / "orderclaims.db")
    (store_id,) = db.execute("SELECT value FROM store_settings WHERE name = 'store_id'").fetchone()
    db.close()
    return Path(os.environ["ORDERCLAIMS_KEY_DIR"]) / store_id.decode()


def test_a_buyer_key_made_for_a_batch_that_was_not_stored_is_never_used_again(tmp_path, monkeypatch):
    """New buyer keys are written in the events' transaction: a batch that fails leaves no key, and
    the sealer forgets the one it made, so an order another writer stored meanwhile (with its own
    key) has its later events sealed with that key, not with one the store never had."""
    from eventsourcing.persistence import OperationalError
    from sqlalchemy import func, select

    from consumers.routes import parse, to_command
    from domain.ids import ORDER
    from entrypoints.bootstrap import Settings, build_orders
    from store.keys import buyer_keys
    from tests.unit.messages import placed

    settings = Settings(database_url=f"sqlite:///{tmp_path / 'store.db'}")
    first, other = build_orders(settings), build_orders(settings)
    line = orjson.dumps(placed("100001"))
    command = lambda: [to_command(parse(line), raw=line, source="test")]  # noqa: E731
    failing = first.recorder._insert_events

    def fail_once(*args, **kwargs):
        monkeypatch.setattr(first.recorder, "_insert_events", failing)
        raise OperationalError("the store went away mid-batch")

    monkeypatch.setattr(first.recorder, "_insert_events", fail_once)
    try:
        first.process(command())
    except OperationalError:
        pass
    else:
        raise AssertionError("the failing batch was stored")
    keys = first.mapper.sealer.keys
    with keys.engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(buyer_keys)).scalar() == 0

    assert [o.status for o in other.process(command())] == ["accepted"]
    with keys.engine.connect() as conn:
        (stored_key,) = conn.execute(select(buyer_keys.c.key_id)).scalars().all()
    key_id, key = first.mapper.sealer._key_for(first.ids.find(ORDER, "100001"), owner=None)  # a later event's key
    assert key_id == stored_key and key is not None
