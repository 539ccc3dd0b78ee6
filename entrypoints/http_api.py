"""The HTTP API of `orderclaims serve`: one endpoint per query command, whose JSON is the command's
`--json` (both come from entrypoints/documents.py). Who may read which seller is decided by the
key's Principal (entrypoints/access.py), resolved once per request from its bearer key
(entrypoints/authentication.py). Time is the server's: no request chooses the moment of an act."""

from datetime import datetime
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Body, Depends, Header, Path, Query, Request
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, ConfigDict, Field

from domain.errors import Rejected, UnknownOrder
from entrypoints import arguments
from entrypoints.actions import ORDER_ACTIONS, Actions
from entrypoints.access import Capability, NotFound, Principal
from entrypoints.authentication import Who
from entrypoints.documents import Documents
from entrypoints.presentation import sheet
from projections import dashboard_queries as dash
from projections import summary_queries as sq
from projections import trends_queries as tq
from store.evidence import NoEvidence

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def documents(request: Request) -> Documents:
    return request.app.state.documents


def server_now(request: Request) -> datetime:
    """The moment of an act: the server's clock (create_app's `clock`), never the request's."""
    return request.app.state.clock()


Docs = Annotated[Documents, Depends(documents)]
Now = Annotated[datetime, Depends(server_now)]
Seller = Annotated[str | None, Query(max_length=64, description="The seller (a seller key: its own, the default)")]
NOW = "now"  # as_of=now: the present, also on a server that reads another time by default


def asked_as_of(request: Request, as_of: Annotated[str | None, Query(
        max_length=40, description="ISO 8601 time; a bare time is Tokyo time; `now` the present (default: the "
                                   "server's `serve --as-of`, else now)")] = None) -> str | None:
    """The time a view reads: the request's `as_of`; without one the server's default (`serve --as-of`,
    ORDERCLAIMS_AS_OF: the demo's time); None for the present. It never dates an act (`Now` does)."""
    if as_of == NOW:
        return None
    return as_of or request.app.state.as_of


AsOf = Annotated[str | None, Depends(asked_as_of)]
From = Annotated[str | None, Query(alias="from", max_length=10, description="Orders placed on or after (YYYY-MM-DD)")]
To = Annotated[str | None, Query(alias="to", max_length=10, description="Orders placed on or before (YYYY-MM-DD)")]
Name = Annotated[str | None, Query(max_length=64)]

router = APIRouter(prefix="/api")


def attachment(name: str) -> dict:
    """A download's header: an ASCII name for every client, the exact one (RFC 6266/5987) for the rest."""
    plain = "".join(c if c.isascii() and c.isprintable() and c not in '"\\' else "_" for c in name)
    return {"Content-Disposition": f"attachment; filename=\"{plain}\"; filename*=UTF-8''{quote(name, safe='')}"}


def period(start: str | None, end: str | None) -> dash.Period:
    return dash.Period(arguments.day(start), arguments.day(end))


@router.get("/dashboard", summary="The status counts (SPEC §6.1) — `orderclaims dashboard --json`")
def dashboard(who: Who, docs: Docs, seller: Seller = None, as_of: AsOf = None, start: From = None, end: To = None):
    return docs.dashboard(who.seller(seller), arguments.moment(as_of), period(start, end))


def _claims(who: Principal, docs: Documents, seller, status, order, cart, as_of, start, end) -> dict:
    if bool(status) == bool(order or cart):
        raise arguments.BadArgument("give either status=TYPE.STATUS, or order= / cart=")
    return docs.claims(who.seller(seller), arguments.claim_status(status) if status else None, order, cart,
                       arguments.moment(as_of), period(start, end))


@router.get("/claims", summary="The orders behind one count, or a lookup by order or cart — `orderclaims claims --json`")
def claims(who: Who, docs: Docs, seller: Seller = None, status: Name = None, order: Name = None, cart: Name = None,
           as_of: AsOf = None, start: From = None, end: To = None):
    return _claims(who, docs, seller, status, order, cart, as_of, start, end)


