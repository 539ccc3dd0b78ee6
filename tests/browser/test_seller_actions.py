"""A seller resolves a return in a real browser (Debian's Chromium, driven by Playwright; issue 20):
the return arrives from upstream, the seller approves it and confirms the collection on the order
page, the payment's `refund.paid` arrives from upstream, and the claim is complete. The screenshot of
the order page with its actions is saved under docs/screenshots/."""

import json
from datetime import datetime, timedelta

import pytest
from playwright.sync_api import expect, sync_playwright

from domain.calendar import TOKYO
from domain.claims import RETURN, Status
from entrypoints.presentation import words
from tests.browser.serving import serving
from tests.browser.test_web_dashboard import shot
from tests.e2e.conftest import command_line
from tests.unit.builders import ORDER_DEFAULTS
from tools.services.chromium import axe_core, chromium

SERIOUS = ("serious", "critical")

ORDER, REFUSED, EXCHANGED, SELLER = "900001", "900002", "900003", "S900"
BULK = ("900004", "900005")  # two cancels requested in one cart: the bulk list's


def message(n: int, type_: str, actor: str, at: datetime, order_no: str = ORDER, **data) -> bytes:
    return json.dumps({"message_id": f"b-{order_no}-{type_}-{n}", "type": type_, "order_no": order_no,
                       "occurred_at": at.isoformat(), "actor": actor, "data": data},
                      ensure_ascii=False, default=str).encode() + b"\n"


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    work = tmp_path_factory.mktemp("actions-site")
    cli = command_line(work)
    now = datetime.now(TOKYO).replace(microsecond=0)
    day = lambda n: now - timedelta(days=n)  # noqa: E731
    placed = {**ORDER_DEFAULTS, "cart_no": "C900", "seller_id": SELLER, "promised_ship_date": day(4).date().isoformat()}
    stream = work / "upstream.jsonl"
    stream.write_bytes(b"".join([
        message(1, "order.placed", "buyer", day(6), **placed),
        message(2, "order.prepared", "seller", day(5)),
        message(3, "order.shipped", "seller", day(5), carrier="ヤマト", tracking_no="1", trackable=True),
        message(4, "order.delivered", "carrier", day(3), by="tracking"),
        message(5, "return.requested", "buyer", day(2), reason="damaged", responsibility="seller"),
        message(7, "order.placed", "buyer", day(2), REFUSED, **{**placed, "cart_no": "C901",
                                                                 "promised_ship_date": (now + timedelta(days=3)).date().isoformat()}),
        message(8, "order.prepared", "seller", day(1), REFUSED),
        message(9, "cancel.requested", "buyer", day(1), REFUSED, reason="found_cheaper"),
        message(10, "order.placed", "buyer", day(6), EXCHANGED, **{**placed, "cart_no": "C902"}),
        message(11, "order.prepared", "seller", day(5), EXCHANGED),
        message(12, "order.shipped", "seller", day(5), EXCHANGED, carrier="ヤマト", tracking_no="2", trackable=True),
        message(13, "order.delivered", "carrier", day(3), EXCHANGED, by="tracking"),
        message(14, "exchange.requested", "buyer", day(2), EXCHANGED, reason="wrong_option"),
        *(m for n, no in enumerate(BULK) for m in (
            message(20 + n, "order.placed", "buyer", day(2), no, **{**placed, "cart_no": "C903",
                                                                    "promised_ship_date": (now + timedelta(days=3)).date().isoformat()}),
            message(30 + n, "order.prepared", "seller", day(1), no),
            message(40 + n, "cancel.requested", "buyer", day(1), no, reason="ordered_by_mistake"))),
    ]))
    cli("ingest", str(stream))
    key = json.loads(cli("keys", "create", "--seller", SELLER, "--json").stdout)["key"]
    with serving(work) as base:
        yield {"base": base, "key": key, "cli": cli, "work": work}


def logged_in(playwright, site):
    browser = playwright.chromium.launch(executable_path=str(chromium()),
                                         args=["--no-sandbox", "--disable-background-networking"])
    page = browser.new_page(viewport={"width": 1280, "height": 860})
    page.goto(f"{site['base']}/login")
    page.fill("input[name=key]", site["key"])
    page.click("button[type=submit]")
    return browser, page


