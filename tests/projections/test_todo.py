"""The seller's to-do list (SPEC §6.4) from ingested messages: each open claim's next step, the yen
held back, the late shipments; and on a simulated stream, every open claim the dashboard counts
appears exactly once."""

from collections import Counter
from datetime import datetime, timedelta

import orjson
import pytest
from sqlalchemy import create_engine
from sqlalchemy.pool import StaticPool

from consumers.ingest import ingest_lines
from domain.application import Orders
from domain.claims import CLOSED, STATUS_KEYS, Status, dashboard_key
from projections import dashboard_queries as dash
from projections.dashboard import Dashboard
from projections.runner import reading
from projections.settlement import Settlement
from projections.settlement_queries import settlement
from projections.todo import Todo
from projections.todo_queries import todo
from producers.simulator import simulate
from tests.projections.stories import delivered, order, paid, ship, step, t

AS_OF = datetime.fromisoformat(t("10-06 12:00"))
END_OF_DAY = ".999999+09:00"  # a time that lasts to the end of its Tokyo day: 23:59:59.999999
RECIPIENT = {"name": "n", "phone": "p", "address": "a"}


def prepared(no, when="10-01 11:00", **data):
    return step("order.prepared", no, "seller", when, **data)


def cancel_asked(no, when="10-02 09:00"):
    return step("cancel.requested", no, "buyer", when, reason="mistake")


def reshipped(no, when):
    return step("exchange.reshipped", no, "seller", when, carrier="y", tracking_no="9", cost_bearer="seller",
                reship_date="2026-10-04", recipient=RECIPIENT)


def returned(no, when="10-04 10:00"):
    return step("return.requested", no, "buyer", when, reason="damaged", responsibility="buyer")


def exchange(no, when="10-03 10:00"):
    return step("exchange.requested", no, "buyer", when, reason="size")


def accepted(no, when="10-03 11:00"):
    return step("exchange.accepted", no, "seller", when, memo="m")


def report(no, when="10-03 10:00"):
    return step("non_receipt.reported", no, "buyer", when, note="")


def every_step() -> list[dict]:
    s = []
    s += [order("A"), prepared("A"), cancel_asked("A")]
    s += [order("B"), prepared("B"), cancel_asked("B"), step("cancel.refused", "B", "seller", "10-02 10:00", reason="packed")]
    s += [order("B2"), prepared("B2"), cancel_asked("B2"), step("cancel.refused", "B2", "seller", "10-02 10:00", reason="packed"),
          ship("B2", "10-02 18:00")]
    s += [*delivered("C"), returned("C")]
    s += [*delivered("D"), returned("D"), step("return.approved", "D", "seller", "10-04 12:00")]
    s += [*delivered("E"), returned("E"), step("return.approved", "E", "seller", "10-04 12:00"),
          step("return.collected", "E", "seller", "10-05 12:00")]
    s += [*delivered("F"), exchange("F")]
    s += [*delivered("G"), exchange("G"), accepted("G")]
    s += [*delivered("H"), exchange("H"), accepted("H"), reshipped("H", "10-03 12:00")]
    early = dict(placed_at="09-25 10:00", shipped_at="09-25 15:00", at="09-26 12:00")
    for no in ("H2", "H3"):  # reshipped on 09-28 12:00: the buyer was asked to withdraw by 10-02 12:00
        s += [*delivered(no, **early), exchange(no, "09-28 10:00"), accepted(no, "09-28 11:00"), reshipped(no, "09-28 12:00")]
    s += [step("message.sent", "", "seller", "09-29 09:00", order_nos=["H2"], text="please withdraw")]
    s += [step("message.sent", "", "seller", "09-27 09:00", order_nos=["H3"], text="thanks")]  # dated before its claim
    s += [*delivered("I"), report("I")]
    s += [*delivered("J"), report("J"), step("non_receipt.answered", "J", "seller", "10-03 12:00", action="wait", until="2026-10-08")]
    s += [*delivered("K"), exchange("K"), step("claim.withdrawn", "K", "buyer", "10-04 10:00", note="")]
    s += [*delivered("K2"), returned("K2"), step("return.approved", "K2", "seller", "10-04 12:00"),
          step("return.collected", "K2", "seller", "10-05 12:00"), paid("K2", "10-05 18:00")]
    s += [*delivered("M"), exchange("M"), step("exchange.converted_to_return", "M", "seller", "10-03 12:00")]
    s += [*delivered("X", seller="S2"), returned("X")]
    return s


