"""The web dashboard of `orderclaims serve`: server-rendered pages (Jinja2) over the same documents
and the same access rules as the API; no JavaScript needed. A page's visitor is its session's key
(login and logout: entrypoints/web_login.py); every form carries the session's CSRF token
(`csrf` in every template, checked in entrypoints/csrf.py). The landing page is the key's first
view (a seller's: its to-do list). Redirects are paths, never built from the request's Host."""

from pathlib import Path as FilePath
from uuid import uuid4
from typing import Annotated
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Form, Path, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse
from fastapi.templating import Jinja2Templates

from domain.claims import CLAIM_TYPES, CLOSED, Status
from domain.seller import previous_month
from entrypoints import arguments
from entrypoints.actions import Actions, Decided, InvalidAction
from entrypoints.action_forms import (
    ACTION_FORMS, CONFIRM_FIRST, REFUSAL_REASONS, SELLER_CANCEL_REASONS, STEP_ACTION, form_data,
)
from entrypoints.access import Capability, Principal, Role
from entrypoints.authentication import Visitor, session_principal
from entrypoints.csrf import form_token
from entrypoints.http_api import (
    NOW, AsOf, Docs, From, Name, Now, Seller, Sort, To, claims_xlsx, summary_document, summary_xlsx, period,
)
from entrypoints.http_api import ClaimType, Period, trends_document
from entrypoints.presentation.trends_page import charts as trend_charts
from entrypoints.presentation import settlement_list
from entrypoints.presentation.filters import install
from entrypoints.presentation.formats import tokyo_time
from entrypoints.presentation.order_sheet import order_sheet
from entrypoints.presentation.screen import DASHBOARD_LAYOUT
from projections import dashboard_queries as dash

templates = Jinja2Templates(directory=FilePath(__file__).parent / "templates")
install(templates.env)  # labels and formats: entrypoints/presentation/
pages = APIRouter(include_in_schema=False)

SettlementState = Annotated[str | None, Query(max_length=10, pattern="^(|all|pending|blocked|eligible|due|closed)$")]
LANDING = {Role.SELLER: "/todo", Role.ANALYST: "/summary", Role.AUDITOR: "/audit", Role.OPERATOR: "/operations"}
# The header's navigation: (path, label, capability); a seller's views appear for an analyst once a seller is named.
NAVIGATION = (
    ("/summary", "全体 (summary)", Capability.SUMMARY),
    ("/trends", "傾向 (trends)", Capability.SUMMARY),  # a seller may read its own at /trends; the menu: analysts
    ("/todo", "やること (to-do)", Capability.SELLER_VIEWS),
    ("/dashboard", "クレーム (claims)", Capability.SELLER_VIEWS),
    ("/claims", "注文照会 (lookup)", Capability.SELLER_VIEWS),
    ("/settlement", "精算 (settlement)", Capability.SELLER_VIEWS),
    ("/points", "Myレベル&点数 (points)", Capability.SELLER_VIEWS),
    ("/inquiries", "お問い合わせ (inquiries)", Capability.SELLER_VIEWS),
    ("/audit", "監査 (audit)", Capability.VERIFY),
    ("/operations", "運用 (operations)", Capability.OPERATIONS),
)


def page(request: Request, who: Principal | None, template: str, **context) -> HTMLResponse:
    return templates.TemplateResponse(request, template, {"who": who, "query": _query(request),
                                                          "csrf": form_token(request), **_layout(request, who),
                                                          **context})


def visitor_or_none(request: Request) -> Principal | None:
    """The visitor of a page that needs none (an error page keeps its navigation); None when not logged in."""
    try:
        return session_principal(request)
    except Exception:  # not logged in, or the very fault being answered (the database, a key file): no navigation
        return None


