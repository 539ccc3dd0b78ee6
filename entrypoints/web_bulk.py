"""Bulk actions on a list of the web dashboard (issue 20 item 5, docs/decisions/0021): approve the
checked cancels, or message the buyers of the checked orders — sent once per cart, as SPEC §4 sends a
bulk message. Each row of the list carries its own fresh message id, so a resubmit of the same rows is
a duplicate of each, never a second action; a cart's message goes by the id of its first checked row.
A confirmation page comes first (it lists what will be sent, per order or per cart); what was sent is
then told on a page of its own (post/redirect/get), each row's outcome read from its Receipt."""

from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from entrypoints.actions import Actions, Decided, InvalidAction
from domain.errors import Rejected
from entrypoints.access import Capability, NotFound
from entrypoints.authentication import Visitor
from entrypoints.web import page

bulk_pages = APIRouter(include_in_schema=False)

BULK_ACTIONS = ("cancel.approved", "message.sent")
MAX_ROWS = 100


class BadBulk(InvalidAction):
    pass


def _checked(form) -> tuple[str, list[str], dict[str, str], dict[str, str]]:
    """The bulk action, the checked orders (in the list's order) with each one's message id, and the rest."""
    fields = {k: v for k, v in form.items() if isinstance(v, str)}
    orders = [no for no in form.getlist("order_no") if isinstance(no, str) and no]
    action = fields.get("bulk", "")
    if action not in BULK_ACTIONS:
        raise BadBulk("bulk: approve the checked cancels, or message the checked orders' buyers")
    if not orders or len(orders) > MAX_ROWS:
        raise BadBulk(f"order_no: check between 1 and {MAX_ROWS} orders")
    ids = {no: fields.get(f"id.{no}", "") for no in orders}
    return action, list(dict.fromkeys(orders)), ids, fields


def _by_cart(acting: Actions, who, orders: list[str]) -> dict[str, list[str]]:
    """The checked orders by cart, in the list's order (another seller's order: as one never placed)."""
    carts: dict[str, list[str]] = {}
    for no in orders:
        carts.setdefault(acting.own_order(who, no).cart_no, []).append(no)
    return carts


@bulk_pages.post("/claims/bulk", response_class=HTMLResponse)
async def bulk_action(request: Request, who: Visitor):
    who.require(Capability.ACT)
    acting: Actions = request.app.state.actions
    action, orders, ids, fields = _checked(await request.form())
    carts = _by_cart(acting, who, orders) if action == "message.sent" else {}
    if fields.get("confirm") != "yes":
        return page(request, who, "bulk_confirm.html", action=action, orders=orders, ids=ids, carts=carts,
                    text=fields.get("text", ""), back=_back(fields.get("back", "")))
    sent = []  # "TARGET|MESSAGE_ID[|repeat]", or "TARGET|!CODE" for what was refused before it was sent
    for target, send in _sends(acting, who, action, orders, ids, carts, fields.get("text", "")):
        try:
            decided = send()
            sent.append(f"{target}|{decided.message_id}" + ("|repeat" if decided.outcome == "duplicate" else ""))
        except (InvalidAction, NotFound, Rejected) as refused:
            sent.append(f"{target}|!{getattr(refused, 'code', 'invalid')}")
    query = urlencode([("action", action), *(("row", i) for i in sent), ("back", _back(fields.get("back", "")))])
    return RedirectResponse(f"/claims/bulk/done?{query}", status_code=303)


def _sends(acting: Actions, who, action: str, orders, ids, carts, text: str):
    if action == "cancel.approved":
        for no in orders:
            yield no, lambda no=no: acting.act(who, no, action, {}, ids[no], via="web")
        return
    for cart, numbers in carts.items():
        yield cart, lambda cart=cart, numbers=numbers: acting.message_cart(
            who, cart, {"text": text, "order_nos": numbers}, ids[numbers[0]], via="web")


@bulk_pages.get("/claims/bulk/done", response_class=HTMLResponse)
def bulk_done(request: Request, who: Visitor, row: Annotated[list[str], Query()] = [],  # noqa: B006
              action: Annotated[str, Query(max_length=32)] = "", back: Annotated[str, Query(max_length=2000)] = ""):
    """Each sent row's outcome, from its Receipt (pending in distributed mode until decided); a row
    refused before it was sent (an order not open to it) with its code."""
    who.require(Capability.ACT)
    if action not in BULK_ACTIONS:
        raise BadBulk("action: cancel.approved or message.sent")
    acting: Actions = request.app.state.actions
    rows = []
    for sent in row[:MAX_ROWS]:
        target, _, message_id = sent[:200].partition("|")
        message_id, _, repeat = message_id.partition("|")
        if message_id.startswith("!"):
            code = message_id[1:]
            rows.append((target, Decided("", action, target, "", "invalid" if code == "invalid" else "rejected", code)))
        else:
            found = acting.outcome(who, message_id[:64]) or Decided(message_id, action, target, "", "unknown")
            if repeat and found.outcome in ("accepted", "rejected"):
                found = Decided(**{**found.__dict__, "outcome": "duplicate"})
            rows.append((target, found))
    return page(request, who, "bulk_done.html", action=action, rows=rows, back=_back(back))


def _back(path: str) -> str:
    """Where the list was: a path of this site only (never another site's address)."""
    return path if path.startswith("/claims?") and "//" not in path else "/claims"
