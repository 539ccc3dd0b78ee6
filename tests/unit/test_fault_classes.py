"""Errors classified by cause (issue 24): only a connection-level fault is transient; a refusal by
the database — a unique violation, or the "pipeline aborted" psycopg raises for the statements
after one — is a conflict with another writer, whatever eventsourcing wraps it in."""

import psycopg
from eventsourcing.persistence import OperationalError

from store.recorders_postgres import _refused


def wrapped(cause: BaseException) -> OperationalError:
    try:
        try:
            raise cause
        except psycopg.Error as error:
            raise OperationalError(str(error)) from error  # as eventsourcing's datastore does
    except OperationalError as outer:
        return outer


def test_a_pipeline_aborted_by_an_earlier_statement_is_a_refusal_not_a_fault():
    assert _refused(wrapped(psycopg.errors.PipelineAborted("pipeline aborted")))


def test_a_unique_violation_under_any_wrapper_is_a_refusal():
    assert _refused(wrapped(psycopg.errors.UniqueViolation("duplicate key value")))


def test_a_lost_connection_stays_a_transient_fault():
    assert not _refused(wrapped(psycopg.OperationalError("server closed the connection unexpectedly")))
