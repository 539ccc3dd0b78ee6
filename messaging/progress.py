"""How far each distributed process has got: what the tests and the benchmark wait on (positions and
offsets, never sleeps), and what an operator asks when a dashboard lags."""

import time

from kafka import KafkaAdminClient, KafkaConsumer, TopicPartition
from kafka.errors import KafkaError

from messaging.topics import Topics, partition_tracking_name, relay_tracking_name, roles_covering
from domain.application import Orders


def end_offsets(bootstrap: str, topic: str, wait_s: float = 10.0) -> dict[TopicPartition, int]:
    """Every partition's end offset. A client that has no metadata of the topic yet (a broker just
    restarted) knows no partitions: that is not "nothing to read", so it waits, then raises."""
    consumer = KafkaConsumer(bootstrap_servers=bootstrap)
    try:
        deadline = time.monotonic() + wait_s
        while not (known := consumer.partitions_for_topic(topic)):
            if time.monotonic() > deadline:
                raise KafkaError(f"no partitions of {topic} known: is the broker up?")
            time.sleep(0.2)
        return consumer.end_offsets([TopicPartition(topic, p) for p in known])
    finally:
        consumer.close()


def ingest_lag(app: Orders, bootstrap: str, topics: Topics) -> int:
    """Upstream messages not yet in the store, by the offsets tracked in the store itself."""
    lag = 0
    for tp, end in end_offsets(bootstrap, topics.upstream).items():
        tracked = app.recorder.max_tracking_id(partition_tracking_name(tp.topic, tp.partition))
        lag += end - (tracked + 1 if tracked is not None else 0)
    return lag


def relay_lag(app: Orders, topics: Topics) -> int:
    """Positions of the store's log not yet published."""
    head = app.recorder.max_notification_id() or 0
    return max(0, head - (app.recorder.max_tracking_id(relay_tracking_name(topics)) or 0))


def projection_lags(bootstrap: str, topics: Topics, names: list[str]) -> dict[str, int]:
    """Events not yet committed for each projection: by the most advanced projector group that runs
    it (a process runs one projection or several, `project.dashboard+points`)."""
    ends = end_offsets(bootstrap, topics.events)
    admin = KafkaAdminClient(bootstrap_servers=bootstrap)
    try:
        groups = [g["group_id"] for g in admin.list_groups()]
        covering = {name: roles_covering(groups, topics.prefix, name) for name in names}
        wanted = sorted({g for found in covering.values() for g in found})
        committed = admin.list_group_offsets(wanted) if wanted else {}
    finally:
        admin.close()
    behind = sum(ends.values())  # what a projection no group has committed for yet has to read
    lags = {}
    for name, found in covering.items():
        lags[name] = min((sum(end - (committed[g][tp].offset if tp in committed.get(g, {}) else 0)
                              for tp, end in ends.items()) for g in found), default=behind)
    return lags


def caught_up(app: Orders, bootstrap: str, topics: Topics, projections: list[str]) -> bool:
    """Every upstream message stored, every stored event published, every projection at the end."""
    return (ingest_lag(app, bootstrap, topics) == 0 and relay_lag(app, topics) == 0
            and not any(projection_lags(bootstrap, topics, projections).values()))
