"""The two views of inquiries (SPEC §10): an item's page, where a hidden inquiry is only the
placeholder with its status and date, and the seller's, which shows everything. The texts come from
the store (decrypted only here, where they are shown); every query takes whose view it is."""

from collections.abc import Callable, Iterable
from typing import Any
from uuid import UUID

from sqlalchemy import select
from sqlalchemy.engine import Connection

from domain.calendar import tokyo_iso
from domain.inquiry import HIDDEN_TEXT
from projections.inquiries import inquiries

EventsOf = Callable[[UUID], Iterable[Any]]


def _status(r: Any) -> str:
    return "hidden" if r.hidden_at else "answered" if r.answers else "waiting"


def item_page(conn: Connection, seller_id: str, item_no: str, events_of: EventsOf) -> list[dict]:
    """One seller's item page (an item is (seller_id, item_no), SPEC §10): every inquiry; a hidden
    one as the placeholder only. Another seller's item of the same number is never read."""
    rows = conn.execute(select(inquiries).where(inquiries.c.seller_id == seller_id, inquiries.c.item_no == item_no)
                        .order_by(inquiries.c.posted_at, inquiries.c.inquiry_no))
    shown = []
    for r in rows:
        entry = {"inquiry_no": r.inquiry_no, "status": _status(r), "posted_at": tokyo_iso(r.posted_at)}
        if r.hidden_at:
            entry["title"] = HIDDEN_TEXT
        else:
            texts = _texts(events_of(UUID(r.inquiry_id)))
            entry.update(title=texts["title"], text=texts["text"], answers=texts["answers"])
        shown.append(entry)
    return shown


def seller_view(conn: Connection, seller_id: str, events_of: EventsOf) -> list[dict]:
    """The seller's inquiries, all of them, with every text."""
    rows = conn.execute(select(inquiries).where(inquiries.c.seller_id == seller_id)
                        .order_by(inquiries.c.posted_at, inquiries.c.inquiry_no))
    return [{"inquiry_no": r.inquiry_no, "item_no": r.item_no, "status": _status(r), "posted_at": tokyo_iso(r.posted_at),
             "asker_restricted": bool(r.asker_restricted), **_texts(events_of(UUID(r.inquiry_id)))} for r in rows]


def _texts(events: Iterable[Any]) -> dict:
    texts: dict[str, Any] = {"answers": []}
    for e in events:
        kind = type(e).__qualname__
        if kind == "Inquiry.Posted":
            texts.update(title=e.title, text=e.text, buyer_id=e.buyer_id)
        elif kind == "Inquiry.Answered":
            texts["answers"].append({"at": tokyo_iso(e.at), "text": e.text})
        elif kind == "Inquiry.Hidden":
            texts["hidden"] = {"at": tokyo_iso(e.at), "title": e.title, "reason": e.reason}
    return texts
