"""What the long-running processes share: a stop flag set by SIGTERM, and the loop that retries
transient faults with backoff and never steps past them.

Two kinds of failure (STYLE.md): an unusable message is handled by the step itself (dead letter,
rejection) and never reaches this loop; a transient fault — the database or the broker away, a
conflict with another worker — makes the loop undo the step (`recover`) and try again after a
growing pause. After `max_retries` faults in a row it gives up with the error, so a supervisor
restarts the process. After each batch it records where the worker stands, for the metrics and
the readiness rule (messaging/metrics.py, messaging/health.py).
"""

import logging
import signal
import threading
import time
from collections.abc import Callable
from typing import Protocol, TypeVar

from eventsourcing.persistence import IntegrityError as StoreConflict
from eventsourcing.persistence import InterfaceError as StoreInterfaceError
from eventsourcing.persistence import OperationalError as StoreOperationalError
from eventsourcing.persistence import PersistenceError
from kafka.errors import KafkaError
from sqlalchemy.exc import DBAPIError, IntegrityError

from messaging.health import Health
from messaging.metrics import Progress, observe_batch

log = logging.getLogger("orderclaims.loop")
T = TypeVar("T")

TRANSIENT: tuple[type[BaseException], ...] = (
    StoreOperationalError, StoreInterfaceError, StoreConflict,  # the event store away, or another writer first
    DBAPIError, IntegrityError,  # the read-model database away, or another writer first
    # (a projection's PositionConflict is a StoreConflict)
    KafkaError,  # the broker away, a rebalance, a timeout
    ConnectionError, TimeoutError,
)


def backoff(attempt: int, first: float = 0.5, longest: float = 30.0) -> float:
    return min(first * 2 ** (attempt - 1), longest)


def when_ready(make: Callable[[], T], stop: "StopFlag", max_retries: int = 10) -> T:
    """Build a client or the application, waiting for the database and the broker to answer.
    Also absorbs the race of several processes creating the same tables on a fresh database."""
    for attempt in range(1, max_retries + 2):
        try:
            return make()
        except (*TRANSIENT, PersistenceError) as error:
            if attempt > max_retries or stop:
                raise
            log.warning("not ready, retrying", extra={"attempt": attempt, "error": repr(error)})
            stop.sleep(backoff(attempt))
    raise AssertionError("unreachable")


class StopFlag:
    """Set by SIGTERM or SIGINT; the loop finishes its step and returns."""

    def __init__(self) -> None:
        self._event = threading.Event()

    def install(self) -> "StopFlag":
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, lambda *_: self.set())
        return self

    def set(self) -> None:
        self._event.set()

    def __bool__(self) -> bool:
        return self._event.is_set()

    def sleep(self, seconds: float) -> None:
        self._event.wait(seconds)


class Worker(Protocol):
    progress: Progress  # where it stands after its last step

    def step(self) -> int:
        """One batch; how much it did."""

    def recover(self) -> None:
        """Undo a failed step."""


def run_loop(worker: Worker, stop: StopFlag, health: Health, max_retries: int = 10, idle_pause: float = 0.0) -> None:
    """Call `worker.step` until stopped; nothing done → pause `idle_pause`."""
    faults = 0
    while not stop:
        started = time.perf_counter()
        try:
            done = worker.step()
        except TRANSIENT as error:
            health.faulted()
            faults += 1
            if faults > max_retries:
                log.error("giving up after repeated faults", extra={"faults": faults - 1, "error": repr(error)})
                raise
            pause = backoff(faults)
            log.warning("transient fault, retrying", extra={"attempt": faults, "pause_s": pause, "error": repr(error)})
            stop.sleep(pause)
            _recover(worker.recover)
            continue
        faults = 0
        observe_batch(health.role, done, time.perf_counter() - started, worker.progress)
        health.stepped(done, worker.progress.lag)
        if not done and idle_pause:
            stop.sleep(idle_pause)


def _recover(recover: Callable[[], None]) -> None:
    """Undo the failed step; a fault here is retried by the next step's failure."""
    try:
        recover()
    except TRANSIENT as error:
        log.warning("recovery failed, will retry", extra={"error": repr(error)})
