"""The analysts' trends (issue 22): `orderclaims trends`."""

import click

from domain.claims import CLAIM_TYPES
from entrypoints.cli_read import as_of_option, day, json_option, moment, print_json
from entrypoints.documents import Documents
from entrypoints.render import table
from projections import trends_queries as tq


@click.command(name="trends")
@click.option("--period", type=click.Choice(tq.PERIODS), default="week", show_default=True,
              help="Tokyo weeks (from Monday) or months.")
@click.option("--seller", help="One seller (default: every seller).")
@click.option("--item", "item_no", help="One item number.")
@click.option("--from", "start", help="From this Tokyo date (the day a claim was filed, an order delivered, …).")
@click.option("--to", "end", help="To this Tokyo date, inclusive.")
@click.option("--claim-type", type=click.Choice([str(t) for t in CLAIM_TYPES]), help="One claim type (default: each and all).")
@as_of_option
@json_option
def trends_command(period: str, seller: str | None, item_no: str | None, start: str | None, end: str | None,
                   claim_type: str | None, as_of: str | None, as_json: bool) -> None:
    """Claims filed, claims per 100 orders delivered, delayed share, refund yen, refusal breaches and points per week or month."""
    where = tq.Filter(seller_id=seller or None, item_no=item_no or None, start=day(start), end=day(end))
    document = Documents().trends(moment(as_of), period, where, claim_type)
    if as_json:
        print_json(document)
        return
    whose = f"seller {seller}" if seller else "every seller"
    click.echo(f"{whose}{f' item {item_no}' if item_no else ''} — per {period} — as of {document['as_of']}")
    types = document["claim_types"]
    header = [period, "delivered", *(f"{t} filed" for t in types), "claims", "per 100 delivered", "delayed %",
              "refund yen", "breaches", "points"]
    click.echo(table([_line(b, types) for b in (*document["buckets"], document["total"] | {"start": "total"})],
                     header=header))


def _line(bucket: dict, types: list[str]) -> list:
    together = bucket["all"]
    share = together["delayed_share"]
    return [bucket["start"] + ("" if bucket.get("complete", True) else " …"), bucket["orders_delivered"],
            *(bucket["claims"][t]["filed"] for t in types), together["filed"],
            "" if together["per_100_delivered"] is None else together["per_100_delivered"],
            "" if share is None else round(share * 100, 1), together["refund_yen"], bucket["refusal_breaches"],
            bucket["points"]]
