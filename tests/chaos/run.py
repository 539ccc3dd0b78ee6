"""The chaos run (`make chaos`; a short one runs in `make test`): the distributed pipeline under faults.

A real broker and a durable PostgreSQL of its own, two ingest workers, the relay and the three
projectors. A simulated stream with fuzzed bad lines is produced in slices by a plain kafka-python
producer keyed by cart, while at seeded random moments one of these faults strikes: kill -9 of a
random process (restarted at once, as a supervisor would), the connections to the database cut,
PostgreSQL crashed (`pg_ctl -m immediate`) and started again, the broker restarted. A process that
exits by itself (too many faults in a row) is restarted too. Then, with the faults over, it waits
until everything has caught up and checks, against embedded mode on the same lines:
- every valid message was accepted or rejected (with its code) exactly as embedded mode decides,
  none lost;
- every bad line is on the dead-letter topic with its reason;
- the read models equal embedded mode's and a rebuild from the store, row for row: nothing doubled.

    python -m tests.chaos.run [--faults 100] [--orders 4000] [--seed 1]
"""

import argparse
import hashlib
import os
import random
import subprocess
import sys
import tempfile
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
from store.keyring import new_key
from store.keys import MASTER_KEY_ENV
from producers.upstream import message_key
from projections.runner import PROJECTIONS, LogFollower, all_projections, rebuild
from tests.integration.stack import Services, Stack, read_models
from tools.services.local import start_both

ROLES = {"ingest": ("ingest",), "relay": ("relay",), **{name: ("project", name) for name in PROJECTIONS}}
RECEIPT = get_topic(Receipt.Processed)


@dataclass
class Report:
    faults: Counter = field(default_factory=Counter)
    messages: int = 0
    bad_lines: int = 0
    dead_letters: int = 0
    lost: int = 0
    decided_otherwise: int = 0
    doubled_rows: int = 0
    missing_rows: int = 0
    rebuild_differs: int = 0
    converge_s: float = 0.0
    total_s: float = 0.0

    @property
    def ok(self) -> bool:
        return not (self.lost or self.decided_otherwise or self.doubled_rows or self.missing_rows
                    or self.rebuild_differs) and self.dead_letters == self.bad_lines

    def lines(self) -> list[str]:
        return [
            f"faults        {sum(self.faults.values())}  ({', '.join(f'{k} {n}' for k, n in sorted(self.faults.items()))})",
            f"messages      {self.messages:,} produced, {self.bad_lines} of them bad lines",
            f"dead letters  {self.dead_letters} distinct bad lines on the DLQ, with their reason",
            f"lost          {self.lost}   (valid messages with no outcome)",
            f"decided otherwise {self.decided_otherwise}   (an outcome unlike embedded mode's)",
            f"doubled       {self.doubled_rows}   (read-model rows beyond embedded mode's)",
            f"missing rows  {self.missing_rows}",
            f"rebuild       {'equal' if not self.rebuild_differs else f'{self.rebuild_differs} tables differ'}"
            " (the read models rebuilt from the store)",
            f"converged in  {self.converge_s:.1f} s after the last fault ({self.total_s:.0f} s in all)",
            "OK" if self.ok else "FAILED",
        ]


def bad_lines(rng: random.Random, valid: list[bytes], count: int) -> list[bytes]:
    """Distinct lines the contract refuses: noise, broken JSON, messages with a field out of bounds."""
    lines = []
    for n in range(count):
        kind = n % 5
        if kind == 0:
            lines.append(bytes(rng.getrandbits(8) for _ in range(rng.randint(5, 60))).replace(b"\n", b"") + b"#%d" % n)
        elif kind == 1:
            lines.append(b'{"message_id": "broken-%d", "type": ' % n)
        else:
            document = orjson.loads(rng.choice(valid))
            document["message_id"] = f"bad-{n}"
            field_name, value = [("occurred_at", 1730000000), ("occurred_at", "9999-12-31T23:59:59-12:00"),
                                 ("type", "order.teleported"), ("actor", "robot"), ("order_no", "x" * 65)][n % 5]
            document[field_name] = value
            lines.append(orjson.dumps(document))
    return lines


