"""Where the embedded default keeps a store's keys (SPEC §7): not in the database, not beside it — in
the key directory (ORDERCLAIMS_KEY_DIR; the suite's is a temporary one), one folder per store."""

import json
import os
import sqlite3
import stat
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from entrypoints.bootstrap import Settings
from entrypoints.documents import Documents
from entrypoints.serve import create_app
from entrypoints.site import Site
from store.api_keys import ApiKeys
from store.keyring import write_key_file
from tests.e2e.conftest import command_line, embedded, log_in, token_of

KEYS = {"master.key", "signing.key", "chain.key"}


def key_folder(tmp_path: Path) -> Path:
    db = sqlite3.connect(tmp_path / "orderclaims.db")
    (store_id,) = db.execute("SELECT value FROM store_settings WHERE name = 'store_id'").fetchone()
    db.close()
    return Path(os.environ["ORDERCLAIMS_KEY_DIR"]) / store_id.decode()


@pytest.fixture
def ingested(cli):
    cli("ingest", "-", stdin=cli("simulate", "--orders", "10", "--seed", "4").stdout)
    cli("checkpoint")
    return cli


def test_a_new_stores_keys_are_in_its_folder_of_the_key_directory_readable_by_its_owner_only(ingested, tmp_path):
    folder = key_folder(tmp_path)
    assert {p.name for p in folder.iterdir()} == KEYS
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert {stat.S_IMODE((folder / name).stat().st_mode) for name in KEYS} == {0o600}
    assert not [p.name for p in tmp_path.iterdir() if p.name.startswith("orderclaims.db.") and "key" in p.name]


def test_a_store_whose_key_files_lie_beside_it_keeps_using_them(ingested, tmp_path):
    """As an earlier release made them: `orderclaims.db.key` and `orderclaims.db.signing-key`."""
    folder = key_folder(tmp_path)
    (folder / "master.key").rename(tmp_path / "orderclaims.db.key")
    (folder / "signing.key").rename(tmp_path / "orderclaims.db.signing-key")
    assert ingested("history", "100001", "--unmask").returncode == 0
    assert ingested("verify").returncode == 0
    ingested("checkpoint")
    assert not {"master.key", "signing.key"} & {p.name for p in folder.iterdir()}


@pytest.mark.parametrize("content", ["", "c2hvcnQ"])
def test_an_empty_or_cut_short_key_file_is_explained_not_a_traceback(ingested, tmp_path, content):
    (key_folder(tmp_path) / "chain.key").write_text(content)
    for command in (("ingest", "-"), ("verify",)):
        done = ingested(*command, stdin=b"", check=False)
        assert done.returncode != 0 and b"Traceback" not in done.stderr, done.stderr
        assert b"chain.key" in done.stderr and b"empty or cut short" in done.stderr


def test_a_key_file_is_written_whole_once_and_never_over_another(tmp_path):
    path = tmp_path / "keys" / "store" / "chain.key"
    write_key_file(path, "first")
    write_key_file(path, "second")  # another process that came second: the first one's stays
    assert path.read_text() == "first" and [p.name for p in path.parent.iterdir()] == ["chain.key"]


def test_ingest_prints_its_summary_when_no_checkpoint_can_be_signed(ingested, tmp_path, monkeypatch):
    """A store with checkpoints whose signing key is gone (a copy, a lost file): the messages are
    stored and summarised; the missing checkpoint is said, not a traceback after the work."""
    (key_folder(tmp_path) / "signing.key").unlink()
    monkeypatch.setenv("ORDERCLAIMS_CHECKPOINT_EVERY", "1")
    cli = command_line(tmp_path)
    done = cli("ingest", "--json", "-", stdin=cli("simulate", "--orders", "12", "--seed", "5").stdout, check=False)
    assert done.returncode == 0, done.stderr.decode()
    assert json.loads(done.stdout)["accepted"] > 0
    assert b"no checkpoint written" in done.stderr and b"Traceback" not in done.stderr


def test_a_missing_or_broken_key_is_a_503_key_missing_in_the_api_and_on_the_pages(ingested, tmp_path, monkeypatch):
    """Whatever key: the chain key's file broken (verify), the master key missing — explained, not a 500."""
    embedded(monkeypatch)
    documents = Documents(Settings(database_url=f"sqlite:///{tmp_path / 'orderclaims.db'}"))
    keys = ApiKeys(documents.engine)
    _, key = keys.create("auditor")
    app = create_app(documents, keys, Site(origin="http://testserver"))
    client = TestClient(app, follow_redirects=False)
    (key_folder(tmp_path) / "chain.key").write_text("c2hvcnQ")

    answer = client.get("/api/verify", headers={"Authorization": f"Bearer {key}"})
    assert answer.status_code == 503 and answer.json()["code"] == "key_missing", answer.text
    assert "chain.key" in answer.json()["detail"]

    browser = log_in(app, key)
    page = browser.post("/audit/verify", data={"csrf": token_of(browser.get("/audit").text)},
                        headers={"Accept": "text/html"})
    assert page.status_code == 503 and "key_missing" in page.text and "chain.key" in page.text
    assert page.headers["content-type"].startswith("text/html")
