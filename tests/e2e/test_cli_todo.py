"""`orderclaims todo` as a seller runs it: the JSON document, and a table with due times in Tokyo."""

import json

import orjson
import pytest

from entrypoints.presentation.words import STEP
from tests.e2e.conftest import command_line
from tests.projections.stories import delivered, order, step, t

AS_OF = "2026-10-06T03:00:00+00:00"  # 12:00 in Tokyo


def stream() -> bytes:
    messages = [
        *delivered("R1", placed_at="09-28 10:00", shipped_at="09-28 15:00", at="09-29 12:00"),
        step("return.requested", "R1", "buyer", "10-01 18:00", reason="damaged", responsibility="buyer"),
        *delivered("X1"), step("exchange.requested", "X1", "buyer", "10-02 13:00", reason="size"),
        step("exchange.accepted", "X1", "seller", "10-02 14:00", memo="m"),
        step("exchange.reshipped", "X1", "seller", "10-02 15:00", carrier="y", tracking_no="9", cost_bearer="seller",
             reship_date="2026-10-02", recipient={"name": "n", "phone": "p", "address": "a"}),
        step("message.sent", "", "seller", "10-02 16:00", cart_no="CX1", text="please withdraw after receipt"),
        order("L1", promised_ship_date="2026-10-03"),
        *delivered("O1", seller="S2"), step("non_receipt.reported", "O1", "buyer", "10-03 10:00", note=""),
    ]
    return b"".join(orjson.dumps(m) + b"\n" for m in messages)


@pytest.fixture(scope="module")
def ingested(tmp_path_factory):
    cli = command_line(tmp_path_factory.mktemp("todo"))
    cli("ingest", "-", stdin=stream())
    return cli


def test_todo_json_lists_each_step_with_its_due_time_the_yen_held_back_and_the_late_shipments(ingested):
    document = json.loads(ingested("todo", "--seller", "S1", "--as-of", AS_OF, "--json").stdout)
    assert (document["seller_id"], document["as_of"]) == ("S1", AS_OF)
    assert [(s["order_no"], s["action"], s["due"], s["overdue"], s["withdraw_possible"]) for s in document["steps"]] == [
        ("R1", "approve_return", t("10-05 18:00"), True, None),
        ("X1", "ask_buyer_to_withdraw", t("10-06 15:00"), False, None),  # reshipped 10-02 15:00
    ]
    assert document["held_back"] == {"orders": 2, "amount": 5000}
    assert document["late_shipments"] == [
        {"order_no": "L1", "cart_no": "CL1", "item_no": "I1", "promised_ship_date": "2026-10-03", "days_late": 3}]


def test_after_the_deadline_the_seller_is_told_to_ask_the_marketplace_and_that_it_will_withdraw(ingested):
    document = json.loads(ingested("todo", "--seller", "S1", "--as-of", "2026-10-07T09:00:00+09:00", "--json").stdout)
    reship = next(s for s in document["steps"] if s["order_no"] == "X1")
    assert (reship["action"], reship["overdue"], reship["withdraw_possible"]) == ("ask_marketplace_to_withdraw", True, True)
    out = ingested("todo", "--seller", "S1", "--as-of", "2026-10-07T09:00:00+09:00").stdout.decode()
    assert f"{STEP['ask_marketplace_to_withdraw']} (possible: you messaged the buyer)" in out


def test_the_table_shows_due_times_in_tokyo_and_marks_what_is_overdue(ingested):
    out = ingested("todo", "--seller", "S1", "--as-of", AS_OF).stdout.decode()
    overdue_line = next(line for line in out.splitlines() if "R1" in line)
    assert "2026/10/05 18:00" in overdue_line and "OVERDUE" in overdue_line and STEP["approve_return"] in overdue_line
    reship_line = next(line for line in out.splitlines() if "X1" in line)
    assert "2026/10/06 15:00" in reship_line and "OVERDUE" not in reship_line
    assert "2 orders, 5,000 yen" in out and "L1" in out


def test_a_seller_sees_only_its_own_claims(ingested):
    document = json.loads(ingested("todo", "--seller", "S2", "--as-of", AS_OF, "--json").stdout)
    assert [s["order_no"] for s in document["steps"]] == ["O1"]


def test_a_bad_as_of_time_is_a_usage_error(ingested):
    assert ingested("todo", "--seller", "S1", "--as-of", "tomorrow", check=False).returncode == 2
