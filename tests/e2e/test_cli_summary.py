"""`orderclaims summary` as an analyst runs it on an ingested simulated stream: the sellers' own
`dashboard --json` side by side and summed, sorted, for a period, as of a past moment, as .xlsx."""


import openpyxl
import pytest

from projections.summary_queries import COLUMNS
from tests.e2e.conftest import as_json, simulated_store

AS_OF = "2026-11-21T09:00:00+09:00"
EARLIER = "2026-10-15T12:00:00+09:00"
OCTOBER = ("--from", "2026-10-01", "--to", "2026-10-31")
FIGURES = ("open", "delayed", "refusal_breaches", "held_back", "held_back_orders")


@pytest.fixture(scope="module")
def ingested(tmp_path_factory):
    return simulated_store(tmp_path_factory.mktemp("summary"), orders=1500, seed=8)


def dashboards(cli, sellers, *args) -> dict:
    return {s: as_json(cli, "dashboard", "--seller", s, *args) for s in sellers}


def summed(counts: list[dict]) -> dict:
    return {t: {k: sum(c[t][k] for c in counts) for k in keys} for t, keys in counts[0].items()}


def test_the_summed_total_equals_the_sum_of_every_sellers_dashboard_json(ingested):
    document = as_json(ingested, "summary", "--as-of", AS_OF)
    sellers = [line["seller_id"] for line in document["sellers"]]
    assert sorted(sellers) == [f"S{n:03d}" for n in range(1, 7)]
    own = dashboards(ingested, sellers, "--as-of", AS_OF)
    for line in document["sellers"]:
        mine = own[line["seller_id"]]
        assert line["counts"] == mine["counts"] and line["awaiting_refund"] == mine["awaiting_refund"]
        assert line["refusal_breaches"] == len(mine["refusal_breaches"])
        assert line["delayed"] == sum(c["delayed"] for c in mine["counts"].values())
    assert document["total"]["counts"] == summed([d["counts"] for d in own.values()])
    assert document["total"]["refusal_breaches"] == sum(len(d["refusal_breaches"]) for d in own.values())
    assert document["total"]["counts"]["return"]["completed"] > 0 and document["total"]["delayed"] > 0
    for figure in FIGURES:
        assert document["total"][figure] == sum(line[figure] for line in document["sellers"])


def test_the_yen_held_back_is_what_each_sellers_settlement_shows_blocked(ingested):
    document = as_json(ingested, "summary", "--as-of", AS_OF, "--sort", "held_back")
    top = document["sellers"][0]
    blocked = as_json(ingested, "settlement", "--seller", top["seller_id"], "--as-of", AS_OF)["summary"]["blocked"]
    assert (top["held_back"], top["held_back_orders"]) == (blocked["amount"], blocked["orders"]) and top["held_back"] > 0


@pytest.mark.parametrize("key", ["delayed", "refusal_breaches", "held_back", "open", "seller_id"])
def test_the_sellers_are_sorted_by_each_key_largest_first_then_by_seller_id(ingested, key):
    document = as_json(ingested, "summary", "--as-of", AS_OF, "--sort", key)
    lines = document["sellers"]
    expected = sorted(lines, key=lambda l: l["seller_id"] if key == "seller_id" else (-l[key], l["seller_id"]))
    assert document["sort_by"] == key and [l["seller_id"] for l in lines] == [l["seller_id"] for l in expected]
    assert key == "seller_id" or len({l[key] for l in lines}) > 1  # the stream sorts them for real


def test_an_unknown_sort_key_is_a_usage_error(ingested):
    assert ingested("summary", "--sort", "buyer_name", check=False).returncode == 2


def test_the_period_counts_only_orders_placed_in_it_as_each_sellers_dashboard_does(ingested):
    october = as_json(ingested, "summary", "--as-of", AS_OF, *OCTOBER)
    everything = as_json(ingested, "summary", "--as-of", AS_OF)
    assert (october["from"], october["to"]) == ("2026-10-01", "2026-10-31")
    own = dashboards(ingested, [line["seller_id"] for line in october["sellers"]], "--as-of", AS_OF, *OCTOBER)
    assert {l["seller_id"]: l["counts"] for l in october["sellers"]} == {s: d["counts"] for s, d in own.items()}
    assert 0 < october["total"]["counts"]["cancel"]["completed"] < everything["total"]["counts"]["cancel"]["completed"]


