"""`orderclaims serve` in distributed mode: it reads what the projector processes wrote to
PostgreSQL, and answers what the command line answers on the same database."""

import json
import subprocess
import time
import urllib.error
import urllib.request

import orjson

from producers.simulator import simulate
from tests.e2e.conftest import ORDERCLAIMS
from tools.services import free_port

AS_OF = "2026-11-21T09:00:00%2B09:00"


def get(url: str, key: str) -> tuple[int, dict]:
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {key}"})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def test_serve_on_postgresql_answers_from_the_projector_processes_as_the_command_line_does(stack):
    stream = b"\n".join(orjson.dumps(m) for m in simulate(orders=300, seed=12))
    stack.cli("publish", "-", stdin=stream)
    stack.start_all(ingest_workers=1)
    stack.wait_caught_up()
    key = json.loads(stack.cli("keys", "create", "--seller", "S001", "--json").stdout)["key"]
    port = free_port()
    server = subprocess.Popen([str(ORDERCLAIMS), "serve", "--port", str(port)], env=stack.env, cwd=stack.workdir,
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(f"{base}/readyz", timeout=2)
                break
            except OSError:
                assert server.poll() is None and time.monotonic() < deadline, server.stderr.read().decode()
                time.sleep(0.2)
        for path, args in {
            f"/api/dashboard?as_of={AS_OF}": ("dashboard", "--seller", "S001", "--as-of", AS_OF.replace("%2B", "+")),
            f"/api/todo?as_of={AS_OF}": ("todo", "--seller", "S001", "--as-of", AS_OF.replace("%2B", "+")),
            f"/api/settlement?as_of={AS_OF}": ("settlement", "--seller", "S001", "--as-of", AS_OF.replace("%2B", "+")),
        }.items():
            status, document = get(base + path, key)
            assert status == 200 and document == json.loads(stack.cli(*args, "--json").stdout)
        status, document = get(f"{base}/api/dashboard?as_of={AS_OF}", key)
        assert sum(document["counts"]["cancel"].values()) > 0  # the projectors' rows, not an empty table
        assert get(f"{base}/api/dashboard?seller=S002", key)[0] == 404
    finally:
        server.terminate()
        server.wait(timeout=20)
