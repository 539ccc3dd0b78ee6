"""The web dashboard in a real browser (Debian's Chromium, driven by Playwright): a seller logs in,
clicks a count, opens an order, downloads the list as .xlsx, exchanges points and is refused the
second time, and finds another seller's order "not found"; an analyst reads the summary. The
screenshots of the main pages are saved under docs/screenshots/ (the README shows them)."""

import io
import json
import threading
from datetime import datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import openpyxl
import orjson
import pytest
from playwright.sync_api import expect

from domain.calendar import TOKYO
from entrypoints.presentation import words
from producers.simulator import simulate
from tests.e2e.conftest import command_line
from tests.browser.serving import serving

SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


def start_of_this_month() -> datetime:
    now = datetime.now(TOKYO)
    return now.replace(day=1, hour=0, minute=0, second=0, microsecond=0)


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """A store whose last month has points to exchange (the server's clock is the real one), a
    seller with enough of them, keys, and `orderclaims serve` on a free 127.0.0.1 port."""
    work = tmp_path_factory.mktemp("site")
    cli = command_line(work)
    stream = work / "stream.jsonl"
    stream.write_bytes(b"".join(orjson.dumps(m) + b"\n" for m in simulate(3000, seed=5, end=start_of_this_month())))
    cli("ingest", str(stream))
    last_month = (start_of_this_month() - timedelta(days=1)).strftime("%Y-%m")
    summary = json.loads(cli("summary", "--json").stdout)
    sellers = [s["seller_id"] for s in summary["sellers"]]
    exchangeable = {s: json.loads(cli("points", "--seller", s, "--month", last_month, "--json").stdout)["exchangeable"]
                    for s in sellers[:12]}
    seller = max(exchangeable, key=exchangeable.get)
    assert exchangeable[seller] >= 100, exchangeable  # the exchange below must be able to succeed
    other = next(s for s in sellers if s != seller)
    other_order = json.loads(cli("claims", "--seller", other, "--status", "cancel.completed", "--json").stdout)
    keys = {who: json.loads(cli("keys", "create", *args, "--json").stdout)["key"]
            for who, args in {"seller": ("--seller", seller), "analyst": ("--role", "analyst"),
                              "auditor": ("--role", "auditor")}.items()}
    with serving(work) as base:
        yield {"base": base, "keys": keys, "seller": seller, "month": last_month,
                "other_order": other_order["orders"][0]["order_no"]}



def logged_in(browser, site, who: str):
    page = browser.new_page(viewport={"width": 1280, "height": 860}, accept_downloads=True)
    page.goto(f"{site['base']}/login")
    page.fill("input[name=key]", site["keys"][who])
    page.click("button[type=submit]")
    return page


