"""The command line's start (issue 21): `orderclaims --help` and a dashboard query, wall seconds, the
median of five runs each, beside the interpreter's own start (`python -c pass`) in the same run."""

import statistics
import subprocess
import sys
import time
from pathlib import Path

RUNS = 5
ORDERCLAIMS = str(Path(sys.executable).parent / "orderclaims")


def wall(command: list[str], env: dict | None = None) -> float:
    """The median wall seconds of RUNS runs of a program (its output dropped)."""
    times = []
    for _ in range(RUNS):
        began = time.perf_counter()
        subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env, check=True)
        times.append(time.perf_counter() - began)
    return round(statistics.median(times), 3)


def cli_startup(env: dict, seller: str = "S001") -> dict:
    """`env`: the environment naming the store the dashboard reads (brought up to its head first)."""
    subprocess.run([ORDERCLAIMS, "dashboard", "--seller", seller, "--json"], stdout=subprocess.DEVNULL, env=env, check=True)
    return {
        "python_startup_s": wall([sys.executable, "-c", "pass"]),
        "cli_help_s": wall([ORDERCLAIMS, "--help"], env),
        "cli_dashboard_s": wall([ORDERCLAIMS, "dashboard", "--seller", seller, "--json"], env),
    }


if __name__ == "__main__":  # python -m bench.startup DATABASE_URL
    import os

    import orjson

    print(orjson.dumps(cli_startup({**os.environ, "ORDERCLAIMS_DATABASE_URL": sys.argv[1]})).decode())
