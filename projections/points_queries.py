"""What a seller asks of the service-point ledger (SPEC §6.3): a month's points, local and overseas
apart, claims and feedback, the per-item breakdown, the exchange and the Q-cash balance."""

from collections import defaultdict

from sqlalchemy import func, select
from sqlalchemy.engine import Connection

from domain.claims import CANCEL, NON_RECEIPT, RETURN
from domain.points import exchangeable
from projections.points_tables import points_entries, points_exchanges

CLAIM_KINDS = (CANCEL, RETURN, NON_RECEIPT)
RATINGS = ("great", "good", "bad")


def month_total(conn: Connection, seller_id: str, month: str) -> float:
    total = conn.execute(
        select(func.coalesce(func.sum(points_entries.c.tenths), 0)).where(
            points_entries.c.seller_id == seller_id, points_entries.c.month == month
        )
    ).scalar_one()
    return total / 10


def qcash_balance(conn: Connection, seller_id: str) -> int:
    return conn.execute(
        select(func.coalesce(func.sum(points_exchanges.c.qcash), 0)).where(points_exchanges.c.seller_id == seller_id)
    ).scalar_one()


def ledger(conn: Connection, seller_id: str, month: str, items: bool = False) -> dict:
    """The month's points: delivery (local and overseas apart), claims, feedback, total, the exchange."""
    entries = conn.execute(
        select(points_entries).where(points_entries.c.seller_id == seller_id, points_entries.c.month == month)
    ).all()
    delivery = {region: {"orders": 0, "points": 0} for region in ("local", "overseas")}
    claims = {kind: 0 for kind in CLAIM_KINDS}
    feedback = {rating: 0 for rating in RATINGS}
    per_item: dict[str, dict] = defaultdict(lambda: {"orders": 0, "amount": 0, "delivery": 0,
                                                     "claims": dict.fromkeys(CLAIM_KINDS, 0),
                                                     "feedback": dict.fromkeys(RATINGS, 0)})
    for e in entries:
        item = per_item[e.item_no]
        item["name"] = e.item_name
        if e.kind == "delivery":
            delivery[e.region]["orders"] += 1
            delivery[e.region]["points"] += e.tenths
            item["orders"] += 1
            item["amount"] += e.amount
            item["delivery"] += e.tenths
        elif e.kind in claims:
            claims[e.kind] += e.tenths
            item["claims"][e.kind] += e.tenths
        else:
            rating = e.kind.removeprefix("feedback_")
            feedback[rating] += e.tenths
            item["feedback"][rating] += e.tenths
    delivery_tenths = sum(d["points"] for d in delivery.values())
    total_tenths = delivery_tenths + sum(claims.values()) + sum(feedback.values())
    exchange = conn.execute(
        select(points_exchanges.c.qcash).where(points_exchanges.c.seller_id == seller_id, points_exchanges.c.month == month)
    ).scalar()
    document = {
        "seller_id": seller_id,
        "month": month,
        "delivery_points": delivery_tenths / 10,
        "claim_points": sum(claims.values()) / 10,
        "feedback_points": sum(feedback.values()) / 10,
        "total": total_tenths / 10,
        "exchangeable": exchangeable(total_tenths / 10),
        "exchanged": exchange,
        "delivery": {r: {"orders": d["orders"], "points": d["points"] / 10} for r, d in delivery.items()},
        "claims": {k: v / 10 for k, v in claims.items()},
        "feedback": {k: v / 10 for k, v in feedback.items()},
        "qcash_balance": qcash_balance(conn, seller_id),
    }
    if items:
        document["items"] = [
            {
                "item_no": item_no,
                "name": i["name"],
                "orders": i["orders"],
                "amount": i["amount"],
                "delivery_points": i["delivery"] / 10,
                "claim_points": {k: v / 10 for k, v in i["claims"].items()},
                "feedback_points": {k: v / 10 for k, v in i["feedback"].items()},
                "total": (i["delivery"] + sum(i["claims"].values()) + sum(i["feedback"].values())) / 10,
            }
            for item_no, i in sorted(per_item.items())
        ]
    return document
