"""`orderclaims checkpoint [--export FILE]` and `orderclaims verify [--checkpoint FILE]` (SPEC §7)."""

import sys

import click

from entrypoints.bootstrap import Settings, build_orders
from entrypoints.cli_read import json_option, print_json
from entrypoints.documents import Documents
from entrypoints.render import printable, table
from store.audit import (
    SigningKeyMissing, export, signing_key, stored_checkpoints, write_checkpoint,
)
from store.engines import make_engine
from store.keyring import KeyMissing


def maybe_checkpoint(app, settings: Settings) -> None:
    """A checkpoint each time the log has grown past another ORDERCLAIMS_CHECKPOINT_EVERY events."""
    every = settings.checkpoint_every
    head = app.recorder.max_notification_id() or 0
    if not every or head < every:
        return
    engine = make_engine(settings.database_url)
    done = stored_checkpoints(engine)
    if not done or head // every > done[-1].size // every:
        try:  # a new signing key only for a store without checkpoints: a copied database must not sign its own
            key = signing_key(settings.database_url, engine, create=not done)
        except KeyMissing as missing:  # the messages are stored: say why no checkpoint, and go on to the summary
            click.echo(f"orderclaims: no checkpoint written: {missing}", err=True)
            return
        write_checkpoint(app.recorder, engine, key)


@click.command(name="checkpoint")
@click.option("--export", "export_to", type=click.Path(dir_okay=False, writable=True),
              help="Also write the signed checkpoint to this file, for an auditor to keep.")
@json_option
def checkpoint_command(export_to: str | None, as_json: bool) -> None:
    """Sign the log's size and the Merkle root of every chain's head, now."""
    settings = Settings.from_env()
    engine = make_engine(settings.database_url)
    try:  # a new signing key only for a store without checkpoints: a copied database must not sign its own
        key = signing_key(settings.database_url, engine, create=not stored_checkpoints(engine))
    except SigningKeyMissing as missing:
        raise click.ClickException(str(missing)) from None
    app = build_orders(settings)  # held: an application collected mid-call closes its store's connections
    checkpoint = write_checkpoint(app.recorder, engine, key)
    if export_to:
        export(checkpoint, export_to)
    document = checkpoint.as_json()
    if as_json:
        print_json(document)
        return
    click.echo(f"checkpoint at position {checkpoint.size:,}: {checkpoint.heads:,} chains, root {checkpoint.root.hex()}"
               + (f" — exported to {export_to}" if export_to else ""))


@click.command(name="verify")
@click.option("--checkpoint", "checkpoint_file", type=click.Path(exists=True, dir_okay=False),
              help="A checkpoint exported earlier (`checkpoint --export`), held apart from the store.")
@json_option
def verify_command(checkpoint_file: str | None, as_json: bool) -> None:
    """Recompute every hash chain and checkpoint; exit 1 when anything was altered, removed or inserted."""
    report = Documents().verify(checkpoint_file)
    if as_json:
        print_json(report)
    else:
        click.echo(f"{report['events']:,} events of {report['aggregates']:,} aggregates, {report['checkpoints']} "
                   f"checkpoints verified in {report['seconds']:.1f} s"
                   + (f"; {report['unchained']:,} stored before chaining" if report["unchained"] else "")
                   + ("" if report["tags_checked"] else "; key tags not checked (no chain key)"))
        if report["findings"]:
            click.echo(table([[printable(f["finding"]), printable(f["aggregate"]), f["version"] or "", f["detail"]]
                              for f in report["findings"]], header=["finding", "aggregate", "version", "detail"]))
        click.echo("OK" if report["ok"] else f"FAILED: {len(report['findings'])} findings")
    sys.exit(0 if report["ok"] else 1)
