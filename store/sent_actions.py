"""Seller actions sent to the upstream topic in distributed mode and not necessarily decided yet
(docs/decisions/0021): the page and `GET /api/messages/{id}` tell such an action as sent and pending
until its Receipt is in the store. One row per stored message id, written once the broker took it;
a repeat keeps the first row (and its time, which the repeat is built with)."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Column, MetaData, String, Table, insert, select
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError

sent_metadata = MetaData()
sent_actions = Table(
    "sent_actions",
    sent_metadata,
    Column("message_id", String(64), primary_key=True),  # the stored id (entrypoints/actions.stored_id)
    Column("seller_id", String(64), nullable=False),
    Column("key_id", String(16)),
    Column("via", String(8), nullable=False),
    Column("message_type", String(64), nullable=False),
    Column("order_no", String(64), nullable=False),
    Column("occurred_at", String(40), nullable=False),  # the message's own time, ISO 8601
)


@dataclass(frozen=True)
class SentAction:
    message_id: str
    seller_id: str
    key_id: str | None
    via: str
    message_type: str
    order_no: str
    occurred_at: datetime


class SentActions:
    def __init__(self, engine: Engine):
        self.engine = engine
        sent_metadata.create_all(engine)

    def record(self, sent: SentAction) -> None:
        row = {**sent.__dict__, "occurred_at": sent.occurred_at.isoformat()}
        try:
            with self.engine.begin() as conn:
                conn.execute(insert(sent_actions).values(**row))
        except IntegrityError:
            pass  # a repeat: the first row stays

    def find(self, message_id: str) -> SentAction | None:
        with self.engine.connect() as conn:
            row = conn.execute(select(sent_actions).where(sent_actions.c.message_id == message_id)).first()
        if row is None:
            return None
        return SentAction(**{**row._asdict(), "occurred_at": datetime.fromisoformat(row.occurred_at)})
