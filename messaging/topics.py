"""The Kafka topics of SPEC §4–5 and the clients every process makes the same way.

Names come from one prefix (default "orderclaims"), so tests and side-by-side installs never
share a topic: PREFIX.upstream, PREFIX.upstream.dlq, PREFIX.events, PREFIX.rejections.
"""

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from kafka import KafkaAdminClient, KafkaConsumer, KafkaProducer, TopicPartition
from kafka.errors import KafkaError, TopicAlreadyExistsError
from kafka.structs import OffsetAndMetadata

log = logging.getLogger("orderclaims.kafka")


@dataclass(frozen=True)
class Topics:
    prefix: str = "orderclaims"

    @property
    def upstream(self) -> str:
        return f"{self.prefix}.upstream"

    @property
    def dead_letters(self) -> str:
        return f"{self.prefix}.upstream.dlq"

    @property
    def events(self) -> str:
        return f"{self.prefix}.events"

    @property
    def rejections(self) -> str:
        return f"{self.prefix}.rejections"

    @property
    def all(self) -> tuple[str, ...]:
        return (self.upstream, self.dead_letters, self.events, self.rejections)

    def group(self, role: str) -> str:
        """The consumer group of a role: ingest, relay, or a projector's (`projector_role`)."""
        return f"{self.prefix}.{role}"


def projector_role(names: list[str]) -> str:
    """The role, and consumer group, of a process that runs these projections."""
    return "project." + "+".join(names)


def roles_covering(groups: list[str], prefix: str, name: str) -> list[str]:
    """The projector groups (of `groups`, all the broker knows) that run projection `name`."""
    start = f"{prefix}.project."
    return [g for g in groups if g.startswith(start) and name in g[len(start):].split("+")]


def partition_tracking_name(topic: str, partition: int) -> str:
    """The event store's tracking record of a consumed partition."""
    return f"{topic}:{partition}"


def relay_tracking_name(topics: Topics) -> str:
    """The event store's tracking record of the relay's position in the store's log."""
    return f"relay:{topics.events}"


def ensure_topics(bootstrap: str, topics: Topics, partitions: int) -> None:
    """Create the topics that are missing (each with `partitions` partitions)."""
    admin = KafkaAdminClient(bootstrap_servers=bootstrap, client_id=f"{topics.prefix}-admin")
    try:
        missing = [t for t in topics.all if t not in set(admin.list_topics())]
        if missing:
            try:
                admin.create_topics({t: {"num_partitions": partitions, "replication_factor": 1} for t in missing},
                                    wait_for_metadata=True)
            except TopicAlreadyExistsError:
                pass  # another process created them first
    finally:
        admin.close()


def consumer(bootstrap: str, group: str, max_records: int) -> KafkaConsumer:
    """A group member that commits offsets itself, only after its database transaction committed:
    auto-commit would mark messages done that the database never stored. A member that dies
    without leaving (kill -9, a lost host) loses its partitions after 10 s, not the client's 45."""
    return KafkaConsumer(
        bootstrap_servers=bootstrap,
        group_id=group,
        client_id=group,
        enable_auto_commit=False,
        auto_offset_reset="earliest",
        max_poll_records=max_records,
        isolation_level="read_committed",
        session_timeout_ms=10_000,
        heartbeat_interval_ms=2_000,
    )


def relay_producer(bootstrap: str, client_id: str, chosen: str = "kafka-python") -> Any:
    """The relay's producer: kafka-python's, or `chosen` = confluent-kafka the optional one on
    librdkafka (messaging/fast_producer.py), a fifth of the CPU per record."""
    if chosen == "confluent-kafka":
        from messaging.fast_producer import FastProducer  # only with the `fast` extra installed

        return FastProducer(bootstrap, client_id)
    if chosen != "kafka-python":
        raise ValueError(f"ORDERCLAIMS_KAFKA_PRODUCER must be kafka-python or confluent-kafka, not {chosen!r}")
    return producer(bootstrap, client_id)


def producer(bootstrap: str, client_id: str) -> KafkaProducer:
    """An idempotent producer: acks from all in-sync replicas, retries without duplicates or reordering."""
    return KafkaProducer(
        bootstrap_servers=bootstrap,
        client_id=client_id,
        acks="all",
        enable_idempotence=True,
        linger_ms=5,
        compression_type=None,
    )


def commit_offsets(consumer: KafkaConsumer, last_offsets: dict[TopicPartition, int]) -> None:
    """Commit past the last offsets, after the database commit. Only advisory: it is where a restarted
    group starts reading; the positions in the database decide what is applied."""
    try:
        consumer.commit({tp: OffsetAndMetadata(offset + 1, "", -1) for tp, offset in last_offsets.items()})
    except KafkaError as error:  # a rebalance under way: the database has the positions anyway
        log.info("kafka commit skipped", extra={"error": repr(error)})


class ConsumerLag:
    """How far a consumer is behind on its assigned partitions, measured after each batch with no request
    of its own: the records past its position, by the high watermarks of its last fetches; and the age
    of the oldest of them. Every record not applied yet was published after the last one applied from
    its partition and after the partition was last seen caught up, so its age is at most the time since
    the later of the two (exact to within one record's spacing; the publisher's clock against ours); a
    partition with neither counts from this process's start. None while a partition awaits its first fetch."""

    def __init__(self, clock: Callable[[], float] = time.time):
        self.clock = clock
        self.started = clock()
        self.since: dict[TopicPartition, float] = {}

    def measure(self, consumer: KafkaConsumer, applied: dict) -> tuple[int | None, float | None]:
        """`applied`: per partition, the last record of the batch applied (or dropped as a repeat)."""
        now = self.clock()
        for tp, record in applied.items():
            if record.timestamp >= 0:  # the publisher's time (or the broker's), in ms
                self.since[tp] = max(self.since.get(tp, 0.0), record.timestamp / 1000)
        left, age = 0, 0.0
        for tp in consumer.assignment():
            highwater = consumer.highwater(tp)  # known once a fetch answered, and then so is the position
            position = consumer.position(tp, timeout_ms=0) if highwater is not None else None
            if position is None:
                return None, None
            if highwater <= position:
                self.since[tp] = now
            else:
                left += highwater - position
                age = max(age, now - self.since.get(tp, self.started))
        return left, age
