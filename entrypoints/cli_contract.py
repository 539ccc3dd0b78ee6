"""`orderclaims contract`: the upstream contract as an AsyncAPI 3 document (SPEC §8), for upstream
teams to validate against before they send."""

import json
from pathlib import Path

import click

from entrypoints.bootstrap import Settings
from store.files import write_whole


@click.command(name="contract")
@click.option("--out", "out", type=click.Path(dir_okay=False, writable=True), help="Write it here (default: stdout).")
def contract_command(out: str | None) -> None:
    """The upstream messages' contract: AsyncAPI 3 with a JSON Schema per message type."""
    from consumers.contract_document import contract_document

    text = json.dumps(contract_document(Settings.from_env().topic_prefix), indent=2, ensure_ascii=False) + "\n"
    if out is None:
        click.echo(text, nl=False)
        return
    write_whole(Path(out), text.encode())
    click.echo(f"orderclaims: the contract is in {out}", err=True)
