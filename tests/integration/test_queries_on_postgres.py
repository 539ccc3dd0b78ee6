"""An embedded query on PostgreSQL finds the store's head as the event store's recorder does, catches its
read model up once, and then reads it without the application (projections/read_models.py)."""

from datetime import datetime

from consumers.ingest import ingest_lines
from entrypoints.bootstrap import Settings
from entrypoints.documents import Documents
from producers.simulator import simulate
from projections.read_models import DASHBOARD
from store.engines import log_head
from tests.unit.messages import lines

AS_OF = datetime.fromisoformat("2026-11-21T09:00:00+09:00")


def test_an_embedded_query_on_postgresql_catches_up_once_then_reads_at_the_head(stack):
    ingest_lines(stack.app, lines(*simulate(orders=40, seed=4)))
    documents = Documents(Settings(database_url=stack.settings.database_url))  # embedded: no broker named
    with documents.engine.connect() as conn:
        assert log_head(conn) == stack.app.recorder.max_notification_id() > 0
    assert not documents._current(DASHBOARD)
    first = documents.dashboard("S001", AS_OF)
    assert documents._current(DASHBOARD)
    assert documents.dashboard("S001", AS_OF) == first and sum(first["counts"]["cancel"].values()) > 0
