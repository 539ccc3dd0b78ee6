"""A rebuild killed with SIGKILL at any moment leaves the read model it replaces, whole: readers that
do not catch up themselves (the query commands in distributed mode, as the projector processes left
the tables) answer exactly what they answered before, never a part; the next rebuild drops what the
killed one left, finishes, and answers the same again."""

import json
import os
import random
import signal
import sqlite3
import subprocess
import time

from tests.e2e.conftest import ORDERCLAIMS, simulated_store

AS_OF = "2026-11-21T09:00:00+09:00"
DASHBOARD = ("dashboard", "--seller", "S001", "--as-of", AS_OF, "--json")


def test_a_rebuild_killed_at_any_moment_leaves_the_whole_old_read_model_and_the_next_one_finishes(tmp_path):
    cli = simulated_store(tmp_path, orders=4000, seed=11)
    before = json.loads(cli(*DASHBOARD).stdout)  # embedded: brings the dashboard up to the store's head
    rows_before = _dashboard_rows(tmp_path)
    env = {**os.environ, "ORDERCLAIMS_DATABASE_URL": f"sqlite:///{tmp_path / 'orderclaims.db'}",
           "ORDERCLAIMS_KAFKA_BOOTSTRAP": "127.0.0.1:9"}  # distributed mode: queries read the tables as they are
    env.pop("ORDERCLAIMS_MASTER_KEY", None)
    full = _timed_rebuild(env, tmp_path)
    rng = random.Random(14)
    moments = [0.3, 1.0, 2.0, *(rng.uniform(0.3, full + 0.5) for _ in range(5))]
    killed_mid_way = 0
    for moment in moments:
        rebuilding = subprocess.Popen([str(ORDERCLAIMS), "rebuild", "dashboard", "--json"], env=env, cwd=tmp_path,
                                      stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(moment)
        if rebuilding.poll() is None:
            rebuilding.send_signal(signal.SIGKILL)
            killed_mid_way += 1
        rebuilding.wait(timeout=60)
        answer = json.loads(_run(env, tmp_path, *DASHBOARD).stdout)
        assert answer == before, f"killed after {moment:.2f} s: the dashboard answered from a partial read model"
        assert _dashboard_rows(tmp_path) == rows_before, f"killed after {moment:.2f} s"
    assert killed_mid_way >= 3
    finished = _run(env, tmp_path, "rebuild", "dashboard")
    assert finished.returncode == 0, finished.stderr.decode()
    assert json.loads(_run(env, tmp_path, *DASHBOARD).stdout) == before
    assert _dashboard_rows(tmp_path) == rows_before


def test_a_rebuild_drops_and_mentions_a_killed_rebuilds_leftover(tmp_path):
    cli = simulated_store(tmp_path, orders=300, seed=12)
    before = json.loads(cli(*DASHBOARD).stdout)
    store = sqlite3.connect(tmp_path / "orderclaims.db")
    store.execute("CREATE TABLE dash_orders__rebuild (order_no TEXT)")  # as a killed rebuild leaves it
    store.execute("INSERT INTO dash_orders__rebuild VALUES ('half')")
    store.commit()
    store.close()
    done = cli("rebuild", "dashboard")
    assert "leftover" in done.stdout.decode() + done.stderr.decode()
    assert json.loads(cli(*DASHBOARD).stdout) == before
    assert not _tables_like(tmp_path, "%__rebuild")


def _timed_rebuild(env, cwd) -> float:
    started = time.perf_counter()
    done = _run(env, cwd, "rebuild", "dashboard", "--json")
    assert done.returncode == 0, done.stderr.decode()
    return time.perf_counter() - started


def _run(env, cwd, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([str(ORDERCLAIMS), *args], env=env, cwd=cwd, capture_output=True, timeout=300)


def _dashboard_rows(tmp_path) -> tuple[int, int]:
    store = sqlite3.connect(tmp_path / "orderclaims.db")
    try:
        return tuple(store.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0] for t in ("dash_orders", "dash_claims"))
    finally:
        store.close()


def _tables_like(tmp_path, pattern: str) -> list[str]:
    store = sqlite3.connect(tmp_path / "orderclaims.db")
    try:
        return [r[0] for r in store.execute("SELECT name FROM sqlite_master WHERE name LIKE ?", (pattern,))]
    finally:
        store.close()
