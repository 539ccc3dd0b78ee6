"""One Chromium per test module (Debian's, driven by Playwright: tools/services/chromium.py installs it)."""

import pytest
from playwright.sync_api import sync_playwright

from tools.services.chromium import chromium


@pytest.fixture(scope="module")
def browser():
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(chromium()),
                                              args=["--no-sandbox", "--disable-background-networking"])
        yield launched
        launched.close()
