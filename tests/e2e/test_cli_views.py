"""The query commands as a user runs them on an ingested simulated stream, with the JSON of SPEC §8."""

import json

import openpyxl
import pytest

from tests.e2e.conftest import as_json, simulated_store

AS_OF = "2026-11-21T09:00:00+09:00"


@pytest.fixture(scope="module")
def ingested(tmp_path_factory):
    return simulated_store(tmp_path_factory.mktemp("views"), orders=1500, seed=8)


def test_dashboard_json_has_the_shape_of_spec_section_8(ingested):
    document = as_json(ingested, "dashboard", "--seller", "S001", "--as-of", AS_OF)
    assert document["seller_id"] == "S001" and document["as_of"] == AS_OF
    assert {t: set(c) for t, c in document["counts"].items()} == {
        "cancel": {"requested", "in_progress", "completed", "delayed"},
        "return": {"requested", "returning", "on_hold", "collected", "completed", "delayed"},
        "exchange": {"requested", "reshipping", "delayed"},
        "non_receipt": {"reported", "seller_confirmed", "delayed"},
    }
    assert document["counts"]["cancel"]["completed"] > 0 and document["counts"]["return"]["completed"] > 0


def test_the_dashboard_table_is_laid_out_like_the_seeds_screen(ingested):
    out = ingested("dashboard", "--seller", "S001", "--as-of", AS_OF).stdout.decode()
    for label in ("キャンセル要請", "返品中", "- 返品保留", "- 回収完了/返金要請", "交換遅延", "確認遅延"):
        assert label in out


def test_the_list_behind_a_count_matches_the_count_and_exports_to_xlsx(ingested, tmp_path):
    counts = as_json(ingested, "dashboard", "--seller", "S002", "--as-of", AS_OF)["counts"]
    listed = as_json(ingested, "claims", "--seller", "S002", "--status", "cancel.completed", "--as-of", AS_OF,
                     "--xlsx", str(tmp_path / "c.xlsx"))
    assert len(listed["orders"]) == counts["cancel"]["completed"]
    rows = list(openpyxl.load_workbook(tmp_path / "c.xlsx").active.iter_rows(values_only=True))
    assert [r[6] for r in rows[1:]] == [o["order_no"] for o in listed["orders"]]


def test_a_bad_status_is_a_usage_error(ingested):
    assert ingested("claims", "--seller", "S1", "--status", "cancel.lost", check=False).returncode == 2


def test_settlement_json_lists_orders_with_state_due_date_amount_and_blockers(ingested):
    document = as_json(ingested, "settlement", "--seller", "S001", "--as-of", AS_OF)
    assert document["orders"]
    assert set(document["orders"][0]) >= {"order_no", "state", "due_date", "amount", "blocked_by"}
    assert {o["state"] for o in document["orders"]} <= {"pending", "blocked", "eligible", "due", "closed"}
    assert "due" in {o["state"] for o in document["orders"]}


def test_points_json_and_the_exchange_of_last_months_points(ingested):
    document = as_json(ingested, "points", "--seller", "S002", "--month", "2026-10", "--items")
    assert set(document) >= {"seller_id", "month", "delivery_points", "claim_points", "feedback_points", "total",
                             "exchangeable", "exchanged", "items"}
    assert (document["total"], document["exchangeable"], document["exchanged"]) == (120.1, 100, None)
    done = json.loads(ingested("exchange-points", "--seller", "S002", "--at", "2026-11-05T10:00:00+09:00", "--json").stdout)
    assert (done["month"], done["exchanged"], done["qcash_balance"]) == ("2026-10", 100, 100)
    assert as_json(ingested, "points", "--seller", "S002", "--month", "2026-10")["exchanged"] == 100
    again = ingested("exchange-points", "--seller", "S002", "--at", "2026-11-06T10:00:00+09:00", "--json", check=False)
    assert again.returncode == 1 and json.loads(again.stdout)["code"] == "already_exchanged"


def test_an_exchange_under_100_points_is_refused(ingested):
    done = ingested("exchange-points", "--seller", "S003", "--at", "2026-11-05T10:00:00+09:00", "--json", check=False)
    assert done.returncode == 1 and json.loads(done.stdout)["code"] == "nothing_to_exchange"


def test_rebuild_reports_every_projection_and_changes_no_answer(ingested):
    before = as_json(ingested, "dashboard", "--seller", "S001", "--as-of", AS_OF)
    report = as_json(ingested, "rebuild")
    assert set(report) == {"dashboard", "settlement", "points", "inquiries", "todo"}
    assert all(r["events"] > 1000 for r in report.values())
    assert as_json(ingested, "dashboard", "--seller", "S001", "--as-of", AS_OF) == before
