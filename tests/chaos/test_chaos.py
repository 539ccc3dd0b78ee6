"""The short chaos run inside `make test` (the full one is `make chaos`): about twenty faults of every
kind while a stream with bad lines flows through the distributed pipeline; nothing lost, nothing
doubled, every bad line dead-lettered, the read models equal to embedded mode's and to a rebuild."""

from tests.chaos.run import run


def test_twenty_faults_of_every_kind_lose_nothing_double_nothing_and_converge(tmp_path):
    report = run(faults=20, orders=800, seed=7, workdir=tmp_path)
    print("\n".join(report.lines()))
    assert sum(report.faults.values()) == 20
    assert {kind.split(" ")[0] for kind in report.faults} >= {"kill", "connections", "PostgreSQL", "broker"}
    assert (report.lost, report.decided_otherwise, report.doubled_rows, report.missing_rows) == (0, 0, 0, 0)
    assert report.dead_letters == report.bad_lines > 0
    assert report.rebuild_differs == 0
