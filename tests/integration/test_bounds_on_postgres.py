"""The largest values the contract admits fit PostgreSQL's event store and read models too
(its columns have widths and integer sizes that SQLite does not enforce)."""

from tests.unit.test_bounds import project_largest_order


def test_the_largest_values_the_contract_admits_go_through_postgresql(stack, tmp_path):
    project_largest_order(stack.app, stack.engine, tmp_path)
