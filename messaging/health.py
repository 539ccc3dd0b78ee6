"""Liveness and readiness of a long-running process (SPEC §8 `/healthz`, `/readyz`): the rule, a pure
function of times and a lag, and the little state the process loop keeps for it.

Alive: until its loop has ended. Ready: once a batch has been polled and its lag measured, and then
as long as it keeps up — not ready while work remains (lag > 0) and nothing has moved for `stall_s`
(a batch that did work, or a poll that found nothing left, moves the clock), nor while transient
faults have lasted `stall_s`.
"""

import threading
import time
from collections.abc import Callable

STALL_S = 30.0


def not_ready(now: float, *, lag: int | None, moving_at: float | None, failing_since: float | None,
              stall_s: float = STALL_S) -> str | None:
    """Why the process is not ready, or None when it is."""
    if failing_since is not None and now - failing_since >= stall_s:
        return f"transient faults for {now - failing_since:.0f} s"
    if moving_at is None or lag is None:
        return "starting: no batch polled yet"
    if lag > 0 and now - moving_at >= stall_s:
        return f"{lag} behind and no progress for {now - moving_at:.0f} s"
    return None


class Health:
    """Written by the process loop, read by the probes (another thread)."""

    def __init__(self, role: str, stall_s: float = STALL_S, clock: Callable[[], float] = time.monotonic):
        self.role = role
        self.stall_s = stall_s
        self.clock = clock
        self.lag: int | None = None
        self.moving_at: float | None = None
        self.failing_since: float | None = None
        self.ended: str | None = None  # why the loop ended
        self._lock = threading.Lock()

    def stepped(self, done: int, lag: int | None) -> None:
        with self._lock:
            self.failing_since = None
            self.lag = lag
            if lag is not None and (done or lag == 0 or self.moving_at is None):
                self.moving_at = self.clock()

    def faulted(self) -> None:
        with self._lock:
            if self.failing_since is None:
                self.failing_since = self.clock()

    def end(self, reason: str) -> None:
        with self._lock:
            self.ended = reason

    def not_alive(self) -> str | None:
        return self.ended

    def not_ready(self) -> str | None:
        with self._lock:
            if self.ended is not None:
                return self.ended
            return not_ready(self.clock(), lag=self.lag, moving_at=self.moving_at, failing_since=self.failing_since,
                             stall_s=self.stall_s)
