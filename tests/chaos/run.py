"""The chaos run (`make chaos`; a short one runs in `make test`): the distributed pipeline under faults.

A real broker and a durable PostgreSQL of its own, ingest workers (two, then one to three), the relay
and the three projectors. A simulated stream with fuzzed bad lines and poison of every class
(tests/chaos/poison.py) is produced all through the run by a plain kafka-python producer keyed by
cart, while at seeded random moments a fault of tests/chaos/faults.py strikes: kill -9, connections
cut, PostgreSQL crashed, the broker restarted under load, an ingest worker joining or leaving, a
rebuild killed -9, a full disk. Then, with the faults over, it waits until everything has caught up
and checks, against embedded mode on the same lines:
- every valid message was accepted or rejected (with its code) exactly as embedded mode decides,
  none lost — a reused message_id included (`duplicate_conflict`);
- every bad line and every poison line is on the dead-letter topic with its reason;
- the read models equal embedded mode's, a rebuild from the store, and the read models after
  `orderclaims rebuild` ran to the end over what the killed ones left: nothing doubled, nothing missing.

    python -m tests.chaos.run [--faults 100] [--orders 4000] [--seed 1]
"""

import argparse
import hashlib
import os
import random
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import orjson
from eventsourcing.utils import get_topic
from kafka import KafkaConsumer, KafkaProducer
from sqlalchemy import create_engine
from sqlalchemy.pool import StaticPool

from consumers.ingest import ingest_lines
from domain.receipt import Receipt
from entrypoints.bootstrap import Settings, build_engine, build_orders
from messaging.topics import ensure_topics
from producers.simulator import simulate
from producers.upstream import message_key
from projections.runner import PROJECTIONS, LogFollower, all_projections, rebuild
from store.keyring import new_key
from store.keys import MASTER_KEY_ENV
from tests.chaos.faults import LEFTOVER, Chaos, Seen
from tests.chaos.poison import POISON_KINDS, bad_lines, poison_lines
from tests.integration.stack import ORDERCLAIMS, Services, Stack, read_models
from tools.services.local import start_both

RECEIPT = get_topic(Receipt.Processed)


@dataclass
class Report:
    seen: Seen = field(default_factory=Seen)
    disk_skipped: str = ""  # why the full disk was not tried
    messages: int = 0
    bad_lines: int = 0
    poison: Counter = field(default_factory=Counter)  # kind -> lines made
    poison_handled: Counter = field(default_factory=Counter)  # kind -> dead-lettered, or rejected with its code
    dead_letters: int = 0
    lost: int = 0
    decided_otherwise: int = 0
    doubled_rows: int = 0
    missing_rows: int = 0
    rebuild_differs: int = 0
    after_rebuild_differs: int = 0
    converge_s: float = 0.0
    total_s: float = 0.0

    @property
    def faults(self) -> Counter:
        return self.seen.faults

    @property
    def ok(self) -> bool:
        return not (self.lost or self.decided_otherwise or self.doubled_rows or self.missing_rows
                    or self.rebuild_differs or self.after_rebuild_differs or self.seen.disk_problems) \
            and self.dead_letters == self.bad_lines and self.poison_handled == self.poison

    def lines(self) -> list[str]:
        seen = self.seen
        disk = (f"{seen.faults['disk full']} times full: ingest and checkpoint refused with a sentence "
                f"{seen.disk_refusals}/{2 * seen.faults['disk full']}, done once space returned "
                f"{seen.disk_recoveries}/{2 * seen.faults['disk full']}"
                + "".join(f"\n              {p}" for p in seen.disk_problems)) if seen.faults["disk full"] \
            else f"not tried ({self.disk_skipped or 'not drawn'})"
        return [
            f"faults        {sum(self.faults.values())}  ({', '.join(f'{k} {n}' for k, n in sorted(self.faults.items()))})",
            f"messages      {self.messages:,} produced all through the faults; {self.bad_lines} bad lines, "
            f"{sum(self.poison.values())} poison",
            "poison        " + ", ".join(f"{kind} {self.poison_handled[kind]}/{self.poison[kind]}" for kind in POISON_KINDS)
            + "  (handled/sent: dead-lettered with a reason, or rejected duplicate_conflict)",
            f"dead letters  {self.dead_letters} of {self.bad_lines} distinct bad and poison lines on the DLQ, with their reason",
            f"workers       {seen.workers_joined} joined, {seen.workers_left} left (partitions moved each time)",
            f"rebuilds      {seen.rebuilds_killed} killed mid-way, {seen.rebuilds_early} before they built anything, "
            f"{seen.rebuilds_finished} finished first; "
            f"the final rebuild found and dropped the leftover of {seen.leftovers_dropped} projections",
            f"full disk     {disk}",
            f"lost          {self.lost}   (valid messages with no outcome)",
            f"decided otherwise {self.decided_otherwise}   (an outcome unlike embedded mode's)",
            f"doubled       {self.doubled_rows}   (read-model rows beyond embedded mode's)",
            f"missing rows  {self.missing_rows}",
            f"rebuild       {'equal' if not self.rebuild_differs else f'{self.rebuild_differs} tables differ'}"
            " (the read models rebuilt from the store)",
            f"after rebuild {'equal' if not self.after_rebuild_differs else f'{self.after_rebuild_differs} tables differ'}"
            " (`orderclaims rebuild` run to the end over what the killed ones left)",
            f"converged in  {self.converge_s:.1f} s after the last fault ({self.total_s:.0f} s in all)",
            "OK" if self.ok else "FAILED",
        ]


