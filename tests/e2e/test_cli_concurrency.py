"""Queries started at once on a database no query has read yet: each brings the read models up to
date, they race to create and fill the same tables, and every one answers the same."""

import os
import subprocess

from tests.e2e.conftest import ORDERCLAIMS

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
