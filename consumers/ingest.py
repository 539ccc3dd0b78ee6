"""Ingest upstream messages from lines (a JSONL file or stdin) in batches, and summarise (SPEC §8)."""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from consumers.contracts import InvalidMessage
from consumers.routes import parse, to_command
from domain.application import Orders
from domain.unit_of_work import Command, Outcome

BATCH_SIZE = 500


@dataclass
class Summary:
    """accepted, duplicates, rejected (with codes), invalid (with reasons)."""

    accepted: int = 0
    duplicates: int = 0
    rejected: list[dict] = field(default_factory=list)
    invalid: list[dict] = field(default_factory=list)

    def count(self, outcome: Outcome) -> None:
        if outcome.status == "accepted":
            self.accepted += 1
        elif outcome.status == "duplicate":
            self.duplicates += 1
        else:
            self.rejected.append(
                {"message_id": outcome.message_id, "code": outcome.code, "detail": outcome.detail}
            )

    def as_json(self) -> dict:
        return {
            "accepted": self.accepted,
            "duplicates": self.duplicates,
            "rejected": self.rejected,
            "invalid": self.invalid,
        }


def ingest_lines(
    app: Orders,
    lines: Iterable[bytes | str],
    batch_size: int = BATCH_SIZE,
    on_batch: Callable[[int], None] | None = None,
) -> Summary:
    """Process the lines in order, `batch_size` messages to a transaction; blank lines are skipped."""
    summary = Summary()
    batch: list[Command] = []

    def flush() -> None:
        for outcome in app.process(batch):
            summary.count(outcome)
        if on_batch is not None:
            on_batch(len(batch))
        batch.clear()

    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            message = parse(line)
        except InvalidMessage as invalid:
            summary.invalid.append({"line": number, "message_id": invalid.message_id, "reason": invalid.reason})
            continue
        batch.append(to_command(message))
        if len(batch) >= batch_size:
            flush()
    if batch:
        flush()
    return summary
