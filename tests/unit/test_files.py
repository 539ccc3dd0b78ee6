"""Every file is written whole or not at all (store/files.py): replaced in one rename, or — a key —
never over one already there; no temporary file is left behind, and the file has the mode asked for."""

import os
import stat

import pytest

from store import files
from store.files import write_whole


def names(folder):
    return sorted(p.name for p in folder.iterdir())


def test_a_file_is_written_and_replaced_whole_with_its_mode(tmp_path):
    path = tmp_path / "out.json"
    assert write_whole(path, b"first")
    assert path.read_bytes() == b"first" and stat.S_IMODE(path.stat().st_mode) == 0o644
    assert write_whole(path, b"second", mode=0o600)
    assert path.read_bytes() == b"second" and stat.S_IMODE(path.stat().st_mode) == 0o600
    assert names(tmp_path) == ["out.json"]


def test_without_replace_a_file_already_there_is_kept(tmp_path):
    path = tmp_path / "chain.key"
    assert write_whole(path, b"first", mode=0o600, replace=False)
    assert not write_whole(path, b"second", mode=0o600, replace=False)
    assert path.read_bytes() == b"first" and stat.S_IMODE(path.stat().st_mode) == 0o600
    assert names(tmp_path) == ["chain.key"]


def test_a_write_that_fails_leaves_the_old_file_and_no_temporary(tmp_path, monkeypatch):
    path = tmp_path / "checkpoint.json"
    write_whole(path, b"old")

    def crash(*_):
        raise OSError("disk full")

    monkeypatch.setattr(files.os, "replace", crash)
    with pytest.raises(OSError):
        write_whole(path, b"new")
    assert path.read_bytes() == b"old" and names(tmp_path) == ["checkpoint.json"]


def test_a_leftover_temporary_is_hidden_and_never_the_target(tmp_path, monkeypatch):
    """A writer killed between writing and renaming leaves `.NAME.RANDOM.tmp`: not the file, nor a name
    any other write takes."""
    made = []
    real_open = os.open
    monkeypatch.setattr(files.os, "open", lambda p, *a: (made.append(str(p)), real_open(p, *a))[1])
    write_whole(tmp_path / "a.key", b"1", replace=False)
    write_whole(tmp_path / "a.key", b"2", replace=True)
    temporaries = [os.path.basename(p) for p in made if p.endswith(".tmp")]
    assert len(set(temporaries)) == 2 and all(t.startswith(".a.key.") for t in temporaries)


def test_a_file_written_a_chunk_at_a_time_replaces_the_old_one_only_when_complete(tmp_path):
    path = tmp_path / "table.csv"
    path.write_text("the earlier export\n")
    with pytest.raises(RuntimeError):
        with files.writing_whole(path, "w") as file:
            file.write("a,b\n1,2\n")
            file.flush()
            assert path.read_text() == "the earlier export\n"  # nothing of it shows until it is whole
            raise RuntimeError("killed in the middle")
    assert path.read_text() == "the earlier export\n" and names(tmp_path) == ["table.csv"]
    with files.writing_whole(path, "w") as file:
        file.write("名前,数\n")
    assert path.read_text(encoding="utf-8") == "名前,数\n" and names(tmp_path) == ["table.csv"]
    assert stat.S_IMODE(path.stat().st_mode) == 0o644
