"""A full disk (issue 24): on a real small file system (tmpfs, mounted by the test as root), `ingest`
into a new store there — its database and its key directory — and `checkpoint --export` to a file
there are refused with one sentence that says the disk is full, never a traceback, and leave no key
or file cut short; once space returns the same commands work and `verify` holds."""

import os
import subprocess

import pytest

from tests.chaos.faults import fill
from tests.e2e.conftest import NOT_EMBEDDED, ORDERCLAIMS


@pytest.fixture
def small_disk(tmp_path):
    if os.geteuid() != 0:
        pytest.skip("mounting a tmpfs needs root (CI runs as root)")
    disk = tmp_path / "disk"
    disk.mkdir()
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=2m", "orderclaims-test", str(disk)], check=True)
    yield disk
    subprocess.run(["umount", "-l", str(disk)], check=True)


def orderclaims(disk, *args, stdin=None):
    env = {k: v for k, v in os.environ.items() if k not in NOT_EMBEDDED}
    env |= {"ORDERCLAIMS_DATABASE_URL": f"sqlite:///{disk / 'store' / 'orderclaims.db'}",
            "ORDERCLAIMS_KEY_DIR": str(disk / "keys"), "ORDERCLAIMS_CHECKPOINT_EVERY": "1"}
    return subprocess.run([str(ORDERCLAIMS), *args], input=stdin, capture_output=True, env=env, cwd=disk.parent)


def refused_with_a_sentence(done):
    assert done.returncode != 0
    assert b"Traceback" not in done.stderr
    assert b"disk is full" in done.stderr or b"No space left on device" in done.stderr, done.stderr


def nothing_cut_short(disk):
    for path in disk.rglob("*"):
        if path.is_file() and path.name != "filler" and not path.name.startswith("orderclaims.db"):
            assert path.stat().st_size > 0 and not path.name.startswith("."), f"left behind: {path}"


def test_a_full_disk_is_said_in_a_sentence_and_the_same_commands_work_once_space_returns(small_disk):
    lines = subprocess.run([str(ORDERCLAIMS), "simulate", "--orders", "30", "--seed", "5"], capture_output=True,
                           check=True).stdout
    (small_disk / "store").mkdir()
    fill(small_disk / "filler")
    refused_with_a_sentence(orderclaims(small_disk, "ingest", "-", stdin=lines))
    nothing_cut_short(small_disk)

    (small_disk / "filler").unlink()
    done = orderclaims(small_disk, "ingest", "-", stdin=lines)
    assert done.returncode == 0, done.stderr
    assert b"accepted" in done.stdout

    fill(small_disk / "filler")
    refused_with_a_sentence(orderclaims(small_disk, "checkpoint", "--export", str(small_disk / "checkpoint.json")))
    nothing_cut_short(small_disk)
    assert not (small_disk / "checkpoint.json").exists()

    (small_disk / "filler").unlink()
    assert orderclaims(small_disk, "checkpoint", "--export", str(small_disk / "checkpoint.json")).returncode == 0
    verified = orderclaims(small_disk, "verify", "--checkpoint", str(small_disk / "checkpoint.json"))
    assert verified.returncode == 0, verified.stdout + verified.stderr
