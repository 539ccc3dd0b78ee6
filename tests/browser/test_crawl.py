"""Every page of every role, crawled in Chromium at a desktop's and a phone's width (issue 19): a
seller, an analyst (the summary, then one seller's views), an auditor and an operator log in and
open every page their navigation links, an order page and a missing order's error page; the login
page and the API's /docs are opened too. Every request to anything but the server itself is
blocked and counted, and so is a load the CSP stopped before it left. Each page must fit the
screen (a table scrolls inside its own box), pass axe-core with no serious or critical violation,
and show no program value (a Python repr, a raw ISO time, a `TYPE.STATUS` key). The server reads the demo's time
(`serve --as-of`, as `make serve` does). Screenshots of every page go to docs/screenshots/crawl/
(not kept in git); the seller's phone pages to docs/screenshots/phone-*.png."""

import json
import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import sync_playwright

from entrypoints.arguments import STATUS_CHOICES
from tests.e2e.conftest import command_line
from tests.browser.serving import serving
from tools.services.chromium import axe_core, chromium

SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
AS_OF = "2026-11-21T09:00:00+09:00"  # the demo's (Makefile: DEMO_AS_OF)
WIDTHS = (1280, 390)
ROLES = {"seller": ("--seller", "S001"), "analyst": ("--role", "analyst"), "auditor": ("--role", "auditor"),
         "operator": ("--role", "operator")}

# What a person must never read: a Python value, an enum's repr, a raw ISO 8601 time, a status's key.
PYTHON_REPR = re.compile(r"\{'|<[A-Z][A-Za-z]*\.[A-Z_]+|\b(?:None|True|False)\b")
RAW_TIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:")
STATUS_KEY = re.compile(r"\b(?:" + "|".join(re.escape(choice) for choice in STATUS_CHOICES) + r")\b")
SERIOUS = ("serious", "critical")


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """A simulated store, a key per role and `orderclaims serve --as-of` on a free 127.0.0.1 port."""
    work = tmp_path_factory.mktemp("crawl")
    cli = command_line(work)
    cli("ingest", "-", stdin=cli("simulate", "--orders", "1500", "--seed", "42").stdout)
    keys = {who: json.loads(cli("keys", "create", *args, "--json").stdout)["key"] for who, args in ROLES.items()}
    listed = json.loads(cli("claims", "--seller", "S001", "--status", "return.completed", "--json").stdout)
    with serving(work, ORDERCLAIMS_AS_OF=AS_OF) as base:
        yield {"base": base, "keys": keys, "order": listed["orders"][0]["order_no"]}


class Crawl:
    """What the crawl found, by kind: each a list of `role width path: what`."""

    def __init__(self, site: dict, axe: str):
        self.site, self.axe = site, axe
        self.outside, self.overflow, self.violations, self.program_values, self.visited = [], [], [], [], []

    def context(self, browser, width: int):
        """A browser context that lets only the server's own requests out, and counts the others."""
        context = browser.new_context(viewport={"width": width, "height": 900})
        ours = urlsplit(self.site["base"]).netloc

        def route(request_route):
            url = request_route.request.url
            if urlsplit(url).netloc == ours:
                request_route.continue_()
            else:
                self.outside.append(f"{width} {url}")
                request_route.abort()

        context.route("**/*", route)
        context.on("console", lambda message: "Content Security Policy" in message.text and self.outside.append(
            f"{width} CSP: {message.text}"))
        return context

    def log_in(self, context, role: str):
        page = context.new_page()
        page.goto(f"{self.site['base']}/login")
        page.fill("input[name=key]", self.site["keys"][role])
        page.click("button[type=submit]")
        page.wait_for_load_state()
        return page

    def look(self, page, role: str, width: int, path: str) -> None:
        """Open `path`, check it, and keep its screenshot."""
        page.goto(f"{self.site['base']}{path}")
        where = f"{role} {width} {path}"
        self.visited.append(where)
        text = page.locator("body").inner_text()
        for pattern in (PYTHON_REPR, RAW_TIME, STATUS_KEY):
            for found in sorted({m.group(0) for m in pattern.finditer(text)}):
                context = text[max(0, text.find(found) - 30):text.find(found) + 40].replace("\n", " ")
                self.program_values.append(f"{where}: {found!r} in …{context}…")
        wide = page.evaluate("document.scrollingElement.scrollWidth")
        if wide > page.evaluate("window.innerWidth"):
            self.overflow.append(f"{where}: {wide} px wide")
        page.evaluate(self.axe)  # evaluated, not a <script>: the pages' CSP allows no inline script
        result = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
        for violation in result["violations"]:
            if violation["impact"] in SERIOUS:
                targets = [" ".join(node["target"]) for node in violation["nodes"]][:3]
                self.violations.append(f"{where}: {violation['id']} ({violation['impact']}) {targets}")
        name = re.sub(r"[^A-Za-z0-9]+", "-", path).strip("-") or "landing"
        folder = SCREENSHOTS / "crawl"
        folder.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(folder / f"{role}-{name}-{width}.png"), full_page=True)
        if role == "seller" and width == 390 and path in ("/todo", "/dashboard"):
            page.screenshot(path=str(SCREENSHOTS / f"phone-{name}.png"), full_page=True)