def test_every_open_claim_is_listed_with_the_sellers_next_step_by_due_time(world):
    world.send(*every_step())
    with world.conn() as conn:
        steps = todo(conn, conn, "S1", AS_OF)["steps"]
    listed = [(s["order_no"], s["claim_type"], s["status"], s["action"], s["due"], s["overdue"], s["withdraw_possible"])
              for s in steps]
    assert listed == [
        ("H2", "exchange", "reshipping", "ask_marketplace_to_withdraw", t("10-02 12:00"), True, True),
        ("H3", "exchange", "reshipping", "ask_marketplace_to_withdraw", t("10-02 12:00"), True, False),  # no message since
        ("B", "cancel", "refused", "ship_refused_cancel", "2026-10-02T23:59:59" + END_OF_DAY, True, None),
        ("A", "cancel", "requested", "approve_or_refuse_cancel", t("10-06 09:00"), True, None),
        ("F", "exchange", "requested", "accept_exchange", t("10-07 10:00"), False, None),
        ("G", "exchange", "accepted", "reship_exchange", t("10-07 10:00"), False, None),
        ("I", "non_receipt", "reported", "answer_non_receipt", t("10-07 10:00"), False, None),
        ("H", "exchange", "reshipping", "ask_buyer_to_withdraw", t("10-07 12:00"), False, None),
        ("M", "return", "requested", "approve_return", t("10-07 12:00"), False, None),  # the exchange it replaced: gone
        ("C", "return", "requested", "approve_return", t("10-08 10:00"), False, None),
        ("J", "non_receipt", "seller_confirmed", "ask_buyer_to_withdraw", "2026-10-08T23:59:59" + END_OF_DAY, False, None),
        ("D", "return", "returning", "confirm_collection", None, False, None),
        ("E", "return", "collected", "await_refund", None, False, None),
    ]  # B2 shipped the day of its refusal, K was withdrawn, K2 completed, X is another seller's


def test_a_step_names_its_order_cart_item_and_when_the_claim_was_filed(world):
    world.send(*every_step())
    with world.conn() as conn:
        refused = next(s for s in todo(conn, conn, "S1", AS_OF)["steps"] if s["order_no"] == "B")
    assert refused == {"order_no": "B", "cart_no": "CB", "item_no": "I1", "claim_type": "cancel", "status": "refused",
                     "filed_at": t("10-02 09:00"), "action": "ship_refused_cancel",
                     "due": "2026-10-02T23:59:59" + END_OF_DAY, "overdue": True, "withdraw_possible": None}


def test_the_yen_held_back_are_settlements_blocked_orders(world):
    world.send(*every_step())
    with world.conn() as conn:
        document = todo(conn, conn, "S1", AS_OF)
        blocked = settlement(conn, "S1", AS_OF)["summary"]["blocked"]
    assert document["held_back"] == blocked == {"orders": 11, "amount": 10 * 2500}  # E's refund is decided: 0 yen


def test_orders_past_their_promised_ship_date_and_unshipped_are_late_unless_being_cancelled_or_moved(world):
    late = {"promised_ship_date": "2026-10-03"}
    world.send(order("L1", **late), order("L2", **late), ship("L2", "10-04 10:00"),
               order("L3", **late), step("cancel.seller_initiated", "L3", "seller", "10-05 10:00", reason="out_of_stock"),
               order("L4", **late), prepared("L4", promised_ship_date="2026-10-07"),
               order("L5", promised_ship_date="2026-10-06"), order("L6", seller="S2", **late),
               order("L7", item_kind="made_to_order", **late), cancel_asked("L7", "10-05 10:00"))
    with world.conn() as conn:
        document = todo(conn, conn, "S1", AS_OF)
    assert document["late_shipments"] == [
        {"order_no": "L1", "cart_no": "CL1", "item_no": "I1", "promised_ship_date": "2026-10-03", "days_late": 3},
        {"order_no": "L7", "cart_no": "CL7", "item_no": "I1", "promised_ship_date": "2026-10-03", "days_late": 3},
    ]
    assert [(s["order_no"], s["action"]) for s in document["steps"]] == [
        ("L7", "approve_or_refuse_cancel"),  # a made-to-order item's cancel waits for the seller: still late
        ("L3", "await_refund"),  # the seller's cancel: the order will not ship
    ]


