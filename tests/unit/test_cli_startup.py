"""The command line imports only what a command needs (issue 21): `--help` lists every command from
the table in entrypoints/cli.py, and a query never imports the web server, Kafka or the ingest."""

import os
import subprocess
import sys
from pathlib import Path

import click

from entrypoints.cli import COMMANDS, main

ROOT = Path(__file__).resolve().parents[2]
PROBE = ("import sys, atexit; from entrypoints.cli import main;"
         " atexit.register(lambda: print(' '.join(sorted(sys.modules)), file=sys.stderr)); main()")


def modules_imported(*args: str, env: dict | None = None) -> set[str]:
    done = subprocess.run([sys.executable, "-c", PROBE, *args], capture_output=True, text=True, cwd=ROOT,
                          env={**os.environ, "PYTHONPATH": str(ROOT), **(env or {})})
    assert done.returncode == 0, done.stderr
    return {name.split(".")[0] for name in done.stderr.split()}


def test_every_commands_line_in_the_table_is_its_own_help():
    ctx = click.Context(main)
    for name, (_, _, line) in COMMANDS.items():
        command = main.get_command(ctx, name)
        assert command.name == name
        assert command.get_short_help_str(limit=1000) == line, name


def test_help_imports_nothing_but_the_command_line():
    imported = modules_imported("--help")
    assert not imported & {"sqlalchemy", "eventsourcing", "domain", "projections", "store", "fastapi", "kafka"}


def test_a_dashboard_query_imports_no_server_kafka_ingest_or_spreadsheet(tmp_path):
    imported = modules_imported("dashboard", "--seller", "S001", "--json",
                                env={"ORDERCLAIMS_DATABASE_URL": f"sqlite:///{tmp_path / 'store.db'}"})
    assert "sqlalchemy" in imported
    assert not imported & {"fastapi", "starlette", "kafka", "openpyxl", "psycopg", "pydantic", "tqdm", "consumers",
                           "producers"}


HEAVY = {"eventsourcing", "cryptography", "prometheus_client", "pydantic"}  # the event store, the keys, metrics
AGGREGATES = {"domain.application", "domain.order", "domain.seller", "projections.runner", "projections.base"}
AS_OF = "2026-11-21T09:00:00+09:00"


def query(store: Path, *args: str) -> tuple[str, set[str]]:
    """The command's output and every module it imported (full names)."""
    done = subprocess.run([sys.executable, "-c", PROBE, *args], capture_output=True, text=True, cwd=ROOT,
                          env={**os.environ, "PYTHONPATH": str(ROOT), "ORDERCLAIMS_DATABASE_URL": f"sqlite:///{store}",
                               "ORDERCLAIMS_KAFKA_BOOTSTRAP": ""})
    assert done.returncode == 0, done.stderr
    return done.stdout, set(done.stderr.split())


def test_a_query_at_the_stores_head_reads_the_read_models_without_the_event_store(tmp_path):
    """The first query catches the read models up (the application, the event store); the next, with
    nothing new in the store, reads the same tables without importing either, and answers the same;
    after another ingest the query sees it is behind and catches up again."""
    store = tmp_path / "store.db"
    env = {**os.environ, "ORDERCLAIMS_DATABASE_URL": f"sqlite:///{store}", "ORDERCLAIMS_KAFKA_BOOTSTRAP": ""}
    orderclaims = str(Path(sys.executable).parent / "orderclaims")
    stream = subprocess.run([orderclaims, "simulate", "--orders", "300", "--seed", "5"], capture_output=True,
                            check=True).stdout
    lines = stream.splitlines(keepends=True)
    subprocess.run([orderclaims, "ingest", "-"], input=b"".join(lines[:len(lines) // 2]), env=env, check=True,
                   capture_output=True)
    for args in (("dashboard", "--seller", "S001", "--as-of", AS_OF), ("settlement", "--seller", "S001", "--as-of", AS_OF),
                 ("todo", "--seller", "S001", "--as-of", AS_OF), ("points", "--seller", "S001", "--month", "2026-10")):
        caught_up, imported = query(store, *args, "--json")
        assert "eventsourcing" in imported  # the first query of a read model built it from the log

        at_head, imported = query(store, *args, "--json")
        assert at_head == caught_up
        assert not {name.split(".")[0] for name in imported} & HEAVY, args
        assert not imported & AGGREGATES, args
    _, imported = query(store, "summary", "--as-of", AS_OF, "--json")  # the dashboard's and settlement's tables
    assert not {name.split(".")[0] for name in imported} & HEAVY and not imported & AGGREGATES

    before, _ = query(store, "dashboard", "--seller", "S001", "--as-of", AS_OF, "--json")
    subprocess.run([orderclaims, "ingest", "-"], input=b"".join(lines[len(lines) // 2:]), env=env, check=True,
                   capture_output=True)
    after, imported = query(store, "dashboard", "--seller", "S001", "--as-of", AS_OF, "--json")
    assert "eventsourcing" in imported and after != before  # behind the store's head: caught up first


def test_the_read_models_name_every_projection_and_its_own_tables():
    from projections.read_models import DASHBOARD, NAMES, POINTS, SETTLEMENT, TODO
    from projections.runner import PROJECTIONS

    assert tuple(PROJECTIONS) == NAMES  # `rebuild NAME` offers what the runner rebuilds
    for model in (DASHBOARD, SETTLEMENT, TODO, POINTS):
        assert PROJECTIONS[model.name].tables == model.tables
