"""The dashboard's tables (SPEC §6.1), apart from its handlers (projections/dashboard.py), so that its
queries import SQLAlchemy and nothing of the event store or the domain's aggregates (docs/decisions/0019)."""

from sqlalchemy import BigInteger, Column, Date, Index, Integer, String, Table, Text

from projections.schema import UTCDateTime, metadata
from projections.temporal import history_of

dash_orders = Table(
    "dash_orders",
    metadata,
    Column("order_no", String(64), primary_key=True),
    Column("order_id", String(36), nullable=False, unique=True),
    Column("seller_id", String(64), nullable=False),
    Column("cart_no", String(64), nullable=False, index=True),
    Column("placed_at", UTCDateTime, nullable=False),
    Column("order_date", Date, nullable=False),
    Column("item_no", String(64), nullable=False),
    Column("item_name", Text, nullable=False),
    Column("buyer_id", String(64), nullable=False, index=True),
    Column("buyer_name", Text, nullable=False),  # masked, and ERASED once the buyer's data is erased
    Column("quantity", Integer, nullable=False),
    Column("refund_to", String(20), nullable=False),  # where its refunds go [claims §4-2]
    Column("shipped_at", UTCDateTime),
    Column("refused_on", Date),
    Column("breach_from", UTCDateTime),  # the start of the Tokyo day after refused_on: not shipped by then, breached
    Column("claims", Integer, nullable=False, default=0),
    Column("valid_from", UTCDateTime, nullable=False),  # projections/temporal.py
)
Index("dash_orders_by_seller", dash_orders.c.seller_id, dash_orders.c.placed_at)
Index("dash_orders_refused", dash_orders.c.refused_on)
# `claims` (which claim is the order's current one) is the handlers' only: a claim filed keeps no order version
# every seller's orders as of a moment (the summary): holds what it reads, in its GROUP BY's order
Index("dash_orders_by_seller_every", dash_orders.c.seller_id, dash_orders.c.order_date, dash_orders.c.valid_from)
dash_orders_history = history_of(dash_orders, "refused_on", unversioned=("claims",))

dash_claims = Table(
    "dash_claims",
    metadata,
    Column("order_no", String(64), primary_key=True),
    Column("seq", Integer, primary_key=True),
    Column("seller_id", String(64), nullable=False),
    Column("order_date", Date, nullable=False),
    Column("type", String(20), nullable=False),
    Column("status", String(20), nullable=False),
    Column("status_key", String(20), nullable=False),
    Column("is_open", Integer, nullable=False),
    Column("reason", Text, nullable=False),
    Column("filed_at", UTCDateTime, nullable=False),
    Column("filed_on", Date, nullable=False),  # the Tokyo day it was filed: the trends' week or month
    Column("item_no", String(64), nullable=False),
    Column("closed_at", UTCDateTime),
    Column("open_seconds", BigInteger),  # how long it was open, once closed: delayed or not, in any past week
    Column("valid_from", UTCDateTime, nullable=False),
)
Index("dash_claims_by_seller", dash_claims.c.seller_id, dash_claims.c.type, dash_claims.c.status_key)
Index("dash_claims_filed", dash_claims.c.seller_id, dash_claims.c.filed_on)  # the trends of one seller
# every seller's: holds what the trends read, so no row is read
Index("dash_claims_filed_every", dash_claims.c.filed_on, dash_claims.c.valid_from, dash_claims.c.type,
      dash_claims.c.is_open, dash_claims.c.filed_at, dash_claims.c.open_seconds, dash_claims.c.seller_id,
      dash_claims.c.item_no)
# every seller's counts as of a moment (the summary): holds what it reads, in its GROUP BY's order
Index("dash_claims_by_seller_every", dash_claims.c.seller_id, dash_claims.c.type, dash_claims.c.status_key,
      dash_claims.c.valid_from, dash_claims.c.order_date, dash_claims.c.is_open, dash_claims.c.filed_at,
      dash_claims.c.status)
dash_claims_history = history_of(dash_claims)

TABLES = (dash_orders, dash_claims, dash_orders_history, dash_claims_history)
