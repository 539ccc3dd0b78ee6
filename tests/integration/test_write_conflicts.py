"""Errors classified by their cause (issue 24): on PostgreSQL, two writers of one order — the second
deciding from an aggregate it cached before the first wrote — meet a unique violation in the
events' transaction. That is a conflict with another writer, whatever the driver wraps it in
("pipeline aborted" included): the batch runs again checking the store and the message is decided,
never retried for minutes as if the database were away."""

from entrypoints.bootstrap import Settings, build_orders
from consumers.ingest import ingest_lines
from tests.unit.messages import lines, message, placed


def test_a_second_writer_with_a_stale_aggregate_is_answered_from_the_store_not_retried_as_a_fault(stack):
    settings = Settings(database_url=stack.settings.database_url)
    first, second = build_orders(settings), build_orders(settings)
    assert ingest_lines(second, lines(placed("500001", "C500001"))).accepted == 1  # second caches the new order
    shipped = message("order.shipped", "500001", "seller", "2026-11-03T10:00:00+09:00", carrier="y", tracking_no="T",
                      trackable=True)
    assert ingest_lines(first, lines(shipped)).accepted == 1  # first writes version 2

    prepared = message("order.prepared", "500001", "seller", "2026-11-03T11:00:00+09:00")  # fine on the cached copy
    summary = ingest_lines(second, lines(prepared))

    assert [r["code"] for r in summary.rejected] == ["invalid_transition"]  # decided on the store's shipped order
    assert len(list(first.events.get(second.get_order("500001").id))) == 2


def test_a_position_another_worker_stored_first_is_a_conflict_and_the_batch_is_decided_from_the_store(stack):
    from eventsourcing.persistence import IntegrityError, Tracking

    from consumers.routes import parse, to_command

    settings = Settings(database_url=stack.settings.database_url)
    first, second = build_orders(settings), build_orders(settings)
    position = [Tracking(notification_id=7, application_name="orderclaims.upstream:0")]
    first.process([to_command(parse(lines(placed("500101", "C500101"))[0]))], trackings=position)

    try:  # the same offset again, from a worker that has not seen the first's batch
        second.process([to_command(parse(lines(placed("500102", "C500102"))[0]))], trackings=position)
    except IntegrityError:
        pass  # a conflict: the worker seeks back to the store's offset (never a fault retried as the database away)
    assert second.recorder.max_tracking_id("orderclaims.upstream:0") == 7
