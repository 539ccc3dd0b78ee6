"""Both local servers at once: what `make services-up`, the test suite and the benchmark start."""

from tools.services.kafka import KafkaBroker
from tools.services.postgres import PostgresServer


def start_both(durable: bool = True) -> tuple[KafkaBroker, PostgresServer]:
    """PostgreSQL, then Kafka; if Kafka cannot start, PostgreSQL is stopped again."""
    postgres = PostgresServer.start(durable=durable)
    try:
        return KafkaBroker.start(), postgres
    except BaseException:
        postgres.stop()
        raise