# ---- on a simulated stream ------------------------------------------------------------------

STREAM = [orjson.dumps(m) for m in simulate(orders=600, seed=21)]
PLACED = {m["order_no"]: m["data"]["seller_id"] for m in map(orjson.loads, STREAM) if m["type"] == "order.placed"}
SELLERS = sorted(set(PLACED.values()))
END = max(datetime.fromisoformat(orjson.loads(line)["occurred_at"]) for line in STREAM)
CUTS = [datetime.fromisoformat(t("08-25 12:00")) + n * timedelta(days=9, hours=7) for n in range(10)] + [END]


@pytest.fixture(scope="module")
def simulated():
    app = Orders(env={"PERSISTENCE_MODULE": "eventsourcing.popo"})
    ingest_lines(app, STREAM)
    return app, create_engine("sqlite://", poolclass=StaticPool)


def documents(app, engine, as_of) -> dict:
    """Per seller: the to-do document, the dashboard's counts and lists, its refusal breaches, as of then."""
    found = {}
    with (reading(app, engine, Todo(), as_of) as todo_conn, reading(app, engine, Settlement(), as_of) as settle_conn,
          reading(app, engine, Dashboard(), as_of) as dash_conn):
        for seller in SELLERS:
            found[seller] = {
                "todo": todo(todo_conn, settle_conn, seller, as_of),
                "counts": dash.counts(dash_conn, seller, as_of),
                "awaiting_refund": dash.awaiting_refund(dash_conn, seller, as_of),
                "open": {r["order_no"] for t, keys in STATUS_KEYS.items() for k in keys if k not in CLOSED
                         for r in dash.claim_list(dash_conn, seller, t, k, as_of)},
                "breaches": {b["order_no"] for b in dash.refusal_breaches(dash_conn, seller, as_of) if b["shipped_at"] is None},
            }
    return found


def test_every_open_claim_the_dashboard_counts_appears_exactly_once_on_the_list(simulated):
    actions = Counter()
    for as_of in CUTS:
        for seller, seen in documents(*simulated, as_of).items():
            steps = seen["todo"]["steps"]
            assert len({s["order_no"] for s in steps}) == len(steps)  # one step per order
            claims = [s for s in steps if s["status"] != Status.REFUSED]
            by_key = Counter((s["claim_type"], dashboard_key(s["claim_type"], s["status"])) for s in claims)
            refunding = {t: by_key.pop((t, Status.REFUNDING), 0) for t in ("exchange", "non_receipt")}
            counted = {(t, k): seen["counts"][t][k] for t, keys in STATUS_KEYS.items() for k in keys if k not in CLOSED}
            assert dict(by_key) == {key: n for key, n in counted.items() if n}, (as_of, seller)
            assert refunding == seen["awaiting_refund"], (as_of, seller)
            assert {s["order_no"] for s in claims if s["status"] != Status.REFUNDING} == seen["open"], (as_of, seller)
            overdue_refusals = {s["order_no"] for s in steps if s["status"] == Status.REFUSED and s["overdue"]}
            assert overdue_refusals == seen["breaches"], (as_of, seller)  # overdue exactly when breached
            actions.update(s["action"] for s in steps)
    assert sum(actions.values()) > 50 and len(actions) >= 7, actions


def test_the_late_shipments_are_the_orders_the_aggregate_finds_delayed_and_not_being_cancelled(simulated):
    app, engine = simulated
    late = {seller: seen["todo"]["late_shipments"] for seller, seen in documents(app, engine, END).items()}
    for seller in SELLERS:
        expected = set()
        for order_no in (no for no, s in PLACED.items() if s == seller):
            order = app.get_order(order_no)
            claim = order.open_claim
            cancelling = order.outcome == "cancelled" or (claim is not None and claim.type == "cancel"
                                                          and claim.status == Status.IN_PROGRESS)
            if order.is_delayed(END) and not cancelling:
                expected.add(order_no)
        assert {o["order_no"] for o in late[seller]} == expected, seller
    assert sum(map(len, late.values())) > 3
