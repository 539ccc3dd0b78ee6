"""The `orderclaims` command line: parse, call, render (SPEC §8)."""

import json
import sys
from datetime import datetime, timezone

import click
import orjson
from tqdm import tqdm

from consumers.ingest import LISTED, IngestStopped, ingest_lines, read_lines
from domain.errors import Rejected
from entrypoints.bootstrap import Settings, build_orders, collect_less
from store.files import unwritable
from store.keyring import KeyMissing
from store.keys import MasterKeyMissing
from entrypoints.cli_audit import checkpoint_command, evidence_command, maybe_checkpoint, verify_command
from entrypoints.cli_contract import contract_command
from entrypoints.cli_parked import parked_command
from entrypoints.documents import Documents
from entrypoints.cli_read import COMMANDS, json_option, moment, print_json
from entrypoints.render import printable
from entrypoints.cli_run import publish_command, run_group
from entrypoints.cli_summary import summary_command
from entrypoints.cli_todo import todo_command
from entrypoints.cli_keys import keys_group
from entrypoints.serve import serve_command
from producers.simulator import simulate


class _Commands(click.Group):
    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except KeyMissing as missing:  # a missing or broken key is explained, never a traceback
            raise click.ClickException(str(missing)) from None
        except Exception as error:  # a full disk, a read-only folder: what and why, never a traceback
            said = unwritable(error)
            if said is None:
                raise
            raise click.ClickException(f"{said}; nothing partial was kept — free space (or make it writable) "
                                       "and run it again") from None


@click.group(cls=_Commands)
def main() -> None:
    """orderclaims — event-sourced after-sales claims of a marketplace."""


@main.command()
@click.argument("source", type=click.File("rb"))
@click.option("--batch-size", default=500, show_default=True, help="Messages per transaction.")
@json_option
def ingest(source, batch_size: int, as_json: bool) -> None:
    """Process upstream messages from a JSONL FILE (or - for stdin), in order."""
    settings = Settings.from_env()
    app = build_orders(settings)
    collect_less()
    stopped = None
    with tqdm(unit=" msg", disable=not sys.stderr.isatty(), file=sys.stderr) as bar:
        try:
            summary = ingest_lines(app, read_lines(source), batch_size=batch_size, on_batch=bar.update,
                                   max_retries=settings.max_retries)
        except IngestStopped as error:  # the database stayed busy: what was done is summarised, then the reason
            summary, stopped = error.summary, error
    if stopped is None:
        maybe_checkpoint(app, settings)
    _print_summary(summary, as_json)
    if stopped is not None:
        click.echo(f"ingest {stopped}; run it again to go on (done messages are duplicates)", err=True)
        sys.exit(1)


def _print_summary(summary, as_json: bool) -> None:
    if as_json:
        print_json(summary.as_json())
        return
    codes = ", ".join(f"{c} {n}" for c, n in summary.codes.most_common())
    click.echo(f"accepted    {summary.accepted:>9,}")
    click.echo(f"duplicates  {summary.duplicates:>9,}")
    click.echo(f"rejected    {summary.rejected_count:>9,}  {codes}")
    click.echo(f"invalid     {summary.invalid_count:>9,}")
    if summary.parked_count:
        click.echo(f"parked      {summary.parked_count:>9,}  (a defect: see `orderclaims parked`)")
    for item in summary.invalid[:20]:
        click.echo(f"  line {item['line']}: {printable(item['reason'])}")
    if summary.invalid_count > 20:
        click.echo(f"  … {summary.invalid_count - 20:,} more (use --json to list up to {LISTED:,})")


@main.command(name="history")
@click.argument("order_no")
@click.option("--as-of", help="Only events up to this ISO 8601 time.")
@click.option("--unmask", is_flag=True, help="Personal data in plaintext (needs the master key).")
@json_option
def history_command(order_no: str, as_of: str | None, unmask: bool, as_json: bool) -> None:
    """Every event of an order, with time, actor and data (personal data masked unless --unmask)."""
    try:
        document = Documents().history(order_no, moment(as_of), reveal=unmask)
    except MasterKeyMissing as missing:
        raise click.ClickException(str(missing)) from None
    except Rejected as error:
        raise click.ClickException(error.detail) from None
    if as_json:
        print_json(document)
        return
    for e in document["events"]:
        data = json.dumps(e["data"], ensure_ascii=False)
        click.echo(f"{e['version']:>3}  {e['at']:25}  {e['actor']:11}  {e['event']:26}  {data}")
    if document["state"] is not None:
        click.echo(json.dumps(document["state"], ensure_ascii=False))


@main.command(name="forget-buyer")
@click.argument("buyer_id")
@click.option("--by", default="marketplace", show_default=True, help="Who asks for the erasure (recorded).")
@json_option
def forget_buyer_command(buyer_id: str, by: str, as_json: bool) -> None:
    """Erase a buyer's personal data: destroy its keys and record the erasure (SPEC §7)."""
    app = build_orders()
    destroyed = app.mapper.sealer.keys.destroy(buyer_id)
    at = datetime.now(timezone.utc)
    app.forget_buyer(buyer_id, by=by, at=at)
    document = {"buyer_id": buyer_id, "keys_destroyed": destroyed, "by": by, "at": at.isoformat()}
    if as_json:
        print_json(document)
        return
    click.echo(f"{printable(buyer_id)}: {destroyed} key(s) destroyed; the erasure is recorded ({by}, {at.isoformat()})")


@main.command(name="simulate")
@click.option("--orders", default=1000, show_default=True, type=click.IntRange(min=1))
@click.option("--seed", default=1, show_default=True, type=int)
@click.option("--output", "-o", type=click.File("wb"), default="-", help="Where to write the JSONL stream.")
def simulate_command(orders: int, seed: int, output) -> None:
    """Write a realistic, deterministic upstream stream as JSONL."""
    for message in simulate(orders=orders, seed=seed):
        output.write(orjson.dumps(message) + b"\n")


for _command in (*COMMANDS, todo_command, summary_command, serve_command, keys_group, parked_command, checkpoint_command,
                 verify_command, evidence_command, run_group, publish_command, contract_command):
    main.add_command(_command)
