"""The to-do list's tables (SPEC §6.4), apart from its handlers (projections/todo.py), so that its
queries import SQLAlchemy and nothing of the event store or the domain's aggregates (docs/decisions/0019)."""

from sqlalchemy import Column, Date, Index, Integer, String, Table

from projections.schema import UTCDateTime, metadata
from projections.temporal import history_of

todo_orders = Table(
    "todo_orders",
    metadata,
    Column("order_no", String(64), primary_key=True),
    Column("order_id", String(36), nullable=False, unique=True),
    Column("seller_id", String(64), nullable=False, index=True),
    Column("cart_no", String(64), nullable=False),
    Column("item_no", String(64), nullable=False),
    Column("promised_ship_date", Date, nullable=False),
    Column("shipped_at", UTCDateTime),
    Column("cancelled", Integer, nullable=False, default=0),  # a cancel decided: the order will not ship
    Column("claims", Integer, nullable=False, default=0),  # the seq of its current claim
    Column("valid_from", UTCDateTime, nullable=False),  # projections/temporal.py
)
todo_orders_history = history_of(todo_orders)

todo_claims = Table(
    "todo_claims",
    metadata,
    Column("order_no", String(64), primary_key=True),
    Column("seq", Integer, primary_key=True),
    Column("seller_id", String(64), nullable=False),
    Column("type", String(20), nullable=False),
    Column("status", String(20), nullable=False),
    Column("is_open", Integer, nullable=False),
    Column("filed_at", UTCDateTime, nullable=False),
    Column("since", UTCDateTime, nullable=False),  # when it reached its status
    Column("wait_until", Date),  # a non-receipt wait answer's date
    Column("valid_from", UTCDateTime, nullable=False),
)
Index("todo_claims_by_seller", todo_claims.c.seller_id, todo_claims.c.is_open)
todo_claims_history = history_of(todo_claims)

# The seller's messages to the buyer of an order, one row each: a bulk message is not checked for time
# order (SPEC §9), so "messaged since the filing, as of T" is read from them, not from a latest time.
todo_messages = Table(
    "todo_messages",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("order_no", String(64), nullable=False),
    Column("at", UTCDateTime, nullable=False),
)
Index("todo_messages_by_order", todo_messages.c.order_no, todo_messages.c.at)

TABLES = (todo_orders, todo_claims, todo_orders_history, todo_claims_history, todo_messages)
