"""`orderclaims run project [NAME...]`: projections built from the events topic (SPEC §6).

A process runs the projections it is named (all of them when none is named) over each batch it
consumes: the batch is fetched and decoded once, and applied by every projection in one database
transaction, each projection keeping its own position. Its consumer group is named by the set
(`project.dashboard+points`), so a process given another set starts a group of its own and reads the
events again from the start for the projection it did not have (the others drop them by position).

Each poll batch is one database transaction: the rows, and per projection and partition the last
store position applied (stream "kafka:PARTITION"). Events at or below a partition's position are repeats (the relay
publishes at least once) and are dropped. The Kafka commit afterwards is only advisory: a
restart re-reads from it and the positions drop what was applied already.
"""

import logging
from collections import defaultdict

from eventsourcing.application import Application
from kafka import KafkaConsumer
from sqlalchemy.engine import Engine

from messaging.metrics import Progress
from messaging.topics import ConsumerLag, Topics, commit_offsets
from messaging.event_wire import POSITION, TOPIC, read_headers, stored_event
from projections.base import Projection
from projections.runner import decode, handled_topics, prepare_read, reads_personal_data

log = logging.getLogger("orderclaims.project")


def partition_stream(partition: int) -> str:
    return f"kafka:{partition}"


class Projector:
    def __init__(self, app: Application, engine: Engine, projections: list[Projection], consumer: KafkaConsumer,
                 topics: Topics, batch_size: int):
        self.mapper = app.mapper
        self.engine = engine
        self.projections = projections
        self.consumer = consumer
        self.batch_size = batch_size
        self.handled = handled_topics(projections)
        self.unseal = reads_personal_data(projections)
        self.expected: dict = {}  # per partition, the offset the next record must have (after a recovery)
        for projection in projections:
            projection.create_tables(engine)
        with engine.connect() as conn:
            self.position = min(projection.highest_position(conn) for projection in projections)
        self.consumer_lag = ConsumerLag()
        self.progress = Progress(position=self.position)
        consumer.subscribe([topics.events])

    def step(self) -> int:
        batch = self._contiguous(self.consumer.poll(timeout_ms=500, max_records=self.batch_size))
        if batch:
            self._apply(batch)
        last = {tp: records[-1] for tp, records in batch.items() if records}
        self.progress = Progress(*self.consumer_lag.measure(self.consumer, last), position=self.position)
        return sum(len(r) for r in batch.values())

    def _apply(self, batch: dict) -> None:
        """One transaction: the rows, and each partition's position."""
        streams = defaultdict(list)
        stored = [(tp.partition, meta, stored_event(meta, record.value) if meta[TOPIC] in self.handled else None)
                  for tp, records in batch.items() for record in records for meta in [read_headers(record.headers)]]
        prepare_read(self.mapper, [s for _, _, s in stored if s is not None], self.unseal)
        for partition, meta, event in stored:
            streams[partition_stream(partition)].append(
                (int(meta[POSITION]), decode(self.mapper, event, self.unseal) if event is not None else None))
        with self.engine.begin() as conn:
            applied = [projection.apply_streams(conn, streams) for projection in self.projections]
        self.position = max([self.position, *applied])
        commit_offsets(self.consumer, {tp: records[-1].offset for tp, records in batch.items()})
        log.info("batch", extra={"projections": [p.name for p in self.projections],
                                 "events": sum(len(r) for r in batch.values())})

    def _contiguous(self, batch: dict) -> dict:
        """Records past a gap (fetched before a seek back, delivered after it) are dropped and read
        again: every event of a partition reaches the projection, repeats are dropped by position."""
        kept = {}
        for tp, records in batch.items():
            expected = self.expected.get(tp)
            if expected is not None and records and records[0].offset > expected:
                log.warning("records past a gap dropped", extra={"partition": tp.partition, "expected": expected})
                self.consumer.seek(tp, expected)
                continue
            kept[tp] = records
            if records:
                self.expected[tp] = records[-1].offset + 1
        return kept

    def recover(self) -> None:
        """After a failed batch: re-read from the last advisory commit; positions drop repeats."""
        for tp in self.consumer.assignment():
            committed = self.consumer.committed(tp)
            if committed is None:
                self.consumer.seek_to_beginning(tp)
                self.expected[tp] = self.consumer.beginning_offsets([tp])[tp]
            else:
                self.consumer.seek(tp, committed)
                self.expected[tp] = committed