@router.get("/claims.xlsx", summary="The same list as an Excel file", response_class=Response)
def claims_xlsx(who: Who, docs: Docs, seller: Seller = None, status: Name = None, order: Name = None, cart: Name = None,
                as_of: AsOf = None, start: From = None, end: To = None):
    document = _claims(who, docs, seller, status, order, cart, as_of, start, end)
    title = status or order or cart
    return Response(sheet.xlsx(document["orders"], dash.LIST_COLUMNS, title=title), media_type=XLSX,
                    headers=attachment(f"claims-{document['seller_id']}-{title}.xlsx"))


@router.get("/settlement", summary="Settlement eligibility (SPEC §6.2) — `orderclaims settlement --json`")
def settlement(who: Who, docs: Docs, seller: Seller = None, as_of: AsOf = None):
    return docs.settlement(who.seller(seller), arguments.moment(as_of))


@router.get("/points", summary="The month's service points (SPEC §6.3) — `orderclaims points --json`")
def points(who: Who, docs: Docs, month: Annotated[str, Query(max_length=7)], seller: Seller = None, items: bool = False):
    return docs.points(who.seller(seller), arguments.month(month), items)


@router.get("/todo", summary="The seller's to-do list (SPEC §6.4) — `orderclaims todo --json`")
def todo(who: Who, docs: Docs, seller: Seller = None, as_of: AsOf = None):
    return docs.todo(who.seller(seller), arguments.moment(as_of))


class Exchange(BaseModel):
    """The exchange happens at the server's now: a field it does not know (such as `at`) is refused."""
    model_config = ConfigDict(extra="forbid")
    seller: str | None = Field(None, max_length=64)
    month: str | None = Field(None, max_length=7, description="Default: last month (only last month's can be)")


@router.post("/exchange-points", summary="Exchange last month's points for Q-cash — `orderclaims exchange-points --json`",
             responses={409: {"description": "Refused: `code` is already_exchanged, exchange_window_closed or "
                                             "nothing_to_exchange"}})
def exchange_points(who: Who, docs: Docs, at: Now, asked: Exchange | None = None):
    asked = asked or Exchange()
    who.require(Capability.EXCHANGE_POINTS)
    document = docs.exchange_points(who.seller(asked.seller), at, arguments.month(asked.month))
    return JSONResponse(document, status_code=409 if "code" in document else 200)


@router.get("/orders/{order_no}/history", summary="Every event of an order (SPEC §7) — `orderclaims history --json`")
def order_history(who: Who, docs: Docs, order_no: Annotated[str, Path(max_length=64)], as_of: AsOf = None):
    who.require(Capability.HISTORY)  # whose order it is, the read decides: another seller's is one never placed
    return docs.history(order_no, arguments.moment(as_of), reveal=who.unmasked, seller=who.only_seller)


@router.get("/inquiries", summary="The seller's inquiries (SPEC §10) — `orderclaims inquiries --seller --json`")
def seller_inquiries(who: Who, docs: Docs, seller: Seller = None):
    return docs.inquiries(seller=who.seller(seller), masked=who.masked_texts)


@router.get("/items/{item_no}/inquiries",
            summary="A seller's item page's inquiries — `orderclaims inquiries --seller --item --json`")
def item_inquiries(who: Who, docs: Docs, item_no: Annotated[str, Path(max_length=64)], seller: Seller = None):
    return docs.inquiries(who.seller(seller), item_no=item_no, masked=who.masked_texts)


def summary_document(who: Principal, docs: Documents, as_of, start, end, sort) -> dict:
    who.require(Capability.SUMMARY)
    if sort not in sq.SORT_KEYS:
        raise arguments.BadArgument(f"sort={sort!r} is not one of {', '.join(sq.SORT_KEYS)}")
    return docs.summary(arguments.moment(as_of), period(start, end), sort)


Sort = Annotated[str, Query(max_length=30, description="delayed, refusal_breaches, held_back, open, orders, claims, "
                                                       "claims_per_100_orders, delayed_share or seller_id")]


@router.get("/summary", summary="Every seller side by side and summed (analysts) — `orderclaims summary --json`")
def summary(who: Who, docs: Docs, as_of: AsOf = None, start: From = None, end: To = None, sort: Sort = "delayed"):
    return summary_document(who, docs, as_of, start, end, sort)


@router.get("/summary.xlsx", summary="The summary as an Excel file", response_class=Response)
def summary_xlsx(who: Who, docs: Docs, as_of: AsOf = None, start: From = None, end: To = None, sort: Sort = "delayed"):
    document = summary_document(who, docs, as_of, start, end, sort)
    return Response(sheet.xlsx(sq.flat_rows(document), sq.COLUMNS, title="summary"), media_type=XLSX,
                    headers=attachment("summary.xlsx"))


