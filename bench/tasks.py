"""Benchmark tasks that run in a child process of their own (so each has its own peak RSS):
`python -m bench.tasks TASK ARGS...`, printing one JSON object."""

import sys
import time

import orjson

from consumers.ingest import ingest_lines, read_lines
from entrypoints.bootstrap import Settings, build_orders
from store.recorders import ChainWriter


def raw_append(source_db: str, target_db: str, batch: int = 10_000) -> dict:
    """The stored events of `source_db` appended again to an empty store, in large batches, straight
    through the recorder: the store's own limit, without parsing, rules or serialisation."""
    source = build_orders(Settings(database_url=f"sqlite:///{source_db}", aggregate_cache=0))
    target = build_orders(Settings(database_url=f"sqlite:///{target_db}", aggregate_cache=0))
    events, seconds, start = 0, 0.0, 0
    while True:  # read a batch (not timed), append it (timed)
        notifications = source.recorder.select_notifications(start + 1, limit=batch)
        if not notifications:
            break
        began = time.perf_counter()
        target.recorder.insert_events(notifications)
        seconds += time.perf_counter() - began
        events += len(notifications)
        start = notifications[-1].id
    return {"events": events, "seconds": round(seconds, 3), "events_per_s": round(events / seconds)}


def plain_ingest(stream: str, target_db: str) -> dict:
    """`orderclaims ingest` without what SPEC §7 adds to it: no buyer data sealed, no hash chain
    written, no checkpoint. The baseline of what encryption and chaining cost."""
    ChainWriter._chain_rows = lambda self, c, stored_events: []
    app = build_orders(Settings(database_url=f"sqlite:///{target_db}"))
    app.mapper.sealer = None
    began = time.perf_counter()
    with open(stream, "rb") as lines:
        summary = ingest_lines(app, read_lines(lines))
    seconds = time.perf_counter() - began
    return {"accepted": summary.accepted, "seconds": round(seconds, 3)}


def scheme_ingest(stream: str, target_db: str, scheme: str, cache_kib: str = "65536") -> dict:
    """`orderclaims ingest` into a new store whose orders and carts get `scheme`'s ids (uuid5: as an
    earlier release's store; uuid7: as a new one), with each SQLite connection's page cache `cache_kib`
    (a small one makes a small store's index outgrow it, as a store of a million orders outgrows 64 MB).
    Throughput over the whole stream, and over its first and last fifths (docs/decisions/0019)."""
    import store.recorders

    store.recorders.PAGE_CACHE_KIB = int(cache_kib)
    app = build_orders(Settings(database_url=f"sqlite:///{target_db}"))
    app.recorder._id_scheme = scheme  # the store's scheme, as if recorded: asked before its first batch
    marks: list[tuple[int, float]] = []
    done = [0]

    def batch_done(n: int) -> None:
        done[0] += n
        marks.append((done[0], time.perf_counter()))

    with open(stream, "rb") as f:
        total = sum(1 for _ in f)
    io_before, cpu_before = _io(), time.process_time()
    began = time.perf_counter()
    with open(stream, "rb") as lines:
        summary = ingest_lines(app, read_lines(lines), on_batch=batch_done)
    seconds = time.perf_counter() - began
    cpu, io = time.process_time() - cpu_before, {k: v - io_before[k] for k, v in _io().items()}

    def rate(start: float, end: float) -> int:
        (m0, t0), (m1, t1) = (next(m for m in [(0, began), *marks] if m[0] >= start * total),
                              next(m for m in marks if m[0] >= end * total))
        return round((m1 - m0) / (t1 - t0))

    ids = app.recorder.aggregate_id("order", "100001") if scheme == "uuid7" else None
    return {"scheme": scheme, "cache_kib": int(cache_kib), "messages": total, "accepted": summary.accepted,
            "seconds": round(seconds, 1), "msgs_per_s": round(total / seconds), "first_fifth_msgs_per_s": rate(0, 0.2),
            "last_fifth_msgs_per_s": rate(0.8, 1.0), "cpu_s": round(cpu, 1),
            "cpu_us_per_msg": round(cpu / total * 1e6), "written_kb_per_msg": round(io["wchar"] / total / 1024, 2),
            "read_kb_per_msg": round(io["rchar"] / total / 1024, 2), "an_order_id": str(ids) if ids else None}


