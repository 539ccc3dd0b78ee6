"""The list pages read labels, say when nothing matched, and mark their tables for assistive
technology: captions, column and row headers, the sort they have (issue 19, item 3)."""

import re

from tests.e2e.test_order_page import ORDER_OF, main_text, site  # noqa: F401 (the fixture)


def test_settlement_filters_by_state_and_lists_blocked_orders_first(site):  # noqa: F811
    everything = site["seller"].get("/settlement?state=all").text
    listed = re.findall(r'<th scope="row"><a href="/orders/(\d+)">', everything.split('id="settlement-orders"')[1])
    assert listed[:2] == sorted([ORDER_OF["exchange"], ORDER_OF["non-receipt answered"]])  # blocked first
    assert set(listed) == set(ORDER_OF.values())
    blocked = main_text(site["seller"].get("/settlement?state=blocked").text)
    assert "精算保留" in blocked and ORDER_OF["cancel"] not in blocked and "交換: 再配送中" in blocked
    assert "該当する注文はありません" in main_text(site["seller"].get("/settlement?state=due&as_of=2026-11-02T12:00").text)
    assert site["seller"].get("/settlement?state=lost").status_code == 422


def test_an_empty_list_says_so(site):  # noqa: F811
    text = main_text(site["seller"].get("/claims?status=exchange.delayed&as_of=2026-11-05T12:00").text)
    assert "該当する注文はありません" in text


def test_every_table_has_a_caption_column_headers_and_its_sort_marked(site):  # noqa: F811
    for path in ("/todo", "/dashboard", "/claims?status=cancel.completed", "/settlement?state=all", "/points",
                 f"/orders/{ORDER_OF['return with a charge']}"):
        html = site["seller"].get(path).text
        tables = re.findall(r"<table.*?</table>", html, re.S)
        assert tables, path
        for table in tables:
            assert "<caption" in table, (path, table[:80])
            assert '<th scope="col"' in table or '<th scope="row"' in table, (path, table[:80])
            assert "<th>" not in table, (path, table[:80])
    assert 'aria-sort="ascending"' in site["seller"].get("/claims?status=cancel.completed").text
    assert 'aria-sort="ascending"' in site["seller"].get("/settlement").text
