"""`python -m tools.services up|down|env`: start, stop, or show the local Kafka and PostgreSQL.

`up` starts both on free 127.0.0.1 ports, waits until both answer, remembers them in
.services/state.json and prints `export ...` lines for `eval`; `down` stops them.
"""

import json
import sys

from store.keyring import new_key
from tools.services import CACHE, ServiceError
from tools.services.kafka import KafkaBroker
from tools.services.local import start_both
from tools.services.postgres import PostgresServer

STATE = CACHE / "state.json"


def exports(kafka: KafkaBroker, postgres: PostgresServer, master_key: str, chain_key: str) -> str:
    return (f"export ORDERCLAIMS_DATABASE_URL={postgres.url}\n"
            f"export ORDERCLAIMS_KAFKA_BOOTSTRAP={kafka.bootstrap}\n"
            f"export ORDERCLAIMS_MASTER_KEY={master_key}\n"
            f"export ORDERCLAIMS_CHAIN_KEY={chain_key}")


def up() -> None:
    if STATE.exists():
        print("# already up (make services-down first to restart)", file=sys.stderr)
        env()
        return
    kafka, postgres = start_both()
    CACHE.mkdir(exist_ok=True)
    master_key = new_key()  # in your shell, never in the database
    chain_key = new_key()  # the links' key tags: likewise
    STATE.write_text(json.dumps({"kafka": vars(kafka), "postgres": vars(postgres), "master_key": master_key,
                                 "chain_key": chain_key}))
    STATE.chmod(0o600)
    print(f"# Kafka answered in {kafka.started_in_s:.1f} s, PostgreSQL in {postgres.started_in_s:.1f} s", file=sys.stderr)
    print(exports(kafka, postgres, master_key, chain_key))


def _load() -> tuple[KafkaBroker, PostgresServer, str, str] | None:
    if not STATE.exists():
        return None
    state = json.loads(STATE.read_text())
    if "chain_key" not in state:  # services started before key tags
        state["chain_key"] = new_key()
        STATE.write_text(json.dumps(state))
    return KafkaBroker(**state["kafka"]), PostgresServer(**state["postgres"]), state["master_key"], state["chain_key"]


def env() -> None:
    running = _load()
    if running is None:
        raise ServiceError("no local services: run `make services-up`")
    print(exports(*running))


def down() -> None:
    running = _load()
    if running is None:
        print("# nothing to stop", file=sys.stderr)
        return
    for service in running[:2]:
        service.stop()
    STATE.unlink()
    print("# stopped Kafka and PostgreSQL", file=sys.stderr)


def main(argv: list[str]) -> int:
    commands = {"up": up, "down": down, "env": env}
    if len(argv) != 1 or argv[0] not in commands:
        print("usage: python -m tools.services up|down|env", file=sys.stderr)
        return 2
    try:
        commands[argv[0]]()
    except ServiceError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
