"""Data out for analysts' own tools (docs/analysts.md): `orderclaims export` writes read-model tables as
Parquet or CSV; `orderclaims analyst-role create` makes a read-only PostgreSQL role over views of them."""

import sys
from pathlib import Path

import click

from entrypoints.cli_read import json_option, moment, print_json

@click.command(name="export")
@click.argument("tables", nargs=-1, required=True, metavar="TABLE|PROJECTION|all...")
@click.option("--format", "fmt", type=click.Choice(("parquet", "csv")), default="parquet", show_default=True)
@click.option("--as-of", "as_of", help="ISO 8601 time: the tables' state then, from their history (no replay); "
                                       "tables that keep none are left out (asked for by their name: refused).")
@click.option("--out", "out", required=True, type=click.Path(file_okay=False), help="The folder to write into.")
@json_option
def export_command(tables: tuple[str, ...], fmt: str, as_of: str | None, out: str, as_json: bool) -> None:
    """Read-model tables as Parquet or CSV, without buyer personal data, now or as of a moment."""
    from projections import analyst_columns as columns
    from projections.table_export import CannotAnswerAsOf, export_tables

    try:
        chosen = columns.named(list(tables))
    except KeyError as unknown:
        names = dict.fromkeys(("all", *columns.PROJECTIONS, *columns.TABLES))
        raise click.BadParameter(f"{unknown.args[0]!r} is none of {', '.join(names)}", param_hint="TABLE") from None
    at = moment(as_of)
    engine = _caught_up({columns.POLICY[t].projection for t in chosen})
    # Every table read in one transaction begun by the first read, so from one snapshot: SQLite's deferred
    # BEGIN (store/engines.py; an ingest goes on meanwhile), PostgreSQL's REPEATABLE READ
    with engine.connect() as conn:
        if conn.dialect.name == "postgresql":
            conn = conn.execution_options(isolation_level="REPEATABLE READ")
        try:
            manifest = export_tables(conn, chosen, fmt, Path(out), at, refuse_as_of=frozenset(columns.named([n for n in tables if n in columns.TABLES])))
        except CannotAnswerAsOf as cannot:
            click.echo(f"cannot export as of a moment: {cannot}", err=True)
            sys.exit(2)
    if as_json:
        print_json(manifest)
        return
    for table in manifest["tables"]:
        click.echo(f"{table['table']}: {table['rows']:,} rows → {Path(out) / table['file']}")
    for table in manifest["left_out"]:
        click.echo(f"{table['table']}: left out — {table['why']}")
    click.echo(f"manifest: {Path(out) / 'manifest.json'}")


def _caught_up(projection_names: set[str]):
    """The read models' engine, the projections brought up to the store's head first in embedded mode."""
    from entrypoints.documents import Documents
    from projections.runner import PROJECTIONS, LogFollower
    from projections.schema import metadata

    documents = Documents()
    if documents.settings.embedded:
        LogFollower(documents.app, documents.engine, [PROJECTIONS[n]() for n in sorted(projection_names)]).catch_up()
    metadata.create_all(documents.engine)
    return documents.engine


@click.group(name="analyst-role")
def analyst_role_group() -> None:
    """PostgreSQL: read-only analyst roles over views of the read models (schema `analyst`)."""


@analyst_role_group.command(name="create")
@click.option("--name", required=True, help="The role's name: lower-case letters, digits and _.")
@click.option("--login", is_flag=True, help="It may log in: a generated password is printed once, kept nowhere.")
@json_option
def analyst_role_create(name: str, login: bool, as_json: bool) -> None:
    """A read-only role that can SELECT the views in schema `analyst` and nothing else."""
    from projections.analyst_views import SCHEMA, create_role

    from entrypoints.bootstrap import Settings

    if not Settings.from_env().database_url.startswith("postgresql"):
        raise click.UsageError("analyst roles are PostgreSQL's: ORDERCLAIMS_DATABASE_URL names another database "
                               "(use `orderclaims export` there)")
    engine = _caught_up({"dashboard", "settlement", "points", "inquiries", "todo"})
    try:
        with engine.begin() as conn:
            password = create_role(conn, name, login)
    except ValueError as refused:  # a name refused, or a role of that name already there
        raise click.ClickException(str(refused)) from None
    document = {"role": name, "schema": SCHEMA, "login": login, "password": password}
    if as_json:
        print_json(document)
        return
    click.echo(f"role {name}: SELECT on the views of schema {SCHEMA} (read-only)")
    if password:
        click.echo(f"password (shown once, stored nowhere): {password}")

