"""SPEC §8 `/healthz`, `/readyz`: the readiness rule, the state the process loop keeps for it, the lag
a Kafka consumer measures, and what the probes answer."""

import orjson
from kafka import TopicPartition
from kafka.consumer.fetcher import ConsumerRecord
from prometheus_client.parser import text_string_to_metric_families

from entrypoints.probes import answer
from messaging.health import Health, not_ready
from messaging.metrics import MESSAGES
from messaging.topics import ConsumerLag

STALL = 30.0


def test_a_process_is_not_ready_before_its_first_batch():
    assert not_ready(100.0, lag=None, moving_at=None, failing_since=None, stall_s=STALL).startswith("starting")


def test_a_process_with_nothing_left_is_ready_however_long_it_has_been_idle():
    assert not_ready(10_000.0, lag=0, moving_at=1.0, failing_since=None, stall_s=STALL) is None


def test_a_process_behind_is_ready_while_it_moves():
    assert not_ready(100.0, lag=5_000, moving_at=100.0 - STALL + 1, failing_since=None, stall_s=STALL) is None


def test_a_process_behind_that_has_not_moved_for_the_stall_time_is_not_ready():
    reason = not_ready(100.0, lag=7, moving_at=100.0 - STALL, failing_since=None, stall_s=STALL)
    assert reason == "7 behind and no progress for 30 s"


def test_transient_faults_that_last_the_stall_time_make_a_process_not_ready_even_with_nothing_left():
    assert not_ready(100.0, lag=0, moving_at=99.0, failing_since=100.0 - STALL + 1, stall_s=STALL) is None
    assert not_ready(100.0, lag=0, moving_at=99.0, failing_since=100.0 - STALL, stall_s=STALL) == "transient faults for 30 s"


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_the_stall_clock_moves_with_work_done_or_nothing_left_not_with_empty_polls_while_behind():
    clock = Clock()
    health = Health("relay", STALL, clock)
    health.stepped(done=0, lag=3)  # the first batch measured: the clock starts
    clock.now += STALL - 1
    health.stepped(done=0, lag=3)  # nothing done, still behind
    assert health.not_ready() is None
    clock.now += 1
    assert health.not_ready() == "3 behind and no progress for 30 s"
    health.stepped(done=10, lag=3)
    assert health.not_ready() is None
    clock.now += STALL
    health.stepped(done=0, lag=0)  # caught up
    clock.now += 10 * STALL
    assert health.not_ready() is None


def test_a_fault_starts_the_failing_clock_and_a_good_batch_stops_it():
    clock = Clock()
    health = Health("ingest", STALL, clock)
    health.stepped(done=0, lag=0)
    health.faulted()
    clock.now += STALL / 2
    health.faulted()  # still the first fault's clock
    clock.now += STALL / 2
    assert health.not_ready() == "transient faults for 30 s"
    health.stepped(done=0, lag=0)
    assert health.not_ready() is None


def test_a_process_whose_loop_ended_is_neither_alive_nor_ready():
    health = Health("project.dashboard")
    health.stepped(done=0, lag=0)
    assert (health.not_alive(), health.not_ready()) == (None, None)
    health.end("stopped")
    assert (health.not_alive(), health.not_ready()) == ("stopped", "stopped")


class Consumer:
    """What ConsumerLag reads of a KafkaConsumer: assignment, high watermarks, positions."""

    def __init__(self, partitions: dict[TopicPartition, tuple[int | None, int]]):
        self.partitions = partitions

    def assignment(self) -> set[TopicPartition]:
        return set(self.partitions)

    def highwater(self, tp: TopicPartition) -> int | None:
        return self.partitions[tp][0]

    def position(self, tp: TopicPartition, timeout_ms=None) -> int:
        return self.partitions[tp][1]


P0, P1 = TopicPartition("t", 0), TopicPartition("t", 1)


def record(tp: TopicPartition, offset: int, published_at: float) -> ConsumerRecord:
    return ConsumerRecord(tp.topic, tp.partition, None, offset, int(published_at * 1000), 0, None, b"", [], None, 0, 0, -1)


def test_a_consumer_lags_by_the_records_past_its_positions_aged_from_the_last_one_applied():
    clock = Clock()
    lag = ConsumerLag(clock)
    consumer = Consumer({P0: (10, 10), P1: (20, 15)})
    assert lag.measure(consumer, {P0: record(P0, 9, 990.0), P1: record(P1, 14, 960.0)}) == (5, 40.0)
    clock.now += 5
    consumer.partitions[P1] = (20, 20)
    assert lag.measure(consumer, {P1: record(P1, 19, 980.0)}) == (0, 0.0)


def test_a_consumer_lag_is_aged_from_when_its_partition_was_last_caught_up():
    clock = Clock()
    lag = ConsumerLag(clock)
    consumer = Consumer({P0: (10, 10)})
    assert lag.measure(consumer, {P0: record(P0, 9, 900.0)}) == (0, 0.0)
    clock.now += 60  # an hour-old last record; the partition was caught up a minute ago
    consumer.partitions[P0] = (12, 10)
    assert lag.measure(consumer, {}) == (2, 60.0)


def test_a_consumer_lag_is_unknown_until_every_assigned_partition_had_a_fetch_answered():
    assert ConsumerLag(Clock()).measure(Consumer({P0: (None, 0), P1: (5, 5)}), {}) == (None, None)
    assert ConsumerLag(Clock()).measure(Consumer({}), {}) == (0, 0.0)  # no partition: nothing to do


def test_the_probes_answer_200_when_alive_and_ready_and_503_with_the_reason_when_not():
    health = Health("ingest")
    status, content_type, body = answer("/readyz", health)
    assert (status, content_type) == (503, "application/json")
    assert orjson.loads(body) == {"role": "ingest", "ok": False, "reason": "starting: no batch polled yet", "lag": None}
    assert answer("/healthz", health)[0] == 200
    health.stepped(done=0, lag=0)
    assert answer("/readyz", health)[0] == 200
    assert answer("/nowhere", health)[0] == 404


def test_the_metrics_probe_serves_the_prometheus_text_of_the_counters():
    MESSAGES.labels("rejected", "unknown_order").inc()
    status, content_type, body = answer("/metrics", Health("ingest"))
    assert status == 200 and content_type.startswith("text/plain")
    samples = {(s.name, tuple(sorted(s.labels.items()))): s.value
               for family in text_string_to_metric_families(body.decode()) for s in family.samples}
    assert samples[("orderclaims_messages_total", (("code", "unknown_order"), ("outcome", "rejected")))] >= 1
