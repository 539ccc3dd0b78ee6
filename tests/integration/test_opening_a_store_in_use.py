"""A process opening a PostgreSQL store that others write (a checkpoint, a worker joining) takes none of
their locks: eventsourcing's create statements lock the events and the links even when all is there,
and a checkpoint started during an ingest deadlocked with a writer that held the links and waited for
the events. A store of an earlier release still gets what it lacks."""

import threading

from sqlalchemy import text

from consumers.ingest import ingest_lines
from entrypoints.bootstrap import Settings, build_orders
from tests.unit.messages import lines, placed


def test_opening_a_store_while_a_writer_holds_its_tables_waits_for_nothing(stack):
    settings = Settings(database_url=stack.settings.database_url)
    first = build_orders(settings)
    assert ingest_lines(first, lines(placed("500201", "C500201"))).accepted == 1
    events = first.recorder.events_table_name
    opened: list = []
    with stack.engine.connect() as writer:  # as an ingest worker mid-batch: the links, then the events' lock
        writer.execute(text("LOCK TABLE event_hashes IN ROW EXCLUSIVE MODE"))
        writer.execute(text(f"LOCK TABLE {events} IN EXCLUSIVE MODE"))
        opening = threading.Thread(target=lambda: opened.append(build_orders(settings)), daemon=True)
        opening.start()
        opening.join(timeout=30)
        held_up = not opened
        writer.rollback()
    opening.join(timeout=30)
    assert not held_up, "opening the store waited for a writer's locks"
    assert opened[0].get_order("500201").order_no == "500201"


def test_a_store_without_the_key_tags_column_gets_it_on_opening(stack):
    settings = Settings(database_url=stack.settings.database_url)
    build_orders(settings)
    with stack.engine.begin() as conn:
        conn.execute(text("ALTER TABLE event_hashes DROP COLUMN tag"))  # as a release before key tags made it

    reopened = build_orders(settings)

    assert ingest_lines(reopened, lines(placed("500301", "C500301"))).accepted == 1
    with stack.engine.connect() as conn:
        tagged, links = conn.execute(text("SELECT COUNT(tag), COUNT(*) FROM event_hashes")).one()
    assert tagged == links > 0
