"""An auditor in a real browser (Debian's Chromium, driven by Playwright; issue 22, decision 0025):
verifies the whole log as a POST and watches its progress (the page's script polls the job), the same
without JavaScript (the page refreshes itself), one order, an altered store's findings grouped in
Japanese, and replays an order step by step. Screenshots at 1280 and 390 px in docs/screenshots/."""

import json
import re
import sqlite3

import pytest
from playwright.sync_api import expect

from tests.browser.serving import serving
from tests.browser.test_web_dashboard import shot
from tests.e2e.conftest import command_line
from tools.services.chromium import axe_core

SERIOUS = ("serious", "critical")
WIDTHS = {"": 1280, "phone-": 390}
ORDER = "100007"
JOB_PAGE = re.compile(r"/audit/verify/[0-9a-f]{32}$")


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """3,000 orders (≈ 34,000 events: a whole-log verify takes a second or more, long enough to see
    it run), a checkpoint and an auditor's key, served."""
    work = tmp_path_factory.mktemp("audit-site")
    cli = command_line(work)
    cli("ingest", "-", stdin=cli("simulate", "--orders", "3000", "--seed", "5").stdout)
    cli("checkpoint")
    key = json.loads(cli("keys", "create", "--role", "auditor", "--json").stdout)["key"]
    with serving(work) as base:
        yield {"base": base, "key": key, "work": work}



def logged_in(browser, site, width: int = 1280, script: bool = True):
    page = browser.new_context(viewport={"width": width, "height": 860}, java_script_enabled=script).new_page()
    page.goto(f"{site['base']}/login")
    page.fill("input[name=key]", site["key"])
    page.click("button[type=submit]")
    expect(page).to_have_url(f"{site['base']}/audit")
    return page


def no_serious_violations(page) -> None:
    page.evaluate(axe_core().read_text())
    result = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    assert not [v["id"] for v in result["violations"] if v["impact"] in SERIOUS], result["violations"]


@pytest.mark.parametrize("prefix", WIDTHS)
def test_the_whole_log_is_verified_as_a_post_with_its_progress_polled_by_the_page(browser, site, prefix):
    page = logged_in(browser, site, WIDTHS[prefix])
    polled = []
    page.on("response", lambda r: polled.append(r.status) if r.url.endswith("/progress") else None)
    page.click("#verify")
    expect(page).to_have_url(JOB_PAGE)
    job_page = page.url
    page.wait_for_function("() => (document.getElementById('verify-progress') || {value: 1}).value > 0 "
                           "|| document.getElementById('verify-result') !== null", timeout=60_000)
    if page.locator("#verify-progress").count():  # still running, the bar moved by the script
        shot(page, f"{prefix}audit-verify-running")
    expect(page.locator("#verify-result")).to_contain_text("改ざんなし (OK)", timeout=60_000)
    assert page.url == job_page and polled and set(polled) == {200}  # the script asked, then showed the report
    shot(page, f"{prefix}audit-verify-done")
    no_serious_violations(page)
    page.close()


def test_without_javascript_the_page_refreshes_itself_until_the_report(browser, site):
    page = logged_in(browser, site, script=False)
    shown = []  # each time the job's page was loaded: was it still running?
    page.on("response", lambda r: shown.append(b"verify-progress" in r.body()) if JOB_PAGE.search(r.url) else None)
    page.click("#verify")
    expect(page.locator("#verify-result")).to_contain_text("改ざんなし (OK)", timeout=60_000)
    assert shown and not shown[-1] and shown.count(True) == len(shown) - 1  # refreshed until the report came
    if shown[0]:
        assert len(shown) >= 2
    page.close()


def test_one_order_is_verified_and_replayed_step_by_step(browser, site):
    for prefix, width in WIDTHS.items():
        page = logged_in(browser, site, width)
        page.fill("#verify-order input[name=order]", ORDER)
        page.click("#verify-order button[type=submit]")
        expect(page.locator("#verify-order-result")).to_contain_text("改ざんなし (OK)")
        page.click("#replay")
        expect(page.locator("#step")).to_contain_text("手順 1 /")
        first = page.locator("#link").inner_text()
        page.click("#next")
        expect(page.locator("#step")).to_contain_text("手順 2 /")
        assert page.locator("#link").inner_text() != first
        expect(page.locator("#chain")).to_contain_text("ここまで一致 (OK)")
        page.click("#next")
        expect(page.locator("#step")).to_contain_text("手順 3 /")
        shot(page, f"{prefix}audit-replay")
        no_serious_violations(page)
        page.click("#previous")
        expect(page.locator("#step")).to_contain_text("手順 2 /")
        page.close()


def test_an_altered_stores_findings_are_grouped_in_japanese(browser, site):
    """Last in this module: it alters the store."""
    db = sqlite3.connect(site["work"] / "orderclaims.db")
    oid = next(o for o, s in db.execute("SELECT originator_id, state FROM stored_events WHERE topic = "
                                        "'domain.order:Order.Placed'") if json.loads(s)["order_no"] == ORDER)
    db.execute("UPDATE stored_events SET state = CAST(REPLACE(CAST(state AS TEXT), 'seller', 'se11er') AS BLOB) "
               "WHERE originator_id = ? AND originator_version = 2", (oid,))
    db.commit()
    db.close()
    page = logged_in(browser, site)
    page.click("#verify")
    expect(page.locator("#verify-result")).to_contain_text("不一致あり (FAILED)", timeout=60_000)
    expect(page.locator("#finding-1-title")).to_contain_text("イベントの改ざん")
    expect(page.locator("#finding-1")).to_contain_text(f"注文 {ORDER}")
    shot(page, "audit-verify-findings")
    page.close()
