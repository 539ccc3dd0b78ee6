"""`orderclaims run ingest | relay | project NAME`: the long-running Kafka processes (SPEC §8).

Each reads its settings from the environment, logs one JSON object per line on stderr, stops
cleanly on SIGTERM (finishes its batch, closes its clients), retries transient faults with backoff
and exits non-zero after too many in a row, for its supervisor to restart it.
"""

import logging

import click

from messaging import topics as kafka
from consumers.kafka_ingest import IngestWorker
from consumers.kafka_project import Projector
from messaging.process_loop import StopFlag, run_loop, when_ready
from entrypoints import logs
from entrypoints.bootstrap import Settings, build_engine, build_orders
from producers.relay import Relay
from producers.upstream import publish_lines
from projections.runner import PROJECTIONS

log = logging.getLogger("orderclaims")


def _kafka_settings() -> tuple[Settings, kafka.Topics]:
    settings = Settings.from_env()
    if not settings.kafka_bootstrap:
        raise click.UsageError("set ORDERCLAIMS_KAFKA_BOOTSTRAP (host:port of a Kafka broker)")
    return settings, kafka.Topics(settings.topic_prefix)


def _ensure_topics(settings: Settings, topics: kafka.Topics) -> None:
    kafka.ensure_topics(settings.kafka_bootstrap, topics, settings.partitions)


def _start(role: str) -> tuple[Settings, kafka.Topics, StopFlag]:
    settings, topics = _kafka_settings()
    logs.configure(settings.log_level)
    stop = StopFlag().install()
    log.info("starting", extra={"role": role, "topics": topics.prefix})
    when_ready(lambda: _ensure_topics(settings, topics), stop, settings.max_retries)
    return settings, topics, stop


def _serve(role: str, worker, settings: Settings, stop: StopFlag, idle_pause: float = 0.0) -> None:
    try:
        run_loop(worker.step, worker.recover, stop, settings.max_retries, idle_pause=idle_pause)
    finally:
        log.info("stopped", extra={"role": role})


@click.group(name="run")
def run_group() -> None:
    """The long-running Kafka processes of the distributed mode."""


@run_group.command(name="ingest")
def run_ingest() -> None:
    """Consume the upstream topic into the event store (a consumer-group member)."""
    settings, topics, stop = _start("ingest")
    app = when_ready(lambda: build_orders(settings), stop, settings.max_retries)
    consumer = kafka.consumer(settings.kafka_bootstrap, topics.group("ingest"), settings.batch_size)
    producer = kafka.producer(settings.kafka_bootstrap, topics.group("ingest"))
    try:
        _serve("ingest", IngestWorker(app, consumer, producer, topics, settings.batch_size), settings, stop)
    finally:
        consumer.close()
        producer.close()


@run_group.command(name="relay")
def run_relay() -> None:
    """Publish the event store's log to the events and rejections topics."""
    settings, topics, stop = _start("relay")
    producer = kafka.producer(settings.kafka_bootstrap, topics.group("relay"))
    try:
        relay = when_ready(lambda: Relay(build_orders(settings), producer, topics, settings.batch_size), stop,
                           settings.max_retries)
        _serve("relay", relay, settings, stop, idle_pause=0.05)
    finally:
        producer.close()


@run_group.command(name="project")
@click.argument("name", type=click.Choice(sorted(PROJECTIONS)))
def run_project(name: str) -> None:
    """Build one projection from the events topic (a consumer group per projection)."""
    settings, topics, stop = _start(f"project.{name}")
    consumer = kafka.consumer(settings.kafka_bootstrap, topics.group(f"project.{name}"), settings.batch_size)
    try:
        projector = when_ready(lambda: Projector(build_orders(settings), build_engine(settings), PROJECTIONS[name](),
                                                 consumer, topics, settings.batch_size), stop, settings.max_retries)
        _serve(f"project.{name}", projector, settings, stop)
    finally:
        consumer.close()


@click.command(name="publish")
@click.argument("source", type=click.File("rb"))
def publish_command(source) -> None:
    """Publish upstream messages from a JSONL FILE (or - for stdin) to the upstream topic."""
    settings, topics = _kafka_settings()
    _ensure_topics(settings, topics)
    producer = kafka.producer(settings.kafka_bootstrap, "orderclaims-publish")
    try:
        sent = publish_lines(producer, topics.upstream, source)
    finally:
        producer.close()
    click.echo(f"published {sent:,} messages to {topics.upstream}")
