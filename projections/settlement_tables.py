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
    Column("item_no", String(64), nullable=False),
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
Index("settle_orders_delivered", settle_orders.c.seller_id, settle_orders.c.delivered_on,  # the trends: holds
      settle_orders.c.valid_from)  # what they read
Index("settle_orders_delivered_every", settle_orders.c.delivered_on, settle_orders.c.valid_from)  # holds what it reads
settle_orders_history = history_of(settle_orders)

# Every refund decided, a fact at its time (never changed: "as of T" is `at <= T`), with the claim it
# refunds (or `partial_refund`): the trends' refund yen per week or month and claim type.
PARTIAL_REFUND = "partial_refund"
settle_refunds = Table(
    "settle_refunds",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("order_no", String(64), nullable=False),
    Column("seller_id", String(64), nullable=False),
    Column("item_no", String(64), nullable=False),
    Column("claim_type", String(20), nullable=False),
    Column("amount", BigInteger, nullable=False),
    Column("at", UTCDateTime, nullable=False),
    Column("refunded_on", Date, nullable=False),  # the Tokyo day of `at`
)
# each holds what the trends read (no row is read)
Index("settle_refunds_by_seller", settle_refunds.c.seller_id, settle_refunds.c.refunded_on, settle_refunds.c.claim_type,
      settle_refunds.c.at, settle_refunds.c.amount)
Index("settle_refunds_by_day", settle_refunds.c.refunded_on, settle_refunds.c.claim_type, settle_refunds.c.at,
      settle_refunds.c.amount)

settle_sellers = Table(
    "settle_sellers",
    metadata,
    Column("seller_id", String(64), primary_key=True),
    Column("seller_uuid", String(36), nullable=False, unique=True),
    Column("level", String(20), nullable=False),
    Column("valid_from", UTCDateTime, nullable=False),
)
settle_sellers_history = history_of(settle_sellers)

TABLES = (settle_orders, settle_sellers, settle_orders_history, settle_sellers_history, settle_refunds)