def _layout(request: Request, who: Principal | None) -> dict:
    """What base.html shows around every page: the navigation (the current item marked) and the time the
    page reads when it is not now (a past `as_of`, or the server's default: `serve --as-of`)."""
    reading = request.query_params.get("seller") if who and not who.seller_id else None
    keep = {k: v for k, v in (("seller", reading), ("as_of", request.query_params.get("as_of"))) if v}
    suffix = f"?{urlencode(keep)}" if keep else ""
    navigation = [{"href": path + suffix, "label": label, "current": request.url.path == path}
                  for path, label, capability in NAVIGATION
                  if who and who.may(capability) and (capability != Capability.SELLER_VIEWS or who.seller_id or reading)]
    default = request.app.state.as_of
    asked = request.query_params.get("as_of")
    try:
        shown = None if asked == NOW else arguments.moment(asked or default)
    except arguments.BadArgument:
        shown = None  # the page itself refuses it
    return {"navigation": navigation, "reading_seller": reading,
            "reading": _minute(shown), "server_as_of": _minute(arguments.moment(default)),
            "here": request.url.path if request.method == "GET" else None}


def _minute(moment) -> str | None:
    """A time as the header says it: Tokyo, to the minute (2026/11/21 09:00)."""
    return tokyo_time(moment) if moment else None


def _query(request: Request):
    """A link's query string: the page's own parameters with some replaced (None drops one)."""
    def with_(**changes) -> str:
        params = {**request.query_params, **{k.rstrip("_"): v for k, v in changes.items()}}
        return urlencode({k: v for k, v in params.items() if v not in (None, "")})
    return with_


@pages.get("/")
def landing(who: Visitor):
    return RedirectResponse(LANDING[who.role], status_code=303)


@pages.get("/todo", response_class=HTMLResponse)
def todo_page(request: Request, who: Visitor, docs: Docs, seller: Seller = None, as_of: AsOf = None):
    document = docs.todo(who.seller(seller), arguments.moment(as_of))
    return page(request, who, "todo.html", d=document, as_of=as_of, step_action=STEP_ACTION if who.may(Capability.ACT) else {})


@pages.get("/dashboard", response_class=HTMLResponse)
def dashboard_page(request: Request, who: Visitor, docs: Docs, seller: Seller = None, as_of: AsOf = None,
                   start: From = None, end: To = None):
    document = docs.dashboard(who.seller(seller), arguments.moment(as_of), period(start, end))
    return page(request, who, "dashboard.html", d=document, layout=DASHBOARD_LAYOUT, start=start, end=end,
                as_of=as_of)


@pages.get("/claims", response_class=HTMLResponse)
def claims_page(request: Request, who: Visitor, docs: Docs, seller: Seller = None, status: Name = None, order: Name = None,
                cart: Name = None, as_of: AsOf = None, start: From = None, end: To = None):
    if not (status or order or cart):
        return page(request, who, "claims.html", d=None, columns=dash.LIST_COLUMNS, seller=who.seller(seller))
    moment = arguments.moment(as_of)
    document = docs.claims(who.seller(seller), arguments.claim_status(status) if status else None, order, cart,
                           moment, period(start, end))
    bulk = who.may(Capability.ACT) and moment is None  # acts happen now: a list of the past offers none (web_bulk.py)
    return page(request, who, "claims.html", d=document, columns=dash.LIST_COLUMNS, seller=document["seller_id"],
                bulk=bulk, message_id=ACTION_FORM_CONTEXT["message_id"])


@pages.get("/orders/{order_no}", response_class=HTMLResponse)
def order_page(request: Request, who: Visitor, docs: Docs, order_no: Annotated[str, Path(max_length=64)],
               as_of: AsOf = None, act: Annotated[str | None, Query(max_length=64)] = None,
               done: Annotated[str | None, Query(max_length=64)] = None, repeat: bool = False):
    """The order; `act`: the action whose form opens (a to-do row's next step links here); `done`: the
    message id of an action just sent, whose outcome (its Receipt's) the page tells."""
    decided = None
    if done and who.may(Capability.ACT):
        decided = request.app.state.actions.decided(who, order_no, done, repeat)
    return order_view(request, who, docs, order_no, as_of, decided=decided, opened=act)


