"""`orderclaims keys create | list | revoke`: the API keys of `serve` (SPEC §8)."""

import click

from entrypoints.cli_read import print_json
from entrypoints.documents import Documents
from store.api_keys import ApiKeys


@click.group(name="keys")
def keys_group() -> None:
    """API keys of `serve`: stored hashed, shown once."""


@keys_group.command(name="create")
@click.option("--seller", help="A seller key: it sees only this seller.")
@click.option("--role", type=click.Choice(["analyst", "auditor", "operator"]), help="A key of another role.")
@click.option("--json", "as_json", is_flag=True)
def create_key(seller: str | None, role: str | None, as_json: bool) -> None:
    """Create a key and print it once (only its hash is kept)."""
    if bool(seller) == bool(role):
        raise click.UsageError("give either --seller S or --role analyst|auditor|operator")
    documents = Documents()
    key_id, key = ApiKeys(documents.engine).create(role or "seller", seller)
    if as_json:
        print_json({"key_id": key_id, "role": role or "seller", "seller_id": seller, "key": key})
    else:
        click.echo(key)
        click.echo(f"({role or 'seller ' + seller} key {key_id}: shown this once, stored only hashed)", err=True)


@keys_group.command(name="list")
def list_keys() -> None:
    """Every key: its id, role, seller and dates (never the key)."""
    for k in ApiKeys(Documents().engine).listing():
        click.echo(f"{k['key_id']}  {k['role']:8}  {k['seller_id'] or '':12}  created {k['created_at']}"
                   + (f"  revoked {k['revoked_at']}" if k["revoked_at"] else ""))


@keys_group.command(name="revoke")
@click.argument("key_id")
def revoke_key(key_id: str) -> None:
    """Revoke a key by its id; requests with it are refused from now on."""
    if not ApiKeys(Documents().engine).revoke(key_id):
        raise click.ClickException(f"no live key {key_id!r}")
    click.echo(f"key {key_id} revoked")
