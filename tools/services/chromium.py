"""Debian's Chromium (and a Japanese font for its pages) for the browser tests, installed when
missing and we are root — as the suite installs PostgreSQL. Playwright's own browser download
cannot work on these machines: the tests drive this binary. Also axe-core, the accessibility
checker the crawler injects into the pages: the version tools/browser/package.json pins, installed
with npm into tools/browser/node_modules (gitignored) when missing."""

import os
import shutil
from pathlib import Path

from tools.services import ServiceError, run

CHROMIUM = Path("/usr/bin/chromium")
PACKAGES = ("chromium", "fonts-ipafont-gothic")
FONT = Path("/usr/share/fonts/opentype/ipafont-gothic")
BROWSER_TOOLS = Path(__file__).resolve().parents[1] / "browser"
AXE = BROWSER_TOOLS / "node_modules" / "axe-core" / "axe.min.js"


def chromium() -> Path:
    if not (CHROMIUM.exists() and FONT.exists()) and os.geteuid() == 0 and shutil.which("apt-get"):
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        run(["apt-get", "update", "-q"], env=env)
        run(["apt-get", "install", "-y", "-q", "--no-install-recommends", *PACKAGES], env=env)
    if not CHROMIUM.exists():
        raise ServiceError("Chromium not found: install Debian's `chromium` package")
    return CHROMIUM


def axe_core() -> Path:
    """axe.min.js of the pinned axe-core (npm ci: exactly the lock file's version and checksum)."""
    if not AXE.exists():
        if not shutil.which("npm") and os.geteuid() == 0 and shutil.which("apt-get"):
            env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
            run(["apt-get", "update", "-q"], env=env)
            run(["apt-get", "install", "-y", "-q", "--no-install-recommends", "npm"], env=env)
        if not shutil.which("npm"):
            raise ServiceError("npm not found: install Node.js and npm (Debian's `npm` package) for axe-core")
        run(["npm", "ci", "--no-audit", "--no-fund", "--ignore-scripts"], cwd=BROWSER_TOOLS)
    if not AXE.exists():
        raise ServiceError(f"npm ci in {BROWSER_TOOLS} installed no {AXE.name}")
    return AXE
