"""Settlement eligibility: each state, what blocks, the amounts, the first-Wednesday rule."""

from datetime import date, datetime

import pytest

from domain.settlement import due_date
from projections import settlement_queries as settle
from projections.settlement import Settlement
from projections.runner import reading
from tests.projections.stories import delivered, order, paid, ship, step, t


@pytest.mark.parametrize("level, due", [("power", date(2019, 6, 12)), ("excellent", date(2019, 6, 19)), ("general", date(2019, 6, 26))])
def test_the_due_date_is_the_first_wednesday_on_or_after_delivery_plus_the_levels_cycle(level, due):
    assert due_date(date(2019, 6, 6), level) == due  # SPEC §6.2's worked example: delivered Thu 2019-06-06


def test_a_due_date_already_on_a_wednesday_stays():
    assert due_date(date(2026, 10, 23), "power") == date(2026, 10, 28)  # Fri + 5 = Wed


def states(world, as_of: str, seller: str = "S1") -> dict:
    """The settlement as of a moment: events after it are not used."""
    moment = datetime.fromisoformat(t(as_of))
    with reading(world.app, world.engine, Settlement(), moment, follow=False) as conn:
        document = settle.settlement(conn, seller, moment)
    return {o["order_no"]: o for o in document["orders"]}


def test_each_order_is_pending_blocked_eligible_due_or_closed(world):
    world.send(
        step("seller.registered", "", "marketplace", "09-01 10:00", seller_id="S1", level="power"),
        order("P1"), ship("P1", "10-01 12:00"),  # pending: not delivered
        *delivered("B1"), step("return.requested", "B1", "buyer", "10-03 10:00", reason="x", responsibility="buyer"),
        *delivered("E1", at="10-08 12:00"),  # Thu 10-08 + 5 = Tue 10-13 → Wed 10-14
        *delivered("D1", shipped_at="10-01 11:00", at="10-01 12:00"),  # Thu 10-01 + 5 → Wed 10-07
        order("X1"), step("cancel.requested", "X1", "buyer", "10-01 11:00", reason="x"), paid("X1", "10-02 10:00"),
    )
    orders = states(world, "10-10 12:00")
    assert orders["P1"]["state"] == "pending" and orders["P1"]["due_date"] is None
    assert orders["B1"]["state"] == "blocked" and orders["B1"]["blocked_by"] == ["return.requested"]
    assert (orders["E1"]["state"], orders["E1"]["due_date"]) == ("eligible", "2026-10-14")
    assert (orders["D1"]["state"], orders["D1"]["due_date"]) == ("due", "2026-10-07")
    assert (orders["X1"]["state"], orders["X1"]["amount"]) == ("closed", 0)


def test_a_pending_partial_refund_or_return_charge_blocks_and_names_itself(world):
    world.send(
        *delivered("R1"), step("partial_refund.requested", "R1", "seller", "10-03 10:00", category="price_or_shipping", amount=300),
        *delivered("R2"), step("return.requested", "R2", "buyer", "10-03 10:00", reason="x", responsibility="buyer"),
        step("return.approved", "R2", "seller", "10-03 11:00"),
        step("return_charge.requested", "R2", "seller", "10-03 12:00", amount=600),
    )
    orders = states(world, "10-10 12:00")
    assert orders["R1"]["blocked_by"] == ["partial_refund"]
    assert orders["R2"]["blocked_by"] == ["return.returning", "return_charge"]


def test_the_amount_is_paid_less_refunded_plus_return_charges_paid(world):
    world.send(
        *delivered("M1"),  # paid 2 × 1000 + 500 = 2500
        step("partial_refund.requested", "M1", "seller", "10-03 10:00", category="quantity_error", quantity=1),
        step("partial_refund.approved", "M1", "marketplace", "10-03 12:00"),
        *delivered("M2"), step("return.requested", "M2", "buyer", "10-03 10:00", reason="x", responsibility="buyer"),
        step("return.approved", "M2", "seller", "10-03 11:00"),
        step("return_charge.requested", "M2", "seller", "10-03 12:00", amount=600),
        step("return_charge.paid", "M2", "payment", "10-03 13:00"),
        step("return.collected", "M2", "seller", "10-04 13:00"), paid("M2", "10-05 10:00"),
        *delivered("M3"), step("return.requested", "M3", "buyer", "10-03 10:00", reason="x", responsibility="seller"),
        step("return.approved", "M3", "seller", "10-03 11:00"), step("return.collected", "M3", "seller", "10-04 13:00"),
        paid("M3", "10-05 10:00"),
    )
    orders = states(world, "10-25 12:00")  # general seller: delivered 10-02 + 15 → Wed 10-21
    assert (orders["M1"]["state"], orders["M1"]["amount"]) == ("due", 1500)  # refunded while owed, too
    assert (orders["M2"]["state"], orders["M2"]["amount"]) == ("due", 600)  # only the charge is left to settle
    assert (orders["M3"]["state"], orders["M3"]["amount"]) == ("closed", 0)  # fully refunded


