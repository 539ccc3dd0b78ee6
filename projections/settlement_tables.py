"""Settlement's tables (SPEC §6.2), apart from its handlers (projections/settlement.py), so that its
queries import SQLAlchemy and nothing of the event store or the domain's aggregates (docs/decisions/0019)."""

from sqlalchemy import BigInteger, Column, Date, Index, Integer, String, Table

from projections.schema import UTCDateTime, metadata
from projections.temporal import history_of

settle_orders = Table(
    "settle_orders",
    metadata,
    Column("order_id", String(36), primary_key=True),
    Column("order_no", String(64), nullable=False, unique=True),
    Column("seller_id", String(64), nullable=False),
    Column("paid", BigInteger, nullable=False),
    Column("refunded", BigInteger, nullable=False, default=0),
    Column("charges_paid", BigInteger, nullable=False, default=0),
    Column("delivered_at", UTCDateTime),
    Column("delivered_on", Date),
    Column("cancelled", Integer, nullable=False, default=0),
    Column("claim", String(64)),  # the open claim as TYPE.STATUS, or NULL
    Column("partial_refund_pending", Integer, nullable=False, default=0),
    Column("return_charge_pending", Integer, nullable=False, default=0),
    Column("valid_from", UTCDateTime, nullable=False),  # projections/temporal.py
)
Index("settle_orders_by_seller", settle_orders.c.seller_id, settle_orders.c.order_no)
settle_orders_history = history_of(settle_orders)

settle_sellers = Table(
    "settle_sellers",
    metadata,
    Column("seller_id", String(64), primary_key=True),
    Column("seller_uuid", String(36), nullable=False, unique=True),
    Column("level", String(20), nullable=False),
    Column("valid_from", UTCDateTime, nullable=False),
)
settle_sellers_history = history_of(settle_sellers)

TABLES = (settle_orders, settle_sellers, settle_orders_history, settle_sellers_history)
