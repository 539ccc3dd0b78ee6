"""`orderclaims checkpoint [--export FILE] [--consistency OLD NEW]`, `orderclaims verify [--checkpoint FILE]
[--order N]` and `orderclaims evidence ORDER_NO --out FILE` (SPEC §7)."""

import json
import sys
from pathlib import Path

import click

from entrypoints.bootstrap import Settings, build_orders
from entrypoints.cli_read import json_option, print_json
from entrypoints.documents import Documents
from entrypoints.render import printable, table
from domain.errors import UnknownOrder
from store.audit import (
    SigningKeyMissing, export, load, signing_key, stored_checkpoints, write_checkpoint,
)
from store.evidence import NoEvidence, consistency
from store.files import write_whole
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
@click.option("--consistency", nargs=2, metavar="OLD NEW",
              help="Instead: prove that checkpoint NEW's log extends OLD's (RFC 6962); each a position of a "
                   "stored checkpoint or an exported checkpoint's file. The proof goes to --out (or is printed).")
@click.option("--out", "out", type=click.Path(dir_okay=False, writable=True), help="The consistency proof's file.")
@json_option
def checkpoint_command(export_to: str | None, consistency: tuple[str, str] | None, out: str | None,
                       as_json: bool) -> None:
    """Sign the log's size, the Merkle root of every chain's head and of the log, now."""
    settings = Settings.from_env()
    if consistency:
        prove_consistency(settings, *consistency, out)
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
@click.option("--order", "order_no", help="Only this order: its chain and its inclusion in the latest checkpoint.")
@json_option
def verify_command(checkpoint_file: str | None, order_no: str | None, as_json: bool) -> None:
    """Recompute every hash chain and checkpoint; exit 1 when anything was altered, removed or inserted."""
    if order_no is not None:
        verify_one(order_no, as_json)
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


def verify_one(order_no: str, as_json: bool) -> None:
    report = Documents().verify_order(order_no)
    if as_json:
        print_json(report)
    else:
        click.echo(f"order {order_no}: {report['events']} events, head of version {report['covered']} in the checkpoint "
                   f"at position {report['checkpoint'] or 0:,}, verified in {report['milliseconds']} ms"
                   + ("" if report["tags_checked"] else "; key tags not checked (no chain key)"))
        if report["covered"] and report["covered"] < report["events"]:
            click.echo(f"{report['events'] - report['covered']} later events are chained, not yet in a checkpoint")
        for f in report["findings"]:
            click.echo(f"  {f['finding']}" + (f" (version {f['version']})" if f["version"] else "") + f": {f['detail']}")
        click.echo("OK" if report["ok"] else f"FAILED: {len(report['findings'])} findings")
    sys.exit(0 if report["ok"] else 1)


@click.command(name="evidence")
@click.argument("order_no")
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False, writable=True),
              help="The bundle's file (JSON, docs/evidence-format.md).")
@click.option("--unmask", is_flag=True, help="Also the plaintext of the sealed fields (needs the master key).")
@json_option
def evidence_command(order_no: str, out: str, unmask: bool, as_json: bool) -> None:
    """One order's events as stored, its chain and the proof of its head in a signed checkpoint,
    for `python tools/verify_evidence.py FILE` to check offline."""
    try:
        document = Documents().evidence(order_no, unmask=unmask)
    except (NoEvidence, UnknownOrder) as none:
        raise click.ClickException(str(none)) from None
    write_whole(Path(out), (json.dumps(document, indent=1, ensure_ascii=False) + "\n").encode())
    summary = {"order_no": order_no, "out": out, "events": len(document["events"]),
               "checkpoint": document["checkpoint"]["size"], "unmasked": unmask}
    if as_json:
        print_json(summary)
        return
    click.echo(f"order {order_no}: {summary['events']} events and the proof of their head in the checkpoint at "
               f"position {summary['checkpoint']:,} written to {out}"
               + (" (with the plaintext of the sealed fields)" if unmask else "")
               + f"; check it with: python tools/verify_evidence.py {out}")


def checkpoint_named(engine, name: str):
    """A stored checkpoint by its position, or an exported checkpoint's file."""
    if name.replace(",", "").isdigit():
        found = [c for c in stored_checkpoints(engine) if c.size == int(name.replace(",", ""))]
        if not found:
            raise click.ClickException(f"no checkpoint at position {name}")
        return found[0]
    try:
        return load(name)
    except (OSError, ValueError, KeyError) as unreadable:
        raise click.ClickException(f"{name}: neither a checkpoint's position nor a checkpoint file ({unreadable})") \
            from None


def prove_consistency(settings: Settings, old_name: str, new_name: str, out: str | None) -> None:
    engine = make_engine(settings.database_url)
    app = build_orders(settings)
    try:
        document, problems = consistency(app.recorder, checkpoint_named(engine, old_name),
                                         checkpoint_named(engine, new_name))
    except NoEvidence as none:
        raise click.ClickException(str(none)) from None
    text = json.dumps(document, indent=1) + "\n"
    if out:
        write_whole(Path(out), text.encode())
    else:
        click.echo(text, nl=False)
    for problem in problems:
        click.echo(f"orderclaims: {problem}", err=True)
    click.echo(("FAILED: " + "; ".join(problems)) if problems else
               f"the log of the checkpoint at {document['new']['size']:,} extends the log of the checkpoint at "
               f"{document['old']['size']:,}" + (f"; proof written to {out} (check it with: python "
                                                 f"tools/verify_evidence.py --consistency {out})" if out else ""),
               err=not out)
    sys.exit(1 if problems else 0)
