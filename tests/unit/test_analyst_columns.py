"""The analysts' column policy (projections/analyst_columns.py) names every column of every read model
once, exported or left out with its reason, and exports no buyer data nor free text."""

from projections.analyst_columns import POLICY, answers_as_of, exported, named, unclassified
from projections.runner import PROJECTIONS
from projections.temporal import HISTORY

PERSONAL = ("buyer", "reason", "note", "text", "phone", "address", "email")  # asker_restricted: a flag


def test_every_table_of_every_projection_has_a_policy_and_nothing_else_does():
    tables = {t for cls in PROJECTIONS.values() for t in cls.tables}
    assert set(POLICY) == tables


def test_every_column_is_classified_once():
    for table, policy in POLICY.items():
        assert unclassified(table) == set(), table.name
        assert not set(policy.exported) & set(policy.left_out), table.name
        assert set(policy.exported) <= set(table.c.keys()) and set(policy.left_out) <= set(table.c.keys()), table.name


def test_no_buyer_column_nor_free_text_is_exported():
    for table in POLICY:
        names = [c.name for c in exported(table)]
        assert not [n for n in names if any(word in n for word in PERSONAL)], table.name
    assert {"buyer_id", "buyer_name"} <= set(POLICY[next(t for t in POLICY if t.name == "dash_orders")].left_out)


def test_as_of_is_answered_by_the_versioned_tables_and_the_tables_of_facts_only():
    answering = {t.name for t in POLICY if answers_as_of(t)}
    assert {t.name for t in HISTORY if t in POLICY} <= answering
    assert {"points_entries", "points_exchanges", "todo_messages"} <= answering
    assert not answering & {"points_orders", "inquiries", "points_sellers", *(h.name for h in HISTORY.values())}


def test_tables_are_named_by_table_projection_or_all():
    assert [t.name for t in named(["dashboard"])] == ["dash_orders", "dash_claims", "dash_orders_history",
                                                     "dash_claims_history"]
    assert [t.name for t in named(["inquiries", "inquiries"])] == ["inquiries"]
    assert named(["all"]) == list(POLICY)