def stream(rng: random.Random, orders: int, seed: int, bad: int | None, poison_per_kind: int
           ) -> tuple[list[bytes], list[bytes], dict[str, list[bytes]]]:
    """The lines to send: the simulated stream with bad lines and poison put anywhere (a reused id after
    the message whose id it takes); and those bad lines and poison."""
    valid = [orjson.dumps(m) for m in simulate(orders=orders, seed=seed)]
    invalid = bad_lines(rng, valid, bad if bad is not None else max(20, orders // 100))
    poison = poison_lines(rng, valid, poison_per_kind)
    lines = list(valid)
    for line in poison["reused id"]:
        message_id = orjson.loads(line)["message_id"]
        after = next(i for i, other in enumerate(lines) if orjson.loads(other)["message_id"] == message_id)
        lines.insert(rng.randrange(after + 1, len(lines) + 1), line)
    for line in invalid + [line for kind, made in poison.items() if kind != "reused id" for line in made]:
        lines.insert(rng.randrange(len(lines) + 1), line)
    return lines, invalid, poison


def outcomes(app) -> dict[str, tuple]:
    """Every Receipt in the store: its id (of the message_id, or of a conflicting repeat's content) ->
    (message id, outcome, code)."""
    found, start = {}, 1
    while True:
        page = app.recorder.select_notifications(start, limit=10_000, topics=[RECEIPT])
        for n in page:
            receipt = app.mapper.to_domain_event(n)
            found[receipt.originator_id] = (receipt.message_id, receipt.outcome, receipt.code)
        if len(page) < 10_000:
            return found
        start = page[-1].id + 1


def produce(bootstrap: str, topic: str, lines: list[bytes]) -> None:
    """Send a slice and wait for the broker's acks. The producer is idempotent and retries (in order)
    for up to two minutes, so a broker restart mid-slice keeps each partition's order; when even that
    fails, the slice is sent again (a message twice is a duplicate to ingest, a bad line twice is one
    dead letter)."""
    for attempt in range(30):
        producer = None
        try:
            producer = KafkaProducer(bootstrap_servers=bootstrap, acks="all", max_request_size=2 << 20)
            futures = [producer.send(topic, key=message_key(line), value=line) for line in lines]
            producer.flush(timeout=180)
            for future in futures:
                future.get(timeout=30)
            return
        except Exception as error:  # the broker away for longer: wait and send the slice again
            print(f"  producing again after {type(error).__name__}", file=sys.stderr)
            time.sleep(2)
        finally:
            if producer is not None:
                producer.close(timeout=5)
    raise RuntimeError("could not produce a slice in 30 attempts")


class Load(threading.Thread):
    """The stream sent slice after slice all through the faults, so that every fault strikes under load."""

    def __init__(self, bootstrap: str, topic: str, parts: list[list[bytes]], every: float):
        super().__init__(daemon=True)
        self.bootstrap, self.topic, self.parts, self.every = bootstrap, topic, parts, every
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            for part in self.parts:
                began = time.monotonic()
                produce(self.bootstrap, self.topic, part)
                time.sleep(max(0.0, self.every - (time.monotonic() - began)))
        except BaseException as error:  # said by the run, which waits for this thread
            self.error = error


def dead_letters(bootstrap: str, topic: str) -> dict[str, str]:
    """The DLQ's records: the SHA-256 of the line -> its reason (the record keeps the line masked)."""
    consumer = KafkaConsumer(topic, bootstrap_servers=bootstrap, auto_offset_reset="earliest", consumer_timeout_ms=5000,
                             fetch_max_bytes=8 << 20, max_partition_fetch_bytes=4 << 20)
    try:
        return {orjson.loads(r.value)["sha256"]: orjson.loads(r.value)["reason"] for r in consumer}
    finally:
        consumer.close()


def compare(report: Report, expected_rows: dict[str, list[tuple]], rows: dict[str, list[tuple]]) -> None:
    for table, expected in expected_rows.items():
        got, want = Counter(rows.get(table, [])), Counter(expected)
        report.doubled_rows += sum((got - want).values())
        report.missing_rows += sum((want - got).values())


def run(faults: int, orders: int, seed: int, workdir: Path, bad: int | None = None, poison_per_kind: int = 3,
        slices: int = 40, gap: tuple[float, float] = (0.3, 1.2), timeout: float = 900) -> Report:
    began = time.monotonic()
    os.environ.setdefault(MASTER_KEY_ENV, new_key())  # the processes' and this one's, for PostgreSQL
    os.environ.setdefault("ORDERCLAIMS_CHAIN_KEY", new_key())  # the links' key tags, likewise
    os.environ.setdefault("ORDERCLAIMS_SIGNING_KEY", new_key())  # the checkpoints', likewise
    rng = random.Random(seed)
    lines, invalid, poison = stream(rng, orders, seed, bad, poison_per_kind)
    refused = invalid + [line for kind, made in poison.items() if POISON_KINDS[kind] == "dead letter" for line in made]
    report = Report(messages=len(lines), bad_lines=len(refused), poison=Counter({k: len(v) for k, v in poison.items()}))

    embedded_settings = Settings(database_url=f"sqlite:///{workdir / 'embedded.db'}")
    embedded_app, embedded_engine = build_orders(embedded_settings), build_engine(embedded_settings)
    summary = ingest_lines(embedded_app, lines)
    assert summary.invalid_count == len(refused) and not summary.parked_count, summary.as_json()
    LogFollower(embedded_app, embedded_engine, all_projections()).catch_up()
    expected_outcomes, expected_rows = outcomes(embedded_app), read_models(embedded_engine)

    kafka, postgres = start_both(durable=True)
    stack = Stack.fresh(Services(kafka.bootstrap, postgres.url), workdir)
    chaos = Chaos(stack, kafka, postgres, rng, workdir, sample=lines[:300])
    report.disk_skipped = "" if chaos.disk.available else f"no small file system: {chaos.disk.why_not}"
    try:
        ensure_topics(kafka.bootstrap, stack.topics, partitions=4)
        parts = [lines[len(lines) * i // slices:len(lines) * (i + 1) // slices] for i in range(slices)]
        produce(kafka.bootstrap, stack.topics.upstream, parts.pop(0))
        chaos.start()
        load = Load(kafka.bootstrap, stack.topics.upstream, parts, every=faults * sum(gap) / 2 / max(1, len(parts)))
        load.start()
        for kind in chaos.schedule(faults):
            time.sleep(rng.uniform(*gap))
            chaos.strike(kind)
            chaos.supervise()
        load.join()
        if load.error:
            raise load.error
        last_fault = time.monotonic()
        while not chaos.caught_up():
            if time.monotonic() - last_fault > timeout:
                raise TimeoutError(f"not caught up {timeout:.0f} s after the last fault\n{stack.logs()}")
            chaos.supervise()
            time.sleep(0.5)
        report.converge_s = time.monotonic() - last_fault
        stack.engine.dispose()  # its pooled connections may be from before the last PostgreSQL crash

        actual = outcomes(stack.app)
        report.lost = len(set(expected_outcomes) - set(actual))
        report.decided_otherwise = sum(1 for r, o in expected_outcomes.items() if r in actual and actual[r] != o)
        report.decided_otherwise += len(set(actual) - set(expected_outcomes))
        conflicts = {message_id for message_id, outcome, code in actual.values() if code == "duplicate_conflict"}
        report.poison_handled["reused id"] = sum(1 for line in poison["reused id"] if orjson.loads(line)["message_id"] in conflicts)
        letters = dead_letters(kafka.bootstrap, stack.topics.dead_letters)
        report.dead_letters = sum(1 for line in refused if letters.get(hashlib.sha256(line).hexdigest()))
        for kind, made in poison.items():
            if POISON_KINDS[kind] == "dead letter":
                report.poison_handled[kind] = sum(1 for line in made if letters.get(hashlib.sha256(line).hexdigest()))
        rows = stack.read_models()
        compare(report, expected_rows, rows)
        scratch = create_engine("sqlite://", poolclass=StaticPool)
        for cls in PROJECTIONS.values():
            rebuild(stack.app, scratch, cls())
        rebuilt = read_models(scratch, store=stack.engine)
        report.rebuild_differs = sum(1 for table in rebuilt if rebuilt[table] != rows.get(table))
        done = subprocess.run([str(ORDERCLAIMS), "rebuild"], env=stack.env, cwd=workdir, capture_output=True, timeout=600)
        assert done.returncode == 0, done.stderr.decode(errors="replace")
        chaos.seen.leftovers_dropped += (done.stdout + done.stderr).count(LEFTOVER)
        after = stack.read_models()
        report.after_rebuild_differs = sum(1 for table in expected_rows if Counter(after.get(table, [])) != Counter(expected_rows[table]))
    finally:
        chaos.close()
        stack.kill_all()
        kafka.stop()
        postgres.stop()
    report.seen = chaos.seen
    report.total_s = time.monotonic() - began
    return report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--faults", type=int, default=100)
    parser.add_argument("--orders", type=int, default=4000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--poison", type=int, default=3, help="poison lines of every kind")
    options = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="orderclaims-chaos-") as workdir:
        report = run(options.faults, options.orders, options.seed, Path(workdir), poison_per_kind=options.poison)
    print("\n".join(report.lines()))
    sys.exit(0 if report.ok else 1)


if __name__ == "__main__":
    main()
