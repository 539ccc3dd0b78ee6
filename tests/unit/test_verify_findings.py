"""`verify`'s findings as the audit page shows them (entrypoints/presentation/verify_findings.py): every
kind the store's checks can find has its Japanese label, findings are grouped by kind in the order
first found, and each names its aggregate in Japanese."""

import re
from pathlib import Path

import pytest

from entrypoints.presentation import words
from entrypoints.presentation.verify_findings import grouped, named
from store.audit import NATURAL_KEYS

ROOT = Path(__file__).resolve().parents[2]


def kinds_found_in(path: str) -> set[str]:
    """The first argument of every `find("…", …)` / `report.find(kind …)` call of a module."""
    text = (ROOT / path).read_text()
    literal = set(re.findall(r'\bfind\(\s*"([^"]+)"', text))
    otherwise = set(re.findall(r'\bfind\(\s*"[^"]+" if [^\n]*? else "([^"]+)"', text))
    chosen = set(re.findall(r'kind = "([^"]+)" if [^\n]+ else "([^"]+)"', text))
    return literal | otherwise | {k for pair in chosen for k in pair}


@pytest.mark.parametrize("path", ["store/audit.py", "store/evidence.py"])
def test_every_finding_a_check_can_make_has_a_japanese_label(path):
    kinds = kinds_found_in(path)
    assert len(kinds) >= 8  # the patterns still find the calls
    assert kinds <= words.VERIFY_FINDING.keys(), kinds - words.VERIFY_FINDING.keys()


def test_every_kind_of_aggregate_a_finding_names_is_said_in_japanese():
    assert {kind for kind, _ in NATURAL_KEYS.values()} <= words.AUDITED.keys()
    assert named("order 100007") == "注文 100007"
    assert named("parked message m-1") == "保留中のメッセージ m-1"
    assert named("checkpoint 34351") == "チェックポイント (イベント 34,351 件まで)" and named("the log") == "ログ全体"
    assert named("0190f1c2-0000-7000-8000-000000000001") == "0190f1c2-0000-7000-8000-000000000001"


def test_findings_are_grouped_by_kind_in_the_order_first_found():
    def finding(kind, aggregate, version=None):
        return {"finding": kind, "aggregate": aggregate, "order": None, "version": version, "detail": "d"}

    groups = grouped([finding("event altered", "order 1", 2), finding("log truncated", "the log"),
                      finding("event altered", "cart 7", 3)])
    assert [(g["label"], [f["named"] for f in g["findings"]]) for g in groups] == [
        ("イベントの改ざん", ["注文 1", "カート 7"]), ("ログの切り詰め", ["ログ全体"])]
    assert grouped([]) == []
