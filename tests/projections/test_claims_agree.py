"""Property: for any sequence of valid messages, the read models say what the aggregate says about
every order's claim, money and to-do facts — they read the status from the events, never restate the rules."""

from datetime import datetime, timedelta

import orjson
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from consumers.ingest import ingest_lines
from consumers.routes import parse, to_command
from domain.application import Orders
from domain.unit_of_work import UnitOfWork
from domain.calendar import TOKYO
from domain.errors import Rejected
from projections.dashboard import dash_claims
from projections.settlement import settle_orders
from projections.todo import todo_claims, todo_messages, todo_orders
from tests.projections.conftest import World
from tests.unit.messages import lines, message, placed

START = datetime(2026, 10, 1, 9, 0, tzinfo=TOKYO)
ORDERS = ("1", "2")
RECIPIENT = {"name": "佐藤 陽菜", "phone": "090-1234-5678", "address": "東京都新宿区1-2-3"}

# (type, actor, data): every claim step of SPEC §4, some from an actor that may not send it.
STEPS = [
    ("order.prepared", "seller", {}),
    ("order.shipped", "seller", {"carrier": "ヤマト", "tracking_no": "1", "trackable": True}),
    ("order.delivered", "carrier", {"by": "tracking"}),
    ("order.delivered", "system", {"by": "auto"}),
    ("cancel.requested", "buyer", {"reason": "mistake"}),
    ("cancel.requested", "marketplace", {"reason": "phoned"}),
    ("cancel.approved", "seller", {}),
    ("cancel.approved", "buyer", {}),
    ("cancel.refused", "seller", {"reason": "packed"}),
    ("cancel.seller_initiated", "seller", {"reason": "out_of_stock"}),
    ("return.requested", "buyer", {"reason": "damaged", "responsibility": "buyer"}),
    ("return.requested", "buyer", {"reason": "wrong_item", "responsibility": "seller"}),
    ("return.approved", "seller", {}),
    ("return.held", "seller", {}),
    ("return.resumed", "seller", {}),
    ("return.collected", "seller", {}),
    ("return_charge.requested", "seller", {"amount": 500}),
    ("return_charge.paid", "payment", {}),
    ("return_charge.declined", "payment", {}),
    ("return_charge.cancelled", "seller", {}),
    ("exchange.requested", "buyer", {"reason": "size"}),
    ("exchange.accepted", "seller", {"memo": "ok"}),
    ("exchange.reshipped", "seller", {"carrier": "佐川", "tracking_no": "R1", "cost_bearer": "seller",
                                      "reship_date": "2026-10-20", "recipient": RECIPIENT}),
    ("exchange.converted_to_return", "seller", {}),
    ("non_receipt.reported", "buyer", {"note": "not here"}),
    ("non_receipt.answered", "seller", {"action": "wait", "until": "2026-10-25"}),
    ("non_receipt.answered", "seller", {"action": "reship", "carrier": "佐川", "tracking_no": "R2"}),
    ("claim.refunded_in_full", "seller", {}),
    ("claim.withdrawn", "buyer", {}),
    ("claim.withdrawn", "marketplace", {}),
    ("partial_refund.requested", "seller", {"category": "price_or_shipping", "amount": 300}),
    ("partial_refund.requested", "seller", {"category": "quantity_error", "quantity": 1}),
    ("partial_refund.approved", "marketplace", {}),
    ("partial_refund.rejected", "marketplace", {}),
    ("partial_refund.cancelled", "seller", {}),
    ("refund.paid", "payment", {}),
    ("message.sent", "seller", {"text": "hello"}),
    ("feedback.given", "buyer", {"rating": "bad"}),
]

kinds = st.sampled_from(["general", "made_to_order", "reservation"])


def step_message(order_no: str, step: tuple, at: datetime) -> dict:
    type_, actor, data = step
    if type_ == "message.sent":
        return message(type_, "", actor, at.isoformat(), order_nos=[order_no], **data)
    return message(type_, order_no, actor, at.isoformat(), **data)


