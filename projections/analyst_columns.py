"""What of the read models leaves the service for analysts (docs/analysts.md): the one column policy of
`orderclaims export` and of the PostgreSQL views in schema `analyst` (projections/analyst_views.py).

Every column of every read-model table is named here, either exported or left out with its reason; a
column named in neither is left out (tests/unit/test_analyst_columns.py fails until it is classified).
Left out: buyer ids and names (masked or not), free text a buyer or seller typed (it may name a
person), and the handlers' own bookkeeping. The positions and parked-events tables are no read model:
never exported. And how each table answers "as of T" without a replay: a versioned table from its
history (projections/temporal.py), a table of facts that are only ever added by its time column;
a table whose rows change in place cannot.
"""

from dataclasses import dataclass, field

from sqlalchemy import Column, Table

from projections.dashboard_tables import dash_claims, dash_claims_history, dash_orders, dash_orders_history
from projections.inquiries import inquiries
from projections.points_tables import points_entries, points_exchanges, points_orders, points_sellers
from projections.settlement_tables import (
    settle_orders, settle_orders_history, settle_refunds, settle_sellers, settle_sellers_history,
)
from projections.temporal import HISTORY
from projections.todo_tables import todo_claims, todo_claims_history, todo_messages, todo_orders, todo_orders_history

BUYER = "buyer personal data"
FREE_TEXT = "free text: may name a person"
BOOKKEEPING = "the handlers' bookkeeping, not a fact"

VERSIONED = "versioned"  # as of T: current rows valid then and history rows valid then
FACTS = "facts"  # as of T: the facts added by then
CHANGED_IN_PLACE = "rows change in place, no history: cannot answer as of a past moment"


@dataclass(frozen=True)
class TablePolicy:
    projection: str
    exported: tuple[str, ...]  # the columns an analyst gets, in this order
    left_out: dict[str, str] = field(default_factory=dict)  # column -> why
    added_at: str | None = None  # facts only ever added: as of T is `added_at <= T`
    as_of: str = VERSIONED  # VERSIONED, FACTS, or why it cannot answer


def _cols(text: str) -> tuple[str, ...]:
    return tuple(text.split())


INTERNAL_ID = "the store's internal id"
POLICY: dict[Table, TablePolicy] = {
    dash_orders: TablePolicy(
        "dashboard", _cols("order_no seller_id cart_no placed_at order_date item_no item_name quantity refund_to "
                           "shipped_at refused_on breach_from valid_from"),
        {"buyer_id": BUYER, "buyer_name": BUYER, "order_id": INTERNAL_ID, "claims": BOOKKEEPING}),
    dash_claims: TablePolicy(
        "dashboard", _cols("order_no seq seller_id order_date item_no type status status_key is_open filed_at filed_on "
                           "closed_at open_seconds valid_from"),
        {"reason": FREE_TEXT}),
    settle_orders: TablePolicy(
        "settlement", _cols("order_no seller_id item_no paid refunded charges_paid delivered_at delivered_on cancelled claim "
                            "partial_refund_pending return_charge_pending valid_from"),
        {"order_id": INTERNAL_ID}),
    settle_refunds: TablePolicy(
        "settlement", _cols("order_no seller_id item_no claim_type amount at refunded_on"), {"id": BOOKKEEPING},
        added_at="at", as_of=FACTS),
    settle_sellers: TablePolicy("settlement", _cols("seller_id level valid_from"), {"seller_uuid": INTERNAL_ID}),
    points_orders: TablePolicy(
        "points", _cols("order_no seller_id item_no item_name item_kind region paid placed_at shipped_at"),
        {"order_id": INTERNAL_ID}, as_of=CHANGED_IN_PLACE),
    points_entries: TablePolicy(
        "points", _cols("seller_id month order_no item_no item_name region kind detail tenths amount at booked_on"),
        {"id": BOOKKEEPING}, added_at="at", as_of=FACTS),
    points_sellers: TablePolicy("points", _cols("seller_id"), {"seller_uuid": INTERNAL_ID},
                                as_of="no time is kept: cannot answer as of a past moment"),
    points_exchanges: TablePolicy("points", _cols("seller_id month points_tenths qcash at"), added_at="at", as_of=FACTS),
    inquiries: TablePolicy(
        "inquiries", _cols("inquiry_no seller_id item_no posted_at answers answered_at hidden_at asker_restricted"),
        {"inquiry_id": INTERNAL_ID}, as_of=CHANGED_IN_PLACE),
    todo_orders: TablePolicy(
        "todo", _cols("order_no seller_id cart_no item_no promised_ship_date shipped_at cancelled claims valid_from"),
        {"order_id": INTERNAL_ID}),
    todo_claims: TablePolicy(
        "todo", _cols("order_no seq seller_id type status is_open filed_at since wait_until valid_from")),
    todo_messages: TablePolicy("todo", _cols("order_no at"), {"id": BOOKKEEPING}, added_at="at", as_of=FACTS),
}
# A history table has its table's policy and `valid_to`; as of T it is folded into its table's rows.
for _table in [t for t in POLICY if t in HISTORY]:
    _policy = POLICY[_table]
    POLICY[HISTORY[_table]] = TablePolicy(_policy.projection, (*_policy.exported, "valid_to"), _policy.left_out,
                                          as_of="a history: as of T it is folded into its table's rows")

TABLES: dict[str, Table] = {table.name: table for table in POLICY}
PROJECTIONS: tuple[str, ...] = tuple(dict.fromkeys(p.projection for p in POLICY.values()))


def exported(table: Table) -> list[Column]:
    """The table's columns an analyst gets, as the policy names them (a column it does not name is left out)."""
    return [table.c[name] for name in POLICY[table].exported]


def unclassified(table: Table) -> set[str]:
    """Columns the policy neither exports nor leaves out (added since it was written): left out."""
    policy = POLICY[table]
    return set(table.c.keys()) - set(policy.exported) - set(policy.left_out)


def answers_as_of(table: Table) -> bool:
    """Whether the state at a moment can be read from the table without a replay."""
    return POLICY[table].as_of == FACTS or (POLICY[table].as_of == VERSIONED and table in HISTORY)


def named(names: list[str]) -> list[Table]:
    """The tables of `all`, of a projection's name, or one table by its name, in the policy's order."""
    if "all" in names:
        return list(POLICY)
    found: list[Table] = []
    for name in names:
        if name in PROJECTIONS:
            found += [t for t, p in POLICY.items() if p.projection == name]
        elif name in TABLES:
            found.append(TABLES[name])
        else:
            raise KeyError(name)
    return list(dict.fromkeys(found))
