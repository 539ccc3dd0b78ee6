"""The query commands: dashboard, claims, settlement, points, exchange-points, rebuild (SPEC §8)."""

import json
import sys
import time

import click

from entrypoints import arguments
from entrypoints.arguments import BadArgument
from entrypoints.documents import Documents
from entrypoints.presentation import formats, sheet
from entrypoints.presentation.labels import label
from entrypoints.render import dashboard_screen, printable, table
from projections import dashboard_queries as dash
from projections.read_models import NAMES


def print_json(document: dict) -> None:
    click.echo(json.dumps(document, ensure_ascii=False))


def say_leftover(projection_name: str, leftover: list[str]) -> None:
    """What a rebuild dropped of one that did not finish (projections/swap.py)."""
    click.echo(f"{projection_name}: dropped the leftover of a rebuild that did not finish: {', '.join(leftover)}",
               err=True)


def _clicked(parse):
    """An argument parser of entrypoints/arguments.py whose refusal is the command line's usage error."""
    def parsed(value: str | None):
        try:
            return parse(value)
        except BadArgument as bad:
            raise click.BadParameter(str(bad)) from None
    return parsed


moment, day, month_arg, claim_status = (_clicked(f) for f in (arguments.moment, arguments.day, arguments.month,
                                                               arguments.claim_status))


json_option = click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
seller_option = click.option("--seller", required=True, help="The seller whose orders to show (only its own).")
as_of_option = click.option("--as-of", "as_of", help="ISO 8601 time; events after it are ignored (default: now).")


@click.command(name="dashboard")
@seller_option
@as_of_option
@click.option("--from", "start", help="Orders placed on or after this Tokyo date.")
@click.option("--to", "end", help="Orders placed on or before this Tokyo date.")
@json_option
def dashboard_command(seller: str, as_of: str | None, start: str | None, end: str | None, as_json: bool) -> None:
    """The status counts of every claim type (SPEC §6.1)."""
    document = Documents().dashboard(seller, moment(as_of), dash.Period(day(start), day(end)))
    if as_json:
        print_json(document)
        return
    counts, awaiting, breaches = document["counts"], document["awaiting_refund"], document["refusal_breaches"]
    window = f"  orders placed {start or '…'} – {end or '…'}" if start or end else ""
    click.echo(f"seller {seller} — as of {document['as_of']}{window}")
    click.echo(dashboard_screen(counts))
    click.echo(f"awaiting refund payment: exchange {awaiting['exchange']}, non-receipt {awaiting['non_receipt']}")
    click.echo(f"refusal breaches (not shipped the day of a cancel refusal): {len(breaches)}"
               + (" — " + printable(", ".join(b["order_no"] for b in breaches[:10])) if breaches else ""))


@click.command(name="claims")
@seller_option
@click.option("--status", help="TYPE.STATUS, e.g. return.requested or exchange.delayed.")
@click.option("--order", "order_no", help="Look up one order number.")
@click.option("--cart", "cart_no", help="Look up every order of a cart.")
@as_of_option
@click.option("--from", "start")
@click.option("--to", "end")
@click.option("--xlsx", "xlsx", type=click.Path(dir_okay=False, writable=True), help="Also write the list to this .xlsx file.")
@json_option
def claims_command(seller, status, order_no, cart_no, as_of, start, end, xlsx, as_json) -> None:
    """The orders behind one count, or a lookup by order or cart number."""
    if bool(status) == bool(order_no or cart_no):
        raise click.UsageError("give either --status TYPE.STATUS, or --order / --cart")
    document = Documents().claims(seller, claim_status(status) if status else None, order_no, cart_no, moment(as_of),
                                  dash.Period(day(start), day(end)))
    rows = document["orders"]
    if xlsx:
        sheet.write(xlsx, rows, dash.LIST_COLUMNS, title=status or order_no or cart_no)
    if as_json:
        print_json(document)
        return
    click.echo(table(sheet.texts(rows, dash.LIST_COLUMNS), header=[sheet.header(c) for c in dash.LIST_COLUMNS]))
    click.echo(f"{len(rows)} orders" + (f" — written to {xlsx}" if xlsx else ""))


@click.command(name="settlement")
@seller_option
@as_of_option
@json_option
def settlement_command(seller: str, as_of: str | None, as_json: bool) -> None:
    """Settlement eligibility of every order of the seller (SPEC §6.2)."""
    document = Documents().settlement(seller, moment(as_of))
    if as_json:
        print_json(document)
        return
    click.echo(f"seller {seller} ({label('level', document['level'])}) — settlement as of "
               f"{formats.tokyo_time(document['as_of'])}")
    click.echo(table([[label("settlement_state", s), v["orders"], formats.yen(v["amount"])]
                      for s, v in document["summary"].items()], header=["state", "orders", "yen"]))
    blocked = [o for o in document["orders"] if o["state"] == "blocked"]
    if blocked:
        click.echo("blocked by:")
        click.echo(table([[o["order_no"], formats.yen(o["amount"]), "、".join(label("blocked_by", b) for b in o["blocked_by"])]
                          for o in blocked[:20]],
                         header=["order", "yen", "what blocks it"]))
    upcoming = sorted({o["due_date"] for o in document["orders"] if o["state"] == "eligible"})
    if upcoming:
        click.echo("next payout dates: " + ", ".join(formats.day(d) for d in upcoming[:4]))


