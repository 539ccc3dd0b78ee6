"""The composition root: settings from the environment, and the application built from them."""

import gc
import os
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy.engine import Engine

from store.engines import event_store_env, make_engine

if TYPE_CHECKING:  # the application is imported when one is built: a query at the head needs none (0019)
    from domain.application import Orders

DEFAULT_DATABASE_URL = "sqlite:///orderclaims.db"


@dataclass(frozen=True)
class Settings:
    """Every setting, from ORDERCLAIMS_* environment variables (the README lists them)."""

    database_url: str = DEFAULT_DATABASE_URL
    aggregate_cache: int = 10_000
    kafka_bootstrap: str = ""
    kafka_producer: str = "kafka-python"  # the relay's client; confluent-kafka with the `fast` extra
    topic_prefix: str = "orderclaims"
    partitions: int = 4
    batch_size: int = 1000
    max_retries: int = 10
    log_level: str = "INFO"
    checkpoint_every: int = 100_000
    metrics_port: int | None = None  # the probes of `run` processes; None: none, 0: a free port
    metrics_host: str = "127.0.0.1"
    stall_s: float = 30.0  # a process that has work left and has not moved for this long is not ready

    @classmethod
    def from_env(cls) -> "Settings":
        env = os.environ.get
        return cls(
            database_url=env("ORDERCLAIMS_DATABASE_URL", DEFAULT_DATABASE_URL),
            aggregate_cache=int(env("ORDERCLAIMS_AGGREGATE_CACHE", "10000")),
            kafka_bootstrap=env("ORDERCLAIMS_KAFKA_BOOTSTRAP", ""),
            kafka_producer=env("ORDERCLAIMS_KAFKA_PRODUCER", "kafka-python"),
            topic_prefix=env("ORDERCLAIMS_TOPIC_PREFIX", "orderclaims"),
            partitions=int(env("ORDERCLAIMS_PARTITIONS", "4")),
            batch_size=int(env("ORDERCLAIMS_BATCH_SIZE", "1000")),
            max_retries=int(env("ORDERCLAIMS_MAX_RETRIES", "10")),
            log_level=env("ORDERCLAIMS_LOG_LEVEL", "INFO"),
            checkpoint_every=int(env("ORDERCLAIMS_CHECKPOINT_EVERY", "100000")),
            metrics_port=int(env("ORDERCLAIMS_METRICS_PORT")) if env("ORDERCLAIMS_METRICS_PORT") else None,
            metrics_host=env("ORDERCLAIMS_METRICS_HOST", "127.0.0.1"),
            stall_s=float(env("ORDERCLAIMS_STALL_SECONDS", "30")),
        )

    @property
    def embedded(self) -> bool:
        """Embedded mode: queries bring the projections up to the store's head themselves.
        Distributed mode (a Kafka broker is configured): the projector processes do it."""
        return not self.kafka_bootstrap


GC_YOUNGEST = 20_000  # allocations between collections of the youngest generation (CPython's default: 700)


def collect_less() -> None:
    """For a process that ingests or projects batches for long: what exists once it is built (modules,
    the application) is moved out of the collector's sight, and the youngest generation is collected
    after 20,000 allocations, not 700. A batch of 1,000 messages makes hundreds of thousands of
    short-lived objects, nearly all freed by reference counting; the default thresholds walk them
    again and again (100,000 orders: 5,364 → 6,675 msgs/s without sealing, docs/decisions/0004)."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(GC_YOUNGEST, 10, 10)


def build_engine(settings: Settings | None = None) -> Engine:
    return make_engine((settings or Settings.from_env()).database_url)


def build_orders(settings: Settings | None = None, reveal: bool = False) -> "Orders":
    """The application on the configured store, buyer data sealed with the buyer keys (SPEC §7);
    `reveal`: personal data read back in plaintext, not masked (only for `history --unmask`)."""
    from domain.application import Orders
    from store.audit import chain_key, keyed_from_record, tables
    from store.keys import BuyerKeys
    from store.sealing import Sealer

    settings = settings or Settings.from_env()
    env = event_store_env(settings.database_url)
    if settings.aggregate_cache:
        env["AGGREGATE_CACHE_MAXSIZE"] = str(settings.aggregate_cache)
    app = Orders(env=env)
    engine = make_engine(settings.database_url)
    keys = BuyerKeys.open(engine, settings.database_url)
    tables(engine)  # the links' tags name the latest checkpoint
    # a new chain key only for a store that has no keyed link yet (a copied database must not get one)
    app.recorder.chain_key = chain_key(settings.database_url, engine, create=keyed_from_record(engine) is None)
    app.mapper.sealer = Sealer(keys, first_state=lambda order_id: _first_state(app, order_id), reveal=reveal)
    keys.on_erased.append(lambda _buyers: app.forget_cached_aggregates())  # they hold buyer data read in the clear
    app.check_erasures = keys.revalidate
    return app


def _first_state(app: "Orders", originator_id) -> dict | None:
    """The stored state of an aggregate's first event, as stored (sealed)."""
    first = app.recorder.select_events(originator_id, lte=1)
    return app.mapper.transcoder.decode(first[0].state) if first else None
