"""The order page reads like QSM's 取引情報, never like Python (issue 19): for an order with a cancel, a
return with a return charge, an exchange, a refusal and an answered non-receipt, the page a seller
and an auditor read holds no program value — no dict or enum repr, no None/True/False/[], no raw ISO
time, no English key — and says what happened, who did it, when, and where the refund went. The
list pages of the same store read labels, say when nothing matched, and mark their tables for
assistive technology: captions, column and row headers, the sort they have (item 3)."""

import re

import orjson
import pytest

from entrypoints.bootstrap import Settings
from entrypoints.documents import Documents
from entrypoints.presentation import words
from entrypoints.serve import create_app
from store.api_keys import ApiKeys
from tests.e2e.conftest import command_line, embedded, log_in
from tests.unit.messages import message, placed

DAY = "2026-11-{:02d}T{:02d}:00:00+09:00"


def at(day: int, hour: int) -> str:
    return DAY.format(day, hour)


def shipped_and_delivered(order_no: str) -> list[dict]:
    return [
        message("order.prepared", order_no, "seller", at(2, 12)),
        message("order.shipped", order_no, "seller", at(3, 9), carrier="ヤマト運輸", tracking_no="4455-6677", trackable=True),
        message("order.delivered", order_no, "carrier", at(4, 9), by="tracking"),
    ]


STORIES = {
    "cancel": [
        placed("200001", cart_no="C1"),
        message("order.prepared", "200001", "seller", at(2, 12)),
        message("cancel.requested", "200001", "buyer", at(2, 13), reason="found_cheaper"),
        message("cancel.approved", "200001", "seller", at(2, 14)),
        message("refund.paid", "200001", "payment", at(3, 10)),
    ],
    "return with a charge": [
        placed("200002", cart_no="C2", payment_method="cash"),
        *shipped_and_delivered("200002"),
        message("return.requested", "200002", "buyer", at(5, 10), reason="damaged", responsibility="buyer",
                attachments=["photo-1.jpg"]),
        message("return.approved", "200002", "seller", at(5, 11)),
        message("return_charge.requested", "200002", "seller", at(6, 10), amount=500),
        message("return_charge.paid", "200002", "payment", at(6, 11)),
        message("return.collected", "200002", "seller", at(8, 10), note="商品を確認しました"),
        message("refund.paid", "200002", "payment", at(9, 10)),
    ],
    "exchange": [
        placed("200003", cart_no="C3"),
        *shipped_and_delivered("200003"),
        message("exchange.requested", "200003", "buyer", at(5, 10), reason="wrong_item"),
        message("exchange.accepted", "200003", "seller", at(5, 11), memo="交換品を手配します"),
        message("exchange.reshipped", "200003", "seller", at(6, 10), carrier="佐川急便", tracking_no="9988",
                cost_bearer="seller", reship_date="2026-11-06",
                recipient={"name": "佐藤 陽菜", "phone": "090-1234-5678", "address": "東京都新宿区1-2-3"}),
    ],
    "refusal": [
        placed("200004", cart_no="C4"),
        message("order.prepared", "200004", "seller", at(2, 12)),
        message("cancel.requested", "200004", "buyer", at(2, 13), reason="ordered_by_mistake"),
        message("cancel.refused", "200004", "seller", at(2, 14), reason="already_packed", note="本日発送いたします"),
    ],
    "non-receipt answered": [
        placed("200005", cart_no="C5", payment_method="qcash"),
        *shipped_and_delivered("200005"),
        message("non_receipt.reported", "200005", "buyer", at(5, 10), note="届いていません"),
        message("non_receipt.answered", "200005", "seller", at(5, 12), action="wait", until="2026-11-09",
                message="9日までお待ちください"),
    ],
}
ORDER_OF = {story: messages[0]["order_no"] for story, messages in STORIES.items()}


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    with pytest.MonkeyPatch.context() as patch:
        embedded(patch)
        work = tmp_path_factory.mktemp("order-page")
        stream = work / "stream.jsonl"
        stream.write_bytes(b"".join(orjson.dumps(m) + b"\n" for story in STORIES.values() for m in story))
        command_line(work)("ingest", str(stream))
        documents = Documents(Settings(database_url=f"sqlite:///{work / 'orderclaims.db'}"))
        keys = ApiKeys(documents.engine)
        app = create_app(documents, keys)
        yield {"seller": log_in(app, keys.create("seller", "S1")[1]),
               "auditor": log_in(app, keys.create("auditor")[1])}


def main_text(html: str) -> str:
    """What a person reads in the page's main part: the text, without tags (a tooltip's key is fine)."""
    main = html[html.index("<main"):html.index("</main>")]
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", main))


PROGRAM_VALUES = [r"\{'", r"<[A-Z][A-Za-z]+\.[A-Z_]+:", r"\bNone\b", r"\bTrue\b", r"\bFalse\b", r"\[\]",
                  r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}", r"\b\d{4}-\d{2}-\d{2}\b"]
