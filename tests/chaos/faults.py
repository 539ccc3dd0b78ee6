"""The faults a chaos run strikes with, and what each one saw (tests/chaos/run.py).

- kill -9 of a random process of the pipeline (restarted at once, as a supervisor would);
- the database's connections cut; PostgreSQL crashed (`pg_ctl -m immediate`) and started again;
- the broker restarted while the producer sends (the stream is produced all through the run);
- an ingest worker joining or leaving the group: its partitions move to the others and back;
- `orderclaims rebuild` of a projection killed -9 mid-way (its shadow tables half full), the live projector running;
- a full disk: a small file system the run mounts itself (tmpfs, as root) and fills; an embedded
  ingest into a new store there (database and keys) and the pipeline's `checkpoint --export` to a file
  there are refused with a sentence, leave nothing partial behind, and work once space returns.
"""

import errno
import re
import shutil
import random
import subprocess
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import orjson
from sqlalchemy import inspect

from projections.runner import PROJECTIONS
from store.keyring import KeyFileBroken, read_key_file
from tests.integration.stack import ORDERCLAIMS, Stack

ROLES = {"ingest": ("ingest",), "relay": ("relay",), **{name: ("project", name) for name in PROJECTIONS}}
# how often each kind is drawn after every kind has struck once; broker restarts are rationed
WEIGHTS = {"kill": 4, "cut": 2, "postgres": 1, "workers": 2, "rebuild": 2, "disk full": 1, "broker": 1}
LEFTOVER = b"dropped the leftover of a rebuild that did not finish"


@dataclass
class Seen:
    """What the faults themselves saw, beside what they were."""

    faults: Counter = field(default_factory=Counter)
    workers_joined: int = 0
    workers_left: int = 0
    rebuilds_killed: int = 0  # killed mid-way, its shadow tables half full
    rebuilds_early: int = 0  # killed before it had built anything
    rebuilds_finished: int = 0  # done before the kill came
    leftovers_dropped: int = 0  # projections whose killed rebuild's shadow tables the final rebuild found and dropped
    disk_refusals: int = 0  # checkpoints refused on the full disk with a sentence
    disk_recoveries: int = 0  # and written once space returned
    disk_problems: list[str] = field(default_factory=list)


def fill(filler: Path) -> None:
    """Write `filler` until its file system has no byte left (unbuffered: nothing waits to be written)."""
    try:
        with open(filler, "ab", buffering=0) as out:
            while True:
                out.write(b"\0" * 512)
    except OSError as full:
        assert full.errno == errno.ENOSPC, full


class SmallDisk:
    """A 4 MiB tmpfs under the run's folder, filled to the last byte on demand. Mounting needs root;
    without it `available` is False and the run says the kind was skipped."""

    def __init__(self, workdir: Path):
        self.path = workdir / "small-disk"
        self.path.mkdir()
        mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=4m,mode=0700", "orderclaims-chaos", str(self.path)],
                                 capture_output=True)
        self.available = mounted.returncode == 0
        self.why_not = mounted.stderr.decode(errors="replace").strip()
        self.filler = self.path / "filler"

    def fill(self) -> None:
        fill(self.filler)

    def free(self) -> None:
        self.filler.unlink(missing_ok=True)

    def unmount(self) -> None:
        if self.available:
            subprocess.run(["umount", "-l", str(self.path)], capture_output=True)


