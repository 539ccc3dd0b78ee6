"""On PostgreSQL too, any past moment is answered from the read models' own history
(docs/decisions/0022): every as-of answer equals a replay up to that moment (tests/projections/test_as_of.py
on SQLite, here with random moments on two simulated streams)."""

import random

import orjson
import pytest

from producers.simulator import simulate
from tests.projections.test_as_of import assert_answers_as_the_replay, followed, span


@pytest.mark.parametrize("seed", [7, 4242])
def test_every_as_of_answer_on_postgresql_equals_a_replay_up_to_that_moment(stack, seed):
    stream = [orjson.dumps(m) for m in simulate(orders=60, seed=seed)]
    followed(stack.app, stack.engine, stream, pieces=3)
    first, last = span(stream)
    draw = random.Random(seed)
    moments = [(first + (last - first) * draw.random()).replace(microsecond=0) for _ in range(3)]
    assert_answers_as_the_replay(stack.app, stack.engine, [*moments, last])
