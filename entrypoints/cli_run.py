"""`orderclaims run ingest | relay | project [NAME...]`: the long-running Kafka processes (SPEC §8).

Each reads its settings from the environment, logs one JSON object per line on stderr, stops
cleanly on SIGTERM (finishes its batch, closes its clients), retries transient faults with backoff
and exits non-zero after too many in a row, for its supervisor to restart it. With a metrics port
it answers /metrics, /healthz and /readyz there (entrypoints/probes.py).
"""

import logging
import math

import click
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError

from messaging import topics as kafka
from consumers.kafka_ingest import IngestWorker
from consumers.kafka_project import Projector
from messaging.health import Health
from messaging.metrics import CHECKPOINT_SIZE
from messaging.process_loop import StopFlag, Worker, run_loop, when_ready
from entrypoints import logs
from entrypoints.bootstrap import Settings, build_engine, build_orders, collect_less
from entrypoints.probes import serve_probes
from producers.relay import Relay
from producers.upstream import publish_lines
from projections.runner import PROJECTIONS
from store.audit import stored_checkpoints

log = logging.getLogger("orderclaims")


def _kafka_settings() -> tuple[Settings, kafka.Topics]:
    settings = Settings.from_env()
    if not settings.kafka_bootstrap:
        raise click.UsageError("set ORDERCLAIMS_KAFKA_BOOTSTRAP (host:port of a Kafka broker)")
    return settings, kafka.Topics(settings.topic_prefix)


def _ensure_topics(settings: Settings, topics: kafka.Topics) -> None:
    kafka.ensure_topics(settings.kafka_bootstrap, topics, settings.partitions)


def _start(role: str, metrics_port: int | None) -> tuple[Settings, kafka.Topics, StopFlag, Health]:
    settings, topics = _kafka_settings()
    logs.configure(settings.log_level)
    stop = StopFlag().install()
    health = Health(role, settings.stall_s)
    port = settings.metrics_port if metrics_port is None else metrics_port
    if port is not None:
        serve_probes(health, settings.metrics_host, port)
    log.info("starting", extra={"role": role, "topics": topics.prefix})
    when_ready(lambda: _ensure_topics(settings, topics), stop, settings.max_retries)
    return settings, topics, stop, health


def _serve(worker: Worker, settings: Settings, stop: StopFlag, health: Health, idle_pause: float = 0.0) -> None:
    ended = "stopped"
    collect_less()
    try:
        run_loop(worker, stop, health, settings.max_retries, idle_pause=idle_pause)
    except BaseException as error:
        ended = f"the loop ended: {error!r}"
        raise
    finally:
        health.end(ended)
        log.info("stopped", extra={"role": health.role})


def _checkpoint_size(engine: Engine) -> float:
    """The latest checkpoint's size, read when scraped (NaN while the database does not answer)."""
    try:
        stored = stored_checkpoints(engine)
    except DBAPIError:
        return math.nan
    return stored[-1].size if stored else 0


metrics_port_option = click.option(
    "--metrics-port", type=click.IntRange(min=0), default=None,
    help="Serve /metrics, /healthz and /readyz on this port (0: a free one, logged) "
         "[default: ORDERCLAIMS_METRICS_PORT, else none].")


@click.group(name="run")
def run_group() -> None:
    """The long-running Kafka processes of the distributed mode."""


@run_group.command(name="ingest")
@metrics_port_option
def run_ingest(metrics_port: int | None) -> None:
    """Consume the upstream topic into the event store (a consumer-group member)."""
    settings, topics, stop, health = _start("ingest", metrics_port)
    app = when_ready(lambda: build_orders(settings), stop, settings.max_retries)
    consumer = kafka.consumer(settings.kafka_bootstrap, topics.group("ingest"), settings.batch_size)
    producer = kafka.producer(settings.kafka_bootstrap, topics.group("ingest"))
    try:
        _serve(IngestWorker(app, consumer, producer, topics, settings.batch_size), settings, stop, health)
    finally:
        consumer.close()
        producer.close()


@run_group.command(name="relay")
@metrics_port_option
def run_relay(metrics_port: int | None) -> None:
    """Publish the event store's log to the events and rejections topics."""
    settings, topics, stop, health = _start("relay", metrics_port)
    engine = build_engine(settings)
    CHECKPOINT_SIZE.labels("relay").set_function(lambda: _checkpoint_size(engine))
    producer = kafka.relay_producer(settings.kafka_bootstrap, topics.group("relay"), settings.kafka_producer)
    try:
        relay = when_ready(lambda: Relay(build_orders(settings), producer, topics, settings.batch_size), stop,
                           settings.max_retries)
        _serve(relay, settings, stop, health, idle_pause=0.05)
    finally:
        producer.close()


@run_group.command(name="project")
@click.argument("names", nargs=-1, type=click.Choice(list(PROJECTIONS)))
@metrics_port_option
def run_project(names: tuple[str, ...], metrics_port: int | None) -> None:
    """Build the projections NAMES (all of them when none is named) from the events topic: one
    consumer group per set of projections, each batch consumed and decoded once for all of them."""
    chosen = [name for name in PROJECTIONS if name in names] if names else list(PROJECTIONS)
    role = kafka.projector_role(chosen)
    settings, topics, stop, health = _start(role, metrics_port)
    consumer = kafka.consumer(settings.kafka_bootstrap, topics.group(role), settings.batch_size)
    try:
        projector = when_ready(lambda: Projector(build_orders(settings), build_engine(settings),
                                                 [PROJECTIONS[name]() for name in chosen], consumer, topics,
                                                 settings.batch_size), stop, settings.max_retries)
        _serve(projector, settings, stop, health)
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
