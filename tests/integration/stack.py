"""The distributed system under test: `orderclaims` processes on a real broker and database,
and the waits and reads the tests need (on positions and offsets, never on sleeps)."""

import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import orjson
import psycopg
from kafka import KafkaConsumer
from sqlalchemy import inspect, select, text
from sqlalchemy.engine import Engine, make_url

from messaging import progress
from messaging.topics import Topics
from entrypoints.bootstrap import Settings, build_engine, build_orders
from tools.services.postgres import create_database
from projections.schema import metadata, positions
from projections.runner import PROJECTIONS

ORDERCLAIMS = Path(sys.executable).parent / "orderclaims"
UNDER_TEST = "orderclaims-under-test"


@dataclass(frozen=True)
class Services:
    bootstrap: str
    server_url: str


class Stack:
    def __init__(self, env: dict[str, str], topics: Topics, workdir: Path):
        self.env = env
        self.topics = topics
        self.workdir = workdir
        self.processes: list[subprocess.Popen] = []
        self.log_files: dict[subprocess.Popen, Path] = {}
        self.settings = Settings(database_url=env["ORDERCLAIMS_DATABASE_URL"], kafka_bootstrap=env["ORDERCLAIMS_KAFKA_BOOTSTRAP"],
                                 topic_prefix=topics.prefix)
        self._app = None
        self._engine = None

    @classmethod
    def fresh(cls, services: Services, workdir: Path) -> "Stack":
        name = f"t_{uuid.uuid4().hex[:12]}"
        env = {
            **os.environ,
            "ORDERCLAIMS_DATABASE_URL": create_database(services.server_url, name),
            "ORDERCLAIMS_KAFKA_BOOTSTRAP": services.bootstrap,
            "ORDERCLAIMS_TOPIC_PREFIX": name,
            "ORDERCLAIMS_BATCH_SIZE": "500",
            "ORDERCLAIMS_MAX_RETRIES": "6",
            "PGAPPNAME": UNDER_TEST,  # the processes' database connections, told apart from the test's own
        }
        return cls(env, Topics(name), workdir)

    # ---- processes -----------------------------------------------------------------------------

    def cli(self, *args: str, stdin: bytes | None = None, check: bool = True) -> subprocess.CompletedProcess:
        done = subprocess.run([str(ORDERCLAIMS), *args], input=stdin, capture_output=True, env=self.env, cwd=self.workdir)
        assert not check or done.returncode == 0, f"orderclaims {' '.join(args)} exited {done.returncode}: {done.stderr.decode()}"
        return done

    def start(self, *args: str, env: dict[str, str] | None = None) -> subprocess.Popen:
        """`orderclaims run ARGS` in the background (`env`: settings of its own), its JSON log in the
        work directory."""
        path = self.workdir / f"{'-'.join(args)}-{len(self.processes)}.log"
        process = subprocess.Popen([str(ORDERCLAIMS), "run", *args], env={**self.env, **(env or {})}, cwd=self.workdir,
                                   stdout=open(path, "wb"), stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        self.processes.append(process)
        self.log_files[process] = path
        return process

    def probes_url(self, process: subprocess.Popen) -> str:
        """Where a process started with `--metrics-port 0` answers its probes (it logs the address)."""
        found = []

        def logged() -> bool:
            for line in self.log_files[process].read_bytes().splitlines():
                if line.startswith(b"{") and (entry := orjson.loads(line)).get("msg") == "probes listening":
                    found.append(entry["url"])
            return bool(found)

        self.wait(logged, "the probes' address logged", timeout=60)
        return found[0]

    def start_all(self, ingest_workers: int = 2, projectors_apart: bool = False) -> dict[str, list[subprocess.Popen]]:
        """The pipeline: ingest workers, the relay, and one projector process for every projection
        (`run project`), or, `projectors_apart`, one process per projection."""
        projectors = ({name: [self.start("project", name)] for name in PROJECTIONS} if projectors_apart
                      else {"projections": [self.start("project")]})
        return {"ingest": [self.start("ingest") for _ in range(ingest_workers)], "relay": [self.start("relay")],
                **projectors}

    def stop(self, process: subprocess.Popen, timeout: float = 60) -> int:
        process.send_signal(signal.SIGTERM)
        return process.wait(timeout)

    def kill_all(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                process.kill()
                process.wait(30)

    def logs(self) -> str:
        return "\n".join(f"== {p.name}\n{p.read_text()[-4000:]}" for p in sorted(self.workdir.glob("*.log")))

    # ---- where everything stands ---------------------------------------------------------------

    @property
    def app(self):
        if self._app is None:
            self._app = build_orders(self.settings)
        return self._app

    @property
    def engine(self) -> Engine:
        if self._engine is None:
            self._engine = build_engine(self.settings)
            metadata.create_all(self._engine)
        return self._engine

    def ingested(self) -> bool:
        """Every upstream message is in the store (by the offsets tracked in the store)."""
        return progress.ingest_lag(self.app, self.settings.kafka_bootstrap, self.topics) == 0

    def relayed(self) -> bool:
        return progress.relay_lag(self.app, self.topics) == 0

    def relayed_up_to(self) -> int:
        return self.app.recorder.max_tracking_id(progress.relay_tracking_name(self.topics)) or 0

    def projected(self) -> bool:
        """Each projection's consumer group has committed the end of every events partition."""
        lags = progress.projection_lags(self.settings.kafka_bootstrap, self.topics, list(PROJECTIONS))
        return not any(lags.values())

    def cut_database_connections(self) -> int:
        """Terminate the processes' connections to this test's database, as a failover would."""
        url = make_url(self.settings.database_url)
        with psycopg.connect(host=url.host, port=url.port, user=url.username, password=url.password,
                             dbname="postgres", autocommit=True) as conn:
            return len(conn.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s AND application_name = %s",
                (url.database, UNDER_TEST),
            ).fetchall())

    def consume(self, topic: str, count: int, timeout: float = 30) -> list[dict]:
        """The first `count` messages of a topic (JSON values); fails if fewer arrive in time."""
        consumer = KafkaConsumer(topic, bootstrap_servers=self.settings.kafka_bootstrap, auto_offset_reset="earliest",
                                 consumer_timeout_ms=int(timeout * 1000))
        try:
            values = []
            for record in consumer:
                values.append(orjson.loads(record.value))
                if len(values) == count:
                    return values
        finally:
            consumer.close()
        raise AssertionError(f"{topic}: {len(values)} of {count} messages within {timeout:.0f} s: {values}")

    def wait(self, condition: Callable[[], bool], what: str, timeout: float = 240) -> None:
        deadline = time.monotonic() + timeout
        while not condition():
            dead = [p.args for p in self.processes if p.poll() not in (None, -9, -15, 0)]
            assert not dead, f"a process failed while waiting until {what}: {dead}\n{self.logs()}"
            assert time.monotonic() < deadline, f"not {what} within {timeout:.0f} s\n{self.logs()}"
            time.sleep(0.2)

    def wait_caught_up(self, timeout: float = 240) -> None:
        for condition, what in ((self.ingested, "ingested"), (self.relayed, "relayed"), (self.projected, "projected")):
            self.wait(condition, what, timeout)

    def read_models(self) -> dict[str, list[tuple]]:
        return read_models(self.engine)


def read_models(engine: Engine, store: Engine | None = None) -> dict[str, list[tuple]]:
    """Every row of every projection table, in a stable order (row ids left out). An order's or a
    cart's id is given as its number: a store with time-ordered ids (docs/decisions/0019) gives the
    same order another id than another store does. `store`: where the ids' numbers are, when the read
    models are elsewhere (a scratch rebuild)."""
    tables = {}
    if store is not None:
        with store.connect() as conn:
            named = _natural_names(conn)
    with engine.connect() as conn:
        if store is None:
            named = _natural_names(conn)
        for table in metadata.sorted_tables:
            if table is positions:
                continue
            columns = [c for c in table.columns if c.name != "id"]
            tables[table.name] = sorted((tuple(named.get(v, v) if isinstance(v, str) else v for v in row)
                                         for row in conn.execute(select(*columns))), key=repr)
    return tables


def _natural_names(conn) -> dict[str, str]:
    """str(id) → "order N" / "cart C" of the store's time-ordered ids (none in a uuid5 store)."""
    if not inspect(conn).has_table("aggregate_ids"):
        return {}
    rows = conn.execute(text("SELECT kind, natural_key, originator_id FROM aggregate_ids"))
    return {str(uuid.UUID(str(oid))): f"{kind} {key}" for kind, key, oid in rows}