def test_a_past_as_of_gives_the_counts_of_that_time(ingested):
    earlier = as_json(ingested, "summary", "--as-of", EARLIER)
    now = as_json(ingested, "summary", "--as-of", AS_OF)
    assert earlier["as_of"] == EARLIER
    own = dashboards(ingested, [line["seller_id"] for line in earlier["sellers"]], "--as-of", EARLIER)
    assert {l["seller_id"]: l["counts"] for l in earlier["sellers"]} == {s: d["counts"] for s, d in own.items()}
    assert earlier["total"]["counts"]["cancel"]["completed"] < now["total"]["counts"]["cancel"]["completed"]


def test_the_xlsx_opens_with_a_row_per_seller_and_the_total_holding_the_same_numbers(ingested, tmp_path):
    path = tmp_path / "summary.xlsx"
    document = as_json(ingested, "summary", "--as-of", AS_OF, "--xlsx", str(path))
    rows = list(openpyxl.load_workbook(path).active.iter_rows(values_only=True))
    header, lines = rows[0], [dict(zip(COLUMNS, r)) for r in rows[1:]]
    assert header[0] == "販売者ID" and {"キャンセル要請", "確認遅延", "遅延", "精算保留額(円)"} <= set(header)  # Japanese headers
    assert [l["seller_id"] for l in lines] == [l["seller_id"] for l in document["sellers"]] + ["合計"]
    for row, line in zip(lines, (*document["sellers"], document["total"])):
        assert row["return.completed"] == line["counts"]["return"]["completed"]
        assert row["exchange.delayed"] == line["counts"]["exchange"]["delayed"]
        assert [row[f] for f in FIGURES] == [line[f] for f in FIGURES]
        assert [row["orders"], row["claims"], row["claims_per_100_orders"]] == \
            [line["orders"], line["claims"], line["claims_per_100_orders"]]
        assert row["delayed_share"] == (None if line["delayed_share"] is None else round(line["delayed_share"] * 100, 1))
    assert {"注文数", "クレーム件数", "注文100件あたりのクレーム件数", "処理中のうち遅延(%)"} <= set(header)
    assert all(isinstance(h, str) and "_" not in h and "." not in h for h in header), header  # no raw key


def test_the_rates_stand_beside_the_counts_they_come_from(ingested):
    """Orders: every order placed (in the period), as the dashboard's lists count them; claims: every claim
    of those orders; the rates are those divided."""
    document = as_json(ingested, "summary", "--as-of", AS_OF, *OCTOBER)
    for line in (*document["sellers"], document["total"]):
        assert line["claims_per_100_orders"] == (round(line["claims"] * 100 / line["orders"], 1) if line["orders"] else None)
        assert line["delayed_share"] == (round(line["delayed"] / line["open"], 4) if line["open"] else None)
    every = as_json(ingested, "summary", "--as-of", AS_OF)
    assert 0 < document["total"]["orders"] < every["total"]["orders"]
    assert document["total"]["claims"] <= every["total"]["claims"]
    by_claims = as_json(ingested, "summary", "--as-of", AS_OF, "--sort", "claims_per_100_orders")["sellers"]
    rates = [line["claims_per_100_orders"] for line in by_claims if line["claims_per_100_orders"] is not None]
    assert rates == sorted(rates, reverse=True) and len(rates) > 1


def test_the_table_has_a_line_per_seller_and_a_total_line(ingested):
    out = ingested("summary", "--as-of", AS_OF).stdout.decode().splitlines()
    document = as_json(ingested, "summary", "--as-of", AS_OF)
    body = out[3:3 + len(document["sellers"]) + 1]
    assert [line.split()[0] for line in body] == [l["seller_id"] for l in document["sellers"]] + ["total"]
    total = body[-1].split()
    assert int(total[1]) == document["total"]["orders"] and int(total[2]) == document["total"]["claims"]
    assert float(total[3]) == document["total"]["claims_per_100_orders"]
    assert int(total[4]) == document["total"]["open"] and int(total[-2]) == document["total"]["held_back"]
    assert out[-1] == f"{len(document['sellers'])} sellers"
