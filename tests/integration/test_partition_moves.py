"""Routine operations never change a decision (issue 24): partitions move between ingest workers
when one joins and when it leaves, and each worker must decide with what the store holds, not
with aggregates it cached before another worker wrote them. The same stream gives the same
outcome for every message as in embedded mode."""

import json

import orjson
import pytest

from consumers.ingest import ingest_lines
from domain.application import Orders
from domain.receipt import receipt_id
from entrypoints.bootstrap import Settings, build_orders
from tests.unit.messages import message, placed

ORDERS = 160


def day(n: int, hour: int = 10) -> str:
    return f"2026-11-{n:02d}T{hour:02d}:00:00+09:00"


def phases() -> list[list[dict]]:
    """Three phases of one return per order: requested; approved; collected and refunded."""
    first, second, third = [], [], []
    for i in range(ORDERS):
        no, cart = f"7{i:05d}", f"C7{i:05d}"
        first += [placed(no, cart, "S001"),
                  message("order.shipped", no, "seller", day(3), carrier="yamato", tracking_no=f"T{i}", trackable=True),
                  message("order.delivered", no, "carrier", day(4), by="tracking"),
                  message("return.requested", no, "buyer", day(5), reason="damaged", responsibility="seller")]
        second += [message("return.approved", no, "seller", day(6), note="")]
        third += [message("return.collected", no, "seller", day(8), note=""),
                  message("refund.paid", no, "payment", day(9))]
    for batch in (first, second, third):
        for m in batch:
            m["cart_no"] = f"C{m['order_no']}"  # the publisher keys by cart
    return [first, second, third]


def outcomes(app: Orders, messages: list[dict]) -> dict[str, tuple]:
    decided = {}
    for m in messages:
        receipt = next(iter(app.events.get(receipt_id(m["message_id"]))), None)
        decided[m["message_id"]] = (receipt.outcome, receipt.code) if receipt else None
    return decided


def assignments(stack, process) -> list[list[int]]:
    entries = [orjson.loads(line) for line in stack.log_files[process].read_bytes().splitlines() if line.startswith(b"{")]
    return [e["partitions"] for e in entries if e.get("msg") == "partitions assigned"]


def publish(stack, messages: list[dict]) -> None:
    stack.cli("publish", "-", stdin=b"\n".join(orjson.dumps(m) for m in messages))


def test_a_worker_joining_and_leaving_changes_no_decision(stack, tmp_path):
    stream = phases()
    everything = [m for phase in stream for m in phase]
    embedded = build_orders(Settings(database_url=f"sqlite:///{tmp_path / 'embedded.db'}"))
    ingest_lines(embedded, [orjson.dumps(m) for m in everything])
    expected = outcomes(embedded, everything)
    assert set(expected.values()) == {("accepted", None)}

    publish(stack, stream[0])
    first = stack.start("ingest")
    stack.wait(stack.ingested, "the first phase ingested by one worker")
    assert assignments(stack, first)[-1] == [0, 1, 2, 3]

    second = stack.start("ingest")  # joins: the partitions are shared out
    stack.wait(lambda: assignments(stack, second) and assignments(stack, second)[-1], "the second worker assigned")
    stack.wait(lambda: len(assignments(stack, first)) >= 2 and assignments(stack, first)[-1] != [0, 1, 2, 3],
               "the first worker's share reduced")
    publish(stack, stream[1])
    stack.wait(stack.ingested, "the second phase ingested by two workers")

    assert stack.stop(second) == 0  # leaves: every partition back to the first worker
    stack.wait(lambda: assignments(stack, first)[-1] == [0, 1, 2, 3], "the first worker owning every partition again")
    publish(stack, stream[2])
    stack.wait(stack.ingested, "the third phase ingested by the first worker")

    decided = outcomes(stack.app, everything)
    differing = {mid: (decided[mid], expected[mid]) for mid in expected if decided[mid] != expected[mid]}
    assert differing == {}, f"{len(differing)} of {len(expected)} messages decided otherwise: {list(differing.items())[:5]}"
