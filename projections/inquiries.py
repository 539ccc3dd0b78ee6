"""The inquiries of each item and seller (SPEC §10): which there are and where each stands. Their
texts are personal data of the asker and stay in the store, sealed; the views read them from there
(projections/inquiries_queries.py)."""

from sqlalchemy import Column, Integer, String, Table

from domain.inquiry import Inquiry
from projections.base import Projection, handles
from projections.rows import Rows
from projections.schema import UTCDateTime, metadata

inquiries = Table(
    "inquiries",
    metadata,
    Column("inquiry_id", String(36), primary_key=True),
    Column("inquiry_no", String(64), nullable=False, unique=True),
    Column("seller_id", String(64), nullable=False, index=True),
    Column("item_no", String(64), nullable=False, index=True),
    Column("posted_at", UTCDateTime, nullable=False),
    Column("answers", Integer, nullable=False, default=0),
    Column("answered_at", UTCDateTime),
    Column("hidden_at", UTCDateTime),
    Column("asker_restricted", Integer, nullable=False, default=0),
)


class Inquiries(Projection):
    name = "inquiries"
    tables = (inquiries,)
    prefetch_by = (inquiries.c.inquiry_id,)

    @handles(Inquiry.Posted)
    def posted(self, e: Inquiry.Posted, rows: Rows) -> None:
        rows.insert(inquiries, inquiry_id=str(e.originator_id), inquiry_no=e.inquiry_no, seller_id=e.seller_id,
                    item_no=e.item_no, posted_at=e.at, answers=0, asker_restricted=0)

    @handles(Inquiry.Answered)
    def answered(self, e: Inquiry.Answered, rows: Rows) -> None:
        rows.update_by(inquiries.c.inquiry_id, str(e.originator_id), add={"answers": 1}, answered_at=e.at)

    @handles(Inquiry.Hidden)
    def hidden(self, e: Inquiry.Hidden, rows: Rows) -> None:
        rows.update_by(inquiries.c.inquiry_id, str(e.originator_id), hidden_at=e.at,
                       asker_restricted=1 if e.restrict_asker else 0)
