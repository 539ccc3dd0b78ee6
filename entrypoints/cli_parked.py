"""`orderclaims parked [--retry ID]`: messages and events parked by a defect, with their error (SPEC §8)."""

import sys

import click

from consumers.parked import parked_messages, retry
from entrypoints.cli_read import json_option, print_json, say_leftover
from entrypoints.documents import Documents
from entrypoints.render import printable, table
from projections.parking import parked as parked_events
from projections.runner import PROJECTIONS, rebuild
from projections.schema import metadata


@click.command(name="parked")
@click.option("--retry", "retry_id", metavar="ID",
              help="Run a parked message again (its message id), or rebuild a projection whose events were parked "
                   "(PROJECTION), after a fix.")
@json_option
def parked_command(retry_id: str | None, as_json: bool) -> None:
    """Messages and stored events parked by a defect, with their error; retry them after a fix."""
    documents = Documents()
    if retry_id:
        metadata.create_all(documents.engine)
        _retry(documents, retry_id, as_json)
        return
    document = documents.parked()
    messages, events = document["messages"], document["events"]
    if as_json:
        print_json(document)
        return
    click.echo(f"parked messages: {len(messages)}")
    if messages:
        click.echo(table([[m["message_id"], m["source"], m["attempts"], m["error"]] for m in messages],
                         header=["message", "source", "attempts", "error"]))
    click.echo(f"parked events: {len(events)}")
    if events:
        click.echo(table([[e["projection"], e["position"], e["event"], e["error"]] for e in events],
                         header=["projection", "position", "event", "error"]))


def _retry(documents: Documents, retry_id: str, as_json: bool) -> None:
    app, engine = documents.app, documents.engine
    if retry_id in PROJECTIONS:
        done = rebuild(app, engine, PROJECTIONS[retry_id]())
        with engine.connect() as conn:
            left = [e for e in parked_events(conn) if e["projection"] == retry_id]
        if done.leftover:
            say_leftover(retry_id, done.leftover)
        document = {"projection": retry_id, "events": done.stored_events, "still_parked": len(left)}
        print_json(document) if as_json else click.echo(
            f"{retry_id} rebuilt from {done.stored_events:,} events; {len(left)} still parked")
        sys.exit(1 if left else 0)
    if retry_id not in {p.message_id for p in parked_messages(app)}:
        raise click.BadParameter(f"{printable(retry_id)} is neither a parked message nor a projection",
                                 param_hint="--retry")
    outcome = retry(app, retry_id, reader=documents.revealing)  # the message as it came: needs the master key
    document = {"message_id": retry_id, "outcome": outcome.status, "code": outcome.code, "detail": outcome.detail}
    print_json(document) if as_json else click.echo(
        f"{printable(retry_id)}: {outcome.status}" + (f" ({outcome.code or outcome.detail})" if outcome.code or
                                                      outcome.detail else ""))
    sys.exit(1 if outcome.status == "parked" else 0)
