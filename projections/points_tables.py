"""The service-point ledger's tables (SPEC §6.3), apart from its handlers (projections/points.py), so that
its queries import SQLAlchemy and nothing of the event store or the domain's aggregates (docs/decisions/0019)."""

from sqlalchemy import BigInteger, Column, Date, Index, Integer, String, Table, Text

from projections.schema import UTCDateTime, metadata

points_orders = Table(
    "points_orders",
    metadata,
    Column("order_id", String(36), primary_key=True),
    Column("order_no", String(64), nullable=False),
    Column("seller_id", String(64), nullable=False),
    Column("item_no", String(64), nullable=False),
    Column("item_name", Text, nullable=False),
    Column("item_kind", String(20), nullable=False),
    Column("region", String(20), nullable=False),
    Column("paid", BigInteger, nullable=False),
    Column("placed_at", UTCDateTime, nullable=False),
    Column("shipped_at", UTCDateTime),
)

points_entries = Table(
    "points_entries",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("seller_id", String(64), nullable=False),
    Column("month", String(7), nullable=False),
    Column("order_no", String(64), nullable=False),
    Column("item_no", String(64), nullable=False),
    Column("item_name", Text, nullable=False),
    Column("region", String(20), nullable=False),
    Column("kind", String(20), nullable=False),  # delivery | cancel | return | non_receipt | feedback_<rating>
    Column("detail", String(64), nullable=False, default=""),  # the speed bands of a delivery
    Column("tenths", Integer, nullable=False),  # points × 10: exact decimal sums
    Column("amount", BigInteger, nullable=False, default=0),
    Column("at", UTCDateTime, nullable=False),
    Column("booked_on", Date, nullable=False),  # the Tokyo day of `at`: the trends' week or month
)

points_sellers = Table(
    "points_sellers",
    metadata,
    Column("seller_uuid", String(36), primary_key=True),
    Column("seller_id", String(64), nullable=False),
)

points_exchanges = Table(
    "points_exchanges",
    metadata,
    Column("seller_id", String(64), primary_key=True),
    Column("month", String(7), primary_key=True),
    Column("points_tenths", Integer, nullable=False),
    Column("qcash", Integer, nullable=False),
    Column("at", UTCDateTime, nullable=False),
)

Index("points_entries_by_seller_month", points_entries.c.seller_id, points_entries.c.month)
# the trends': each holds what they read (no row is read)
Index("points_entries_by_seller_day", points_entries.c.seller_id, points_entries.c.booked_on, points_entries.c.at,
      points_entries.c.tenths)
Index("points_entries_by_day", points_entries.c.booked_on, points_entries.c.at, points_entries.c.tenths)

TABLES = (points_orders, points_entries, points_sellers, points_exchanges)
