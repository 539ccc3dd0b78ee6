"""The Kafka topics of SPEC §4–5 and the clients every process makes the same way.

Names come from one prefix (default "orderclaims"), so tests and side-by-side installs never
share a topic: PREFIX.upstream, PREFIX.upstream.dlq, PREFIX.events, PREFIX.rejections.
"""

from dataclasses import dataclass

import logging

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
        """The consumer group of a role: ingest, or project.NAME."""
        return f"{self.prefix}.{role}"


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