def outcomes(app) -> dict[str, tuple]:
    """Every message the store has a Receipt of: message id -> (outcome, code)."""
    found, start = {}, 1
    while True:
        page = app.recorder.select_notifications(start, limit=10_000, topics=[RECEIPT])
        for n in page:
            receipt = app.mapper.to_domain_event(n)
            found[receipt.message_id] = (receipt.outcome, receipt.code)
        if len(page) < 10_000:
            return found
        start = page[-1].id + 1


def produce(bootstrap: str, topic: str, lines: list[bytes], report: Report) -> None:
    """Send a slice and wait for the broker's acks; after a broker fault, send it again (a message
    sent twice is a duplicate to ingest, a bad line twice is one dead letter)."""
    for attempt in range(30):
        producer = None
        try:
            producer = KafkaProducer(bootstrap_servers=bootstrap, acks="all", retries=5, request_timeout_ms=15_000)
            futures = [producer.send(topic, key=message_key(line), value=line) for line in lines]
            producer.flush(timeout=60)
            for future in futures:
                future.get(timeout=30)
            return
        except Exception as error:  # the broker away: wait and send the slice again
            print(f"  producing again after {type(error).__name__}", file=sys.stderr)
            time.sleep(2)
        finally:
            if producer is not None:
                producer.close(timeout=5)
    raise RuntimeError("could not produce a slice in 30 attempts")


def dead_letters(bootstrap: str, topic: str) -> dict[str, str]:
    """The DLQ's records: the SHA-256 of the line -> its reason (the record keeps the line masked)."""
    consumer = KafkaConsumer(topic, bootstrap_servers=bootstrap, auto_offset_reset="earliest", consumer_timeout_ms=5000)
    try:
        return {orjson.loads(r.value)["sha256"]: orjson.loads(r.value)["reason"] for r in consumer}
    finally:
        consumer.close()


class Chaos:
    def __init__(self, stack: Stack, kafka, postgres, rng: random.Random):
        self.stack, self.kafka, self.postgres, self.rng = stack, kafka, postgres, rng
        self.processes: dict[str, list[subprocess.Popen]] = {}

    def start(self) -> None:
        self.processes = {role: [self.stack.start(*args) for _ in range(2 if role == "ingest" else 1)]
                          for role, args in ROLES.items()}

    def supervise(self) -> None:
        """Restart a process that exited (a supervisor's `restart: unless-stopped`)."""
        for role, group in self.processes.items():
            for i, process in enumerate(group):
                if process.poll() is not None:
                    group[i] = self.stack.start(*ROLES[role])

    def strike(self, report: Report, broker_restarts_left: int) -> int:
        kinds = ["kill", "kill", "kill", "kill", "cut", "cut", "postgres"] + (["broker"] if broker_restarts_left else [])
        kind = self.rng.choice(kinds)
        if kind == "kill":
            role = self.rng.choice(sorted(self.processes))
            group = self.processes[role]
            i = self.rng.randrange(len(group))
            group[i].kill()
            group[i].wait(30)
            group[i] = self.stack.start(*ROLES[role])
            kind = f"kill -9 {role}"
        elif kind == "cut":
            self.stack.cut_database_connections()
            kind = "connections cut"
        elif kind == "postgres":
            self.postgres.crash_and_restart()
            kind = "PostgreSQL crash"
        else:
            self.kafka.restart()
            broker_restarts_left -= 1
            kind = "broker restart"
        report.faults[kind] += 1
        return broker_restarts_left

    def caught_up(self) -> bool:
        try:
            return self.stack.ingested() and self.stack.relayed() and self.stack.projected()
        except Exception:  # a connection of this process cut by the last fault: ask again
            return False


