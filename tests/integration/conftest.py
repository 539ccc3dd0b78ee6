"""Real Kafka and a real PostgreSQL for the integration tests, started by the suite itself with the
code behind `make services-up` — or the ones the environment names (a user's `docker compose up`).
A service that cannot start fails these tests; it never skips them."""

import os

import pytest

from store.audit import CHAIN_KEY_ENV, SIGNING_KEY_ENV
from store.keyring import new_key
from store.keys import MASTER_KEY_ENV
from tools.services.local import start_both
from tests.integration.stack import Services, Stack


@pytest.fixture(scope="session")
def services():
    os.environ.setdefault(MASTER_KEY_ENV, new_key())  # PostgreSQL stores have no key file: the processes share this
    os.environ.setdefault(SIGNING_KEY_ENV, new_key())  # any 32 random bytes make an Ed25519 key
    os.environ.setdefault(CHAIN_KEY_ENV, new_key())  # the links' key tags
    bootstrap, url = os.environ.get("ORDERCLAIMS_KAFKA_BOOTSTRAP"), os.environ.get("ORDERCLAIMS_DATABASE_URL", "")
    if bootstrap and url.startswith("postgresql"):
        yield Services(bootstrap, url)
        return
    kafka, postgres = start_both(durable=False)  # a test server needs no fsync; `make services-up` has it
    print(f"\nKafka answered in {kafka.started_in_s:.1f} s, PostgreSQL in {postgres.started_in_s:.1f} s")
    try:
        yield Services(kafka.bootstrap, postgres.url)
    finally:
        kafka.stop()
        postgres.stop()


@pytest.fixture
def stack(services, tmp_path):
    """A fresh database and fresh topics on the shared servers, and the processes a test starts."""
    stack = Stack.fresh(services, tmp_path)
    try:
        yield stack
    finally:
        stack.kill_all()