# every key the page could leak instead of its label (a person's words are Japanese here)
KEYS = sorted({str(k) for kind in ("claim_type", "status", "reason", "responsibility", "refund_to", "payment_method",
                                   "refund_kind", "charge_status", "delivery", "outcome", "delivered_by", "item_kind",
                                   "region", "actor", "event", "answer_action", "cost_bearer", "step")
               for k in words.TABLES[kind]} | {k.split(".")[-1] for k in words.FIELD})


@pytest.mark.parametrize("who", ["seller", "auditor"])
@pytest.mark.parametrize("story", list(STORIES))
def test_the_order_page_shows_no_program_value_and_no_english_key(site, who, story):
    page = site[who].get(f"/orders/{ORDER_OF[story]}")
    assert page.status_code == 200, page.text
    text = main_text(page.text)
    leaked = [p for p in PROGRAM_VALUES if re.search(p, text)]
    leaked += [k for k in KEYS if re.search(rf"(?<![A-Za-z_]){re.escape(k)}(?![A-Za-z_])", text)]
    assert not leaked, (leaked, text)


def test_the_page_says_what_happened_who_did_it_when_and_where_the_refund_went(site):
    text = main_text(site["seller"].get(f"/orders/{ORDER_OF['return with a charge']}").text)
    assert "取引情報" in text
    for shown in ("返品要請", "返品要請受付/承認", "返品追加金の支払い", "回収完了/返金要請", "返金完了", "購入者", "販売者",
                  "決済", "2026/11/05 10:00", "商品の欠陥・破損", "購入者都合", "500円", "返品完了",
                  words.REFUND_TO["qsite_balance"], "photo-1.jpg"):
        assert shown in text, shown
    assert "佐藤 陽菜" not in text and "090-1234-5678" not in text  # masked for a seller


def test_the_open_claim_shows_its_next_step_and_due_time(site):
    text = main_text(site["seller"].get(f"/orders/{ORDER_OF['exchange']}").text)
    assert "処理中のクレーム" in text and "再配送中" in text
    assert words.STEP["ask_buyer_to_withdraw"] in text or words.STEP["ask_marketplace_to_withdraw"] in text
    assert "期限 2026/11/10 10:00" in text  # the reship + the 4-day threshold
    refused = main_text(site["seller"].get(f"/orders/{ORDER_OF['refusal']}").text)
    assert "キャンセル拒否" in refused and "発送準備済み" in refused


def test_an_auditor_reads_the_buyer_unmasked_as_words_not_a_dict(site):
    text = main_text(site["auditor"].get(f"/orders/{ORDER_OF['exchange']}").text)
    assert "購入者名 佐藤 陽菜" in text and "受取人連絡先 090-1234-5678" in text


# ---- the lists --------------------------------------------------------------------------------------

def test_settlement_filters_by_state_and_lists_blocked_orders_first(site):
    everything = site["seller"].get("/settlement?state=all").text
    listed = re.findall(r'<th scope="row"><a href="/orders/(\d+)">', everything.split('id="settlement-orders"')[1])
    assert listed[:2] == sorted([ORDER_OF["exchange"], ORDER_OF["non-receipt answered"]])  # blocked first
    assert set(listed) == set(ORDER_OF.values())
    blocked = main_text(site["seller"].get("/settlement?state=blocked").text)
    assert "精算保留" in blocked and ORDER_OF["cancel"] not in blocked and "交換: 再配送中" in blocked
    assert "該当する注文はありません" in main_text(site["seller"].get("/settlement?state=due&as_of=2026-11-02T12:00").text)
    assert site["seller"].get("/settlement?state=lost").status_code == 422


def test_settlement_shows_a_long_list_a_page_at_a_time_with_links_to_the_next_and_the_previous(site, monkeypatch):
    from entrypoints.presentation import settlement_list

    monkeypatch.setattr(settlement_list, "PAGE_SIZE", 2)
    seen, path = [], "/settlement?state=all"
    while path:
        html = site["seller"].get(path).text
        first = len(seen) + 1
        seen += re.findall(r'<th scope="row"><a href="/orders/(\d+)">', html.split('id="settlement-orders"')[1])
        assert f"{len(ORDER_OF)}件中 {first}–{len(seen)}件目" in main_text(html)
        following = re.search(r'<a href="(/settlement\?[^"]+)" rel="next">次の2件</a>', html)
        path = following and following.group(1).replace("&amp;", "&")
    assert len(seen) == len(set(seen)) == len(ORDER_OF) and set(seen) == set(ORDER_OF.values())
    last = site["seller"].get(f"/settlement?state=all&page={-(-len(ORDER_OF) // 2)}").text
    assert 'rel="prev">前の2件</a>' in last and 'rel="next"' not in last
    assert site["seller"].get("/settlement?page=0").status_code == 422
    beyond = main_text(site["seller"].get("/settlement?state=all&page=999").text)
    assert f"{len(ORDER_OF)}件は{-(-len(ORDER_OF) // 2)}ページまでです" in beyond and "最初のページへ" in beyond


def test_an_empty_list_says_so(site):
    text = main_text(site["seller"].get("/claims?status=exchange.delayed&as_of=2026-11-05T12:00").text)
    assert "該当する注文はありません" in text


def test_every_table_has_a_caption_column_headers_and_its_sort_marked(site):
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