class Chaos:
    def __init__(self, stack: Stack, kafka, postgres, rng: random.Random, workdir: Path, sample: list[bytes]):
        self.stack, self.kafka, self.postgres, self.rng = stack, kafka, postgres, rng
        self.sample = sample  # the lines an embedded ingest on the full disk gets
        self.processes: dict[str, list[subprocess.Popen]] = {}
        self.disk = SmallDisk(workdir)
        self.rebuild_logs = workdir / "rebuilds"
        self.rebuild_logs.mkdir()
        self.seen = Seen()

    def start(self) -> None:
        self.processes = {role: [self.stack.start(*args) for _ in range(2 if role == "ingest" else 1)]
                          for role, args in ROLES.items()}

    def supervise(self) -> None:
        """Restart a process that exited (a supervisor's `restart: unless-stopped`)."""
        for role, group in self.processes.items():
            for i, process in enumerate(group):
                if process.poll() is not None:
                    group[i] = self.stack.start(*ROLES[role])

    def schedule(self, faults: int) -> list[str]:
        """Every kind once (in a random order), then drawn by WEIGHTS; a broker restart every 25 faults."""
        kinds = [kind for kind in WEIGHTS if kind != "disk full" or self.disk.available]
        first = self.rng.sample(kinds, len(kinds))
        broker_left = max(1, faults // 25) - 1
        rest = []
        while len(first) + len(rest) < faults:
            kind = self.rng.choices(kinds, [WEIGHTS[k] for k in kinds])[0]
            if kind == "broker":
                if not broker_left:
                    continue
                broker_left -= 1
            rest.append(kind)
        return (first + rest)[:faults]

    def strike(self, kind: str) -> None:
        name = {"kill": self.kill, "cut": self.cut, "postgres": self.crash_postgres, "broker": self.restart_broker,
                "workers": self.move_partitions, "rebuild": self.kill_rebuild, "disk full": self.fill_disk}[kind]()
        self.seen.faults[name] += 1

    def kill(self) -> str:
        role = self.rng.choice(sorted(self.processes))
        group = self.processes[role]
        i = self.rng.randrange(len(group))
        group[i].kill()
        group[i].wait(30)
        group[i] = self.stack.start(*ROLES[role])
        return f"kill -9 {role}"

    def cut(self) -> str:
        self.stack.cut_database_connections()
        return "connections cut"

    def crash_postgres(self) -> str:
        self.postgres.crash_and_restart()
        return "PostgreSQL crash"

    def restart_broker(self) -> str:
        self.kafka.restart()
        return "broker restart"

    def move_partitions(self) -> str:
        """An ingest worker joins (up to three) or one leaves as a scale-down does (SIGTERM; down to one):
        either way the group rebalances and partitions change owner."""
        workers = self.processes["ingest"]
        if len(workers) == 1 or (len(workers) == 2 and self.rng.random() < 0.5):
            workers.append(self.stack.start("ingest"))
            self.seen.workers_joined += 1
            return "worker joins"
        leaving = workers.pop(self.rng.randrange(len(workers)))
        leaving.terminate()
        try:
            leaving.wait(60)
        except subprocess.TimeoutExpired:
            leaving.kill()
            leaving.wait(30)
        self.seen.workers_left += 1
        return "worker leaves"

    def kill_rebuild(self) -> str:
        """`orderclaims rebuild NAME` beside the running projector, killed -9 0–0.1 s after its shadow
        tables appear: mid-way, as a rule (the next rebuild's "dropped the leftover" confirms it). Whatever it left, the next rebuild of that projection drops (and says so)."""
        name = self.rng.choice(sorted(PROJECTIONS))
        log = self.rebuild_logs / f"{sum(self.seen.faults.values())}-{name}.log"
        with open(log, "wb") as out:
            rebuild = subprocess.Popen([str(ORDERCLAIMS), "rebuild", name], env=self.stack.env, cwd=self.stack.workdir,
                                       stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
            midway = self.wait_for_shadow_tables(rebuild, name, timeout=20)
            time.sleep(self.rng.uniform(0.0, 0.1))
            if rebuild.poll() is None:
                rebuild.kill()
                if midway:
                    self.seen.rebuilds_killed += 1
                else:
                    self.seen.rebuilds_early += 1
            else:
                self.seen.rebuilds_finished += 1
            rebuild.wait(30)
        return "kill -9 rebuild"

    def wait_for_shadow_tables(self, rebuild: subprocess.Popen, name: str, timeout: float) -> bool:
        """Whether the rebuild has begun filling its own shadow tables: they appear (after a killed one's
        leftover, which it drops first, is gone). Asked until they do, or the rebuild has ended."""
        own = {table.name for table in PROJECTIONS[name]().rebuilding().stored_in.values()}
        gone = not self.tables_there(own)
        deadline = time.monotonic() + timeout
        while rebuild.poll() is None and time.monotonic() < deadline:
            there = self.tables_there(own)
            if there and gone:
                return True
            gone = gone or there is False
            time.sleep(0.02)
        return False

    def tables_there(self, names: set[str]) -> bool | None:
        try:
            return bool(names & set(inspect(self.stack.engine).get_table_names()))
        except Exception:  # the database away (the last fault): not known
            return None

    def fill_disk(self) -> str:
        """On the small disk, filled: the embedded ingest of a slice into a new store there (its database
        and its key directory: the master key, the chain key and the signing key are made on the first
        ingest) and the pipeline's `checkpoint --export` to a file there. Each refused with a sentence,
        nothing partial left; after space returns, both written and `verify` holds."""
        n = self.seen.faults["disk full"]
        store = self.disk.path / f"store-{n}"
        store.mkdir()
        embedded = {**{k: v for k, v in self.stack.env.items() if not k.startswith("ORDERCLAIMS_")},
                    "ORDERCLAIMS_DATABASE_URL": f"sqlite:///{store / 'orderclaims.db'}",
                    "ORDERCLAIMS_KEY_DIR": str(store / "keys"), "ORDERCLAIMS_CHECKPOINT_EVERY": "1"}
        slice_ = self.disk.path.parent / f"disk-slice-{n}.jsonl"
        slice_.write_bytes(b"\n".join(self.sample) + b"\n")
        export = self.disk.path / f"checkpoint-{n}.json"
        steps = {"ingest": (["ingest", str(slice_)], embedded), "checkpoint": (["checkpoint", "--export", str(export)], None)}
        problems = self.seen.disk_problems
        self.disk.fill()
        for what, (args, env) in steps.items():
            refused = self.orderclaims(args, env)
            if refused.returncode == 0:
                problems.append(f"{what} {n} succeeded on a full disk")
            elif b"Traceback" in refused.stderr or not re.search(rb"disk is full|No space left", refused.stderr):
                problems.append(f"{what} {n} on a full disk: no sentence: {refused.stderr.decode(errors='replace')[-800:]}")
            else:
                self.seen.disk_refusals += 1
        problems.extend(self.left_behind())
        self.disk.free()
        for what, (args, env) in {**steps, "verify": (["verify"], embedded)}.items():
            written = self.orderclaims(args, env)
            if written.returncode != 0:
                problems.append(f"{what} {n} after space returned: {written.stderr.decode(errors='replace')[-800:]}")
            elif what != "verify":
                self.seen.disk_recoveries += 1
        if not problems and not orjson.loads(export.read_bytes()).get("root"):
            problems.append(f"checkpoint {n}: the export has no root")
        shutil.rmtree(store)
        return "disk full"

    def orderclaims(self, args: list[str], env: dict[str, str] | None) -> subprocess.CompletedProcess:
        return subprocess.run([str(ORDERCLAIMS), *args], env=env or self.stack.env, cwd=self.stack.workdir,
                              capture_output=True, stdin=subprocess.DEVNULL, timeout=300)

    def left_behind(self) -> list[str]:
        """A temporary, an empty file or a key that does not read, on the small disk (an empty SQLite file
        is an empty database, which the next ingest fills)."""
        found = []
        for path in self.disk.path.rglob("*"):
            if path.is_dir() or path == self.disk.filler or path.name.startswith("orderclaims.db"):
                continue
            if path.name.startswith(".") or path.stat().st_size == 0:
                found.append(f"left behind on the full disk: {path.name} ({path.stat().st_size} bytes)")
            elif path.parent.name == "keys" or path.suffix == ".key":
                try:
                    read_key_file(path)
                except KeyFileBroken as damaged:
                    found.append(f"a damaged key on the full disk: {damaged}")
        return found

    def caught_up(self) -> bool:
        try:
            return self.stack.ingested() and self.stack.relayed() and self.stack.projected()
        except Exception:  # a connection of this process cut by the last fault: ask again
            return False

    def close(self) -> None:
        self.disk.unmount()