def navigation_of(page) -> list[str]:
    return [urlsplit(a.get_attribute("href"))._replace(scheme="", netloc="").geturl()
            for a in page.locator("header nav a").all()]


@pytest.fixture(scope="module")
def crawl(site):
    found = Crawl(site, axe_core().read_text())
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(chromium()),
                                             args=["--no-sandbox", "--disable-background-networking"])
        try:
            for width in WIDTHS:
                for role in ROLES:
                    context = found.context(browser, width)
                    page = found.log_in(context, role)
                    landing = urlsplit(page.url).path
                    starts = [landing] + (["/dashboard?seller=S001"] if role == "analyst" else [])
                    paths = []
                    for start in starts:
                        page.goto(f"{site['base']}{start}")
                        paths += [start, *navigation_of(page)]
                    paths += [f"/orders/{site['order']}" + ("?seller=S001" if role == "analyst" else ""),
                              "/orders/NO-SUCH-ORDER"]
                    for path in dict.fromkeys(paths):
                        found.look(page, role, width, path)
                    context.close()
                context = found.context(browser, width)
                found.look(context.new_page(), "anyone", width, "/login")
                context.close()
        finally:
            browser.close()
    (SCREENSHOTS / "crawl" / "findings.json").write_text(json.dumps(
        {kind: getattr(found, kind) for kind in ("outside", "overflow", "violations", "program_values", "visited")},
        ensure_ascii=False, indent=1))
    return found


def test_the_crawl_saw_every_role_and_its_navigation(crawl):
    for role, page in (("seller", "/settlement"), ("analyst", "/summary"), ("analyst", "/inquiries?seller=S001"),
                       ("auditor", "/audit"), ("operator", "/operations")):
        assert any(v.startswith(f"{role} 390 {page}") for v in crawl.visited), (role, page, crawl.visited)
    assert len(crawl.visited) >= 40, crawl.visited


def test_no_page_loads_anything_from_outside_the_server(crawl):
    assert crawl.outside == []


def test_no_page_is_wider_than_a_phone_or_a_desktop_screen(crawl):
    """A table may be wider: it scrolls inside its own box, never the page."""
    assert crawl.overflow == []


def test_every_page_passes_axe_core_without_a_serious_or_critical_violation(crawl):
    assert crawl.violations == []


def test_no_page_shows_a_python_value_a_raw_iso_time_or_a_status_key(crawl):
    assert crawl.program_values == []


def test_every_table_is_a_box_the_keyboard_can_scroll():
    """On a phone a table scrolls inside its own box (style.css); without JavaScript only the markup can make
    that box reachable from the keyboard (axe-core: scrollable-region-focusable)."""
    templates = Path(__file__).resolve().parents[2] / "entrypoints" / "templates"
    for template in templates.glob("*.html"):
        for table in re.findall(r"<table\b[^>]*>", template.read_text()):
            assert 'tabindex="0"' in table, (template.name, table)


def test_the_api_docs_render_with_every_outside_request_blocked_and_authorize_takes_a_key(site):
    outside = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(chromium()), args=["--no-sandbox"])
        page = browser.new_page()
        page.route("**/*", lambda r: r.continue_() if r.request.url.startswith(site["base"])
                   else (outside.append(r.request.url), r.abort()))
        page.on("console", lambda m: "Content Security Policy" in m.text and outside.append(m.text))
        page.goto(f"{site['base']}/docs")
        page.wait_for_selector(".opblock", timeout=20_000)
        assert page.locator(".opblock").count() >= 10  # every endpoint, from /openapi.json
        page.click("button.authorize")
        page.fill(".modal-ux input", site["keys"]["seller"])
        page.click(".modal-ux button.authorize")
        page.click(".modal-ux button.close-modal")
        page.locator("[id$='todo_api_todo_get']").first.click()
        page.click("button.try-out__btn")
        page.click("button.execute")
        status = page.locator(".live-responses-table tbody .response-col_status").first
        status.wait_for(timeout=20_000)
        assert status.inner_text().strip() == "200"  # the key went with the request
        (SCREENSHOTS / "crawl").mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / "crawl" / "docs.png"))
        browser.close()
    assert outside == []
