"""The marketplace-wide summary for analysts (SPEC §8): `orderclaims summary`."""

import click

from domain.claims import CLAIM_TYPES
from entrypoints.cli_read import as_of_option, day, json_option, moment, print_json
from entrypoints.documents import Documents
from entrypoints.presentation import sheet
from entrypoints.render import table
from projections import dashboard_queries as dash
from projections import summary_queries as sq

HEADER = ["seller", "orders", "claims", "per 100 orders", "open", *(f"{t} delayed" for t in CLAIM_TYPES), "delayed",
          "delayed %", "refusal breaches", "held back yen", "held orders"]


@click.command(name="summary")
@as_of_option
@click.option("--from", "start", help="Orders placed on or after this Tokyo date.")
@click.option("--to", "end", help="Orders placed on or before this Tokyo date.")
@click.option("--sort", "sort_by", type=click.Choice(sq.SORT_KEYS), default="delayed", show_default=True,
              help="Largest first (seller id: in order).")
@click.option("--xlsx", "xlsx", type=click.Path(dir_okay=False, writable=True), help="Also write one row per seller to this .xlsx file.")
@json_option
def summary_command(as_of: str | None, start: str | None, end: str | None, sort_by: str, xlsx: str | None, as_json: bool) -> None:
    """Every seller's dashboard counts side by side and summed, refusal breaches, yen held back."""
    document = Documents().summary(moment(as_of), dash.Period(day(start), day(end)), sort_by)
    if xlsx:
        sheet.write(xlsx, sq.flat_rows(document), sq.COLUMNS, title="summary")
    if as_json:
        print_json(document)
        return
    window = f"  orders placed {start or '…'} – {end or '…'}" if start or end else ""
    click.echo(f"every seller — as of {document['as_of']}{window} — by {sort_by}")
    click.echo(table([_line(line) for line in (*document["sellers"], document["total"])], header=HEADER))
    click.echo(f"{len(document['sellers'])} sellers" + (f" — written to {xlsx}" if xlsx else ""))


def _line(line: dict) -> list:
    delayed = [line["counts"][t]["delayed"] for t in CLAIM_TYPES]
    per_100, share = line["claims_per_100_orders"], line["delayed_share"]
    return [line["seller_id"], line["orders"], line["claims"], "" if per_100 is None else per_100, line["open"], *delayed,
            line["delayed"], "" if share is None else round(share * 100, 1), line["refusal_breaches"],
            line["held_back"], line["held_back_orders"]]
