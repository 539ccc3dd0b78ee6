"""Who may read what over HTTP (SPEC §8), decided here and nowhere else.

A **seller** key reads only its own seller: another seller's list, order, cart or item is answered
exactly as one that does not exist (`NotFound`, the same body for both). An **analyst** reads every
seller's views, personal data masked, and the marketplace-wide summary; an **auditor** any order's
history, unmasked, and `verify`; an **operator** metrics, lags and parked messages."""

from dataclasses import dataclass, field
from enum import StrEnum


class Role(StrEnum):
    SELLER = "seller"
    ANALYST = "analyst"
    AUDITOR = "auditor"
    OPERATOR = "operator"


class Capability(StrEnum):
    SELLER_VIEWS = "seller_views"  # dashboard, claims, settlement, points, to-do, inquiries
    EXCHANGE_POINTS = "exchange_points"
    HISTORY = "history"
    SUMMARY = "summary"
    VERIFY = "verify"
    OPERATIONS = "operations"  # metrics, lags, parked messages
    ACT = "act"  # a seller's actions on its own orders (SPEC §8 "Seller actions")
    TRENDS = "trends"  # claims, rates, refunds and points per week or month (a seller: its own)


MAY = {
    Role.SELLER: {Capability.SELLER_VIEWS, Capability.EXCHANGE_POINTS, Capability.HISTORY, Capability.ACT,
                  Capability.TRENDS},
    Role.ANALYST: {Capability.SELLER_VIEWS, Capability.HISTORY, Capability.SUMMARY, Capability.TRENDS},
    Role.AUDITOR: {Capability.HISTORY, Capability.VERIFY},
    Role.OPERATOR: {Capability.OPERATIONS},
}


class Unauthenticated(Exception):
    """No key, or one that is unknown or revoked."""


class Forbidden(Exception):
    """The key's role may not do this."""


class NotFound(Exception):
    """Nothing of that name — or nothing the key may see: the two are never told apart."""

    def __init__(self, code: str, detail: str):
        super().__init__(detail)
        self.code, self.detail = code, detail


@dataclass(frozen=True)
class Principal:
    role: Role
    seller_id: str | None = None  # a seller key's seller
    key_id: str | None = field(default=None, compare=False)  # the key's public id (never its secret): who acted

    def require(self, capability: Capability) -> None:
        if not self.may(capability):
            raise Forbidden(f"a {self.role} key may not do this")

    @property
    def masked_texts(self) -> bool:
        """Whether this key reads inquiries' texts masked too (an analyst's: every seller, no person)."""
        return self.role == Role.ANALYST

    def may(self, capability: Capability) -> bool:
        """Whether this key may do it (what a page offers); `require` refuses it."""
        return capability in MAY[self.role]

    @property
    def unmasked(self) -> bool:
        """Whether this key reads buyers' personal data in plaintext (the auditor's history)."""
        return self.role == Role.AUDITOR

    def seller(self, asked: str | None) -> str:
        """The seller a seller view reads: a seller key's own (asked or not), any one an analyst names."""
        self.require(Capability.SELLER_VIEWS)
        if self.role == Role.SELLER:
            if asked not in (None, "", self.seller_id):
                raise NotFound("unknown_seller", "no such seller")
            return self.seller_id
        if not asked:
            raise NotFound("unknown_seller", "name a seller (seller=…)")
        return asked

    def trends_seller(self, asked: str | None) -> str | None:
        """The seller the trends read: a seller key's own (asked or not); an analyst's named one, or every seller."""
        self.require(Capability.TRENDS)
        if self.role == Role.SELLER:
            return self.seller(asked)
        return asked or None

    @property
    def only_seller(self) -> str | None:
        """The one seller every read of this key is filtered by (a seller key's), None for a key that reads any."""
        return self.seller_id if self.role == Role.SELLER else None
