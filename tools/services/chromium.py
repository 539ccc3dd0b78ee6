"""Debian's Chromium (and a Japanese font for its pages) for the browser tests, installed when
missing and we are root — as the suite installs PostgreSQL. Playwright's own browser download
cannot work on these machines: the tests drive this binary."""

import os
import shutil
from pathlib import Path

from tools.services import ServiceError, run

CHROMIUM = Path("/usr/bin/chromium")
PACKAGES = ("chromium", "fonts-ipafont-gothic")
FONT = Path("/usr/share/fonts/opentype/ipafont-gothic")


def chromium() -> Path:
    if not (CHROMIUM.exists() and FONT.exists()) and os.geteuid() == 0 and shutil.which("apt-get"):
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        run(["apt-get", "update", "-q"], env=env)
        run(["apt-get", "install", "-y", "-q", "--no-install-recommends", *PACKAGES], env=env)
    if not CHROMIUM.exists():
        raise ServiceError("Chromium not found: install Debian's `chromium` package")
    return CHROMIUM