def walk(data: st.DataObject, kind_1: str, kind_2: str) -> list[dict]:
    """Two orders of one cart, each delivered to a random point, then random steps: mostly ones the
    rules accept (found by trying them on a probe, where a rejected command changes nothing), one
    in five whatever was drawn first."""
    messages = [placed("1", cart_no="C1", item_kind=kind_1, promised_ship_date="2026-10-03"),
                placed("2", cart_no="C1", item_kind=kind_2, promised_ship_date="2026-10-02")]
    for m in messages:
        m["occurred_at"] = START.isoformat()
    at = START
    for order_no in ORDERS:  # how far each order got before its claims: a claim type of every kind
        for step in STEPS[:data.draw(st.integers(min_value=0, max_value=3), label="delivered")]:
            at += timedelta(hours=2)
            messages.append(step_message(order_no, step, at))
    probe = UnitOfWork(Orders(env={"PERSISTENCE_MODULE": "eventsourcing.popo"}))
    for m in messages:
        to_command(parse(orjson.dumps(m))).run(probe)
    for _ in range(data.draw(st.integers(min_value=1, max_value=30), label="steps")):
        order_no = data.draw(st.sampled_from(ORDERS), label="order")
        candidates = data.draw(st.permutations(STEPS), label="steps in the order tried")
        any_step = data.draw(st.integers(min_value=0, max_value=4), label="any") == 0
        at += timedelta(hours=data.draw(st.integers(min_value=1, max_value=40), label="hours"))
        for step in candidates:
            m = step_message(order_no, step, at)
            try:
                to_command(parse(orjson.dumps(m))).run(probe)
            except Rejected:
                if not any_step:
                    continue
            messages.append(m)
            break
    return messages


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data(), kind_1=kinds, kind_2=kinds)
def test_the_read_models_hold_every_orders_claim_and_money_as_the_aggregate_does(data, kind_1, kind_2):
    world = World()
    summary = ingest_lines(world.app, lines(*walk(data, kind_1, kind_2)))
    assert not summary.invalid, summary.invalid
    world.follower.catch_up()
    with world.conn() as conn:
        for order_no in ORDERS:
            order = world.app.get_order(order_no)
            latest = conn.execute(select(dash_claims.c.type, dash_claims.c.status).where(
                dash_claims.c.order_no == order_no).order_by(dash_claims.c.seq.desc()).limit(1)).first()
            claim = order.claim
            assert (tuple(latest) if latest else None) == ((claim.type, claim.status) if claim else None)
            money = conn.execute(select(settle_orders).where(settle_orders.c.order_no == order_no)).one()
            open_claim = order.open_claim
            assert money.claim == (f"{open_claim.type}.{open_claim.status}" if open_claim else None)
            assert (money.refunded, money.charges_paid) == (order.money.refunded, order.money.charges_paid)
            assert bool(money.cancelled) == (order.outcome == "cancelled")
            assert bool(money.partial_refund_pending) == (order.money.pending_partial_refund is not None)
            assert bool(money.return_charge_pending) == (order.money.pending_charge is not None)
            facts = conn.execute(select(todo_orders).where(todo_orders.c.order_no == order_no)).one()
            last_messaged = conn.execute(select(func.max(todo_messages.c.at)).where(
                todo_messages.c.order_no == order_no)).scalar()
            assert (facts.promised_ship_date, facts.shipped_at, last_messaged) == (
                order.promised_ship_date, order.shipped_at, max(order.buyer_messages, default=None))
            cancelling = open_claim is not None and (open_claim.type, open_claim.status) == ("cancel", "in_progress")
            assert bool(facts.cancelled) == (order.outcome == "cancelled" or cancelling)
            current = conn.execute(select(todo_claims.c.type, todo_claims.c.status, todo_claims.c.filed_at,
                                          todo_claims.c.wait_until).where(
                todo_claims.c.order_no == order_no, todo_claims.c.seq == facts.claims)).first()
            assert (tuple(current) if current else None) == (
                (claim.type, claim.status, claim.filed_at, claim.details.get("answer", {}).get("until")) if claim else None)
