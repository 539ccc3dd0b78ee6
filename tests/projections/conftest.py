import pytest
from sqlalchemy import create_engine
from sqlalchemy.pool import StaticPool

from consumers.ingest import ingest_lines
from domain.application import Orders
from projections.runner import LogFollower, all_projections
from tests.unit.messages import lines


class World:
    """An Orders application in memory, the three projections in an in-memory SQLite database."""

    def __init__(self):
        self.app = Orders(env={"PERSISTENCE_MODULE": "eventsourcing.popo"})
        self.engine = create_engine("sqlite://", poolclass=StaticPool)
        self.follower = LogFollower(self.app, self.engine, all_projections())

    def send(self, *messages: dict) -> None:
        summary = ingest_lines(self.app, lines(*messages))
        assert not summary.invalid and not summary.rejected, summary.as_json()
        self.follower.catch_up()

    def conn(self):
        return self.engine.connect()


@pytest.fixture
def world():
    return World()