def order_view(request: Request, who: Principal, docs: Docs, order_no: str, as_of: str | None = None,
               decided: Decided | None = None, opened: str | None = None) -> HTMLResponse:
    who.require(Capability.HISTORY)
    moment = arguments.moment(as_of)
    document = docs.history(order_no, moment, reveal=who.unmasked, seller=who.only_seller)
    offered = []
    if who.may(Capability.ACT) and moment is None:  # actions on the present only, never on a past view
        acting: Actions = request.app.state.actions
        offered = acting.offered(who, acting.own_order(who, order_no))
    return page(request, who, "order.html", d=document, sheet=order_sheet(document, _step(docs, document, moment)),
                unmasked=who.unmasked, offered=offered, decided=decided, opened=opened, **ACTION_FORM_CONTEXT)


# What templates/action_form.html needs beside the action: the fields, the lists, a fresh id per form.
ACTION_FORM_CONTEXT = {"forms": ACTION_FORMS, "confirmed_first": CONFIRM_FIRST, "message_id": lambda: str(uuid4()),
                       "reasons": SELLER_CANCEL_REASONS, "refusal_reasons": REFUSAL_REASONS}


@pages.post("/orders/{order_no}/actions/{message_type}", response_class=HTMLResponse)
async def order_action(request: Request, who: Visitor, docs: Docs, order_no: Annotated[str, Path(max_length=64)],
                       message_type: Annotated[str, Path(max_length=64)]):
    """A seller's action from the order page's form: the same §4 message as the API's (CSRF and Origin
    checked for every POST in entrypoints/csrf.py); the page shows its outcome at once."""
    who.require(Capability.ACT)
    form = await request.form()
    fields = {k: v for k, v in form.items() if isinstance(v, str)}
    if message_type in CONFIRM_FIRST and fields.get("confirm") != "yes":
        return order_view(request, who, docs, order_no, opened=message_type)
    acting: Actions = request.app.state.actions
    try:
        decided = acting.act(who, order_no, message_type, form_data(message_type, fields), fields.get("message_id", ""),
                             via="web")
    except InvalidAction as invalid:
        decided = Decided(fields.get("message_id", ""), message_type, order_no, "", "invalid", "invalid", invalid.reason)
    if decided.outcome == "invalid" or decided.code == "duplicate_conflict":  # nothing changed: told at once
        shown = order_view(request, who, docs, order_no, decided=decided)
        shown.status_code = 422 if decided.outcome == "invalid" else 409
        return shown
    # post/redirect/get: a reload asks the Receipt again, never sends twice
    repeat = "&repeat=1" if decided.outcome == "duplicate" else ""
    return RedirectResponse(f"/orders/{quote(order_no, safe='')}?as_of=now&done={quote(decided.message_id, safe='')}"
                            f"{repeat}", status_code=303)


def _step(docs, document: dict, as_of) -> dict | None:
    """The to-do list's next step for the order's open claim (its due time), if it has one."""
    claim = document["state"] and document["state"]["claim"]
    if not claim or (claim["status"] in CLOSED and claim["status"] != Status.REFUSED):
        return None  # a closed claim asks nothing, but a refused cancel asks the same day's shipping
    state = document["state"]
    steps = docs.todo(state["seller_id"], as_of)["steps"]
    return next((s for s in steps if s["order_no"] == document["order_no"]), None)


@pages.get("/claims.xlsx")
def claims_download(who: Visitor, docs: Docs, seller: Seller = None, status: Name = None, order: Name = None,
                    cart: Name = None, as_of: AsOf = None, start: From = None, end: To = None):
    """The list's download: the API's .xlsx, for the page's session (the API takes only bearer keys)."""
    return claims_xlsx(who, docs, seller, status, order, cart, as_of, start, end)


