"""The Prometheus metrics of the long-running processes (SPEC §8), defined once, in the default registry.

Each is measured where it happens: the ingest worker counts outcomes after its batch committed, the
dead letters after the broker acknowledged them, the projections their parked events, the process
loop each batch's duration and where its worker stands (`Progress`). `entrypoints/probes.py` serves
them; anything else (`serve`) may import them and serve `prometheus_client.generate_latest()`.
"""

from dataclasses import dataclass

from prometheus_client import Counter, Gauge, Histogram, disable_created_metrics

disable_created_metrics()  # no `_created` series beside each counter: the process's start time says it

MESSAGES = Counter("orderclaims_messages", "Upstream messages by outcome (accepted, duplicate, rejected, "
                   "invalid, parked) and rejection code", ["outcome", "code"])
DEAD_LETTERS = Counter("orderclaims_dead_letters", "Messages the broker took on the dead-letter topic: "
                       "invalid (from ingest) or parked by a defect (from the relay)", ["reason"])
PARKED_EVENTS = Counter("orderclaims_parked_events", "Stored events a projection parked (a defect)", ["projection"])
BATCH_SECONDS = Histogram("orderclaims_batch_duration_seconds", "Duration of a batch that did some work "
                          "(poll, transaction, acknowledgements)", ["role"])
LAG = Gauge("orderclaims_lag", "What the process has left to do after its last batch: upstream messages on its "
            "partitions (ingest), positions of the store's log not published (relay), events on its partitions "
            "(projectors)", ["role"])
LAG_SECONDS = Gauge("orderclaims_lag_seconds", "Age of the oldest record not applied yet, bounded by the time "
                    "since the later of: the last record applied was published, its partition was last caught up "
                    "(ingest, projectors); 0 when caught up", ["role"])
POSITION = Gauge("orderclaims_position", "The highest position of the store's log handled: published (relay), "
                 "applied to the read models (projectors)", ["role"])
STORE_HEAD = Gauge("orderclaims_store_head", "The last position of the store's log (max notification id), "
                   "as last read (by the relay)", ["role"])
CHECKPOINT_SIZE = Gauge("orderclaims_checkpoint_size", "Positions of the store's log covered by the latest "
                        "checkpoint, 0 if none (read when scraped, by the relay)", ["role"])


@dataclass(frozen=True)
class Progress:
    """Where a worker stands after its last batch; `lag` None: not measured yet (no fetch answered)."""

    lag: int | None = None
    lag_seconds: float | None = None
    position: int | None = None
    head: int | None = None


def observe_batch(role: str, done: int, seconds: float, progress: Progress) -> None:
    """What the process loop measures after each successful batch."""
    if done:
        BATCH_SECONDS.labels(role).observe(seconds)
    for gauge, value in ((LAG, progress.lag), (LAG_SECONDS, progress.lag_seconds), (POSITION, progress.position)):
        if value is not None:
            gauge.labels(role).set(value)
    if progress.head is not None:
        STORE_HEAD.labels(role).set(progress.head)
