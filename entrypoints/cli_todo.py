"""`orderclaims todo`: the seller's to-do list (SPEC §6.4)."""

import click

from domain.todo import Action
from entrypoints.cli_read import as_of_option, json_option, moment, print_json, seller_option
from entrypoints.documents import Documents
from entrypoints.presentation import formats
from entrypoints.presentation.labels import label
from entrypoints.render import table

HEADER = ["due (Tokyo)", "", "order", "cart", "item", "claim", "filed (Tokyo)", "next step"]


@click.command(name="todo")
@seller_option
@as_of_option
@json_option
def todo_command(seller: str, as_of: str | None, as_json: bool) -> None:
    """The next step of every open claim, with its due time; the yen held back; late shipments."""
    document = Documents().todo(seller, moment(as_of))
    if as_json:
        print_json(document)
        return
    click.echo(f"seller {seller} — to do as of {formats.tokyo_time(document['as_of'])}")
    click.echo(table([
        [formats.tokyo_time(s["due"]) or "—", "OVERDUE" if s["overdue"] else "", s["order_no"], s["cart_no"],
         s["item_no"], label("claim_status", f"{s['claim_type']}.{s['status']}"), formats.tokyo_time(s["filed_at"]),
         _says(s)]
        for s in document["steps"]
    ], header=HEADER))
    overdue = sum(s["overdue"] for s in document["steps"])
    click.echo(f"{len(document['steps'])} steps, {overdue} overdue")
    held = document["held_back"]
    click.echo(f"held back from settlement (open claims, pending partial refunds and charges): "
               f"{held['orders']} orders, {held['amount']:,} yen")
    late = document["late_shipments"]
    click.echo(f"late shipments (promised ship date passed, not shipped — a buyer's cancel completes at once): "
               f"{len(late)}")
    if late:
        click.echo(table([[o["order_no"], o["cart_no"], o["item_no"], formats.day(o["promised_ship_date"]), o["days_late"]]
                          for o in late], header=["order", "cart", "item", "promised", "days late"]))


def _says(step: dict) -> str:
    said = label("step", step["action"])
    if step["action"] == Action.ASK_MARKETPLACE_TO_WITHDRAW:
        said += " (possible: you messaged the buyer)" if step["withdraw_possible"] else " (message the buyer first)"
    return said

