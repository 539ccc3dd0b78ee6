"""`orderclaims trends` on an ingested simulated stream: its counts are the dashboard's (every claim of a
seller, refusal breaches), the service-point ledger's (orders delivered per month) and the orders' own
events' (refund yen, which settlement's amounts subtract); every seller's is the sum of each seller's;
weeks and months hold the same numbers; the filters narrow it."""

from collections import Counter, defaultdict
from datetime import datetime

import pytest

from domain.calendar import tokyo_date
from domain.claims import CLAIM_TYPES
from entrypoints.bootstrap import Settings
from entrypoints.documents import Documents
from projections import trends_queries as tq
from tests.e2e.conftest import as_json, embedded, simulated_store

AS_OF = "2026-11-21T09:00:00+09:00"
MOMENT = datetime.fromisoformat(AS_OF)
TYPES = [str(t) for t in CLAIM_TYPES]


@pytest.fixture(scope="module")
def ingested(tmp_path_factory):
    work = tmp_path_factory.mktemp("trends")
    cli = simulated_store(work, orders=900, seed=21)
    with pytest.MonkeyPatch.context() as patch:  # this process as the command line: its key files, not the
        embedded(patch)  # integration tests' keys in the environment
        patch.setenv("ORDERCLAIMS_DATABASE_URL", f"sqlite:///{work / 'orderclaims.db'}")
        docs = Documents(Settings.from_env())
        sellers = [line["seller_id"] for line in as_json(cli, "summary", "--as-of", AS_OF, "--sort", "seller_id")["sellers"]]
        yield cli, docs, sellers


def filed(document: dict) -> dict:
    return {t: document["total"]["claims"][t]["filed"] for t in document["claim_types"]}


def test_each_sellers_claims_filed_and_refusal_breaches_are_the_dashboards(ingested):
    cli, docs, sellers = ingested
    every = Counter()
    for seller in sellers:
        trends = docs.trends(MOMENT, "month", tq.Filter(seller_id=seller))
        listed = docs.claims(seller, as_of=MOMENT)["orders"]  # every claim of the seller, as the dashboard lists it
        assert filed(trends) == {t: sum(1 for r in listed if r["status"].split(".")[0] == t) for t in TYPES}, seller
        dashboard = docs.dashboard(seller, MOMENT)
        assert trends["total"]["refusal_breaches"] == len(dashboard["refusal_breaches"]), seller
        for t in TYPES:  # delayed now is delayed at some time
            assert trends["total"]["claims"][t]["delayed"] >= dashboard["counts"][t]["delayed"], (seller, t)
        every.update(filed(trends))
    everyone = as_json(cli, "trends", "--period", "month", "--as-of", AS_OF)
    assert filed(everyone) == dict(every) and sum(every.values()) > 50
    assert everyone["total"]["refusal_breaches"] == sum(
        len(docs.dashboard(s, MOMENT)["refusal_breaches"]) for s in sellers)


def test_orders_delivered_per_month_are_the_point_ledgers(ingested):
    cli, docs, sellers = ingested
    for seller in sellers[:6]:
        trends = docs.trends(MOMENT, "month", tq.Filter(seller_id=seller))
        for bucket in trends["buckets"]:
            ledger = docs.points(seller, bucket["start"][:7])
            assert bucket["orders_delivered"] == sum(r["orders"] for r in ledger["delivery"].values()), (seller, bucket)
            assert bucket["points"] == ledger["total"] or not bucket["complete"], (seller, bucket)


def test_refund_yen_is_what_the_orders_events_refunded_and_what_settlement_subtracts(ingested):
    cli, docs, sellers = ingested
    checked = 0
    for seller in sellers[:4]:
        trends = docs.trends(MOMENT, "month", tq.Filter(seller_id=seller))
        settlement = docs.settlement(seller, MOMENT)
        refunds, paid, charges = defaultdict(lambda: defaultdict(int)), 0, 0
        for order in settlement["orders"]:
            events = docs.history(order["order_no"], MOMENT)["events"]
            placed = events[0]["data"]
            paid += placed["quantity"] * placed["unit_price"] + placed["shipping_fee"]
            for e in events:
                month = tokyo_date(datetime.fromisoformat(e["at"])).strftime("%Y-%m")
                if e["data"].get("refund"):
                    refunds[month][e["data"]["claim_type"] or "?"] += e["data"]["refund"]
                if e["event"] == "PartialRefundApproved":
                    refunds[month]["partial_refund"] += e["data"]["amount"]
                if e["event"] == "ReturnChargePaid":
                    charges += e["data"]["amount"]
        for bucket in trends["buckets"]:
            month = refunds[bucket["start"][:7]]
            assert {t: bucket["claims"][t]["refund_yen"] for t in TYPES} == {t: month[t] for t in TYPES}
            assert bucket["partial_refund_yen"] == month["partial_refund"]
        refunded = trends["total"]["all"]["refund_yen"]
        assert refunded == sum(sum(m.values()) for m in refunds.values())
        assert sum(o["amount"] for o in settlement["orders"]) == paid - refunded + charges
        checked += refunded
    assert checked > 0


def test_weeks_and_months_sum_to_the_same_total_and_every_day_is_in_one_bucket(ingested):
    cli, docs, sellers = ingested
    weeks = as_json(cli, "trends", "--as-of", AS_OF)
    months = as_json(cli, "trends", "--period", "month", "--as-of", AS_OF)
    without_span = lambda total: {k: v for k, v in total.items() if k not in ("start", "end")}  # noqa: E731
    assert without_span(weeks["total"]) == without_span(months["total"])
    assert weeks["total"]["orders_delivered"] == sum(b["orders_delivered"] for b in weeks["buckets"])
    for buckets in (weeks["buckets"], months["buckets"]):
        for before, after in zip(buckets, buckets[1:]):  # consecutive, no day twice or lost
            assert (datetime.fromisoformat(after["start"]) - datetime.fromisoformat(before["end"])).days == 1
    assert all(datetime.fromisoformat(b["start"]).weekday() == 0 for b in weeks["buckets"][1:])


def test_the_filters_narrow_the_counts(ingested):
    cli, docs, sellers = ingested
    everything = as_json(cli, "trends", "--period", "month", "--as-of", AS_OF)
    october = as_json(cli, "trends", "--period", "month", "--as-of", AS_OF, "--from", "2026-10-01", "--to", "2026-10-31")
    [bucket] = october["buckets"]
    same_month = next(b for b in everything["buckets"] if b["start"] == "2026-10-01")
    assert bucket["all"] == same_month["all"] and bucket["orders_delivered"] == same_month["orders_delivered"]
    returns = as_json(cli, "trends", "--as-of", AS_OF, "--claim-type", "return")
    assert returns["claim_types"] == ["return"] and returns["total"]["all"]["filed"] == everything["total"]["claims"]["return"]["filed"]
    item = docs.claims(sellers[0], as_of=MOMENT)["orders"][0]["item"].split()[0]
    one_item = as_json(cli, "trends", "--seller", sellers[0], "--item", item, "--as-of", AS_OF)
    listed = [r for r in docs.claims(sellers[0], as_of=MOMENT)["orders"] if r["item"].split()[0] == item]
    assert one_item["total"]["all"]["filed"] == len(listed) > 0
    earlier = as_json(cli, "trends", "--as-of", "2026-10-15T12:00:00+09:00")
    assert earlier["total"]["all"]["filed"] < everything["total"]["all"]["filed"]
    assert cli("trends", "--period", "year", check=False).returncode == 2
