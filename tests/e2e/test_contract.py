"""`orderclaims contract` and the server's /asyncapi.json give upstream teams the same document,
the one generated from the contract models."""

import json

import pytest
from fastapi.testclient import TestClient

from consumers.contract_document import contract_document
from entrypoints.bootstrap import Settings
from entrypoints.documents import Documents
from entrypoints.serve import create_app
from store.api_keys import ApiKeys
from tests.e2e.conftest import command_line, embedded


def test_the_contract_command_writes_the_asyncapi_document_to_a_file_and_to_stdout(cli, tmp_path):
    assert json.loads(cli("contract").stdout) == contract_document()
    cli("contract", "--out", "contract.json")
    assert json.loads((tmp_path / "contract.json").read_text()) == contract_document()
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".contract.json")] == []  # no temporary left


def test_the_contract_names_the_topics_of_the_configured_prefix(tmp_path, monkeypatch):
    monkeypatch.setenv("ORDERCLAIMS_TOPIC_PREFIX", "shop1")
    assert json.loads(command_line(tmp_path)("contract").stdout)["channels"]["upstream"]["address"] == "shop1.upstream"


@pytest.fixture
def client(tmp_path, monkeypatch):
    embedded(monkeypatch)
    documents = Documents(Settings(database_url=f"sqlite:///{tmp_path / 'orderclaims.db'}"))
    return TestClient(create_app(documents, ApiKeys(documents.engine)))


def test_the_server_serves_the_contract_without_a_key(client):
    answer = client.get("/asyncapi.json")
    assert answer.status_code == 200
    assert answer.json() == contract_document()
