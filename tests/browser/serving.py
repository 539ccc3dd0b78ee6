"""`orderclaims serve` for a browser test: embedded (no broker, key files) on the SQLite file of a work
folder, on a free 127.0.0.1 port, until the block ends."""

import os
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from tests.e2e.conftest import NOT_EMBEDDED, ORDERCLAIMS, wait_until_serving
from tools.services import free_port


@contextmanager
def serving(work: Path, **settings: str) -> Iterator[str]:
    """The server's base URL; `settings`: more ORDERCLAIMS_* variables (ORDERCLAIMS_AS_OF …)."""
    env = {k: v for k, v in os.environ.items() if k not in (*NOT_EMBEDDED, "ORDERCLAIMS_API_DOCS")}
    env |= {"ORDERCLAIMS_DATABASE_URL": f"sqlite:///{work / 'orderclaims.db'}", **settings}
    port = free_port()
    server = subprocess.Popen([str(ORDERCLAIMS), "serve", "--port", str(port)], env=env, cwd=work,
                              stdout=subprocess.DEVNULL, stderr=open(work / "serve.log", "wb"))
    base = f"http://127.0.0.1:{port}"
    wait_until_serving(server, base, lambda: (work / "serve.log").read_text())
    try:
        yield base
    finally:
        server.terminate()
        server.wait(timeout=20)
