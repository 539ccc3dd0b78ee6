import json
from collections.abc import Callable
import os
import re
import subprocess
import sys
import time
from pathlib import Path
from urllib.request import urlopen

import pytest

ORDERCLAIMS = Path(sys.executable).parent / "orderclaims"


@pytest.fixture
def cli(tmp_path):
    """Run `orderclaims` as a user would, on a fresh SQLite file."""
    return command_line(tmp_path)


# Not set in embedded mode: no broker, and key files in the (session's) key directory. Another test of
# the session (the chaos run, the integration tests) may have set them in this process.
NOT_EMBEDDED = ("ORDERCLAIMS_KAFKA_BOOTSTRAP", "ORDERCLAIMS_MASTER_KEY", "ORDERCLAIMS_SIGNING_KEY", "ORDERCLAIMS_CHAIN_KEY")


def embedded(patch: pytest.MonkeyPatch) -> None:
    """This process as the command line runs it by default, for an in-process server or application."""
    for name in NOT_EMBEDDED:
        patch.delenv(name, raising=False)


def command_line(tmp_path: Path):
    env = {**os.environ, "ORDERCLAIMS_DATABASE_URL": f"sqlite:///{tmp_path / 'orderclaims.db'}"}
    for name in NOT_EMBEDDED:
        env.pop(name, None)

    def run(*args: str, stdin: bytes | None = None, check: bool = True) -> subprocess.CompletedProcess:
        done = subprocess.run([str(ORDERCLAIMS), *args], input=stdin, capture_output=True, env=env, cwd=tmp_path)
        if check and done.returncode != 0:
            raise AssertionError(f"orderclaims {' '.join(args)} exited {done.returncode}: {done.stderr.decode()}")
        return done

    return run


def simulated_store(tmp_path: Path, orders: int, seed: int):
    """`orderclaims` on a fresh SQLite file that has ingested a simulated stream."""
    cli = command_line(tmp_path)
    cli("ingest", "-", stdin=cli("simulate", "--orders", str(orders), "--seed", str(seed)).stdout)
    return cli


def as_json(cli, *args: str):
    """A command's `--json` document."""
    return json.loads(cli(*args, "--json").stdout)


def token_of(html: str) -> str:
    """The CSRF token a page's forms carry ("" when it has none)."""
    found = re.search(r'name="csrf" value="([^"]*)"', html)
    return found.group(1) if found else ""


def log_in(app, key: str):
    """A browser (FastAPI's test client) logged in through the form: pages know only the session."""
    from fastapi.testclient import TestClient

    browser = TestClient(app, follow_redirects=False)
    answer = browser.post("/login", data={"key": key, "csrf": token_of(browser.get("/login").text)})
    assert answer.status_code == 303, answer.text
    return browser


def wait_until_serving(server: subprocess.Popen, base: str, why: Callable[[], str] = lambda: "") -> None:
    """Until `orderclaims serve` answers /healthz (60 s at most; `why`: what a failure says)."""
    deadline = time.monotonic() + 60
    while True:
        try:
            urlopen(f"{base}/healthz", timeout=2)
            return
        except OSError:
            if time.monotonic() > deadline or server.poll() is not None:
                raise AssertionError(why()) from None
            time.sleep(0.2)
