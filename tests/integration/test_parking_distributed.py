"""A message parked by a defect reaches the dead-letter topic through the relay, with its error."""

from consumers.ingest import ingest_lines
from tests.projections.test_parking import STREAM
from tests.unit.messages import lines


def test_a_parked_message_is_sent_to_the_dead_letter_topic_with_its_error(stack, defective_feedback):
    summary = ingest_lines(stack.app, lines(*STREAM))  # the defect is in this process: ingest here
    assert summary.parked_count == 1
    stack.start("relay")
    (dead,) = stack.consume(stack.topics.dead_letters, 1)
    assert dead["reason"] == "parked: ZeroDivisionError: a bug in the feedback rule"
    assert (dead["source"], dead["message_id"]) == ("line 4", summary.parked[0]["message_id"])
