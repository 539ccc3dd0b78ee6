"""The command line as a user runs it: simulate, ingest, ingest again, history."""

import json

import orjson


def test_ingesting_a_simulated_stream_of_10000_orders_accepts_it_all_and_a_second_time_sees_only_duplicates(cli, tmp_path):
    stream = tmp_path / "upstream.jsonl"
    cli("simulate", "--orders", "10000", "--seed", "11", "--output", str(stream))
    lines = stream.read_bytes().splitlines()
    placed = [orjson.loads(line) for line in lines if b'"order.placed"' in line]
    assert len(placed) == 10000
    assert len(lines) > 40000

    first = json.loads(cli("ingest", str(stream), "--json").stdout)
    assert first == {"accepted": len(lines), "duplicates": 0, "rejected": [], "invalid": []}

    again = json.loads(cli("ingest", str(stream), "--json").stdout)
    assert again == {"accepted": 0, "duplicates": len(lines), "rejected": [], "invalid": []}


def test_ingest_reports_invalid_lines_and_rejections_and_still_exits_0(cli, tmp_path):
    good = cli("simulate", "--orders", "3", "--seed", "1").stdout.splitlines()
    bad_type = orjson.dumps({**orjson.loads(good[-1]), "message_id": "x1", "type": "order.teleported"})
    unknown = orjson.dumps({**orjson.loads(good[-1]), "message_id": "x2", "type": "refund.paid",
                            "actor": "payment", "order_no": "nope", "data": {}})
    stdin = b"\n".join([*good, b"{oops", bad_type, unknown]) + b"\n"
    done = cli("ingest", "-", "--json", stdin=stdin)
    summary = json.loads(done.stdout)
    assert summary["accepted"] == len(good)
    assert summary["invalid"][0]["line"] == len(good) + 1 and summary["invalid"][0]["message_id"] is None
    assert summary["invalid"][1] == {"line": len(good) + 2, "message_id": "x1",
                                     "reason": "type: unknown message type 'order.teleported'"}
    assert summary["rejected"] == [{"message_id": "x2", "code": "unknown_order", "detail": "order 'nope' was never placed"}]


def test_the_readable_summary_names_the_rejection_codes(cli):
    stdin = orjson.dumps({"message_id": "a", "type": "refund.paid", "order_no": "9", "occurred_at": "2026-11-02T10:00:00+09:00",
                          "actor": "payment", "data": {}})
    out = cli("ingest", "-", stdin=stdin).stdout.decode()
    assert "rejected" in out and "unknown_order 1" in out


def test_usage_errors_exit_2(cli):
    assert cli("ingest", "no-such-file.jsonl", check=False).returncode == 2
    assert cli("history", "1", "--as-of", "yesterday", check=False).returncode == 2


def test_history_shows_every_event_with_time_actor_and_masked_buyer_data_and_the_state_as_of_a_time(cli, tmp_path):
    stream = cli("simulate", "--orders", "50", "--seed", "2").stdout
    cli("ingest", "-", stdin=stream)
    first_order = next(orjson.loads(l) for l in stream.splitlines() if b"order.placed" in l)
    order_no, buyer = first_order["order_no"], first_order["data"]["buyer"]

    document = json.loads(cli("history", order_no, "--json").stdout)
    placed = document["events"][0]
    assert placed["event"] == "Placed" and placed["actor"] == "buyer"
    assert placed["at"] == first_order["occurred_at"]
    assert placed["data"]["buyer"]["name"] != buyer["name"] and placed["data"]["buyer"]["name"].startswith(buyer["name"][0])
    assert buyer["phone"] not in json.dumps(document, ensure_ascii=False)
    assert buyer["address"] not in json.dumps(document, ensure_ascii=False)

    at_placement = json.loads(cli("history", order_no, "--as-of", first_order["occurred_at"], "--json").stdout)
    assert [e["event"] for e in at_placement["events"]] == ["Placed"]
    assert at_placement["state"]["delivery"] == "new" and at_placement["state"]["version"] == 1
