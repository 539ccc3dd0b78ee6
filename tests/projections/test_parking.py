"""Parking (SPEC §8): a valid message or a stored event whose processing raises an unexpected error is
parked with the error and the rest goes on; a retry after the fix settles it; transient faults are
never parked. Defects are injected by making one handler raise."""

import json
from uuid import uuid4

import orjson
import pytest
from click.testing import CliRunner
from eventsourcing.persistence import OperationalError, StoredEvent
from sqlalchemy import select

from consumers.ingest import ingest_lines
from consumers.parked import parked_messages, retry
from entrypoints.cli import main
from projections.parking import parked as parked_events
from projections.points import Points, points_entries
from projections.runner import PROJECTIONS, rebuild
from tests.projections.stories import delivered, step
from tests.unit.messages import lines


STREAM = [*delivered("F1"), step("feedback.given", "F1", "buyer", "10-03 10:00", rating="bad"),
          *delivered("F2"), step("feedback.given", "F2", "buyer", "10-03 11:00", rating="great")]


def test_a_message_that_hits_a_defect_is_parked_with_its_error_and_the_rest_of_its_batch_goes_on(world, defective_feedback):
    summary = ingest_lines(world.app, lines(*STREAM))
    assert (summary.accepted, summary.parked_count) == (7, 1)
    assert summary.as_json()["parked"][0]["error"] == "ZeroDivisionError: a bug in the feedback rule"
    (parked,) = parked_messages(world.app)
    assert (parked.source, parked.attempts) == ("line 4", 1)
    assert orjson.loads(parked.message)["data"] == {"rating": "bad"}
    assert world.app.get_order("F1").feedback is None and world.app.get_order("F2").feedback == "great"


def test_a_retry_after_the_fix_settles_the_parked_message_and_one_that_fails_again_stays_parked(world, defective_feedback):
    ingest_lines(world.app, lines(*STREAM))
    message_id = parked_messages(world.app)[0].message_id
    assert retry(world.app, message_id).status == "parked"
    assert parked_messages(world.app)[0].attempts == 2
    defective_feedback.undo()  # the fix
    assert retry(world.app, message_id).status == "accepted"
    assert parked_messages(world.app) == []
    assert world.app.get_order("F1").feedback == "bad"
    assert ingest_lines(world.app, lines(*STREAM)).duplicates == 8  # settled: a repeat is a duplicate now


def test_a_transient_fault_is_raised_never_parked(world, monkeypatch):
    def store_away(*_, **__):
        raise OperationalError("the database went away")

    ingest_lines(world.app, lines(*delivered("T1")))
    monkeypatch.setattr(world.app.repository, "get", store_away)
    with pytest.raises(OperationalError):
        ingest_lines(world.app, lines(step("feedback.given", "T1", "buyer", "10-03 10:00", rating="good")))
    monkeypatch.undo()
    assert parked_messages(world.app) == []


def test_a_stored_event_a_projection_cannot_apply_is_parked_for_it_and_the_projection_goes_on(world, monkeypatch):
    def defective(self, e, rows):
        raise KeyError("a bug in the points handler")

    monkeypatch.setattr(Points, "feedback_given", defective)
    world.send(*STREAM)
    with world.conn() as conn:
        parked = parked_events(conn)
        kinds = [r.kind for r in conn.execute(select(points_entries.c.kind))]
    assert [(p["projection"], p["event"], p["error"]) for p in parked] == [
        ("points", "domain.order:Order.FeedbackGiven", "KeyError: 'a bug in the points handler'")] * 2
    assert kinds.count("delivery") == 2 and not [k for k in kinds if k.startswith("feedback")]
    monkeypatch.undo()
    rebuild(world.app, world.engine, PROJECTIONS["points"]())  # after the fix
    with world.conn() as conn:
        assert parked_events(conn) == []
        assert sorted(r.kind for r in conn.execute(select(points_entries.c.kind)))[-2:] == ["feedback_bad",
                                                                                           "feedback_great"]


def test_a_stored_event_that_cannot_be_decoded_is_parked_by_every_projection_that_reads_its_type(world):
    world.send(*delivered("U1"))
    order_id = world.app.get_order("U1").id
    world.app.recorder.insert_events([StoredEvent(originator_id=order_id, originator_version=4,
                                                  topic="domain.order:Order.FeedbackGiven", state=b"\x00garbage")])
    world.send(*delivered("U2"))
    with world.conn() as conn:
        parked = parked_events(conn)
    assert [p["projection"] for p in parked] == ["points"]  # the only one that reads feedback
    assert parked[0]["error"].startswith("MapperDeserialisationError")


def test_the_parked_command_lists_what_is_parked_and_retries_it_after_the_fix(tmp_path, defective_feedback):
    env = {"ORDERCLAIMS_DATABASE_URL": f"sqlite:///{tmp_path / 'p.db'}"}
    source = tmp_path / "in.jsonl"
    source.write_bytes(b"\n".join(lines(*STREAM)))
    runner = CliRunner()
    assert "parked              1" in runner.invoke(main, ["ingest", str(source)], env=env).output
    listed = json.loads(runner.invoke(main, ["parked", "--json"], env=env).stdout)
    (message,) = listed["messages"]
    assert message["message"]["data"] == {"rating": "bad"} and message["source"] == "line 4"
    defective_feedback.undo()
    retried = runner.invoke(main, ["parked", "--retry", message["message_id"], "--json"], env=env)
    assert (retried.exit_code, json.loads(retried.stdout)["outcome"]) == (0, "accepted")
    assert json.loads(runner.invoke(main, ["parked", "--json"], env=env).stdout) == {"messages": [], "events": []}
    unknown = runner.invoke(main, ["parked", "--retry", str(uuid4())], env=env)
    assert unknown.exit_code == 2
