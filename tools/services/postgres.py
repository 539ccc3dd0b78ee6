"""A private PostgreSQL cluster (Debian's package) on a free 127.0.0.1 port, with a generated password."""

import glob
import os
import secrets
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from tools.services import HOST, ServiceError, free_port, run, wait_until

USER = "orderclaims"
DATABASE = "orderclaims"


def pg_bin() -> Path:
    """The server's binaries; installed from Debian's packages when missing and we are root."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"), key=lambda p: int(Path(p).parts[-3]))
    if not found and os.geteuid() == 0 and shutil.which("apt-get"):
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        run(["apt-get", "update", "-q"], env=env)
        run(["apt-get", "install", "-y", "-q", "--no-install-recommends", "postgresql"], env=env)
        found = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"), key=lambda p: int(Path(p).parts[-3]))
    if not found:
        raise ServiceError("PostgreSQL server binaries not found: install Debian's `postgresql` package")
    return Path(found[-1]).parent


def _as_owner(command: list[str]) -> list[str]:
    """postgres refuses to run as root: as root, run the server's tools as the `postgres` user."""
    return ["runuser", "-u", "postgres", "--", *command] if os.geteuid() == 0 else command


@dataclass
class PostgresServer:
    """A running cluster: its URL (user, password, port, database) and data directory."""

    url: str
    workdir: str
    bin: str
    options: str = ""
    started_in_s: float = 0.0

    @classmethod
    def start(cls, timeout: float = 60, durable: bool = True) -> "PostgresServer":
        """A private cluster on a free port. Durable (fsync on) for what a user runs; the test suite
        asks for a fast one (durable=False: no fsync), which a crash of the machine could lose."""
        binaries = pg_bin()
        workdir = Path(tempfile.mkdtemp(prefix="orderclaims-pg-"))
        data = workdir / "data"
        password = secrets.token_urlsafe(18)
        (workdir / "pw").write_text(password)
        if os.geteuid() == 0:
            shutil.chown(workdir, "postgres")
            shutil.chown(workdir / "pw", "postgres")
        run(_as_owner([
            str(binaries / "initdb"), "-D", str(data), "-U", USER, f"--pwfile={workdir / 'pw'}",
            "--auth=scram-sha-256", "--encoding=UTF8", "--locale=C.UTF-8", *([] if durable else ["-N"]),
        ]))
        (workdir / "pw").unlink()
        port = free_port()
        options = f"-c listen_addresses={HOST} -c port={port} -c unix_socket_directories={workdir} -c max_connections=200"
        if not durable:
            options += " -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
        server = cls(
            url=f"postgresql+psycopg://{USER}:{password}@{HOST}:{port}/{DATABASE}", workdir=str(workdir), bin=str(binaries),
            options=options,
        )
        try:
            server._pg_ctl("-l", str(workdir / "server.log"), "-o", options, "-w", "-t", str(int(timeout)), "start")
            server.started_in_s = wait_until(lambda: server.create_database(DATABASE), timeout, "PostgreSQL")
        except ServiceError:
            server.stop()
            raise
        return server

    def _pg_ctl(self, *args: str) -> None:
        run(_as_owner([str(Path(self.bin) / "pg_ctl"), "-D", str(Path(self.workdir) / "data"), *args]))

    def crash_and_restart(self, timeout: float = 60) -> None:
        """Stop the server as a crash would (`-m immediate`: no checkpoint, connections cut), and start it
        again on the same port: it recovers from its write-ahead log."""
        self._pg_ctl("-m", "immediate", "-w", "stop")
        self._pg_ctl("-l", str(Path(self.workdir) / "server.log"), "-o", self.options, "-w", "-t", str(int(timeout)),
                     "start")

    def create_database(self, name: str) -> str:
        return create_database(self.url, name)

    def stop(self) -> None:
        data = Path(self.workdir) / "data"
        if data.exists():
            try:
                run(_as_owner([str(Path(self.bin) / "pg_ctl"), "-D", str(data), "-m", "immediate", "-w", "stop"]))
            except ServiceError:
                pass  # not running
        shutil.rmtree(self.workdir, ignore_errors=True)


def create_database(url: str, name: str) -> str:
    """CREATE DATABASE `name` on the server of `url` (through its `postgres` database) if it is missing;
    return the URL of the new database."""
    import psycopg

    base = url.replace("postgresql+psycopg://", "postgresql://", 1).rsplit("/", 1)[0]
    with psycopg.connect(base + "/postgres", autocommit=True, connect_timeout=5) as conn:
        if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone() is None:
            conn.execute(f'CREATE DATABASE "{name}"')
    return url.rsplit("/", 1)[0] + "/" + name
