"""Every key the domain, the claim table and SPEC name has its one Japanese label (entrypoints/presentation/
words.py), and no page or module writes a label a second time. Table-driven: a new enum member, claim
status, rejection code or event without a label fails here."""

import dataclasses
import inspect
import re
from pathlib import Path
from typing import Literal, get_args, get_origin

import pytest
from eventsourcing.domain import Aggregate

import domain.errors
from consumers import contracts as c
from domain.claims import CLAIM_TYPES, STATUS_KEYS, STATUSES, ClaimType, Status
from domain.money import ChargeStatus, PartialRefundStatus, RefundDestination, RefundKind
from domain.order import Order
from domain.policy import DEFAULT_POLICY
from domain.rules.cancel import SELLER_CANCEL_REASONS
from domain.rules.guards import Delivery, Outcome
from domain.seller import LEVELS
from domain.todo import Action
from entrypoints.access import Role
from entrypoints.presentation import sheet, words
from entrypoints.presentation.labels import claim_status, label
from entrypoints.presentation.screen import DASHBOARD_LAYOUT
from producers.simulated_world import CANCEL_REASONS, RETURN_REASONS
from projections import dashboard_queries as dash
from projections import summary_queries as sq
from projections.settlement_queries import STATES

ROOT = Path(__file__).resolve().parents[2]

# SPEC §4's table of codes, §6.3's exchange refusals and §10's inquiry codes, as the spec writes them.
SPEC_CODES = (
    "unknown_order", "order_exists", "claim_open", "no_open_claim", "invalid_transition", "actor_not_allowed",
    "refusal_not_allowed", "invalid_reason", "already_shipped", "already_delivered", "not_delivered",
    "amount_invalid", "not_buyer_responsible", "no_buyer_contact", "tracking_required", "out_of_order",
    "duplicate_conflict", "already_exchanged", "exchange_window_closed", "nothing_to_exchange",
    "unknown_inquiry", "inquiry_exists", "not_answered", "already_hidden", "asker_restricted",
)
BOOKKEEPING = {"originator_id", "originator_version", "timestamp", "originator_topic", "at", "actor"}


def literal_values(model, name: str) -> tuple[str, ...]:
    annotation = model.model_fields[name].annotation
    return get_args(annotation) if get_origin(annotation) is Literal else ()


def subclasses(cls):
    for sub in cls.__subclasses__():
        yield sub
        yield from subclasses(sub)


def _concrete() -> set[str]:
    """The Order's events as its history names them: every event class but the bases."""
    bases = {"Event", "ClaimEvent", "RefundDecided", "Created"}
    return {name for name, cls in vars(Order).items()
            if inspect.isclass(cls) and issubclass(cls, Aggregate.Event) and name not in bases}


# (what, the keys the domain / contract / SPEC names, the table that must label each)
TABLES = [
    ("claim types", list(ClaimType), words.CLAIM_TYPE),
    ("statuses of the claim table", list(Status), words.STATUS),
    ("refund destinations", list(RefundDestination), words.REFUND_TO),
    ("refund kinds", list(RefundKind), words.REFUND_KIND),
    ("return charge states", list(ChargeStatus), words.CHARGE_STATUS),
    ("partial refund states", list(PartialRefundStatus), words.PARTIAL_REFUND_STATUS),
    ("delivery statuses", list(Delivery), words.DELIVERY),
    ("order outcomes", list(Outcome), words.OUTCOME),
    ("to-do steps", list(Action), words.STEP),
    ("seller levels", [*LEVELS, *get_args(c.Level)], words.LEVEL),
    ("actors", get_args(c.Actor), words.ACTOR),
    ("payment methods", literal_values(c.OrderPlacedData, "payment_method"), words.PAYMENT_METHOD),
    ("item kinds", literal_values(c.OrderPlacedData, "item_kind"), words.ITEM_KIND),
    ("regions", literal_values(c.OrderPlacedData, "region"), words.REGION),
    ("who delivered", literal_values(c.OrderDeliveredData, "by"), words.DELIVERED_BY),
    ("responsibilities", literal_values(c.ReturnRequestedData, "responsibility"), words.RESPONSIBILITY),
    ("reship cost bearers", literal_values(c.ExchangeReshippedData, "cost_bearer"), words.COST_BEARER),
    ("non-receipt answers", literal_values(c.NonReceiptAnsweredData, "action"), words.NON_RECEIPT_ANSWER),
    ("partial refund categories", literal_values(c.PartialRefundRequestedData, "category"), words.PARTIAL_REFUND_CATEGORY),
    ("feedback ratings", [*literal_values(c.FeedbackGivenData, "rating"), *DEFAULT_POLICY.feedback_points], words.RATING),
    ("settlement states", STATES, words.SETTLEMENT_STATE),
    ("reason codes", [*SELLER_CANCEL_REASONS, *CANCEL_REASONS, *RETURN_REASONS, "already_packed"], words.REASON),
    ("rejection codes of SPEC", SPEC_CODES, words.CODE),
    ("rejection codes of the domain", [e.code for e in subclasses(domain.errors.Rejected)], words.CODE),
    ("the Order's events", sorted(_concrete()), words.EVENT),
    ("point lines", [*(f"delivery.{r}" for r in literal_values(c.OrderPlacedData, "region")),
                     *(f"claims.{k}" for k in DEFAULT_POLICY.claim_points),
                     *(f"feedback.{k}" for k in DEFAULT_POLICY.feedback_points), "total"], words.POINT_LINE),
    ("inquiry states", ["waiting", "answered", "hidden"], words.INQUIRY_STATUS),
    ("the API keys' roles", list(Role), words.ROLE),
]


