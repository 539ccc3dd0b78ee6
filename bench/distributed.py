"""The distributed figures: Kafka → ingest ×2 → PostgreSQL store → relay → one projector process
that runs every projection (`orderclaims run project`).

1. Latency: the first part of a simulated stream offered at fixed rates in turn (the issue's
   2,000 msgs/s first); for every 10th `order.placed`, the time from its send to its row in the
   dashboard table (p50/p99).
2. Sustained throughput: the rest of the stream as fast as it can be sent; messages per second
   from the first send until every projection has caught up.
3. kafka-python beside confluent-kafka on the same broker (bench/kafka_clients.py).
4. Once the processes are stopped, every projection rebuilt from the PostgreSQL store.
Peak RSS and CPU seconds of every process from /proc before it is stopped.
"""

import os
import signal
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path
from statistics import quantiles

import orjson
from sqlalchemy import select

from messaging import progress
from messaging.topics import Topics, ensure_topics, producer
from entrypoints.bootstrap import Settings, build_engine, build_orders
from tools.services.local import start_both
from tools.services.postgres import create_database
from producers.simulator import simulate
from store.keyring import new_key
from store.keys import MASTER_KEY_ENV
from producers.upstream import message_key
from projections.schema import metadata
from projections.dashboard import dash_orders
from projections.runner import PROJECTIONS as ALL_PROJECTIONS

ORDERCLAIMS = str(Path(sys.executable).parent / "orderclaims")
PROJECTIONS = tuple(ALL_PROJECTIONS)  # every projection the service runs, in one projector process
INGEST_WORKERS = 2


class Probe(threading.Thread):
    """Polls the dashboard table for the orders sent, recording how long each took to appear."""

    def __init__(self, engine):
        super().__init__(daemon=True)
        self.engine = engine
        self.pending: dict[str, float] = {}
        self.latencies_ms: list[float] = []
        self.lock = threading.Lock()
        self.done = threading.Event()

    def sent(self, order_no: str) -> None:
        with self.lock:
            self.pending[order_no] = time.perf_counter()

    def run(self) -> None:
        with self.engine.connect() as conn:
            while not (self.done.is_set() and not self.pending):
                with self.lock:
                    waiting = list(self.pending)
                if waiting:
                    seen = conn.execute(select(dash_orders.c.order_no).where(dash_orders.c.order_no.in_(waiting))).scalars().all()
                    conn.rollback()
                    now = time.perf_counter()
                    with self.lock:
                        for order_no in seen:
                            self.latencies_ms.append((now - self.pending.pop(order_no)) * 1000)
                time.sleep(0.01)


def _wait(app, settings, topics, processes, timeout: float = 900) -> None:
    deadline = time.monotonic() + timeout
    while not progress.caught_up(app, settings.kafka_bootstrap, topics, list(PROJECTIONS)):
        failed = [p.args for p in processes if p.poll() is not None]
        if failed or time.monotonic() > deadline:
            raise RuntimeError(f"not caught up; exited: {failed}")
        time.sleep(0.1)


def peak_rss_mb(pid: int) -> float:
    """The kernel's high-water mark of a running process's resident memory (0 once it has gone)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except (FileNotFoundError, ProcessLookupError):
        return 0.0
    for line in status.splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def cpu_seconds(pid: int) -> float:
    """User + system CPU time a running process has used: where the two cores went."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _latency_at(rate: int, lines: list[bytes], send, topics: Topics, engine, wait_caught_up) -> dict:
    """Offer `lines` at `rate` msgs/s; every 10th order.placed is timed until its dashboard row."""
    probe = Probe(engine)
    probe.start()
    began, placed = time.perf_counter(), 0
    for i, line in enumerate(lines):
        while i >= rate * (time.perf_counter() - began):
            time.sleep(0.001)
        if b'"type":"order.placed"' in line:
            placed += 1
            if placed % 10 == 0:
                probe.sent(orjson.loads(line)["order_no"])
        send.send(topics.upstream, key=message_key(line), value=line)
    send.flush()
    probe.done.set()
    wait_caught_up()
    probe.join(60)
    if len(probe.latencies_ms) < 2:
        raise RuntimeError(f"only {len(probe.latencies_ms)} latency samples: offer more messages")
    p = quantiles(probe.latencies_ms, n=100)
    return {"rate": rate, "offered_messages": len(lines), "samples": len(probe.latencies_ms),
            "p50_ms": round(p[49]), "p99_ms": round(p[98])}


def _stop(processes) -> None:
    for proc in processes:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
    for proc in processes:
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            proc.kill()


