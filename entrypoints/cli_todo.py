"""`orderclaims todo`: the seller's to-do list (SPEC §6.4)."""

import click

from domain.todo import Action
from entrypoints.cli_read import as_of_option, json_option, moment, print_json, seller_option
from entrypoints.documents import Documents
from entrypoints.render import table

# What each step asks of the seller, in the seller's words.
SAYS = {
    Action.APPROVE_OR_REFUSE_CANCEL: "approve or refuse the cancel",
    Action.SHIP_REFUSED_CANCEL: "ship it today: the cancel was refused",
    Action.APPROVE_RETURN: "approve the return",
    Action.CONFIRM_COLLECTION: "confirm the collection once the goods are back",
    Action.ACCEPT_EXCHANGE: "accept the exchange",
    Action.RESHIP_EXCHANGE: "reship the exchange, with its tracking number",
    Action.ANSWER_NON_RECEIPT: "answer: wait, reship or refund in full",
    Action.ASK_BUYER_TO_WITHDRAW: "ask the buyer to withdraw or confirm receipt by the due time",
    Action.ASK_MARKETPLACE_TO_WITHDRAW: "ask the marketplace to withdraw",
    Action.AWAIT_REFUND: "nothing: the refund is being paid",
}
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
    click.echo(f"seller {seller} — to do as of {_minute(document['as_of'])}")
    click.echo(table([
        [_minute(s["due"]) or "—", "OVERDUE" if s["overdue"] else "", s["order_no"], s["cart_no"], s["item_no"],
         f"{s['claim_type']}.{s['status']}", _minute(s["filed_at"]), _says(s)]
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
        click.echo(table([[o["order_no"], o["cart_no"], o["item_no"], o["promised_ship_date"], o["days_late"]]
                          for o in late], header=["order", "cart", "item", "promised", "days late"]))


def _says(step: dict) -> str:
    said = SAYS[step["action"]]
    if step["action"] == Action.ASK_MARKETPLACE_TO_WITHDRAW:
        said += " (possible: you messaged the buyer)" if step["withdraw_possible"] else " (message the buyer first)"
    return said


def _minute(iso: str | None) -> str:
    """A Tokyo time to the minute (the query gives Tokyo times)."""
    return iso[:16].replace("T", " ") if iso else ""
