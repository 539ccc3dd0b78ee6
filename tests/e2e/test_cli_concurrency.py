"""Processes at once on one SQLite file: queries started together on a database no query has read yet
(each brings the read models up to date, they race to create and fill the same tables, and every one
answers the same); two ingests, of different streams or of the same one; an ingest while `serve` and
forty readers read."""

import json
import os
import sqlite3
import subprocess
import time
from concurrent.futures import ThreadPoolExecutor
from urllib.error import HTTPError
from urllib.request import Request, urlopen

from tests.e2e.conftest import ORDERCLAIMS, wait_until_serving
from tools.services import free_port

AS_OF = "2026-11-21T09:00:00+09:00"


def test_sixteen_queries_started_at_once_on_a_fresh_database_all_answer_and_agree(cli, tmp_path):
    cli("simulate", "--orders", "300", "--seed", "3", "-o", "up.jsonl")
    cli("ingest", "up.jsonl")
    env = {**os.environ, "ORDERCLAIMS_DATABASE_URL": f"sqlite:///{tmp_path / 'orderclaims.db'}"}
    env.pop("ORDERCLAIMS_KAFKA_BOOTSTRAP", None)
    env.pop("ORDERCLAIMS_MASTER_KEY", None)
    queries = [["dashboard", "--seller", "S001", "--as-of", AS_OF], ["settlement", "--seller", "S002", "--as-of", AS_OF],
               ["points", "--seller", "S003", "--month", "2026-10"],
               ["claims", "--seller", "S001", "--status", "return.requested", "--as-of", AS_OF]] * 4
    running = [subprocess.Popen([str(ORDERCLAIMS), *q, "--json"], env=env, cwd=tmp_path, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE) for q in queries]
    answers = [(p.wait(timeout=120), *p.communicate()) for p in running]
    assert [code for code, _, _ in answers] == [0] * 16, [err.decode()[-300:] for _, _, err in answers if err]
    for kind in range(4):
        assert len({answers[kind + 4 * i][1] for i in range(4)}) == 1


# ---- writers and readers on one SQLite file (docs/decisions/0014) --------------------------------

def _env(db) -> dict:
    env = {**os.environ, "ORDERCLAIMS_DATABASE_URL": f"sqlite:///{db}"}
    for name in ("ORDERCLAIMS_KAFKA_BOOTSTRAP", "ORDERCLAIMS_MASTER_KEY", "ORDERCLAIMS_PUBLIC_ORIGIN"):
        env.pop(name, None)
    return env


def _split_by_cart(stream: bytes) -> tuple[bytes, bytes, int]:
    """Two disjoint streams as two upstream partitions would carry them (keyed by cart); the messages
    without a cart (sellers, inquiries) go to both, so each is decided once by whichever comes first."""
    halves: tuple[list, list] = ([], [])
    shared = 0
    for line in stream.splitlines(keepends=True):
        cart = json.loads(line).get("cart_no")
        if cart is None:
            shared += 1
            halves[0].append(line)
            halves[1].append(line)
        else:
            halves[int(cart[1:]) % 2].append(line)
    return b"".join(halves[0]), b"".join(halves[1]), shared


def _ingest_at_once(tmp_path, db, streams: list[bytes]) -> list[dict]:
    files = []
    for number, stream in enumerate(streams):
        files.append(tmp_path / f"part{number}.jsonl")
        files[-1].write_bytes(stream)
    running = [subprocess.Popen([str(ORDERCLAIMS), "ingest", str(f), "--json"], env=_env(db), cwd=tmp_path,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE) for f in files]
    finished = [(p.wait(timeout=600), *p.communicate()) for p in running]
    assert [code for code, _, _ in finished] == [0] * len(running), [err.decode()[-2000:] for _, _, err in finished]
    assert not any(b"Traceback" in err for _, _, err in finished), [err.decode()[-2000:] for _, _, err in finished]
    return [json.loads(out) for _, out, _ in finished]


def _counts(summary: dict) -> dict:
    return {"accepted": summary["accepted"], "duplicates": summary["duplicates"], "rejected": len(summary["rejected"]),
            "invalid": len(summary["invalid"])}


def _single_ingest(tmp_path, stream: bytes) -> dict:
    (tmp_path / "single").mkdir()
    done = subprocess.run([str(ORDERCLAIMS), "ingest", "-", "--json"], input=stream, capture_output=True,
                          env=_env(tmp_path / "single" / "orderclaims.db"), cwd=tmp_path / "single", check=True)
    return _counts(json.loads(done.stdout))


