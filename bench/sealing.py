"""What sealing buyer data costs ingest: the same stream ingested into two fresh SQLite stores in one
run, with the buyer keys (as the service runs) and without (the mapper alone), alternating so the
machine's load falls on both alike; and what reading it back costs (a rebuild of the dashboard).

    python -m bench.sealing [--orders 20000] [--rounds 2]
"""

import argparse
import tempfile
import time
from pathlib import Path

import orjson

from consumers.ingest import ingest_lines
from entrypoints.bootstrap import Settings, build_engine, build_orders
from producers.simulator import simulate
from projections.dashboard import Dashboard
from projections.runner import rebuild


def measure(lines: list[bytes], work: Path, sealed: bool, round_no: int) -> dict:
    settings = Settings(database_url=f"sqlite:///{work / f'{sealed}-{round_no}.db'}")
    app = build_orders(settings)
    if not sealed:
        app.mapper.sealer = None
    began = time.perf_counter()
    ingest_lines(app, lines)
    ingest_s = time.perf_counter() - began
    began = time.perf_counter()
    rebuild(app, build_engine(settings), Dashboard())
    return {"ingest_s": ingest_s, "rebuild_s": time.perf_counter() - began}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--orders", type=int, default=20_000)
    parser.add_argument("--rounds", type=int, default=2)
    options = parser.parse_args()
    lines = [orjson.dumps(m) for m in simulate(orders=options.orders, seed=42)]
    runs = {True: [], False: []}
    with tempfile.TemporaryDirectory() as work:
        for round_no in range(options.rounds):
            for sealed in (False, True):
                runs[sealed].append(measure(lines, Path(work), sealed, round_no))
    for sealed in (False, True):
        best = {k: min(r[k] for r in runs[sealed]) for k in ("ingest_s", "rebuild_s")}
        print(f"{'sealed' if sealed else 'plain '}  ingest {len(lines) / best['ingest_s']:8,.0f} msgs/s"
              f"   dashboard rebuild {best['rebuild_s']:6.2f} s")
    ratio = min(r["ingest_s"] for r in runs[False]) / min(r["ingest_s"] for r in runs[True])
    print(f"sealed ingest = {ratio:.2f} × plain ({len(lines):,} messages of {options.orders:,} orders, best of "
          f"{options.rounds})")


if __name__ == "__main__":
    main()
