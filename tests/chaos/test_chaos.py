"""The short chaos run inside `make test` (the full one is `make chaos`): twenty faults, every kind at
least once, while a stream with bad lines and poison of every class flows through the distributed
pipeline; nothing lost, nothing doubled, every bad line dead-lettered, every reused id a
duplicate_conflict, the read models equal to embedded mode's and to a rebuild."""

from tests.chaos.poison import POISON_KINDS
from tests.chaos.run import run


def test_twenty_faults_of_every_kind_lose_nothing_double_nothing_and_converge(tmp_path):
    report = run(faults=20, orders=800, seed=7, workdir=tmp_path, poison_per_kind=2)
    print("\n".join(report.lines()))
    assert sum(report.faults.values()) == 20
    struck = set(report.faults)
    assert {"connections cut", "PostgreSQL crash", "broker restart", "kill -9 rebuild", "disk full"} <= struck
    assert any(kind.startswith("kill -9 ") and kind != "kill -9 rebuild" for kind in struck)
    assert struck & {"worker joins", "worker leaves"}
    assert (report.lost, report.decided_otherwise, report.doubled_rows, report.missing_rows) == (0, 0, 0, 0)
    assert report.dead_letters == report.bad_lines > 0
    assert report.poison_handled == report.poison and set(report.poison) == set(POISON_KINDS)
    assert report.seen.disk_problems == [] and report.seen.disk_refusals == report.seen.disk_recoveries > 0
    assert report.seen.rebuilds_killed + report.seen.rebuilds_early + report.seen.rebuilds_finished >= 1
    assert report.rebuild_differs == report.after_rebuild_differs == 0
