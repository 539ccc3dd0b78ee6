"""Replay: aggregates rebuilt from their stored events equal the ones the commands produced."""

import orjson

from consumers.routes import parse, to_command
from domain.application import Orders
from domain.unit_of_work import UnitOfWork
from domain.errors import Rejected
from producers.simulator import simulate


def test_aggregates_rebuilt_from_stored_events_equal_the_live_ones():
    app = Orders(env={"PERSISTENCE_MODULE": "eventsourcing.popo"})
    uow = UnitOfWork(app)
    for document in simulate(orders=300, seed=3):
        try:
            to_command(parse(orjson.dumps(document))).run(uow)
        except Rejected:
            pass
    app.commit(uow)
    live = uow.aggregates
    assert len(live) > 300
    for aggregate in live:
        replayed = app.repository.get(aggregate.id)
        assert type(replayed) is type(aggregate)
        assert vars(replayed) == vars(aggregate), aggregate.id


def test_the_simulated_stream_is_deterministic_for_a_seed():
    first = [orjson.dumps(m) for m in simulate(orders=200, seed=5)]
    again = [orjson.dumps(m) for m in simulate(orders=200, seed=5)]
    other = [orjson.dumps(m) for m in simulate(orders=200, seed=6)]
    assert first == again
    assert first != other