def test_a_seller_refuses_a_cancel_after_confirming_and_the_to_do_list_asks_the_same_days_shipping(site):
    with sync_playwright() as playwright:
        browser, page = logged_in(playwright, site)
        before = counts(page, site, ("cancel.requested",))["cancel.requested"]  # the bulk list's may be there too
        page.goto(f"{site['base']}/orders/{REFUSED}")
        page.click("#action-cancel-refused summary")
        page.fill("#action-cancel-refused textarea[name=note]", "本日発送します")
        page.check("#action-cancel-refused input[name=confirm]")
        page.click("#action-cancel-refused button[type=submit]")
        expect(page.locator("#action-result")).to_contain_text(words.ACTION_OUTCOME["accepted"])
        page.goto(f"{site['base']}/todo?as_of=now")
        row = page.locator("#steps tr", has=page.locator(f"a[href='/orders/{REFUSED}']"))
        expect(row).to_contain_text(words.STEP["ship_refused_cancel"])
        shot(page, "seller-actions-refused-cancel-todo")
        assert counts(page, site, ("cancel.requested",))["cancel.requested"] == before - 1
        browser.close()


def test_a_seller_accepts_an_exchange_and_reships_it_with_its_tracking_number(site):
    with sync_playwright() as playwright:
        browser, page = logged_in(playwright, site)
        exchange_counts = ("exchange.requested", "exchange.reshipping")
        assert counts(page, site, exchange_counts) == {"exchange.requested": 1, "exchange.reshipping": 0}
        page.goto(f"{site['base']}/orders/{EXCHANGED}")
        page.click("#action-exchange-accepted summary")
        page.fill("#action-exchange-accepted textarea[name=memo]", "交換品をお送りします")
        page.click("#action-exchange-accepted button[type=submit]")
        expect(page.locator("#action-result")).to_contain_text(words.ACTION_OUTCOME["accepted"])
        form = page.locator("#action-exchange-reshipped")
        form.locator("summary").click()
        form.locator("input[name=carrier]").fill("佐川")
        form.locator("input[name=tracking_no]").fill("RS-123")
        form.locator("input[name=reship_date]").fill(datetime.now(TOKYO).date().isoformat())
        for name, value in (("name", "佐藤 陽菜"), ("phone", "090-1234-5678"), ("address", "東京都新宿区1-2-3")):
            form.locator(f"input[name='recipient.{name}']").fill(value)
        form.locator("button[type=submit]").click()
        expect(page.locator("#action-result")).to_contain_text(words.ACTION_OUTCOME["accepted"])
        assert counts(page, site, exchange_counts) == {"exchange.requested": 0, "exchange.reshipping": 1}
        browser.close()
    history = json.loads(site["cli"]("history", EXCHANGED, "--json").stdout)
    assert history["state"]["claim"]["status"] == Status.RESHIPPING
    assert history["events"][-1]["data"]["tracking_no"] == "RS-123"