def shot(page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def test_a_seller_logs_in_clicks_a_count_opens_an_order_and_downloads_the_list(browser, site):
    page = logged_in(browser, site, "seller")
    expect(page).to_have_url(f"{site['base']}/todo")
    expect(page.locator("h1")).to_contain_text("やること")
    shot(page, "todo")
    page.click("text=クレーム (claims)")
    expect(page.locator("#status-table")).to_contain_text("キャンセル要請")
    expect(page.locator("body")).to_contain_text("4日が過ぎても")
    shot(page, "dashboard")
    count = page.locator("a[data-status='cancel.completed']")
    n = int(count.inner_text())
    assert n > 0
    count.click()
    rows = page.locator("#orders tr")
    expect(rows).to_have_count(n + 1)  # the header and one row per order behind the count
    shot(page, "claims")
    with page.expect_download() as download:
        page.click("#xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(Path(download.value.path()).read_bytes())).active
    assert sheet.max_row == n + 1 and sheet["G1"].value == "注文番号" and sheet["A2"].value == "キャンセル完了"
    assert isinstance(sheet["D2"].value, datetime)  # the request time as an Excel date (Tokyo time)
    first = page.locator("#orders tr:nth-child(2) th a")  # the order number is the row's header
    order_no = first.inner_text()
    assert str(sheet["G2"].value) == order_no
    first.click()
    expect(page.locator("h1")).to_have_text(f"注文 {order_no}")
    expect(page.locator("#history li").first).to_contain_text(words.EVENT["Placed"])
    expect(page.locator("#history")).to_contain_text(words.EVENT["CancelRequested"])
    expect(page.locator("#money-facts")).to_contain_text("円")
    assert "*" in page.locator("#history li").first.inner_text()  # the buyer's data masked
    shot(page, "order")
    page.click("text=精算 (settlement)")
    expect(page.locator("#summary")).to_contain_text(words.SETTLEMENT_STATE["eligible"])
    shot(page, "settlement")
    page.select_option("#state", "all")
    page.click("form.filters button[type=submit]")
    expect(page.locator("#shown")).to_contain_text("件中 1–100件目")
    page.click("a[rel=next]")
    expect(page.locator("#shown")).to_contain_text("件中 101–")
    expect(page.locator(".pager")).to_contain_text("2 / ")
    expect(page.locator("a[rel=prev]")).to_be_visible()
    shot(page, "settlement-page-2")
    page.close()


@pytest.fixture
def other_site(site):
    """Another origin on this machine (same site for the cookie: SameSite does not look at ports)
    whose page holds a form posting last month's exchange to the dashboard."""
    form = (f'<form method="post" action="{site["base"]}/points/exchange"><input name="month" value="{site["month"]}">'
            '<input name="confirm" value="yes">'
            '<button type="submit" id="bait">win a prize</button></form>').encode()

    class Bait(BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.end_headers()
            self.wfile.write(form)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Bait)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}/"
    server.shutdown()


@pytest.mark.security
def test_a_form_on_another_origin_cannot_make_a_logged_in_seller_exchange(browser, site, other_site):
    page = logged_in(browser, site, "seller")
    expect(page).to_have_url(f"{site['base']}/todo")
    page.goto(other_site)
    with page.expect_response(f"{site['base']}/points/exchange") as answer:
        page.click("#bait")
    assert answer.value.status == 403
    expect(page.locator("main")).to_contain_text("csrf_refused")
    page.close()  # the next test's first exchange succeeds: this one exchanged nothing


def test_a_seller_exchanges_last_months_points_once_and_is_refused_the_second_time(browser, site):
    page = logged_in(browser, site, "seller")
    page.goto(f"{site['base']}/points?month={site['month']}")
    expect(page.locator("#items tr").nth(1)).to_be_visible()  # the per-item breakdown
    page.check("#exchange-confirm")
    page.click("#exchange")
    expect(page.locator("#exchange-result")).to_contain_text("Qキャッシュ")
    expect(page.locator("#exchange-result")).to_have_class("ok")
    shot(page, "points")
    page.check("#exchange-confirm")
    page.click("#exchange")
    expect(page.locator("#exchange-result")).to_contain_text(words.CODE["already_exchanged"])
    expect(page.locator("#exchange-result")).to_have_class("refused")
    page.close()


def test_another_sellers_order_is_not_found_exactly_as_one_that_does_not_exist(browser, site):
    page = logged_in(browser, site, "seller")
    theirs = page.goto(f"{site['base']}/orders/{site['other_order']}")
    their_text = page.locator("main").inner_text()
    nobodys = page.goto(f"{site['base']}/orders/NO-SUCH-ORDER")
    nobody_text = page.locator("main").inner_text()
    assert theirs.status == nobodys.status == 404
    assert their_text.replace(site["other_order"], "X") == nobody_text.replace("NO-SUCH-ORDER", "X")
    expect(page.locator("h1")).to_have_text("見つかりません")
    page.close()


def test_an_analyst_reads_every_seller_side_by_side_and_sorts_them(browser, site):
    page = logged_in(browser, site, "analyst")
    expect(page).to_have_url(f"{site['base']}/summary")
    rows = page.locator("#summary tr")
    assert rows.count() > 3
    page.locator("#summary th a", has_text=words.COLUMN["held_back"]).click()  # the heading's link, not the caption
    expect(page.locator("#summary th[aria-sort=descending]")).to_contain_text(words.COLUMN["held_back"] + " ▼")
    assert page.locator("#summary th[aria-sort]").count() == 1  # the active sort only
    held = [int(rows.nth(i).locator("td").last.inner_text().replace(",", "").removesuffix("円"))
            for i in range(1, rows.count() - 1)]
    assert held == sorted(held, reverse=True)
    shot(page, "summary")
    page.close()


def test_an_auditor_verifies_the_store_and_reads_any_order_unmasked(browser, site):
    page = logged_in(browser, site, "auditor")
    expect(page).to_have_url(f"{site['base']}/audit")
    page.click("#verify")
    expect(page.locator("#verify-result")).to_contain_text("OK")
    page.goto(f"{site['base']}/audit")
    page.fill("input[name=order]", site["other_order"])
    page.click("text=履歴を見る")
    expect(page.locator("h1")).to_have_text(f"注文 {site['other_order']}")
    placed = page.locator("#history li").first.inner_text()
    assert words.FIELD["buyer.phone"] in placed and "****" not in placed  # unmasked for the auditor
    page.close()


@pytest.mark.security
def test_logging_out_ends_the_session_in_the_browser(browser, site):
    page = logged_in(browser, site, "analyst")
    expect(page).to_have_url(f"{site['base']}/summary")
    page.click("#logout")
    expect(page).to_have_url(f"{site['base']}/login")
    page.goto(f"{site['base']}/summary")
    expect(page).to_have_url(f"{site['base']}/login")
    page.close()


def test_a_page_without_a_key_goes_to_the_login(browser, site):
    page = browser.new_page()
    page.goto(f"{site['base']}/dashboard")
    expect(page).to_have_url(f"{site['base']}/login")
    page.fill("input[name=key]", "oc_not_a_key")
    page.click("button[type=submit]")
    expect(page.locator(".refused")).to_contain_text("unknown or revoked")
    page.close()