@pages.get("/settlement", response_class=HTMLResponse)
def settlement_page(request: Request, who: Visitor, docs: Docs, seller: Seller = None, as_of: AsOf = None,
                    state: SettlementState = None, number: Annotated[int, Query(alias="page", ge=1, le=100_000)] = 1):
    size = settlement_list.PAGE_SIZE
    document = docs.settlement_page(who.seller(seller), arguments.moment(as_of), settlement_list.chosen(state),
                                    size, (number - 1) * size)
    return page(request, who, "settlement.html", d=document, as_of=as_of, state=state or "",
                states=settlement_list.STATES, open_money=settlement_list.OPEN_MONEY, number=number, size=size,
                pages=settlement_list.pages(document["listed"]))


@pages.get("/points", response_class=HTMLResponse)
def points_page(request: Request, who: Visitor, docs: Docs, at: Now, seller: Seller = None,
                month: Annotated[str | None, Query(max_length=7)] = None, as_of: AsOf = None):
    """The default month: the one before the time the pages read (the demo's: `make demo`'s month)."""
    shown = arguments.month(month) or previous_month(arguments.moment(as_of) or at)
    return _points(request, who, docs, who.seller(seller), shown)


@pages.post("/points/exchange", response_class=HTMLResponse)
def exchange_page(request: Request, who: Visitor, docs: Docs, at: Now,
                  month: Annotated[str | None, Form(max_length=7)] = None,
                  confirm: Annotated[str | None, Form(max_length=8)] = None):
    """The Q-cash exchange cannot be undone: without its ticked confirmation nothing is exchanged."""
    who.require(Capability.EXCHANGE_POINTS)
    if confirm != "yes":
        return _points(request, who, docs, who.seller(None), arguments.month(month) or previous_month(at))
    result = docs.exchange_points(who.seller(None), at, month=arguments.month(month))
    return _points(request, who, docs, who.seller(None), result["month"], exchange=result)


def _points(request: Request, who: Principal, docs, seller: str, month: str, exchange: dict | None = None):
    return page(request, who, "points.html", d=docs.points(seller, month, items=True), exchange=exchange,
                may_exchange=who.may(Capability.EXCHANGE_POINTS))


@pages.get("/inquiries", response_class=HTMLResponse)
def inquiries_page(request: Request, who: Visitor, docs: Docs, seller: Seller = None,
                   done: Annotated[str | None, Query(max_length=64)] = None, repeat: bool = False):
    """The seller's inquiries, each with the answer and hide the rules allow now (SPEC §10); `done`: the
    message id of an action just sent, whose outcome the page tells."""
    found = request.app.state.actions.outcome(who, done) if done and who.may(Capability.ACT) else None
    repeated = found and repeat and found.outcome != "pending"
    return _inquiries(request, who, docs, seller, Decided(**{**found.__dict__, "outcome": "duplicate"}) if repeated else found)


def _inquiries(request: Request, who: Principal, docs: Docs, seller: str | None = None,
               decided: Decided | None = None) -> HTMLResponse:
    document = docs.inquiries(seller=who.seller(seller), masked=who.masked_texts)
    acting: Actions = request.app.state.actions
    offered = ({i["inquiry_no"]: acting.offered_on_inquiry(who, i["inquiry_no"]) for i in document["inquiries"]}
               if who.may(Capability.ACT) else {})
    return page(request, who, "inquiries.html", d=document, offered=offered, decided=decided, **ACTION_FORM_CONTEXT)