@click.command(name="points")
@seller_option
@click.option("--month", required=True, callback=lambda _c, _p, v: month_arg(v), help="YYYY-MM (Tokyo).")
@click.option("--items", is_flag=True, help="With the per-item breakdown.")
@json_option
def points_command(seller: str, month: str, items: bool, as_json: bool) -> None:
    """The month's service points (SPEC §6.3)."""
    document = Documents().points(seller, month, items)
    if as_json:
        print_json(document)
        return
    d = document["delivery"]
    click.echo(f"seller {seller} — service points {month}")
    click.echo(table([
        *[[label("point_line", f"delivery.{r}"), d[r]["orders"], formats.points(d[r]["points"])]
          for r in ("local", "overseas")],
        *[[label("point_line", f"claims.{k}"), "", formats.points(v)] for k, v in document["claims"].items()],
        *[[label("point_line", f"feedback.{k}"), "", formats.points(v)] for k, v in document["feedback"].items()],
        [label("point_line", "total"), "", formats.points(document["total"])],
    ], header=["", "orders", "points"]))
    exchanged = document["exchanged"]
    click.echo(f"exchangeable for Q-cash: {document['exchangeable']}"
               + (f" — exchanged: {exchanged}" if exchanged is not None else "")
               + f"   Q-cash balance: {document['qcash_balance']}")
    if items:
        click.echo(table([
            [i["item_no"], i["name"], i["orders"], i["amount"], i["delivery_points"],
             sum(i["claim_points"].values()), sum(i["feedback_points"].values()), i["total"]]
            for i in document["items"]
        ], header=["item", "name", "orders", "yen", "delivery", "claims", "feedback", "total"]))


@click.command(name="exchange-points")
@seller_option
@click.option("--at", "at", help="When the seller asks (default: now); last month's points are exchanged.")
@click.option("--month", callback=lambda _c, _p, v: month_arg(v), help="The month to exchange (default: the one before --at).")
@json_option
def exchange_points_command(seller: str, at: str | None, month: str | None, as_json: bool) -> None:
    """Exchange last month's service points for Q-cash, once, in 100-point units."""
    document = Documents().exchange_points(seller, moment(at), month)
    if "code" in document:
        print_json(document) if as_json else click.echo(f"refused ({document['code']}): {document['detail']}", err=True)
        sys.exit(1)
    print_json(document) if as_json else click.echo(
        f"{seller}: {document['points']} points of {document['month']} → {document['exchanged']} Q-cash "
        f"(balance {document['qcash_balance']})")


@click.command(name="rebuild")
@click.argument("name", required=False, type=click.Choice(sorted(NAMES)))
@json_option
def rebuild_command(name: str | None, as_json: bool) -> None:
    """Rebuild projections from the first event, with a progress bar; swapped in whole when done."""
    from projections.runner import PROJECTIONS, rebuild

    view = Documents()
    head = view.app.recorder.max_notification_id() or 0
    results = {}
    from tqdm import tqdm

    for projection_name in [name] if name else list(PROJECTIONS):
        started = time.perf_counter()
        with tqdm(total=head, desc=projection_name, unit=" ev", file=sys.stderr, disable=as_json) as bar:
            done = rebuild(view.app, view.engine, PROJECTIONS[projection_name](), on_progress=bar.update)
        seconds = time.perf_counter() - started
        results[projection_name] = {"events": done.stored_events, "applied": done.applied, "seconds": round(seconds, 2),
                                    "events_per_s": round(done.stored_events / seconds) if seconds else None}
        if done.leftover:
            results[projection_name]["leftover_dropped"] = done.leftover
            say_leftover(projection_name, done.leftover)
    if as_json:
        print_json(results)
    else:
        for projection_name, r in results.items():
            click.echo(f"{projection_name}: {r['events']:,} events ({r['applied']:,} of its types) in {r['seconds']} s"
                       f" ({r['events_per_s']:,}/s)")


@click.command(name="inquiries")
@click.option("--seller", required=True, help="The seller: alone, its view (every inquiry, every text).")
@click.option("--item", "item_no", help="The seller's item page: a hidden inquiry only as its placeholder.")
@json_option
def inquiries_command(seller: str, item_no: str | None, as_json: bool) -> None:
    """Inquiries on items' pages (SPEC §10): the seller's view, or the page of one of its items (an
    item number is its seller's own: --item needs --seller)."""
    document = Documents().inquiries(seller, item_no)
    listed = document["inquiries"]
    if as_json:
        print_json(document)
        return
    click.echo(table([[i["inquiry_no"], label("inquiry_status", i["status"]), formats.tokyo_time(i["posted_at"]), i.get("title", ""), i.get("text", ""),
                       len(i.get("answers", []))] for i in listed],
                     header=["inquiry", "status", "posted", "title", "text", "answers"]))


COMMANDS = (dashboard_command, claims_command, settlement_command, points_command, exchange_points_command, rebuild_command,
            inquiries_command)
