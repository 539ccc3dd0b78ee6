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
