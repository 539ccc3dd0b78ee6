"""An order's history for auditors: its events in order, and its state as of any past moment."""

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from domain.order import Order
from domain.privacy import mask_personal

_BOOKKEEPING = ("originator_id", "originator_version", "timestamp", "originator_topic", "at", "actor")


def _plain(value: Any) -> Any:
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


@dataclass(frozen=True)
class HistoryEntry:
    version: int
    name: str
    at: datetime
    actor: str
    data: dict

    def as_json(self) -> dict:
        return {
            "version": self.version,
            "event": self.name,
            "at": self.at.isoformat(),
            "actor": self.actor,
            "data": self.data,
        }


def history(events: list, as_of: datetime | None = None, reveal: bool = False) -> list[HistoryEntry]:
    """The order's events up to `as_of`, personal data masked unless `reveal`."""
    entries = []
    for e in events:
        if as_of is not None and e.at > as_of:
            break
        data = {k: _plain(v) for k, v in e.__dict__.items() if k not in _BOOKKEEPING}
        entries.append(
            HistoryEntry(
                version=e.originator_version,
                name=type(e).__qualname__.split(".")[-1],
                at=e.at,
                actor=e.actor,
                data=data if reveal else mask_personal(data),
            )
        )
    return entries


def state_as_of(events: list, as_of: datetime | None = None) -> Order | None:
    """Replay the order's events up to `as_of`."""
    order = None
    for e in events:
        if as_of is not None and e.at > as_of:
            break
        order = e.mutate(order)
    return order


def describe(order: Order) -> dict:
    """The state an auditor reads: delivery, the current claim, money."""
    claim = order.claim
    return {
        "order_no": order.order_no,
        "cart_no": order.cart_no,
        "seller_id": order.seller_id,
        "delivery": order.delivery,
        "outcome": order.outcome,
        "claim": None
        if claim is None
        else {"type": claim.type, "status": claim.status, "filed_at": claim.filed_at.isoformat()},
        "paid": order.money.paid,
        "refunded": order.money.refunded,
        "return_charges_paid": order.money.charges_paid,
        "refunds": [{"kind": r.kind, "amount": r.amount, "to": r.to, "owed_at": r.owed_at.isoformat(),
                     "paid_at": r.paid_at.isoformat() if r.paid_at else None} for r in order.money.refunds],
        "version": order.version,
    }