def test_the_due_date_counts_from_delivery_even_when_a_claim_delayed_eligibility(world):
    world.send(*delivered("L1", shipped_at="10-01 11:00", at="10-01 12:00"), step("exchange.requested", "L1", "buyer", "10-02 10:00", reason="x"),
               step("claim.withdrawn", "L1", "buyer", "10-20 10:00", note=""))
    assert states(world, "10-10 12:00")["L1"]["state"] == "blocked"
    later = states(world, "10-21 12:00")["L1"]
    assert (later["state"], later["due_date"]) == ("due", "2026-10-21")  # general: 10-01 + 15 = Fri 10-16 → Wed 10-21


def test_the_sellers_level_sets_the_cycle_and_an_unregistered_seller_counts_as_general(world):
    world.send(*delivered("G1", shipped_at="10-01 11:00", at="10-01 12:00", seller="S7"))
    assert states(world, "10-02 12:00", "S7")["G1"]["due_date"] == "2026-10-21"
    world.send(step("seller.registered", "", "marketplace", "10-02 13:00", seller_id="S7", level="excellent"))
    assert states(world, "10-02 14:00", "S7")["G1"]["due_date"] == "2026-10-14"  # 10-01 + 10 = Sun 10-11 → Wed 10-14


def test_settlement_rows_give_a_due_date_and_what_blocks_only_where_spec_says(world):
    world.send(
        order("U1"), ship("U1", "10-01 12:00"), step("return.requested", "U1", "buyer", "10-01 13:00", reason="x",
                                                      responsibility="buyer"),  # pending, with an open claim
        *delivered("B1"), step("exchange.requested", "B1", "buyer", "10-03 10:00", reason="x"),
        step("exchange.accepted", "B1", "seller", "10-03 11:00", memo="m"),  # blocked by exchange.accepted
        order("C1"), step("cancel.requested", "C1", "buyer", "10-01 11:00", reason="x"), paid("C1", "10-02 10:00"),
    )
    orders = states(world, "10-10 12:00")
    assert (orders["U1"]["state"], orders["U1"]["due_date"], orders["U1"]["blocked_by"]) == ("pending", None, [])
    assert (orders["B1"]["state"], orders["B1"]["blocked_by"]) == ("blocked", ["exchange.accepted"])
    assert orders["B1"]["due_date"] == "2026-10-21"  # the date it would have: delivered 10-02 + 15 → Wed 10-21
    assert (orders["C1"]["state"], orders["C1"]["due_date"], orders["C1"]["blocked_by"]) == ("closed", None, [])


@pytest.mark.parametrize("shown", [("blocked", "due", "eligible"), settle.STATES, ("closed",)])
def test_the_pages_of_a_list_hold_each_order_of_its_states_once_blocked_first_then_the_soonest_paid(world, shown):
    world.send(
        step("seller.registered", "", "marketplace", "09-01 10:00", seller_id="S1", level="power"),
        order("P1"), ship("P1", "10-01 12:00"),
        *delivered("B1", at="10-02 12:00"),
        step("return.requested", "B1", "buyer", "10-03 10:00", reason="x", responsibility="buyer"),
        *delivered("B2", shipped_at="10-01 11:00", at="10-01 12:00"),
        step("return.requested", "B2", "buyer", "10-03 10:00", reason="x", responsibility="buyer"),
        *delivered("E2", at="10-09 12:00"), *delivered("E1", at="10-08 12:00"),
        *delivered("D2", shipped_at="10-01 11:00", at="10-02 12:00"),
        *delivered("D1", shipped_at="10-01 11:00", at="10-01 12:00"),
        order("X1"), step("cancel.requested", "X1", "buyer", "10-01 11:00", reason="x"), paid("X1", "10-02 10:00"),
    )
    moment = datetime.fromisoformat(t("10-10 12:00"))
    with reading(world.app, world.engine, Settlement(), moment, follow=False) as conn:
        everything = settle.settlement(conn, "S1", moment)
        pages = [settle.settlement_page(conn, "S1", moment, shown, 2, offset) for offset in range(0, 12, 2)]
    listed = [o for p in pages for o in p["orders"]]
    assert sorted(listed, key=lambda o: o["order_no"]) == [o for o in everything["orders"] if o["state"] in shown]
    assert all(p["listed"] == len(listed) and p["summary"] == everything["summary"] for p in pages)
    assert all(len(p["orders"]) <= 2 for p in pages)
    rank = [(settle.LISTED_FIRST.index(o["state"]), o["due_date"] or "9999") for o in listed]
    assert rank == sorted(rank)
    if shown == settle.STATES:
        assert [o["order_no"] for o in listed] == ["B2", "B1", "D1", "D2", "E1", "E2", "P1", "X1"]
