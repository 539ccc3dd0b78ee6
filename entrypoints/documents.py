"""The JSON documents of the query commands: one builder each, printed by the command line
(`--json`) and returned by the HTTP API, so the two can never differ. Each takes the seller it
reads as a plain argument; who may read which seller is decided before (entrypoints/access.py)."""

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from functools import cached_property

import orjson
from sqlalchemy import select
from sqlalchemy.exc import DBAPIError

from domain.calendar import TOKYO, previous_month
from domain.errors import Rejected, UnknownOrder
from domain.privacy import ERASED, mask_message, mask_text
from entrypoints.bootstrap import Settings, build_engine, build_orders
from projections import dashboard_queries as dash
from projections import points_queries as pts
from projections import settlement_queries as settle
from projections import summary_queries as sq
from projections import todo_queries as td
from projections import trends_queries as tq
from projections.read_models import DASHBOARD, POINTS, SETTLEMENT, TODO, current
from projections.schema import LOG, metadata, positions
from store.engines import log_head

# What a query at the store's head does not import (the event store, the aggregates, the projections'
# handlers) is imported where it is needed: docs/decisions/0019, tests/unit/test_cli_startup.py.


def now() -> datetime:
    return datetime.now(TOKYO).replace(microsecond=0)


class Documents:
    """The application, the read-model engine and the settings the queries need, built once."""

    def __init__(self, settings: Settings | None = None):
        self.settings = settings or Settings.from_env()
        self.engine = build_engine(self.settings)
        self._revealing = None
        self._tables_made = False
        self._following = threading.Lock()  # one catch-up at a time (the server answers on threads)

    def _read_models_made(self) -> None:
        """The read models' tables exist (a store no projection has read yet has none): checked once."""
        if not self._tables_made:
            import projections.runner  # noqa: F401 (every projection's tables in the metadata)

            metadata.create_all(self.engine)
            self._tables_made = True

    @cached_property
    def app(self):
        """The application: built when first needed (a query of read models at the store's head needs none)."""
        return build_orders(self.settings)

    @property
    def revealing(self):
        """The application that reads personal data in plaintext (needs the master key)."""
        if self._revealing is None:
            self._revealing = build_orders(self.settings, reveal=True)
        return self._revealing

    @contextmanager
    def reading(self, projection, as_of: datetime | None) -> Iterator:
        """A connection to read the projection (or read model, projections/read_models.py) as of any moment
        (its queries read the tables' history, projections/temporal.py); in embedded mode brought up to
        the store's head first, by the application, when it is not there already."""
        if self.settings.embedded and not self._current(projection):
            from projections.runner import PROJECTIONS, LogFollower

            with self._following:
                LogFollower(self.app, self.engine, [PROJECTIONS[projection.name]()]).catch_up()
        with self.engine.connect() as conn:
            yield conn

    def _current(self, projection) -> bool:
        """Its position at the store's head and its tables the code's (False: no store or read model yet)."""
        try:
            with self.engine.connect() as conn:
                return current(conn, projection, log_head(conn))
        except DBAPIError:
            return False

    # ---- the seller's views ----------------------------------------------------------------------

    def dashboard(self, seller: str, as_of: datetime | None = None, period: dash.Period = dash.Period()) -> dict:
        at = as_of or now()
        with self.reading(DASHBOARD, as_of) as conn:
            counts = dash.counts(conn, seller, at, period)
            awaiting = dash.awaiting_refund(conn, seller, at, period)
            breaches = dash.refusal_breaches(conn, seller, at)
        return {"seller_id": seller, "as_of": at.isoformat(), "counts": counts,
                "awaiting_refund": awaiting, "refusal_breaches": breaches}

    def claims(self, seller: str, status: tuple[str, str] | None = None, order_no: str | None = None,
               cart_no: str | None = None, as_of: datetime | None = None, period: dash.Period = dash.Period()) -> dict:
        """The orders behind one count (TYPE, KEY), or every claim of one order or cart."""
        at = as_of or now()
        with self.reading(DASHBOARD, as_of) as conn:
            if status:
                rows = dash.claim_list(conn, seller, *status, at, period)
            else:
                rows = dash.lookup(conn, seller, at, order_no=order_no, cart_no=cart_no)
        return {"seller_id": seller, "status": ".".join(status) if status else None, "as_of": at.isoformat(),
                "orders": rows}

    def settlement(self, seller: str, as_of: datetime | None = None) -> dict:
        with self.reading(SETTLEMENT, as_of) as conn:
            return settle.settlement(conn, seller, as_of or now())

    def settlement_page(self, seller: str, as_of: datetime | None, states: tuple[str, ...], limit: int,
                        offset: int) -> dict:
        """The settlement page's: the orders in `states`, `limit` of them from `offset` on, and how many in all."""
        with self.reading(SETTLEMENT, as_of) as conn:
            return settle.settlement_page(conn, seller, as_of or now(), states, limit, offset)

    def todo(self, seller: str, as_of: datetime | None = None) -> dict:
        """The seller's to-do list (SPEC §6.4), with the yen settlement holds back."""
        with self.reading(TODO, as_of) as todo_conn, self.reading(SETTLEMENT, as_of) as settlement_conn:
            return td.todo(todo_conn, settlement_conn, seller, as_of or now())

    def points(self, seller: str, month: str, items: bool = False) -> dict:
        with self.reading(POINTS, None) as conn:
            return pts.ledger(conn, seller, month, items=items)

    def exchange_points(self, seller: str, at: datetime | None = None, month: str | None = None) -> dict:
        """Exchange a month's points (default: the month before `at`); a refusal has `code` and `detail`."""
        when = at or now()
        month = month or previous_month(when)
        with self.reading(POINTS, None) as conn:
            total = pts.month_total(conn, seller, month)
        try:
            qcash = self.app.exchange_points(seller_id=seller, at=when, month=month, total=total)
        except Rejected as refused:
            return {"seller_id": seller, "month": month, "points": total, "exchanged": None,
                    "code": refused.code, "detail": refused.detail}
        with self.reading(POINTS, None) as conn:
            balance = pts.qcash_balance(conn, seller)
        return {"seller_id": seller, "month": month, "points": total, "exchanged": qcash, "qcash_balance": balance}

    def inquiries(self, seller: str, item_no: str | None = None, masked: bool = False) -> dict:
        """The seller's view (every text), or the page of the seller's item (a hidden inquiry as the
        placeholder); `masked`: the texts as an analyst reads them."""
        from projections import inquiries_queries as iq
        from projections.inquiries import Inquiries

        texts = self.revealing.events.get  # the texts are shown: decrypted here only
        with self.reading(Inquiries(), None) as conn:
            listed = iq.item_page(conn, seller, item_no, texts) if item_no else iq.seller_view(conn, seller, texts)
        if masked:
            listed = [_masked_inquiry(i) for i in listed]
        if item_no:
            return {"seller_id": seller, "item_no": item_no, "inquiries": listed}
        return {"seller_id": seller, "inquiries": listed}

    # ---- the analyst's -------------------------------------------------------------------------------

    def summary(self, as_of: datetime | None = None, period: dash.Period = dash.Period(), sort_by: str = "delayed") -> dict:
        """Every seller's counts side by side and summed, with refusal breaches and the yen held back."""
        with self.reading(DASHBOARD, as_of) as dash_conn, self.reading(SETTLEMENT, as_of) as settlement_conn:
            return sq.summary(dash_conn, settlement_conn, as_of or now(), period, sort_by)

    def trends(self, as_of: datetime | None = None, period: str = "week", where: "tq.Filter" = tq.Filter(),
               claim_type: str | None = None) -> dict:
        """Claims, rates, refunds, breaches and points per Tokyo week or month (projections/trends_queries.py)."""
        with self.reading(DASHBOARD, as_of) as dash_conn, self.reading(SETTLEMENT, as_of) as settlement_conn, \
                self.reading(POINTS, None) as points_conn:
            return tq.trends(dash_conn, settlement_conn, points_conn, as_of or now(), period, where, claim_type)

    # ---- the auditor's and the operator's ----------------------------------------------------------

    def history(self, order_no: str, as_of: datetime | None = None, reveal: bool = False,
                seller: str | None = None) -> dict:
        """Every event of the order with its state; raises Rejected (unknown_order) for none, and, when
        read for one seller, for an order of another seller (the order's own events say whose it is)."""
        from domain.audit import describe, history, state_as_of

        events = (self.revealing if reveal else self.app).order_events(order_no)
        if seller is not None and getattr(events[0], "seller_id", None) != seller:
            raise UnknownOrder(f"order {order_no!r} was never placed")
        state = state_as_of(events, as_of=as_of)
        return {
            "order_no": order_no,
            "as_of": as_of.isoformat() if as_of else None,
            "events": [e.as_json() for e in history(events, as_of=as_of, reveal=reveal)],
            "state": describe(state) if state is not None else None,
        }

    def verify(self, checkpoint_file: str | None = None, progress=None) -> dict:
        """`progress(events, position)`: see store/audit.verify (a verify job's progress)."""
        from store.audit import load, verify

        public_key, key = self.verify_keys()
        began = time.perf_counter()
        report = verify(self.app.recorder, self.engine,
                        exported=load(checkpoint_file) if checkpoint_file else None, public_key=public_key, key=key,
                        progress=progress)
        return {"ok": report.ok, "events": report.events, "aggregates": report.aggregates,
                "unchained": report.unchained, "checkpoints": report.checkpoints, "findings": report.findings,
                "keyed_from": report.keyed_from, "tags_checked": report.tags_checked,
                "seconds": round(time.perf_counter() - began, 2)}

    def verify_keys(self) -> tuple[bytes | None, bytes | None]:
        """The service's public signing key and the chain key, each None where this process has none
        (without the first, the checkpoints' own keys are checked, not that they are the service's;
        without the second, links and checkpoints, not the key tags); KeyMissing for a broken key file."""
        from store.audit import ChainKeyMissing, SigningKeyMissing, chain_key, raw_public, signing_key

        try:
            public_key = raw_public(signing_key(self.settings.database_url, self.engine, create=False).public_key())
        except SigningKeyMissing:
            public_key = None
        try:
            key = chain_key(self.settings.database_url, self.engine, create=False)
        except ChainKeyMissing:
            key = None
        return public_key, key

    def verify_order(self, order_no: str) -> dict:
        """One order's chain and its head's inclusion in the latest signed checkpoint (never a scan)."""
        public_key, key = self.verify_keys()
        began = time.perf_counter()
        from domain.ids import ORDER
        from store.evidence import verify_order

        check = verify_order(self.app.recorder, self.engine, order_no, self.app.ids.find(ORDER, order_no), key=key,
                             public_key=public_key)
        return {"ok": check.ok, "order_no": order_no, "events": check.events, "covered": check.covered,
                "checkpoint": check.checkpoint, "findings": check.findings, "tags_checked": check.tags_checked,
                "milliseconds": round((time.perf_counter() - began) * 1000, 1)}

    def replay(self, order_no: str, step: int, reveal: bool = False) -> dict:
        """The order after its first `step` events (clamped to 1..all): the history document of those
        events and their state, with the step's stored link and whether its chain up to there holds."""
        from domain.audit import describe, history, state_as_of
        from domain.ids import ORDER

        events = (self.revealing if reveal else self.app).order_events(order_no)  # UnknownOrder for none
        step = max(1, min(step, len(events)))
        from store.chain import genesis, link
        from store.evidence import order_events

        oid = self.app.ids.find(ORDER, order_no)
        stored = order_events(self.app.recorder, self.engine, oid)
        value, holds = genesis(oid), True
        for event in stored[:step]:
            value = link(value, oid, event.version, event.topic, event.state)
            holds = holds and event.link == value
        shown = events[:step]
        return {"order_no": order_no, "as_of": None, "step": step, "steps": len(events),
                "events": [e.as_json() for e in history(shown, reveal=reveal)],
                "state": describe(state_as_of(shown)),
                "link": stored[step - 1].link.hex() if step <= len(stored) and stored[step - 1].link else None,
                "chain_holds": holds and step <= len(stored)}

    def checkpoints(self, full: bool = False) -> list[dict]:
        """The stored checkpoints, newest first: position, chains, events, time (`full`: as exported)."""
        from store.audit import stored_checkpoints

        stored = list(reversed(stored_checkpoints(self.engine)))
        if full:
            return [c.as_json() for c in stored]
        return [{"size": c.size, "heads": c.heads, "log_size": c.log_size, "at": c.at.isoformat(),
                 "version": 3 if c.log_size is not None else 2 if c.keyed_from is not None else 1} for c in stored]

    def evidence(self, order_no: str, unmask: bool = False) -> dict:
        """The order's evidence bundle (docs/evidence-format.md), after signing a checkpoint when its
        latest events are in none yet; raises UnknownOrder, or NoEvidence when there can be none."""
        unmasked = self.history(order_no, reveal=True)["events"] if unmask else None  # UnknownOrder for none
        from store.audit import SigningKeyMissing, signing_key, stored_checkpoints, write_checkpoint
        from domain.ids import ORDER
        from store.evidence import NoEvidence, bundle, latest_inclusion, order_events

        oid = self.app.ids.find(ORDER, order_no)
        events = order_events(self.app.recorder, self.engine, oid) if oid is not None else []
        if not events:
            raise UnknownOrder(f"order {order_no!r} was never placed")
        try:
            covered = latest_inclusion(self.engine, oid).version
        except NoEvidence:
            covered = 0
        if covered != events[-1].version:
            try:  # a new signing key only for a store without checkpoints: a copied database must not sign its own
                key = signing_key(self.settings.database_url, self.engine, create=not stored_checkpoints(self.engine))
            except SigningKeyMissing as missing:
                raise NoEvidence(f"the order's latest events are in no checkpoint, and {missing}") from None
            write_checkpoint(self.app.recorder, self.engine, key)
        return bundle(self.app.recorder, self.engine, order_no, oid, unmasked=unmasked)

    def lags(self) -> dict:
        """The store's head and every projection's position on each stream it reads (embedded: the
        store's log; distributed: the events topic's partitions, in Kafka offsets)."""
        self._read_models_made()
        with self.engine.connect() as conn:
            rows = conn.execute(select(positions).order_by(positions.c.name, positions.c.stream)).all()
        head = self.app.recorder.max_notification_id() or 0
        return {"head": head, "positions": [
            {"projection": r.name, "stream": r.stream, "position": r.position,
             "last_at": r.last_at.isoformat() if r.last_at else None,
             "lag_events": head - r.position if r.stream == LOG else None} for r in rows]}

    def parked(self) -> dict:
        from consumers.parked import parked_messages  # the command path: only for this page
        from projections.parking import parked as parked_events

        self._read_models_made()
        messages = [{"message_id": p.message_id, "source": p.source, "error": p.error, "attempts": p.attempts,
                     "message": _shown(p.message)} for p in parked_messages(self.app)]
        with self.engine.connect() as conn:
            events = parked_events(conn)
        return {"messages": messages, "events": events}


def _shown(message: str) -> object:
    """A parked message as an operator reads it: the masked copy the store keeps (`[erased]` once its
    buyer is erased), masked again for one an earlier release stored as it came."""
    try:
        return mask_message(orjson.loads(message))
    except orjson.JSONDecodeError:
        return message if message == ERASED else mask_text(message)


def _masked_inquiry(entry: dict) -> dict:
    masked = {**entry}
    for field in ("title", "text"):
        if field in masked:
            masked[field] = mask_text(masked[field])
    masked["answers"] = [{**a, "text": mask_text(a["text"])} for a in entry.get("answers", [])]
    if "hidden" in masked:
        masked["hidden"] = {**masked["hidden"], "title": mask_text(masked["hidden"]["title"]),
                            "reason": mask_text(masked["hidden"]["reason"])}
    return masked
