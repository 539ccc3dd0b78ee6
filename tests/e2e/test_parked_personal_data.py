"""A parked message is personal data like the events (SPEC §7, §8): sealed at rest with its buyer's
key, listed masked, unreadable once the buyer is erased; `parked --retry` runs it as it came (read
with the master key), and settles one whose buyer was erased as `erased` without running it.
Defects are injected by making a route raise for one buyer or text."""

import dataclasses
import glob
import json

import pytest
from click.testing import CliRunner

from consumers import routes
from entrypoints.cli import main
from tests.unit.messages import lines, message, placed
from tests.e2e.conftest import embedded

pytestmark = pytest.mark.security

BUYER = {"id": "BP1", "name": "佐藤 陽菜", "phone": "090-1234-5678", "address": "東京都新宿区西新宿2-8-1"}
ASKED = "090-8765-4321 に電話ください"
ANSWER = "承知しました 090-8765-4321 に折り返します"
STREAM = [
    placed("800001", cart_no="C800001", seller_id="S1", buyer=BUYER),  # parked: the defect below
    message("inquiry.posted", "", "buyer", "2026-11-02T11:00:00+09:00", inquiry_no="QP1", seller_id="S1",
            item_no="I1", buyer_id="BP2", title="在庫", text=ASKED),
    message("inquiry.answered", "", "seller", "2026-11-02T12:00:00+09:00", inquiry_no="QP1", item_no="I1",
            text=ANSWER),  # parked: the defect below
]
SECRETS = [BUYER["name"], BUYER["phone"], BUYER["address"], ANSWER, "090-8765-4321"]


def broken(uow, envelope, data):
    raise ZeroDivisionError("a bug")


@pytest.fixture
def defects():
    """A defect in placing orders and answering inquiries; `defects.undo()` is the fix."""
    with pytest.MonkeyPatch.context() as patch:
        for kind in ("order.placed", "inquiry.answered"):
            patch.setitem(routes.ROUTES, kind, dataclasses.replace(routes.ROUTES[kind], run=broken))
        yield patch


@pytest.fixture
def cli(tmp_path, monkeypatch):
    embedded(monkeypatch)
    monkeypatch.setenv("ORDERCLAIMS_DATABASE_URL", f"sqlite:///{tmp_path / 'p.db'}")
    (tmp_path / "in.jsonl").write_bytes(b"\n".join(lines(*STREAM)))
    runner = CliRunner()

    def run(*args: str, code: int = 0):
        result = runner.invoke(main, list(args), catch_exceptions=False)
        assert result.exit_code == code, result.output
        return json.loads(result.stdout) if "--json" in args else result.output

    run.ingest = lambda: run("ingest", str(tmp_path / "in.jsonl"))
    run.files = lambda: [f for f in glob.glob(str(tmp_path / "p.db*")) if not f.endswith(".key")]
    return run


def stored_plaintext(files: list[str]) -> list[str]:
    blobs = [open(f, "rb").read() for f in files]
    return [s for s in SECRETS if any(s.encode() in blob for blob in blobs)]


def test_a_parked_message_is_sealed_at_rest_and_listed_masked(cli, defects):
    assert "parked              2" in cli.ingest()
    assert stored_plaintext(cli.files()) == []
    listed = cli("parked", "--json")["messages"]
    assert len(listed) == 2
    shown = json.dumps(listed, ensure_ascii=False)
    assert not [s for s in SECRETS if s in shown]
    by_type = {m["message"]["type"]: m["message"]["data"] for m in listed}
    assert by_type["order.placed"]["buyer"]["name"][0] == "佐" and by_type["order.placed"]["seller_id"] == "S1"
    assert by_type["inquiry.answered"]["inquiry_no"] == "QP1"


def test_a_parked_message_is_erased_with_its_buyer_and_its_retry_settles_it_as_erased(cli, defects):
    cli.ingest()
    cli("forget-buyer", BUYER["id"])
    cli("forget-buyer", "BP2")  # the inquiry's asker: the answer is personal data of theirs
    listed = cli("parked", "--json")["messages"]
    assert [m["message"] for m in listed] == ["[erased]", "[erased]"]
    defects.undo()
    retried = cli("parked", "--retry", listed[0]["message_id"], "--json")
    assert retried["outcome"] == "erased"
    assert len(cli("parked", "--json")["messages"]) == 1


def test_a_parked_message_retried_after_the_fix_runs_as_it_came(cli, defects):
    cli.ingest()
    ids = [m["message_id"] for m in cli("parked", "--json")["messages"]]
    defects.undo()
    for message_id in ids:
        assert cli("parked", "--retry", message_id, "--json")["outcome"] == "accepted"
    assert cli("parked", "--json")["messages"] == []
    history = cli("history", "800001", "--unmask", "--json")
    assert history["events"][0]["data"]["buyer"] == BUYER  # the buyer's data, as it came
    answers = cli("inquiries", "--seller", "S1", "--json")["inquiries"][0]["answers"]
    assert [a["text"] for a in answers] == [ANSWER]
    assert stored_plaintext(cli.files()) == []
