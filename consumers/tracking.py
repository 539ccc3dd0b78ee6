"""Event-store recorders that write several consumed positions in the transaction of the events.

A Kafka poll batch spans partitions, and each partition's offset is its own tracking record
(application_name = "TOPIC:PARTITION"). eventsourcing 9.5's process recorders write one tracking
record per transaction; these write every one passed as `trackings`, so a whole poll batch is one
transaction. Selected in entrypoints/bootstrap.py through PROCESS_RECORDER_TOPIC.
"""

from typing import Any

from eventsourcing.postgres import PostgresProcessRecorder
from eventsourcing.sqlite import SQLiteProcessRecorder


class PostgresOffsetsRecorder(PostgresProcessRecorder):
    records_several_trackings = True

    def _insert_events(self, curs: Any, stored_events: Any, **kwargs: Any) -> None:
        for tracking in kwargs.get("trackings", ()):
            self._insert_tracking(curs, tracking)  # refuses a position not past the stored one
        super()._insert_events(curs, stored_events, **kwargs)


class SQLiteOffsetsRecorder(SQLiteProcessRecorder):
    records_several_trackings = True

    def _insert_events(self, c: Any, stored_events: Any, **kwargs: Any) -> Any:
        returning = super()._insert_events(c, stored_events, **kwargs)
        for tracking in kwargs.get("trackings", ()):
            self._insert_tracking(c, tracking)
        return returning
