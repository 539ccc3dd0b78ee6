"""The trends page in a real browser (Debian's Chromium, driven by Playwright), at a desk's width and a
phone's: every chart is an image with its data table beside it (or below, on a phone), in Japanese, no
raw key or timestamp on the page, nothing wider than the screen. Screenshots: docs/screenshots/."""

import json
import re

import orjson
import pytest

from producers.simulator import simulate
from tests.browser.serving import serving
from tests.browser.test_web_dashboard import SCREENSHOTS
from tests.e2e.conftest import command_line

CHARTS = ("claims", "rate", "delayed", "refunds", "breaches", "points")
AS_OF = "2026-11-21T09:00:00+09:00"
RAW = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}|\b(cancel|return|exchange|non_receipt|delayed_share|refund_yen|"
                 r"per_100_delivered|None|null)\b")


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    work = tmp_path_factory.mktemp("trends-site")
    cli = command_line(work)
    stream = work / "stream.jsonl"
    stream.write_bytes(b"".join(orjson.dumps(m) + b"\n" for m in simulate(1500, seed=11)))
    cli("ingest", str(stream))
    expected = json.loads(cli("trends", "--period", "month", "--as-of", AS_OF, "--json").stdout)
    key = json.loads(cli("keys", "create", "--role", "analyst", "--json").stdout)["key"]
    with serving(work, ORDERCLAIMS_AS_OF=AS_OF) as base:
        yield {"base": base, "key": key, "expected": expected}



@pytest.mark.parametrize("width, height, name", [(1280, 860, "trends"), (390, 844, "trends-phone")])
def test_an_analyst_reads_the_trends_as_charts_with_their_tables(browser, site, width, height, name):
    page = browser.new_page(viewport={"width": width, "height": height})
    page.goto(f"{site['base']}/login")
    page.fill("input[name=key]", site["key"])
    page.click("button[type=submit]")
    page.click("nav >> text=傾向")
    page.select_option("select[name=period]", "month")
    page.click("form.filters button[type=submit]")
    assert page.url.split("?")[0].endswith("/trends")
    for chart in CHARTS:
        section = page.locator(f"section#{chart}")
        assert section.locator("svg[role=img] title").count() == 1
        assert section.locator("table tr").count() == len(site["expected"]["buckets"]) + 1
    # the claims chart's table holds the CLI's numbers, month by month
    cells = page.locator("section#claims table tr").all()[1:]
    total = [int(row.locator("td").last.inner_text().replace(",", "")) for row in cells]
    assert total == [b["all"]["filed"] for b in site["expected"]["buckets"]]
    text = page.locator("main").inner_text()
    assert not RAW.search(text), RAW.search(text)
    assert "キャンセル" in text and "配送完了100件あたりのクレーム件数" in text and "遅延の割合" in text
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)
    page.close()
