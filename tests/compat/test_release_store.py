"""A store written by release 02f388d (tests/compat/README.md) is read by this code and answers
every query as that release did: its renamed and split events resolve, its events are upcast."""

import json
import shutil
from datetime import datetime
from pathlib import Path

import pytest
from click.testing import CliRunner

from domain.order import Order
from entrypoints.bootstrap import Settings, build_engine, build_orders
from entrypoints.cli import main
from tests.projections.test_as_of import assert_answers_as_the_replay

RELEASE = Path(__file__).parent / "release_02f388d"
EXPECTED = json.loads((RELEASE / "expected.json").read_text())
AS_OF = EXPECTED["meta"]["as_of"]
QUERIES = [key for key in EXPECTED if key.split(" ")[0] in ("dashboard", "settlement", "points", "claims", "history")]

# The old umbrella events, and the events they are read as now.
SPLIT = {
    "ReturnMoved": {"ReturnApproved", "ReturnHeld", "ReturnResumed"},
    "ReturnChargeSettled": {"ReturnChargePaid", "ReturnChargeDeclined", "ReturnChargeCancelled"},
    "PartialRefundDecided": {"PartialRefundApproved", "PartialRefundRejected", "PartialRefundCancelled"},
}


def arguments(key: str) -> list[str]:
    """The command line that gave an answer of expected.json (see make_release_store.answers)."""
    kind, *rest = key.split(" ")
    if kind == "history":
        return ["history", rest[0]]
    seller = rest[0]
    if kind in ("dashboard", "settlement"):
        return [kind, "--seller", seller, "--as-of", AS_OF]
    if kind == "points":
        return ["points", "--seller", seller, "--month", rest[1], "--items"]
    return ["claims", "--seller", seller, "--status", rest[1], "--as-of", AS_OF]


def as_read_now(key: str, answer: dict) -> dict:
    """The old release's answer as SPEC §9's settled readings give it now: settlement's
    `blocked_by` lists what blocks a blocked order only (the old release listed an undelivered
    order's open claim too). Nothing else may differ."""
    if key.startswith("settlement "):
        answer = {**answer, "orders": [{**o, "blocked_by": o["blocked_by"] if o["state"] == "blocked" else []}
                                       for o in answer["orders"]]}
    return answer


def without_additions(key: str, answer: dict) -> dict:
    """This release's answer less what it adds to the old one (where a refund goes [claims §4-2]):
    the claims lists' `refund_to` column, the history state's `refunds`. Each must be there."""
    if key.startswith("claims "):
        assert all("refund_to" in o for o in answer["orders"])
        return {**answer, "orders": [{k: v for k, v in o.items() if k != "refund_to"} for o in answer["orders"]]}
    return answer


@pytest.fixture(scope="module")
def store(tmp_path_factory) -> str:
    copy = tmp_path_factory.mktemp("release") / "store.db"
    shutil.copyfile(RELEASE / "store.db", copy)  # the queries add the read models' tables
    return f"sqlite:///{copy}"


def cli(store: str, *args: str) -> tuple[int, dict]:
    result = CliRunner().invoke(main, [*args, "--json"], env={"ORDERCLAIMS_DATABASE_URL": store})
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result.exit_code, json.loads(result.stdout)


@pytest.fixture(scope="module")
def answers(store) -> dict:
    return {key: cli(store, *arguments(key))[1] for key in QUERIES}


def test_every_stored_event_of_the_old_release_is_read_and_none_by_a_removed_name(store):
    app = build_orders(Settings(database_url=store))
    notifications = app.recorder.select_notifications(1, limit=100_000)
    events = [app.mapper.to_domain_event(n) for n in notifications]
    assert len(events) == sum(EXPECTED["topics"].values())
    names = {type(e).__qualname__ for e in events}
    assert not names & {f"Order.{old}" for old in SPLIT}
    assert {"Order.ReturnHeld", "Order.ReturnResumed", "Order.ReturnChargeDeclined", "Order.PartialRefundRejected",
            "Order.PartialRefundCancelled", "Order.ReturnChargeCancelled"} <= names
    for e in events:
        if isinstance(e, Order.ClaimEvent):  # upcast: the claim's type (where 0.1 stored it) and status
            assert e.status is not None or isinstance(e, Order.RefundPaid)


@pytest.mark.parametrize("kind", ["dashboard", "settlement", "points", "claims"])
def test_the_read_models_answer_as_the_old_release_did(answers, kind):
    keys = [k for k in QUERIES if k.startswith(kind + " ")]
    assert keys
    differ = [k for k in keys if without_additions(k, answers[k]) != as_read_now(k, EXPECTED[k])]
    assert not differ, f"{len(differ)} of {len(keys)} differ, first {differ[0]}"


def test_every_orders_history_has_the_old_events_under_their_names_now_and_the_same_state(answers):
    keys = [k for k in QUERIES if k.startswith("history ")]
    assert len(keys) == EXPECTED["meta"]["orders"]
    for key in keys:
        now, then = answers[key], EXPECTED[key]
        assert {k: v for k, v in now["state"].items() if k != "refunds"} == then["state"], key
        refunds = now["state"]["refunds"]  # added: each refund, and where it goes
        assert sum(r["amount"] for r in refunds) == then["state"]["refunded"], key
        assert {r["to"] for r in refunds} <= {"qsite_balance", "card_company"}, key
        assert [{f: e[f] for f in ("version", "at", "actor")} for e in now["events"]] == then["events"], key
        for new, old in zip((e["event"] for e in now["events"]), then["old_event_names"]):
            assert new == old or new in SPLIT.get(old, ()), (key, old, new)


def test_the_old_releases_refusals_of_a_points_exchange_are_the_same(store, answers):
    refusals = {key: value for key, value in EXPECTED.items() if key.startswith("exchange-points") and "refused" in key}
    assert len(refusals) == 3
    for key, expected in refusals.items():
        seller, at, *month = key.split(" (")[0].split(" ")[1:]
        args = ["exchange-points", "--seller", seller, "--at", at] + (["--month", month[0]] if month else [])
        code, document = cli(store, *args)
        assert (code, document["code"]) == (expected["exit_code"], expected["code"]), key


@pytest.fixture(scope="module")
def rebuilt(tmp_path_factory) -> str:
    """The old release's store after `orderclaims rebuild`: its read models built with their history."""
    copy = tmp_path_factory.mktemp("rebuilt") / "store.db"
    shutil.copyfile(RELEASE / "store.db", copy)
    store = f"sqlite:///{copy}"
    code, document = cli(store, "rebuild")
    assert code == 0, document
    return store


def test_after_a_rebuild_the_old_store_answers_as_the_old_release_did(rebuilt):
    differ = [k for k in QUERIES if k.split(" ")[0] in ("dashboard", "settlement", "claims")
              and without_additions(k, cli(rebuilt, *arguments(k))[1]) != as_read_now(k, EXPECTED[k])]
    assert not differ, f"{len(differ)} differ, first {differ[0]}"


def test_after_a_rebuild_the_old_store_answers_any_past_moment_as_a_replay_up_to_it(rebuilt):
    """Every as-of answer (dashboard counts and lists, settlement, to-do, summary) at several moments,
    from the rebuilt read models' history, equals the old store's log replayed up to that moment."""
    settings = Settings(database_url=rebuilt)
    moments = [datetime.fromisoformat(t) for t in ("2026-10-20T12:00:00+09:00", "2026-11-05T00:00:00+09:00",
                                                   "2026-11-15T18:30:00+09:00", AS_OF)]
    assert_answers_as_the_replay(build_orders(settings), build_engine(settings), moments)
