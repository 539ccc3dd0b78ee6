"""Ingest upstream messages from lines (a JSONL file or stdin) in batches, and summarise (SPEC §8).

Memory stays bounded whatever the input: a line longer than the contract's limit is never held
whole (its first 64 KB, length and SHA-256 stand for it), and the summary counts every message
but lists only the first LISTED rejections and invalid lines.
"""

import hashlib
import logging
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import BinaryIO

from consumers.contracts import BOM, MAX_LINE, InvalidMessage
from consumers.routes import parse, to_command
from messaging.dead_letters import HEAD
from messaging.process_loop import TRANSIENT, backoff
from store.files import disk_full
from domain.application import Orders
from domain.unit_of_work import Command, Outcome

BATCH_SIZE = 500
LISTED = 1000  # rejections and invalid lines listed in the summary; all are counted
log = logging.getLogger("orderclaims.ingest")


class IngestStopped(Exception):
    """A batch kept failing with a transient fault, or met a full disk: what was done before it is in
    `summary`."""

    def __init__(self, summary: "Summary", line: int, error: BaseException):
        why = "the disk is full" if disk_full(error) else "after repeated faults"
        super().__init__(f"stopped before line {line:,} {why}: {type(error).__name__}: {error}")
        self.summary, self.line, self.error = summary, line, error


@dataclass(frozen=True)
class LongLine:
    """A line over MAX_LINE bytes, not kept: its first HEAD bytes, its length and SHA-256."""

    head: bytes
    length: int
    sha256: str

    @property
    def reason(self) -> str:
        return f"line: {self.length:,} bytes, more than {MAX_LINE:,}: not parsed"


def read_lines(stream: BinaryIO, limit: int = MAX_LINE) -> Iterator[bytes | LongLine]:
    """The lines of a binary stream (a UTF-8 byte-order mark at its start dropped); a line over
    `limit` bytes comes as a LongLine, read through in chunks, never whole."""
    first = True
    while True:
        line = stream.readline(limit + 1)
        if not line:
            return
        if first:
            line, first = line.removeprefix(BOM), False
        if len(line.rstrip(b"\r\n")) <= limit:
            yield line
            continue
        digest, length, head = hashlib.sha256(), 0, line[:HEAD]
        while line:
            done = line.endswith(b"\n")
            content = line[:-1] if done else line
            digest.update(content)
            length += len(content)
            line = b"" if done else stream.readline(1 << 20)
        yield LongLine(head, length, digest.hexdigest())


@dataclass
class Summary:
    """accepted, duplicates, rejected (with codes), invalid (with reasons), parked (with the error):
    every one counted, the first LISTED of each listed."""

    accepted: int = 0
    duplicates: int = 0
    rejected: list[dict] = field(default_factory=list)
    invalid: list[dict] = field(default_factory=list)
    parked: list[dict] = field(default_factory=list)
    rejected_count: int = 0
    invalid_count: int = 0
    parked_count: int = 0
    codes: Counter = field(default_factory=Counter)

    def count(self, outcome: Outcome) -> None:
        if outcome.status == "accepted":
            self.accepted += 1
        elif outcome.status == "duplicate":
            self.duplicates += 1
        elif outcome.status == "parked":
            self.parked_count += 1
            if len(self.parked) < LISTED:
                self.parked.append({"message_id": outcome.message_id, "error": outcome.detail})
        else:
            self.rejected_count += 1
            self.codes[outcome.code] += 1
            if len(self.rejected) < LISTED:
                self.rejected.append({"message_id": outcome.message_id, "code": outcome.code, "detail": outcome.detail})

    def count_invalid(self, line: int, reason: str, message_id: str | None) -> None:
        self.invalid_count += 1
        if len(self.invalid) < LISTED:
            self.invalid.append({"line": line, "message_id": message_id, "reason": reason})

    def as_json(self) -> dict:
        document = {
            "accepted": self.accepted,
            "duplicates": self.duplicates,
            "rejected": self.rejected,
            "invalid": self.invalid,
        }
        if self.parked_count:
            document["parked"] = self.parked
        if self.rejected_count > len(self.rejected) or self.invalid_count > len(self.invalid):
            document["counts"] = {"rejected": self.rejected_count, "invalid": self.invalid_count}
            document["note"] = f"only the first {LISTED} rejections and invalid lines are listed"
        return document


def ingest_lines(
    app: Orders,
    lines: Iterable[bytes | str | LongLine],
    batch_size: int = BATCH_SIZE,
    on_batch: Callable[[int], None] | None = None,
    max_retries: int = 0,
) -> Summary:
    """Process the lines in order, `batch_size` messages to a transaction; blank lines are skipped.
    A batch that meets a transient fault (the database busy or locked by another process, another
    writer first) runs again after a growing pause, up to `max_retries` times (the command line:
    ORDERCLAIMS_MAX_RETRIES); then — or at once on a full disk — IngestStopped carries the summary of the
    batches before it. Without retries the fault is raised as it is."""
    summary = Summary()
    batch: list[Command] = []
    first_line = 1

    def flush() -> None:
        for attempt in range(1, max_retries + 2):
            try:
                outcomes = app.process(batch)
                break
            except TRANSIENT as error:
                if attempt > max_retries or (max_retries and disk_full(error)):
                    if not max_retries:
                        raise
                    raise IngestStopped(summary, first_line, error) from error
                log.warning("transient fault, retrying the batch", extra={"attempt": attempt, "error": repr(error)})
                time.sleep(backoff(attempt))
        for outcome in outcomes:
            summary.count(outcome)
        if on_batch is not None:
            on_batch(len(batch))
        batch.clear()

    for number, line in enumerate(lines, start=1):
        if isinstance(line, LongLine):
            summary.count_invalid(number, line.reason, None)
            continue
        if not line.strip():
            continue
        try:
            message = parse(line)
        except InvalidMessage as invalid:
            summary.count_invalid(number, invalid.reason, invalid.message_id)
            continue
        batch.append(to_command(message, raw=line if isinstance(line, bytes) else line.encode(), source=f"line {number}"))
        if len(batch) >= batch_size:
            flush()
            first_line = number + 1
    if batch:
        flush()
    return summary
