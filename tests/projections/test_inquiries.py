"""Inquiries (SPEC §10): posted, answered, hidden only once answered, the asker restricted; the item
page shows a hidden one only as its placeholder, the seller's view everything; each code."""

import pytest

from consumers.ingest import ingest_lines
from projections import inquiries_queries as iq
from tests.projections.conftest import World
from tests.projections.stories import t
from tests.unit.messages import lines, message


def inquiry(type_: str, actor: str, when: str, **data) -> dict:
    return message(type_, "", actor, t(when), **{"item_no": "I1", **data})


POSTED = dict(inquiry_no="Q1", seller_id="S1", buyer_id="B9", title="在庫", text="090-1111-2222 に電話ください")


def codes(summary) -> list[str]:
    return [r["code"] for r in summary.rejected]


def test_an_inquiry_is_answered_then_hidden_and_the_item_page_shows_only_its_placeholder(world):
    world.send(inquiry("inquiry.posted", "buyer", "10-01 10:00", **POSTED),
               inquiry("inquiry.answered", "seller", "10-01 11:00", inquiry_no="Q1", text="在庫あります"),
               inquiry("inquiry.hidden", "seller", "10-01 12:00", inquiry_no="Q1", title="非公開", reason="電話番号",
                       restrict_asker=True),
               inquiry("inquiry.posted", "buyer", "10-02 10:00", **{**POSTED, "inquiry_no": "Q2", "buyer_id": "B8",
                                                                   "text": "色は？"}))
    with world.conn() as conn:
        page = iq.item_page(conn, "S1", "I1", world.app.events.get)
        seller = iq.seller_view(conn, "S1", world.app.events.get)
        assert iq.seller_view(conn, "S2", world.app.events.get) == []  # another seller sees none of them
    assert page[0] == {"inquiry_no": "Q1", "status": "hidden", "posted_at": "2026-10-01T10:00:00+09:00",
                       "title": "非公開のお問い合わせです"}
    assert (page[1]["status"], page[1]["text"]) == ("waiting", "色は？")
    assert seller[0]["text"] == POSTED["text"] and seller[0]["hidden"]["reason"] == "電話番号"
    assert seller[0]["asker_restricted"] is True and seller[0]["answers"][0]["text"] == "在庫あります"


def test_every_inquiry_code_is_reachable(world):
    summary = ingest_lines(world.app, lines(
        inquiry("inquiry.answered", "seller", "10-01 09:00", inquiry_no="Q0", text="x"),  # unknown_inquiry
        inquiry("inquiry.posted", "buyer", "10-01 10:00", **POSTED),
        inquiry("inquiry.posted", "buyer", "10-01 10:01", **POSTED),  # inquiry_exists
        inquiry("inquiry.hidden", "seller", "10-01 10:02", inquiry_no="Q1", title="t", reason="r"),  # not_answered
        inquiry("inquiry.answered", "buyer", "10-01 10:03", inquiry_no="Q1", text="x"),  # actor_not_allowed
        inquiry("inquiry.answered", "seller", "10-01 10:04", inquiry_no="Q1", text="はい"),
        inquiry("inquiry.hidden", "seller", "10-01 10:05", inquiry_no="Q1", title="t", reason="r", restrict_asker=True),
        inquiry("inquiry.hidden", "seller", "10-01 10:06", inquiry_no="Q1", title="t", reason="r"),  # already_hidden
        inquiry("inquiry.posted", "buyer", "10-01 10:07", **{**POSTED, "inquiry_no": "Q3"}),  # asker_restricted
        inquiry("inquiry.posted", "buyer", "10-01 10:08", **{**POSTED, "inquiry_no": "Q4", "item_no": "I2"}),  # another item
    ))
    assert codes(summary) == ["unknown_inquiry", "inquiry_exists", "not_answered", "actor_not_allowed",
                              "already_hidden", "asker_restricted"]
    assert summary.accepted == 4


@pytest.mark.security
def test_an_item_is_its_sellers_own_so_a_restriction_and_a_page_are_one_sellers(world):
    """Two sellers sell item I1: a buyer restricted on S1's I1 still asks on S2's, and neither page
    shows the other's inquiries (SPEC §10, revised)."""
    world.send(inquiry("inquiry.posted", "buyer", "10-01 10:00", **POSTED),
               inquiry("inquiry.answered", "seller", "10-01 11:00", inquiry_no="Q1", text="在庫あります"),
               inquiry("inquiry.hidden", "seller", "10-01 12:00", inquiry_no="Q1", title="非公開", reason="電話番号",
                       restrict_asker=True),
               inquiry("inquiry.posted", "buyer", "10-02 10:00", **{**POSTED, "inquiry_no": "Q2", "seller_id": "S2",
                                                                     "text": "S2 への質問 080-3333-4444"}))
    summary = ingest_lines(world.app, lines(
        inquiry("inquiry.posted", "buyer", "10-03 10:00", **{**POSTED, "inquiry_no": "Q3"})))
    assert codes(summary) == ["asker_restricted"]  # on S1's I1 the restriction holds
    with world.conn() as conn:
        s1 = iq.item_page(conn, "S1", "I1", world.app.events.get)
        s2 = iq.item_page(conn, "S2", "I1", world.app.events.get)
    assert [i["inquiry_no"] for i in s1] == ["Q1"] and [i["inquiry_no"] for i in s2] == ["Q2"]


@pytest.mark.security
def test_a_restriction_an_earlier_release_recorded_by_item_number_alone_still_holds():
    """Earlier releases kept an item's restricted askers under its number alone (no seller)."""
    from datetime import datetime, timezone

    from domain.inquiry import ItemInquiries, legacy_item_id

    world = World()
    old = ItemInquiries(item_no="I1")  # opened without a seller: the earlier release's id
    assert old.id == legacy_item_id("I1")
    old.restrict(actor="seller", at=datetime(2026, 9, 1, tzinfo=timezone.utc), buyer_id="B9")
    world.app.save(old)
    summary = ingest_lines(world.app, lines(inquiry("inquiry.posted", "buyer", "10-01 10:00", **POSTED)))
    assert codes(summary) == ["asker_restricted"]
