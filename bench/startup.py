"""The command line's start (issue 21): `orderclaims --help` and a dashboard query, wall seconds, the
median of five runs each, beside the interpreter's own start (`python -c pass`) in the same run.

The programs run as an installed program runs the second time: with its bytecode cached. An environment
that sets PYTHONDONTWRITEBYTECODE (a sandbox, some CI) would otherwise compile every module of the
project from source on each start (about 0.1 s of the dashboard query's 0.4 s of CPU)."""

import statistics
import subprocess
import sys
import time
from pathlib import Path

RUNS = 5
ORDERCLAIMS = str(Path(sys.executable).parent / "orderclaims")
TARGETS = {"cli_help_s": 0.3, "cli_dashboard_s": 0.6}  # issue 21


def wall(command: list[str], env: dict | None = None) -> float:
    """The median wall seconds of RUNS runs of a program (its output dropped)."""
    times = []
    for _ in range(RUNS):
        began = time.perf_counter()
        subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env, check=True)
        times.append(time.perf_counter() - began)
    return round(statistics.median(times), 3)


def cli_startup(env: dict, seller: str = "S001") -> dict:
    """`env`: the environment naming the store the dashboard reads (brought up to its head first, which
    also leaves the bytecode of every module a query imports cached)."""
    env = {name: value for name, value in env.items() if name != "PYTHONDONTWRITEBYTECODE"}
    subprocess.run([ORDERCLAIMS, "dashboard", "--seller", seller, "--json"], stdout=subprocess.DEVNULL, env=env, check=True)
    subprocess.run([ORDERCLAIMS, "--help"], stdout=subprocess.DEVNULL, env=env, check=True)
    return {
        "python_startup_s": wall([sys.executable, "-c", "pass"], env),
        "cli_help_s": wall([ORDERCLAIMS, "--help"], env),
        "cli_dashboard_s": wall([ORDERCLAIMS, "dashboard", "--seller", seller, "--json"], env),
    }


def beside(figures: dict, previous: dict) -> str:
    """Each figure with its target and the previous run's (bench/results/latest.json), a line each."""
    return "\n".join(f"{key}: {value} s" + (f"  (target ≤ {TARGETS[key]} s)" if key in TARGETS else "")
                     + f"  previous run: {previous[key] if key in previous else '–'}" for key, value in figures.items())


if __name__ == "__main__":  # python -m bench.startup DATABASE_URL   (make bench-startup: on the demo's store)
    import os

    import orjson

    figures = cli_startup({**os.environ, "ORDERCLAIMS_DATABASE_URL": sys.argv[1]})
    latest = Path(__file__).parent / "results" / "latest.json"
    print(beside(figures, orjson.loads(latest.read_bytes()) if latest.exists() else {}))
    print(orjson.dumps(figures).decode())
