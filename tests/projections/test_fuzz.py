"""Fuzz (hypothesis): random bytes, random JSON and mutated valid messages among a valid stream.
The summary accounts for every line, and the state is the state of the valid lines alone."""

import json

import orjson
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from consumers.contracts import InvalidMessage
from consumers.ingest import ingest_lines
from consumers.routes import parse
from producers.simulator import simulate
from tests.projections.conftest import World
from tests.projections.test_runner import snapshot

VALID = [orjson.dumps(m) for m in simulate(orders=40, seed=8)]

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=12,
)
hostile_values = st.sampled_from([
    None, 0, -1, 10**30, 1.5, "", " x ", "\u0000", "9999-12-31T23:59:59-12:00", "0001-01-01T00:00:00+00:00", True,
    [], {}, "x" * 5000, "2026-11-04T10:00:00+09:00", "2026-02-30", "=cmd|' /C calc'!A0",
]) | json_values


@st.composite
def mutated(draw) -> bytes:
    """A valid message with one field, anywhere in it, replaced or removed."""
    document = orjson.loads(draw(st.sampled_from(VALID)))
    document["message_id"] = "fuzz-" + draw(st.text(min_size=1, max_size=8))
    target, key = document, draw(st.sampled_from(sorted(document)))
    while isinstance(target[key], dict) and target[key] and draw(st.booleans()):
        target, key = target[key], draw(st.sampled_from(sorted(target[key])))
    if draw(st.booleans()):
        del target[key]
    else:
        target[key] = draw(hostile_values)
    return dumps(document)


def dumps(value) -> bytes:
    return json.dumps(value, ensure_ascii=False).encode("utf-8", "surrogatepass")  # any int, any string


garbage = st.one_of(
    st.binary(max_size=200),
    json_values.map(dumps),
    mutated(),
)


def is_valid(line: bytes) -> bool:
    try:
        parse(line)
    except InvalidMessage:
        return False
    return True


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(noise=st.lists(st.tuples(st.integers(min_value=0, max_value=len(VALID)), garbage), max_size=40))
def test_bad_lines_among_a_valid_stream_are_each_accounted_for_and_change_nothing_but_what_a_valid_line_says(noise):
    lines = list(VALID)
    for position, line in sorted(noise, key=lambda n: -n[0]):
        lines.insert(position, line)
    world = World()
    summary = ingest_lines(world.app, lines)
    counted = summary.accepted + summary.duplicates + summary.rejected_count + summary.invalid_count
    assert counted == sum(1 for line in lines if line.strip())

    alone = World()  # the same stream without the lines the contract refuses
    ingest_lines(alone.app, [line for line in lines if line.strip() and is_valid(line)])
    world.follower.catch_up()
    alone.follower.catch_up()
    assert snapshot(world.engine) == snapshot(alone.engine)
