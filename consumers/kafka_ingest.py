"""`orderclaims run ingest`: a consumer-group member on the upstream topic (SPEC §4, §8).

Each poll batch is one transaction in the event store: the new events, one Receipt per message,
and the offset of the last message of each partition (a tracking record "TOPIC:PARTITION").
On assignment a partition is sought to just past its tracked offset, so after a crash at any
instant nothing is lost (the offsets moved with the events or not at all) and nothing is applied
twice. Kafka's committed offsets only save re-reading; the store is the truth.

Invalid messages go to the dead-letter topic with the reason (header and body) and are
acknowledged by the broker before the batch commits: a crash in between sends them again
(at least once; the source partition and offset in the headers identify repeats). Rejections
are recorded in the store as Receipts and published by the relay from the store's log.
"""

import hashlib
import logging
from collections import Counter
from collections.abc import Iterable

import orjson
from eventsourcing.persistence import Tracking
from kafka import KafkaConsumer, KafkaProducer, TopicPartition
from kafka.consumer.subscription_state import ConsumerRebalanceListener

from consumers.contracts import InvalidMessage
from consumers.routes import parse, to_command
from messaging.dead_letters import dead_letter_value
from messaging.metrics import DEAD_LETTERS, MESSAGES, Progress
from messaging.action_origin import origin_of
from messaging.topics import ConsumerLag, Topics, commit_offsets, partition_tracking_name
from domain.application import Orders

log = logging.getLogger("orderclaims.ingest")


class IngestWorker(ConsumerRebalanceListener):
    def __init__(self, app: Orders, consumer: KafkaConsumer, producer: KafkaProducer, topics: Topics, batch_size: int):
        self.app = app
        self.consumer = consumer
        self.producer = producer
        self.topics = topics
        self.batch_size = batch_size
        self.applied: dict[TopicPartition, int] = {}  # the last offset in the store, per assigned partition
        self.consumer_lag = ConsumerLag()
        self.progress = Progress()
        consumer.subscribe([topics.upstream], listener=self)

    # ---- the store decides where each partition resumes ----------------------------------------

    def on_partitions_assigned(self, assigned: Iterable[TopicPartition]) -> None:
        self.app.forget_cached_aggregates()  # another worker may have written them meanwhile
        for tp in assigned:
            self._seek_to_store(tp)
        log.info("partitions assigned", extra={"partitions": sorted(tp.partition for tp in assigned)})

    def on_partitions_revoked(self, revoked: Iterable[TopicPartition]) -> None:
        self.app.forget_cached_aggregates()
        for tp in revoked:
            self.applied.pop(tp, None)

    def _seek_to_store(self, tp: TopicPartition) -> None:
        tracked = self.app.recorder.max_tracking_id(partition_tracking_name(tp.topic, tp.partition))
        if tracked is None:
            self.applied.pop(tp, None)
            self.consumer.seek_to_beginning(tp)
        else:
            self.applied[tp] = tracked
            self.consumer.seek(tp, tracked + 1)

    def _next_offset(self, tp: TopicPartition) -> int:
        """The offset this partition must continue from: past the store's, or its log's beginning."""
        if tp in self.applied:
            return self.applied[tp] + 1
        return self.consumer.beginning_offsets([tp])[tp]

    def recover(self) -> None:
        """After a failed batch: every assigned partition back to the store's offset."""
        for tp in self.consumer.assignment():
            self._seek_to_store(tp)

    # ---- one poll batch, one transaction ------------------------------------------------------

    def step(self) -> int:
        batch = self.consumer.poll(timeout_ms=500, max_records=self.batch_size)
        commands, dead, trackings, last = [], [], [], {}
        for tp, records in batch.items():
            expected = self._next_offset(tp)
            records = [r for r in records if r.offset >= expected]  # below: applied already (a repeat)
            if not records:
                continue
            if records[0].offset > expected:  # records fetched before a seek back, past what the store has
                log.warning("records past a gap dropped; reading again from the store's offset",
                            extra={"partition": tp.partition, "expected": expected, "got": records[0].offset})
                self.consumer.seek(tp, expected)
                continue
            for record in records:
                try:
                    commands.append(to_command(parse(record.value or b""), raw=record.value or b"",
                                               source=f"{record.topic}:{record.partition}:{record.offset}",
                                               origin=origin_of(record.headers)))  # a seller's action: web / api
                except InvalidMessage as invalid:
                    dead.append((record, invalid))
            trackings.append(Tracking(partition_tracking_name(tp.topic, tp.partition), records[-1].offset))
            last[tp] = records[-1]
        if last:
            self._store(commands, dead, trackings, {tp: record.offset for tp, record in last.items()})
        self.progress = Progress(*self.consumer_lag.measure(self.consumer, last))
        return len(commands) + len(dead)

    def _store(self, commands: list, dead: list, trackings: list[Tracking], offsets: dict[TopicPartition, int]) -> None:
        """One transaction: the batch's events, receipts and offsets (its dead letters acknowledged first)."""
        self._dead_letter(dead)
        outcomes = self.app.process(commands, trackings)
        self.applied.update(offsets)
        commit_offsets(self.consumer, offsets)
        for outcome in outcomes:
            MESSAGES.labels(outcome.status, outcome.code or "").inc()
        MESSAGES.labels("invalid", "").inc(len(dead))
        statuses = Counter(o.status for o in outcomes)
        log.info("batch", extra={"messages": len(commands) + len(dead), "accepted": statuses["accepted"],
                                 "duplicates": statuses["duplicate"], "rejected": statuses["rejected"],
                                 "parked": statuses["parked"], "invalid": len(dead)})

    def _dead_letter(self, dead: list) -> None:
        futures = []
        for record, invalid in dead:
            value = record.value or b""
            body = {
                "reason": invalid.reason, "message_id": invalid.message_id,
                "source": {"topic": record.topic, "partition": record.partition, "offset": record.offset},
                "value": dead_letter_value(value),
                "length": len(value), "sha256": hashlib.sha256(value).hexdigest(),
            }
            headers = [
                ("reason", invalid.reason.encode()[:1000]),
                ("source", f"{record.topic}:{record.partition}:{record.offset}".encode()),
            ]
            futures.append(self.producer.send(self.topics.dead_letters, key=record.key, value=orjson.dumps(body), headers=headers))
            log.warning("invalid message to the dead-letter topic", extra={"reason": invalid.reason, "offset": record.offset})
        if futures:
            self.producer.flush()
            for future in futures:
                future.get(timeout=30)  # raises if the broker did not take it: the batch is retried
            DEAD_LETTERS.labels("invalid").inc(len(futures))