def test_a_seller_approves_a_return_and_confirms_its_collection_in_the_page(site):
    with sync_playwright() as playwright:
        browser, page = logged_in(playwright, site)
        assert counts(page, site) == {"return.requested": 1, "return.returning": 0, "return.collected": 0,
                                      "return.completed": 0}
        assert settlement_state(page, site) == words.SETTLEMENT_STATE["blocked"]
        page.goto(f"{site['base']}/orders/{ORDER}")
        expect(page.locator("#action-return-approved")).to_be_visible()
        expect(page.locator("#action-cancel-approved")).to_have_count(0)
        shot(page, "seller-actions-return-requested")
        for width in (1280, 390):  # every form open: the page fits a phone and passes axe-core
            page.set_viewport_size({"width": width, "height": 860})
            for summary in page.locator("details.action summary").all():
                summary.click()
            assert page.evaluate("document.scrollingElement.scrollWidth") <= width
            page.evaluate(axe_core().read_text())
            result = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
            assert not [v["id"] for v in result["violations"] if v["impact"] in SERIOUS], result["violations"]
            page.reload()
        page.set_viewport_size({"width": 1280, "height": 860})
        page.click("#action-return-approved summary")
        page.click("#action-return-approved button[type=submit]")
        expect(page.locator("#action-result")).to_contain_text(words.ACTION_OUTCOME["accepted"])
        expect(page.locator("#action-return-approved")).to_have_count(0)  # approved: never offered again
        page.click("#action-return-collected summary")
        page.fill("#action-return-collected textarea[name=note]", "商品が戻りました")
        page.click("#action-return-collected button[type=submit]")
        expect(page.locator("#action-result")).to_contain_text(words.ACTION_OUTCOME["accepted"])
        shot(page, "seller-actions-return-collected")
        assert counts(page, site)["return.collected"] == 1
        paid = site["work"] / "paid.jsonl"
        paid.write_bytes(message(6, "refund.paid", "payment", datetime.now(TOKYO)))
        site["cli"]("ingest", str(paid))  # the payment's, from upstream
        assert counts(page, site) == {"return.requested": 0, "return.returning": 0, "return.collected": 0,
                                      "return.completed": 1}
        moved = settlement_state(page, site)
        assert moved != words.SETTLEMENT_STATE["blocked"] and moved in words.SETTLEMENT_STATE.values(), moved
        browser.close()
    history = json.loads(site["cli"]("history", ORDER, "--json").stdout)
    names = [e["event"] for e in history["events"]]
    assert names.count("ReturnApproved") == names.count("ReturnCollected") == 1
    assert history["state"]["claim"]["status"] == Status.COMPLETED and history["state"]["outcome"] == "refunded"
    assert history["events"][-2]["data"]["origin"]["via"] == "web"
    assert words.CLAIM_STATUS[(RETURN, Status.COMPLETED)]


RETURN_COUNTS = ("return.requested", "return.returning", "return.collected", "return.completed")


def counts(page, site, statuses: tuple[str, ...] = RETURN_COUNTS) -> dict[str, int]:
    """The dashboard's counts, as the page shows them now."""
    page.goto(f"{site['base']}/dashboard?as_of=now")
    return {status: int(page.locator(f"a[data-status='{status}']").inner_text()) for status in statuses}


def settlement_state(page, site) -> str:
    """The return's order's settlement state, as the settlement page shows it now."""
    page.goto(f"{site['base']}/settlement?as_of=now&state=all")
    row = page.locator("#settlement-orders tr", has=page.locator(f"a[href='/orders/{ORDER}']"))
    return row.locator("td").first.inner_text()


def test_a_seller_messages_the_buyers_of_checked_orders_once_per_cart_from_the_list(site):
    with sync_playwright() as playwright:
        browser, page = logged_in(playwright, site)
        page.goto(f"{site['base']}/claims?status=cancel.requested&as_of=now")
        for no in BULK:
            page.check(f"input[name=order_no][value='{no}']")
        page.fill("#bulk textarea[name=text]", "ご注文についてご連絡します")
        for width in (1280, 390):  # the list with its bulk actions: fits a phone, passes axe-core
            page.set_viewport_size({"width": width, "height": 860})
            assert page.evaluate("document.scrollingElement.scrollWidth") <= width
            page.evaluate(axe_core().read_text())
            result = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
            assert not [v["id"] for v in result["violations"] if v["impact"] in SERIOUS], result["violations"]
            shot(page, f"seller-actions-bulk-list-{width}")
        page.set_viewport_size({"width": 1280, "height": 860})
        page.click("#bulk button[value='message.sent']")
        expect(page.locator("#bulk-targets")).to_contain_text("C903")  # one cart: one message
        page.check("#bulk-confirm input[name=confirm]")
        shot(page, "seller-actions-bulk-confirm")
        page.click("#bulk-confirm button[type=submit]")
        expect(page.locator("#bulk-results")).to_contain_text(words.ACTION_OUTCOME["accepted"])
        expect(page.locator("#bulk-results tr")).to_have_count(2)  # the header and the one cart
        browser.close()
    for no in BULK:
        names = [e["event"] for e in json.loads(site["cli"]("history", no, "--json").stdout)["events"]]
        assert names.count("BuyerMessaged") == 1, names
