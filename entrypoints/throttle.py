"""Wrong keys at the login form, slowed per client address (docs/decisions/0012): after LIMIT wrong
keys within WINDOW, the address waits before its next try — FIRST_WAIT, doubled for every further
wrong key, at most LONGEST_WAIT — and is answered 429 with Retry-After meanwhile. A right key
clears its address. Kept in the memory of one server process (a restart forgets; each process of
several counts on its own), for at most CLIENTS addresses (the longest unseen is forgotten first)."""

import math
import time
from collections import OrderedDict
from collections.abc import Callable

LIMIT = 10
WINDOW_S = 15 * 60
FIRST_WAIT_S = 30
LONGEST_WAIT_S = 15 * 60
CLIENTS = 10_000


class LoginThrottle:
    def __init__(self, clock: Callable[[], float] = time.monotonic):
        self.clock = clock
        self._failures: OrderedDict[str, list[float]] = OrderedDict()  # address -> times of wrong keys

    def wait(self, client: str) -> int:
        """Seconds the address must still wait before it may try a key (0: it may now)."""
        failures = self._recent(client)
        if len(failures) < LIMIT:
            return 0
        pause = min(FIRST_WAIT_S * 2 ** (len(failures) - LIMIT), LONGEST_WAIT_S)
        return max(0, math.ceil(failures[-1] + pause - self.clock()))

    def failed(self, client: str) -> None:
        self._failures[client] = [*self._recent(client), self.clock()]
        self._failures.move_to_end(client)
        while len(self._failures) > CLIENTS:
            self._failures.popitem(last=False)

    def succeeded(self, client: str) -> None:
        self._failures.pop(client, None)

    def _recent(self, client: str) -> list[float]:
        since = self.clock() - WINDOW_S
        return [t for t in self._failures.get(client, ()) if t > since]
