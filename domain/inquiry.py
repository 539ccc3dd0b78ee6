"""Inquiries on an item's page (SPEC §10, [claims §4-1]): a buyer asks, the seller answers, and the
seller may hide one that exposes personal data — answered first, with a title and a reason mailed to
the buyer — optionally restricting the asker from asking again on that item."""

from datetime import datetime
from functools import lru_cache
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate, event

from domain.claims import check_actor
from domain.errors import AlreadyHidden, NotAnswered

INQUIRY_NAMESPACE = uuid5(NAMESPACE_URL, "orderclaims:inquiry")
ITEM_NAMESPACE = uuid5(NAMESPACE_URL, "orderclaims:item")
HIDDEN_TEXT = "非公開のお問い合わせです"  # what the item page shows of a hidden inquiry


@lru_cache(maxsize=4096)
def inquiry_id(inquiry_no: str) -> UUID:
    return uuid5(INQUIRY_NAMESPACE, inquiry_no)


@lru_cache(maxsize=4096)
def item_id(seller_id: str, item_no: str) -> UUID:
    """An item is its seller's (SPEC §10): (seller_id, item_no), never the item number alone."""
    return uuid5(ITEM_NAMESPACE, f"{seller_id}\x1f{item_no}")


@lru_cache(maxsize=4096)
def legacy_item_id(item_no: str) -> UUID:
    """The id earlier releases gave an item, by its number alone; their restrictions are still read."""
    return uuid5(ITEM_NAMESPACE, item_no)


class Inquiry(Aggregate):
    """One question on an item's page, and the seller's answers."""

    @staticmethod
    def create_id(inquiry_no: str, **_: object) -> UUID:
        return inquiry_id(inquiry_no)

    @classmethod
    def post(cls, *, actor: str, at: datetime, inquiry_no: str, seller_id: str, item_no: str, buyer_id: str,
             title: str, text: str) -> "Inquiry":
        """That it is new and its asker not restricted, the application checks first."""
        check_actor("post", actor)
        return cls(inquiry_no=inquiry_no, seller_id=seller_id, item_no=item_no, buyer_id=buyer_id, title=title,
                   text=text, at=at, actor=actor)

    @event("Posted")
    def __init__(self, inquiry_no: str, seller_id: str, item_no: str, buyer_id: str, title: str, text: str,
                 at: datetime, actor: str = "buyer"):
        self.inquiry_no = inquiry_no
        self.seller_id = seller_id
        self.item_no = item_no
        self.buyer_id = buyer_id
        self.answered = False
        self.hidden = False

    def answer(self, *, actor: str, at: datetime, text: str) -> None:
        check_actor("answer", actor)
        self._answered(at=at, actor=actor, text=text)

    @event("Answered")
    def _answered(self, at: datetime, actor: str, text: str) -> None:
        self.answered = True

    def hide(self, *, actor: str, at: datetime, title: str, reason: str, restrict_asker: bool) -> None:
        """Only an answered inquiry is hidden, once; the reason is mailed to the buyer."""
        check_actor("hide", actor)
        if not self.answered:
            raise NotAnswered("answer the inquiry before hiding it")
        if self.hidden:
            raise AlreadyHidden("the inquiry is hidden already")
        self._hidden(at=at, actor=actor, title=title, reason=reason, restrict_asker=restrict_asker)

    @event("Hidden")
    def _hidden(self, at: datetime, actor: str, title: str, reason: str, restrict_asker: bool) -> None:
        self.hidden = True


class ItemInquiries(Aggregate):
    """One seller's item page as far as inquiries go: the askers restricted from asking on it again.
    One opened without a seller is an earlier release's, keyed by the item number alone."""

    @staticmethod
    def create_id(item_no: str, seller_id: str = "", **_: object) -> UUID:
        return item_id(seller_id, item_no) if seller_id else legacy_item_id(item_no)

    @event("Opened")
    def __init__(self, item_no: str, seller_id: str = ""):
        self.item_no = item_no
        self.seller_id = seller_id
        self.restricted: list[str] = []

    def restrict(self, *, actor: str, at: datetime, buyer_id: str) -> None:
        check_actor("restrict", actor)
        if buyer_id not in self.restricted:
            self._restricted(at=at, actor=actor, buyer_id=buyer_id)

    @event("AskerRestricted")
    def _restricted(self, at: datetime, actor: str, buyer_id: str) -> None:
        self.restricted.append(buyer_id)