@pytest.mark.parametrize("what, keys, table", TABLES, ids=[t[0] for t in TABLES])
def test_every_key_has_a_japanese_label(what, keys, table):
    assert keys, what
    missing = [k for k in keys if k not in table]
    assert not missing, f"{what} without a label: {missing}"
    for key in keys:
        assert re.search(r"[\u3040-\u30ff\u4e00-\u9fffＱQ]", table[key]), (what, key, table[key])


@pytest.mark.parametrize("claim_type", CLAIM_TYPES)
def test_every_status_a_claim_of_each_type_can_be_in_has_its_seeds_name(claim_type):
    keys = {*STATUSES[claim_type], *STATUS_KEYS[claim_type], words.DELAYED}
    missing = [k for k in keys if (claim_type, k) not in words.CLAIM_STATUS]
    assert not missing, f"{claim_type} statuses without a label: {missing}"


def test_the_seeds_words_are_the_labels_where_the_seeds_have_one():
    assert claim_status("return", "returning") == "返品中"
    assert claim_status("return", "on_hold") == "返品保留"
    assert claim_status("exchange", "requested") == "交換申請/確認"
    assert claim_status("non_receipt", "seller_confirmed") == "出品者確認"
    assert label("reason", "damaged") == "商品の欠陥・破損"
    assert label("reason", "out_of_stock") == "品切れ"
    assert label("level", "power") == "パワーセラー"
    assert label("rating", "great") == "超おすすめ"
    assert "Qサイフ" in label("refund_to", "qsite_balance") and "カード会社" in label("refund_to", "card_company")


def test_every_field_an_order_event_carries_has_a_label():
    nested = {"buyer": c.BuyerData, "item": c.ItemData, "recipient": c.RecipientData, "answer": c.NonReceiptAnsweredData}
    fields = set()
    for name in _concrete():
        fields |= {f.name for f in dataclasses.fields(getattr(Order, name))} - BOOKKEEPING
    fields |= {f"{outer}.{inner}" for outer, model in nested.items() for inner in model.model_fields}
    missing = sorted(f for f in fields if f not in words.FIELD)
    assert not missing, f"event fields without a label: {missing}"


def test_every_column_of_the_lists_and_the_summary_has_a_japanese_header():
    for column in (*dash.LIST_COLUMNS, *sq.COLUMNS):
        assert sheet.header(column) != column, column


def test_the_status_screen_shows_every_dashboard_key_once():
    shown = [(t, key) for t, _, cells in DASHBOARD_LAYOUT for _, key in cells if key]
    expected = [(t, k) for t in CLAIM_TYPES for k in (*STATUS_KEYS[t], words.DELAYED)]
    assert sorted(shown) == sorted(expected)


def test_a_reason_in_a_persons_own_words_is_shown_as_written_and_an_unknown_key_never_fails():
    assert label("reason", "商品が届いていません") == "商品が届いていません"
    assert label("settlement_state", None) == ""


# ---- no label written twice -----------------------------------------------------------------------

def _labels_worth_checking() -> set[str]:
    """The labels of statuses, steps, states, destinations and codes (short words such as 返品 or 交換
    also appear in the seeds' page titles and are not counted)."""
    tables = (words.CLAIM_STATUS, words.STEP, words.SETTLEMENT_STATE, words.REFUND_TO, words.CODE, words.LEVEL,
              words.BLOCKER, words.POINT_LINE, words.REASON, words.INQUIRY_STATUS)
    return {text for table in tables for text in table.values() if len(text) >= 4}


def _written(path: Path) -> str:
    return path.read_text(encoding="utf-8")


SOURCES = sorted([*(ROOT / "entrypoints").glob("*.py"), *(ROOT / "entrypoints" / "templates").glob("*.html"),
                  *(ROOT / "entrypoints" / "presentation").glob("*.py"), *(ROOT / "projections").glob("*.py")])


@pytest.mark.parametrize("path", [p for p in SOURCES if p.name != "words.py"], ids=lambda p: p.name)
def test_no_module_or_template_writes_a_label_of_its_own(path):
    text = _written(path)
    written = sorted(label_ for label_ in _labels_worth_checking() if label_ in text)
    assert not written, f"{path.relative_to(ROOT)} writes {written}: take them from entrypoints/presentation"


def test_what_blocks_a_settlement_names_the_claim_type_with_its_status():
    assert label("blocked_by", "exchange.reshipping") == "交換: 再配送中"
    assert label("blocked_by", "return.returning") == "返品中"
    assert label("blocked_by", "return_charge") == words.BLOCKER["return_charge"]