@pages.post("/inquiries/{inquiry_no}/actions/{message_type}", response_class=HTMLResponse)
async def inquiry_action(request: Request, who: Visitor, docs: Docs, inquiry_no: Annotated[str, Path(max_length=64)],
                         message_type: Annotated[str, Path(max_length=64)]):
    """An answer or a hide from the inquiries page: the API's §10 message; post/redirect/get."""
    who.require(Capability.ACT)
    fields = {k: v for k, v in (await request.form()).items() if isinstance(v, str)}
    acting: Actions = request.app.state.actions
    if message_type in CONFIRM_FIRST and fields.get("confirm") != "yes":
        return _inquiries(request, who, docs)  # not confirmed: nothing sent (the box is required in the form)
    try:
        decided = acting.act_on_inquiry(who, inquiry_no, message_type, form_data(message_type, fields),
                                        fields.get("message_id", ""), via="web")
    except InvalidAction as invalid:
        shown = _inquiries(request, who, docs, decided=Decided(fields.get("message_id", ""), message_type, "", "",
                                                               "invalid", "invalid", invalid.reason))
        shown.status_code = 422
        return shown
    repeat = "&repeat=1" if decided.outcome == "duplicate" else ""
    return RedirectResponse(f"/inquiries?done={quote(decided.message_id, safe='')}{repeat}#inquiry-"
                            f"{quote(inquiry_no, safe='')}", status_code=303)


@pages.get("/summary", response_class=HTMLResponse)
def summary_page(request: Request, who: Visitor, docs: Docs, as_of: AsOf = None, start: From = None, end: To = None,
                 sort: Sort = "delayed"):
    document = summary_document(who, docs, as_of, start, end, sort)
    return page(request, who, "summary.html", d=document, start=start, end=end, as_of=as_of, claim_types=CLAIM_TYPES)


@pages.get("/summary.xlsx")
def summary_download(who: Visitor, docs: Docs, as_of: AsOf = None, start: From = None, end: To = None,
                     sort: Sort = "delayed"):
    return summary_xlsx(who, docs, as_of, start, end, sort)


@pages.get("/trends", response_class=HTMLResponse)
def trends_page(request: Request, who: Visitor, docs: Docs, as_of: AsOf = None, period: Period = "week",
                seller: Seller = None, item: Name = None, start: From = None, end: To = None,
                claim_type: ClaimType = None):
    """Claims, rates, refunds, breaches and points per week or month, each chart with its table (issue 22)."""
    document = trends_document(who, docs, as_of, period, seller, item, start, end, claim_type)
    return page(request, who, "trends.html", d=document, charts=trend_charts(document), start=start, end=end,
                as_of=as_of, claim_types=CLAIM_TYPES)


@pages.get("/audit", response_class=HTMLResponse)
def audit_page(request: Request, who: Visitor, docs: Docs, order: Name = None):
    who.require(Capability.VERIFY)
    if order:
        return RedirectResponse(f"/orders/{quote(order, safe='')}", status_code=303)
    return page(request, who, "audit.html", checkpoints=docs.checkpoints())


@pages.get("/audit/orders/{order_no}/replay", response_class=HTMLResponse)
def audit_replay(request: Request, who: Visitor, docs: Docs, order_no: Annotated[str, Path(max_length=64)],
                 step: Annotated[int, Query(ge=1, le=100_000)] = 1):
    """The order step by step: after each event, its state, who sent it, its hash (auditors)."""
    who.require(Capability.VERIFY)
    document = docs.replay(order_no, step, reveal=who.unmasked)
    return page(request, who, "audit_replay.html", d=document, sheet=order_sheet(document), unmasked=who.unmasked)


@pages.get("/audit/checkpoints/{size}.json")
def audit_checkpoint(who: Visitor, docs: Docs, size: Annotated[int, Path(ge=0)]):
    who.require(Capability.VERIFY)
    found = [c for c in docs.checkpoints(full=True) if c["size"] == size]
    if not found:
        return JSONResponse({"code": "not_found", "detail": f"no checkpoint at position {size}"}, status_code=404)
    return JSONResponse(found[0], headers={"Content-Disposition": f'attachment; filename="checkpoint-{size}.json"'})


@pages.get("/operations", response_class=HTMLResponse)
def operations_page(request: Request, who: Visitor, docs: Docs):
    who.require(Capability.OPERATIONS)
    return page(request, who, "operations.html", parked=docs.parked(), lags=docs.lags())
