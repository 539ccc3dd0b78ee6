"""What the verify job's progress callback costs (decision 0025): the whole-log `verify` of one store,
with the callback the job passes (store/audit.verify's `progress`) and without, alternating so the
machine's load falls on both alike; the median of each and their ratio.

    python -m bench.verify_progress [--database-url URL | --orders 3000] [--rounds 5]
"""

import argparse
import statistics
import tempfile
import time
from pathlib import Path

import orjson

from consumers.ingest import ingest_lines
from entrypoints.bootstrap import Settings
from entrypoints.documents import Documents
from entrypoints.verify_jobs import VerifyJob
from producers.simulator import simulate


def timed(documents: Documents, progress) -> tuple[float, int]:
    began = time.perf_counter()
    report = documents.verify(progress=progress)
    assert report["ok"], report["findings"][:3]
    return time.perf_counter() - began, report["events"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", help="an existing store (default: a new one of --orders orders)")
    parser.add_argument("--orders", type=int, default=3_000)
    parser.add_argument("--rounds", type=int, default=5)
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as work:
        url = options.database_url or f"sqlite:///{Path(work) / 'orderclaims.db'}"
        documents = Documents(Settings(database_url=url))
        if not options.database_url:
            ingest_lines(documents.app, [orjson.dumps(m) for m in simulate(orders=options.orders, seed=42)])
        job = VerifyJob(None, documents.app.recorder.max_notification_id() or 0)
        without, with_ = [], []
        timed(documents, None)  # warm the page cache
        for _ in range(options.rounds):
            seconds, events = timed(documents, None)
            without.append(seconds)
            with_.append(timed(documents, job.progressed)[0])
        a, b = statistics.median(without), statistics.median(with_)
        print(f"verify of {events:,} events, median of {options.rounds}: without progress {a:.3f} s, "
              f"with {b:.3f} s, ratio {b / a:.3f}")


if __name__ == "__main__":
    main()
