"""Real Kafka and PostgreSQL servers on 127.0.0.1, without Docker (INFRA.md).

`python -m tools.services up|down|env` (`make services-up` / `make services-down`), and the
test suite's session fixtures, use the same code: Apache Kafka in KRaft mode from Maven Central's
jars, and a private PostgreSQL cluster from Debian's package, each on a free port.
"""

import socket
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CACHE = ROOT / ".services"  # the Kafka jars and Maven's repository, kept between runs (git-ignored)
HOST = "127.0.0.1"


class ServiceError(RuntimeError):
    """A service could not be installed or started; the message says what to do."""


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def wait_until(ready: Callable[[], bool], timeout: float, what: str, alive: Callable[[], bool] = lambda: True) -> float:
    """Poll `ready` until it holds; return the seconds it took. Fail early if the process died."""
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        if not alive():
            raise ServiceError(f"{what} exited while starting")
        try:
            if ready():
                return time.monotonic() - started
        except Exception:  # not up yet: connection refused, no leader, …
            pass
        time.sleep(0.25)
    raise ServiceError(f"{what} did not answer within {timeout:.0f} s")


def run(command: list[str], **kwargs) -> subprocess.CompletedProcess:
    """Run a setup command; on failure raise with its output."""
    done = subprocess.run(command, capture_output=True, text=True, **kwargs)
    if done.returncode != 0:
        raise ServiceError(f"{' '.join(command)} failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")
    return done