def run(faults: int, orders: int, seed: int, workdir: Path, bad: int | None = None, slices: int = 8,
        gap: tuple[float, float] = (0.3, 1.2), timeout: float = 900) -> Report:
    began = time.monotonic()
    os.environ.setdefault(MASTER_KEY_ENV, new_key())  # the processes' and this one's, for PostgreSQL
    os.environ.setdefault("ORDERCLAIMS_CHAIN_KEY", new_key())  # the links' key tags, likewise
    rng = random.Random(seed)
    valid = [orjson.dumps(m) for m in simulate(orders=orders, seed=seed)]
    invalid = bad_lines(rng, valid, bad if bad is not None else max(20, orders // 100))
    lines = list(valid)
    for line in invalid:
        lines.insert(rng.randrange(len(lines) + 1), line)
    report = Report(messages=len(lines), bad_lines=len(invalid))

    embedded_settings = Settings(database_url=f"sqlite:///{workdir / 'embedded.db'}")
    embedded_app, embedded_engine = build_orders(embedded_settings), build_engine(embedded_settings)
    summary = ingest_lines(embedded_app, lines)
    assert summary.invalid_count == len(invalid) and not summary.parked_count, summary.as_json()
    LogFollower(embedded_app, embedded_engine, all_projections()).catch_up()
    expected_outcomes, expected_rows = outcomes(embedded_app), read_models(embedded_engine)

    kafka, postgres = start_both(durable=True)
    stack = Stack.fresh(Services(kafka.bootstrap, postgres.url), workdir)
    chaos = Chaos(stack, kafka, postgres, rng)
    try:
        ensure_topics(kafka.bootstrap, stack.topics, partitions=4)
        parts = [lines[len(lines) * i // slices:len(lines) * (i + 1) // slices] for i in range(slices)]
        produce(kafka.bootstrap, stack.topics.upstream, parts.pop(0), report)
        chaos.start()
        broker_restarts = max(1, faults // 25)
        every = max(1, faults // (len(parts) + 1))
        for n in range(faults):
            time.sleep(rng.uniform(*gap))
            if parts and n % every == every - 1:
                produce(kafka.bootstrap, stack.topics.upstream, parts.pop(0), report)
            broker_restarts = chaos.strike(report, broker_restarts)
            chaos.supervise()
        for part in parts:
            produce(kafka.bootstrap, stack.topics.upstream, part, report)
        last_fault = time.monotonic()
        while not chaos.caught_up():
            if time.monotonic() - last_fault > timeout:
                raise TimeoutError(f"not caught up {timeout:.0f} s after the last fault\n{stack.logs()}")
            chaos.supervise()
            time.sleep(0.5)
        report.converge_s = time.monotonic() - last_fault

        actual = outcomes(stack.app)
        report.lost = len(set(expected_outcomes) - set(actual))
        report.decided_otherwise = sum(1 for m, o in expected_outcomes.items() if m in actual and actual[m] != o)
        report.decided_otherwise += len(set(actual) - set(expected_outcomes))
        letters = dead_letters(kafka.bootstrap, stack.topics.dead_letters)
        report.dead_letters = sum(1 for line in invalid if letters.get(hashlib.sha256(line).hexdigest()))
        rows = stack.read_models()
        for table, expected in expected_rows.items():
            got, want = Counter(rows.get(table, [])), Counter(expected)
            report.doubled_rows += sum((got - want).values())
            report.missing_rows += sum((want - got).values())
        scratch = create_engine("sqlite://", poolclass=StaticPool)
        for cls in PROJECTIONS.values():
            rebuild(stack.app, scratch, cls())
        rebuilt = read_models(scratch)
        report.rebuild_differs = sum(1 for table in rebuilt if rebuilt[table] != rows.get(table))
    finally:
        stack.kill_all()
        kafka.stop()
        postgres.stop()
    report.total_s = time.monotonic() - began
    return report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--faults", type=int, default=100)
    parser.add_argument("--orders", type=int, default=4000)
    parser.add_argument("--seed", type=int, default=1)
    options = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="orderclaims-chaos-") as workdir:
        report = run(options.faults, options.orders, options.seed, Path(workdir))
    print("\n".join(report.lines()))
    sys.exit(0 if report.ok else 1)


if __name__ == "__main__":
    main()