def _rebuilds(database_url: str) -> tuple[dict, dict]:
    """Every projection rebuilt from the PostgreSQL store, each by `orderclaims rebuild`."""
    speeds, events = {}, {}
    env = {**os.environ, "ORDERCLAIMS_DATABASE_URL": database_url, "ORDERCLAIMS_KAFKA_BOOTSTRAP": ""}
    for name in PROJECTIONS:
        done = subprocess.run([ORDERCLAIMS, "rebuild", name, "--json"], env=env, capture_output=True, check=True)
        figures = orjson.loads(done.stdout)[name]
        speeds[name], events[name] = figures["events_per_s"], figures["events"]
        print(f"  rebuild {name} on PostgreSQL: {figures['events']:,} events in {figures['seconds']} s", file=sys.stderr)
    return speeds, events


def measure_distributed(work: Path, orders: int, rates: list[int], rate_seconds: int,
                        relay_producer: str = "kafka-python", extras: bool = True) -> dict:
    """The pipeline's figures with the relay on `relay_producer`; `extras`: also the clients side by
    side and the rebuilds on PostgreSQL."""
    own = []
    os.environ.setdefault(MASTER_KEY_ENV, new_key())  # a PostgreSQL store has no key file
    os.environ.setdefault("ORDERCLAIMS_CHAIN_KEY", new_key())  # nor a chain key file
    bootstrap, server = os.environ.get("ORDERCLAIMS_KAFKA_BOOTSTRAP"), os.environ.get("ORDERCLAIMS_DATABASE_URL", "")
    if not (bootstrap and server.startswith("postgresql")):
        kafka, postgres = start_both()
        own = [kafka, postgres]
        bootstrap, server = kafka.bootstrap, postgres.url
    name = f"bench_{uuid.uuid4().hex[:8]}"
    settings = Settings(database_url=create_database(server, name), kafka_bootstrap=bootstrap, topic_prefix=name)
    topics = Topics(name)
    ensure_topics(bootstrap, topics, settings.partitions)
    env = {**os.environ, "ORDERCLAIMS_DATABASE_URL": settings.database_url, "ORDERCLAIMS_KAFKA_BOOTSTRAP": bootstrap,
           "ORDERCLAIMS_TOPIC_PREFIX": name, "ORDERCLAIMS_LOG_LEVEL": "WARNING", "ORDERCLAIMS_KAFKA_PRODUCER": relay_producer}
    roles = {**{f"ingest {n}": ["ingest"] for n in range(1, INGEST_WORKERS + 1)}, "relay": ["relay"],
             "project (all)": ["project"]}
    processes = {role: subprocess.Popen([ORDERCLAIMS, "run", *args], env=env, stdout=subprocess.DEVNULL,
                                        stderr=open(work / f"{role.replace(' ', '-')}.log", "wb"))
                 for role, args in roles.items()}
    app, engine = build_orders(settings), build_engine(settings)
    metadata.create_all(engine)  # the probe reads the dashboard table before a projector may have made it
    try:
        lines = [orjson.dumps(m) for m in simulate(orders=orders, seed=7)]
        send = producer(bootstrap, "bench")
        time.sleep(3)  # let the groups form before the clock starts

        latency, sent = [], 0
        wanted = sum(rate * rate_seconds for rate in rates)
        share = min(1.0, len(lines) // 2 / wanted)  # the latency phases get half the stream at most
        for rate in rates:  # each rate for `rate_seconds`, or shorter alike when the stream is short
            offered = int(rate * rate_seconds * share)
            latency.append(_latency_at(rate, lines[sent:sent + offered], send, topics, engine,
                                       lambda: _wait(app, settings, topics, processes.values())))
            sent += offered

        began = time.perf_counter()
        for line in lines[sent:]:
            send.send(topics.upstream, key=message_key(line), value=line)
        send.flush()
        _wait(app, settings, topics, processes.values())
        sustained = time.perf_counter() - began
        send.close()
        result = {
            "kafka_orders": orders,
            "ingest_workers": INGEST_WORKERS,
            "projectors": f"1 projector process ({len(PROJECTIONS)} projections)",
            "kafka_e2e_msgs_per_s": round((len(lines) - sent) / sustained),
            "sustained_messages": len(lines) - sent,
            "offered_rate": rates[0],
            "e2e_p50_ms": latency[0]["p50_ms"],
            "e2e_p99_ms": latency[0]["p99_ms"],
            "latency_samples": latency[0]["samples"],
            "latency_by_rate": latency,
            "peak_rss_mb": {role: round(peak_rss_mb(proc.pid)) for role, proc in processes.items()},
            "cpu_s": {role: round(cpu_seconds(proc.pid), 1) for role, proc in processes.items()},
        }
        if extras:
            from bench.kafka_clients import compare  # while the broker is up

            result["kafka_clients"] = compare(bootstrap)
            _stop(processes.values())
            result["rebuild_pg_events_per_s"], result["rebuild_pg_events"] = _rebuilds(settings.database_url)
        return result
    finally:
        _stop(processes.values())
        engine.dispose()
        for service in own:
            service.stop()