Period = Annotated[str, Query(max_length=5, pattern="^(week|month)$", description="week (from Monday) or month")]
ClaimType = Annotated[str | None, Query(max_length=20, pattern="^(|cancel|return|exchange|non_receipt)$")]


def trends_document(who: Principal, docs: Documents, as_of, period_, seller, item, start, end, claim_type) -> dict:
    """Every seller's or one's (a seller key: its own) trends; `from`/`to` bound the Tokyo days counted."""
    where = tq.Filter(who.trends_seller(seller), item or None, arguments.day(start), arguments.day(end))
    return docs.trends(arguments.moment(as_of), period_, where, claim_type or None)


@router.get("/trends", summary="Claims, rates, refunds, breaches and points per week or month — `orderclaims trends --json`")
def trends(who: Who, docs: Docs, as_of: AsOf = None, period: Period = "week", seller: Seller = None, item: Name = None,
           start: Annotated[str | None, Query(alias="from", max_length=10, description="From this Tokyo date")] = None,
           end: Annotated[str | None, Query(alias="to", max_length=10, description="To this Tokyo date")] = None,
           claim_type: ClaimType = None):
    return trends_document(who, docs, as_of, period, seller, item, start, end, claim_type)


@router.get("/verify", summary="Recompute every hash chain and checkpoint (SPEC §7) — `orderclaims verify --json`")
def verify(who: Who, docs: Docs):
    who.require(Capability.VERIFY)
    report = docs.verify()
    return JSONResponse(report, status_code=200 if report["ok"] else 409)


@router.get("/orders/{order_no}/evidence",
            summary="One order's evidence bundle (SPEC §7, docs/evidence-format.md) — `orderclaims evidence`")
def order_evidence(who: Who, docs: Docs, order_no: Annotated[str, Path(max_length=64)]):
    if not who.may(Capability.VERIFY):  # auditors only; to any other key, an order that was never placed
        raise UnknownOrder(f"order {order_no!r} was never placed")
    try:
        return docs.evidence(order_no)
    except NoEvidence as none:
        return JSONResponse(error_body("no_evidence", str(none)), status_code=409)


@router.get("/parked", summary="Messages and events parked by a defect — `orderclaims parked --json`")
def parked(who: Who, docs: Docs):
    who.require(Capability.OPERATIONS)
    return docs.parked()


def actions(request: Request) -> Actions:
    return request.app.state.actions


ACTION_TYPES = ", ".join(f"`{t}`" for t in ORDER_ACTIONS)


@router.post("/orders/{order_no}/actions/{message_type}",
             summary="A seller's action on its order: the SPEC §4 message, decided by the same rules as ingest",
             description="The body is the §4 message's `data` (`{}` for an action without). The message id comes "
                         "from the `Idempotency-Key` header (or a `message_id` in the body): a repeat is a "
                         f"duplicate (200), never a second action. Types: {ACTION_TYPES}.",
             status_code=201,
             responses={200: {"description": "A duplicate: this message id was decided before; nothing changed"},
                        201: {"description": "Accepted: the Receipt"},
                        202: {"description": "Distributed mode: sent to the upstream topic, `outcome: pending`; "
                                             "`GET /api/messages/{message_id}` tells the outcome once decided"},
                        503: {"description": "Distributed mode: the broker did not take it (`broker_unavailable`); "
                                             "nothing was sent"},
                        403: {"description": "Not a seller key"},
                        404: {"description": "No such order of this seller (another seller's order is answered "
                                             "alike), or not a seller action"},
                        409: {"description": "Rejected by the rules: `code` (SPEC §4), or `duplicate_conflict`"},
                        422: {"description": "Not a valid §4 message: `detail` names the field"}})
def order_action(who: Who, acting: Annotated[Actions, Depends(actions)],
                 order_no: Annotated[str, Path(max_length=64)], message_type: Annotated[str, Path(max_length=64)],
                 data: Annotated[dict, Body()] = None,
                 idempotency_key: Annotated[str | None, Header(max_length=64)] = None):
    data = dict(data or {})
    message_id = idempotency_key or data.pop("message_id", None)
    decided = acting.act(who, order_no, message_type, data, message_id, via="api")
    return JSONResponse(decided.as_json(), status_code=decided.status)