def _io() -> dict[str, int]:
    """This process's bytes written and read through system calls (the WAL's pages, the database's
    reads past the page cache): what an insert's locality changes, whatever else the machine runs."""
    with open("/proc/self/io") as f:
        return {k: int(v) for k, v in (line.split(": ") for line in f)}


PAGES = {  # what a seller (or an analyst) opens, at full size
    "dashboard page": ("seller", "/dashboard"),
    "dashboard API": ("seller", "/api/dashboard"),
    "claim list page": ("seller", "/claims?status=return.completed"),
    "settlement page": ("seller", "/settlement"),
    "to-do page": ("seller", "/todo"),
    "summary page": ("analyst", "/summary"),
    "trends page": ("analyst", "/trends"),  # every seller, per week (issue 22)
    "trends API": ("analyst", "/api/trends"),
    "trends API, one seller by month": ("analyst", "/api/trends?seller=S001&period=month"),
}
# The same pages as of a past moment (five days before the simulated stream ends: docs/decisions/0022),
# each beside its live page: the page's name in PAGES.
PAST = "2026-11-15T18:00:00+09:00"
ASOF_PAGES = {"dashboard": "dashboard page", "todo": "to-do page", "settlement": "settlement page", "summary": "summary page",
              "trends": "trends API"}


def page_times(db: str, rounds: str = "15") -> dict:
    """The server time (its Server-Timing header) of each page, median of `rounds` requests after a
    first one (which brings the projections up to date), beside the server's floor: /healthz; under "as of",
    the pages of ASOF_PAGES as of the past moment PAST."""
    from statistics import median
    from urllib.parse import quote

    from fastapi.testclient import TestClient

    from entrypoints.authentication import SESSION_COOKIE
    from entrypoints.documents import Documents
    from entrypoints.serve import create_app
    from store.api_keys import ApiKeys
    from store.sessions import Sessions

    documents = Documents(Settings(database_url=f"sqlite:///{db}"))
    keys = ApiKeys(documents.engine)
    app = create_app(documents, keys)
    clients = {}
    for who, made in {"seller": keys.create("seller", "S001"), "analyst": keys.create("analyst")}.items():
        # the API takes the bearer key, the pages the session a login would open (docs/decisions/0012)
        clients[who] = TestClient(app, headers={"Authorization": f"Bearer {made[1]}", "Accept": "text/html"},
                                  cookies={SESSION_COOKIE: Sessions(documents.engine).open(made[0])})

    def server_ms(who: str, path: str) -> float:
        response = clients[who].get(path)
        response.raise_for_status()
        return float(response.headers["server-timing"].split("dur=")[1])

    times = {}
    for name, (who, path) in {"healthz (floor)": ("seller", "/healthz"), **PAGES}.items():
        server_ms(who, path)
        times[name] = round(median(server_ms(who, path) for _ in range(int(rounds))), 1)
    past = {}
    for name, live in ASOF_PAGES.items():
        who, path = PAGES[live]
        path += ("&" if "?" in path else "?") + "as_of=" + quote(PAST)
        server_ms(who, path)
        past[name] = round(median(server_ms(who, path) for _ in range(int(rounds))), 1)
    return {**times, "as of": past}


TASKS = {"raw_append": raw_append, "plain_ingest": plain_ingest, "page_times": page_times, "scheme_ingest": scheme_ingest}

if __name__ == "__main__":
    print(orjson.dumps(TASKS[sys.argv[1]](*sys.argv[2:])).decode())
