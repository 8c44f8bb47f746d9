"""Fixtures the codemod's run-the-agent tests share: the deterministic fake model on a loopback workspace."""

import pytest

from fake_llm import install_fake_llm
from workspace_server import WorkspaceServer


@pytest.fixture(scope="module")
def fake_llm():
    with WorkspaceServer() as server:
        install_fake_llm(server)
        yield server


@pytest.fixture
def model_env(fake_llm, monkeypatch, tmp_path):
    monkeypatch.setenv("DATABRICKS_HOST", fake_llm.url)
    monkeypatch.setenv("DATABRICKS_TOKEN", fake_llm.token)
    monkeypatch.setenv("DATABRICKS_CONFIG_FILE", str(tmp_path / "no.databrickscfg"))
    monkeypatch.setenv("OPENAI_BASE_URL", f"{fake_llm.url}/v1")
    monkeypatch.setenv("OPENAI_API_KEY", fake_llm.token)
    return fake_llm
