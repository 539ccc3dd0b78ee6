"""`orderclaims contract`: the upstream contract as an AsyncAPI 3 document (SPEC §8), for upstream
teams to validate against before they send."""

import json
import os
import tempfile
from pathlib import Path

import click

from entrypoints.bootstrap import Settings


@click.command(name="contract")
@click.option("--out", "out", type=click.Path(dir_okay=False, writable=True), help="Write it here (default: stdout).")
def contract_command(out: str | None) -> None:
    """The upstream messages' contract: AsyncAPI 3 with a JSON Schema per message type."""
    from consumers.contract_document import contract_document

    text = json.dumps(contract_document(Settings.from_env().topic_prefix), indent=2, ensure_ascii=False) + "\n"
    if out is None:
        click.echo(text, nl=False)
        return
    write_atomically(Path(out), text.encode())
    click.echo(f"orderclaims: the contract is in {out}", err=True)


def write_atomically(path: Path, content: bytes) -> None:
    """Write, flush to disk, then rename over the target: a reader sees the old file or the new one."""
    descriptor, temporary = tempfile.mkstemp(dir=path.parent or ".", prefix=f".{path.name}.")
    try:
        with os.fdopen(descriptor, "wb") as file:
            file.write(content)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