@router.post("/carts/{cart_no}/messages",
             summary="A seller's message to the buyer of a cart's orders, sent once per cart (SPEC §4 `message.sent`)",
             description="The body is `{\"text\": …, \"order_nos\": [the cart's orders, optional]}`; without "
                         "`order_nos`, every order of the seller in the cart. The message id: the `Idempotency-Key` "
                         "header (or a `message_id` in the body).",
             status_code=201,
             responses={200: {"description": "A duplicate: nothing changed"}, 201: {"description": "Accepted"},
                        202: {"description": "Distributed mode: sent, `outcome: pending`"},
                        503: {"description": "Distributed mode: `broker_unavailable`, nothing sent"},
                        403: {"description": "Not a seller key"},
                        404: {"description": "No such cart of this seller (another seller's alike), or an order "
                                             "not of this cart"},
                        409: {"description": "Rejected: `code`"}, 422: {"description": "Invalid: the field named"}})
def cart_message(who: Who, acting: Annotated[Actions, Depends(actions)], cart_no: Annotated[str, Path(max_length=64)],
                 data: Annotated[dict, Body()] = None,
                 idempotency_key: Annotated[str | None, Header(max_length=64)] = None):
    data = dict(data or {})
    message_id = idempotency_key or data.pop("message_id", None)
    decided = acting.message_cart(who, cart_no, data, message_id, via="api")
    return JSONResponse(decided.as_json() | {"cart_no": cart_no}, status_code=decided.status)


@router.post("/inquiries/{inquiry_no}/actions/{message_type}",
             summary="A seller's answer to, or hiding of, an inquiry on its item (SPEC §10)",
             description="Types: `inquiry.answered` (body `{\"text\": …}`) and `inquiry.hidden` (body `{\"title\": …, "
                         "\"reason\": …, \"restrict_asker\": true|false}`); the inquiry's number and item are the "
                         "server's. The message id: the `Idempotency-Key` header (or a `message_id` in the body).",
             status_code=201,
             responses={200: {"description": "A duplicate: nothing changed"}, 201: {"description": "Accepted"},
                        202: {"description": "Distributed mode: sent, `outcome: pending`"},
                        403: {"description": "Not a seller key"},
                        404: {"description": "No such inquiry of this seller (another seller's alike), or not an "
                                             "inquiry action"},
                        409: {"description": "Rejected: `code` (`not_answered`, `already_hidden`, …)"},
                        422: {"description": "Invalid: the field named"},
                        503: {"description": "Distributed mode: `broker_unavailable`, nothing sent"}})
def inquiry_action(who: Who, acting: Annotated[Actions, Depends(actions)],
                   inquiry_no: Annotated[str, Path(max_length=64)], message_type: Annotated[str, Path(max_length=64)],
                   data: Annotated[dict, Body()] = None,
                   idempotency_key: Annotated[str | None, Header(max_length=64)] = None):
    data = dict(data or {})
    message_id = idempotency_key or data.pop("message_id", None)
    decided = acting.act_on_inquiry(who, inquiry_no, message_type, data, message_id, via="api")
    return JSONResponse(decided.as_json() | {"inquiry_no": inquiry_no}, status_code=decided.status)


@router.get("/messages/{message_id}",
            summary="What became of a seller's action, by its message id (the Idempotency-Key it was sent with)",
            description="`outcome`: `pending` (distributed mode: sent, not decided yet), `accepted`, or `rejected` "
                        "with its `code` (SPEC §4). A repeat of an id is answered by its first use.",
            responses={403: {"description": "Not a seller key"},
                       404: {"description": "No action of this seller with that id (another seller's alike)"}})
def message_outcome(who: Who, acting: Annotated[Actions, Depends(actions)],
                    message_id: Annotated[str, Path(max_length=64)]):
    found = acting.outcome(who, message_id)
    if found is None:
        raise NotFound("unknown_message", f"no action with message id {message_id!r}")
    return found.as_json()


def error_body(code: str, detail: str) -> dict:
    return {"code": code, "detail": detail}


def rejected_status(error: Rejected) -> int:
    return 404 if error.code == "unknown_order" else 409