def test_two_ingests_of_different_streams_on_one_file_both_finish_and_decide_every_message_once(cli, tmp_path):
    stream = cli("simulate", "--orders", "1500", "--seed", "21").stdout
    single = _single_ingest(tmp_path, stream)
    first, second, shared = _split_by_cart(stream)
    a, b = (_counts(s) for s in _ingest_at_once(tmp_path, tmp_path / "both.db", [first, second]))
    assert a["accepted"] + b["accepted"] == single["accepted"]
    assert a["rejected"] + b["rejected"] == single["rejected"]
    assert a["duplicates"] + b["duplicates"] == single["duplicates"] + shared
    assert a["accepted"] > 0 and b["accepted"] > 0


def test_two_ingests_of_the_same_stream_on_one_file_both_finish_and_decide_every_message_once(cli, tmp_path):
    stream = cli("simulate", "--orders", "1000", "--seed", "22").stdout
    single = _single_ingest(tmp_path, stream)
    a, b = (_counts(s) for s in _ingest_at_once(tmp_path, tmp_path / "both.db", [stream, stream]))
    decided = single["accepted"] + single["rejected"] + single["duplicates"]
    assert a["accepted"] + b["accepted"] == single["accepted"]
    assert a["rejected"] + b["rejected"] == single["rejected"]
    assert a["duplicates"] + b["duplicates"] == single["duplicates"] + decided


def test_an_ingest_finishes_while_serve_and_forty_readers_read_the_same_file(cli, tmp_path):
    first, second, _ = _split_by_cart(cli("simulate", "--orders", "2000", "--seed", "23").stdout)
    cli("ingest", "-", stdin=first)
    key = json.loads(cli("keys", "create", "--seller", "S001", "--json").stdout)["key"]
    db = tmp_path / "orderclaims.db"
    port = free_port()
    server = subprocess.Popen([str(ORDERCLAIMS), "serve", "--port", str(port)], env=_env(db), cwd=tmp_path,
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        wait_until_serving(server, f"http://127.0.0.1:{port}")
        (tmp_path / "second.jsonl").write_bytes(second)
        ingest = subprocess.Popen([str(ORDERCLAIMS), "ingest", "second.jsonl"], env=_env(db), cwd=tmp_path,
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        http, readers = [], []
        with ThreadPoolExecutor(max_workers=8) as pool:
            while len(readers) < 20:  # readers start all the while the ingest runs (and after, up to 20 each)
                http.append(pool.submit(_get, port, key, "/api/dashboard?seller=S001"))
                readers.append(subprocess.Popen([str(ORDERCLAIMS), "dashboard", "--seller", "S001", "--json"],
                                                env=_env(db), cwd=tmp_path, stdout=subprocess.PIPE,
                                                stderr=subprocess.PIPE))
                time.sleep(0.3)
            answers = [f.result(timeout=600) for f in http]
            read = [(r.wait(timeout=600), *r.communicate()) for r in readers]
        code, out, err = ingest.wait(timeout=600), *ingest.communicate()
    finally:
        server.terminate()
        _, server_err = server.communicate(timeout=30)
    assert code == 0 and b"accepted" in out and b"Traceback" not in err, err.decode()[-2000:]
    assert [c for c, _, _ in read] == [0] * 20, [e.decode()[-1000:] for _, _, e in read if e]
    assert not any(b"Traceback" in e for _, _, e in read)
    assert all(json.loads(o)["counts"] for _, o, _ in read)
    assert [status for status, _ in answers] == [200] * 20, answers
    assert b"Traceback" not in server_err, server_err.decode()[-2000:]


def _get(port: int, key: str, path: str) -> tuple[int, str]:
    request = Request(f"http://127.0.0.1:{port}{path}", headers={"Authorization": f"Bearer {key}"})
    try:
        with urlopen(request, timeout=300) as answer:
            return answer.status, ""
    except HTTPError as error:
        return error.code, error.read().decode()[-500:]


def test_an_ingest_waits_out_another_process_holding_the_write_lock_for_eight_seconds(cli, tmp_path):
    first, second, _ = _split_by_cart(cli("simulate", "--orders", "200", "--seed", "24").stdout)
    cli("ingest", "-", stdin=first)
    (tmp_path / "second.jsonl").write_bytes(second)
    holder = sqlite3.connect(tmp_path / "orderclaims.db", isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # another writer: a long rebuild's swap, a catch-up of a big backlog
    holder.execute("CREATE TABLE held (x)")
    ingest = subprocess.Popen([str(ORDERCLAIMS), "ingest", "second.jsonl"], env=_env(tmp_path / "orderclaims.db"),
                              cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    time.sleep(8)
    holder.execute("COMMIT")
    holder.close()
    code, out, err = ingest.wait(timeout=300), *ingest.communicate()
    assert code == 0 and b"accepted" in out and b"Traceback" not in err, err.decode()[-2000:]
