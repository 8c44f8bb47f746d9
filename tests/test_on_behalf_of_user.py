"""An agent that acted on behalf of its caller on Model Serving (ModelServingUserCredentials), migrated and served by
the real agent server as Databricks Apps runs it, acts with the user's token the Apps proxy forwards: never with
the app's own identity, and not at all when no token came."""

from pathlib import Path

import httpx
import pytest

from engines import render_bundle_init
from fake_llm import install_fake_llm
from servers import running_agent_app
from workspace_server import Reply, WorkspaceServer

from serving2apps.codemod.agent_file import migrate_agent_source

CASES = Path(__file__).parent / "codemod" / "async_cases"
# The user's client handed to a model client built per request (both stay synchronous), beside a model client
# built once (awaited in async mode, the user's client built and called in worker threads), the vector search
# client and the SDK's Config with the user's credentials, user clients built in the agent's own thread pool and in
# threads it starts, and the vector search retriever tool handed the user's client (which reads the token from the
# client's config).
AGENTS = ["user_client_per_request", "user_client_beside_an_async_client", "user_vector_search_and_config",
          "user_clients_in_a_thread_pool", "user_clients_in_a_thread", "user_retriever_tool"]
REQUEST = {"input": [{"role": "user", "content": "hello"}]}
# Calls an agent makes as the user besides the model's, which must reach the workspace with the user's token.
USER_CALLS = {"user_vector_search_and_config": {"/api/2.0/vector-search/indexes/main.docs.index/query",
                                                "/api/2.0/preview/scim/v2/Me"},
              "user_retriever_tool": {"/api/2.0/vector-search/indexes/main.docs.index/query"}}


# A delta sync index with managed embeddings of its `text` column, as the retriever tools describe it.
INDEX = {"index_type": "DELTA_SYNC", "primary_key": "id", "status": {"ready": True},
         "delta_sync_index_spec": {"embedding_source_columns": [{"name": "text", "embedding_model_endpoint_name": "e5"}],
                                   "columns_to_sync": ["id", "text"]}}


def serve_a_vector_index(workspace: WorkspaceServer) -> None:
    """The calls a vector search client given a token makes: the index's description, then a query (the
    workspace's own URL for it, as the client uses with a token); the retriever tools also look up the index's
    embedding endpoint."""
    workspace.serving_endpoints["e5"] = {"name": "e5", "task": "llm/v1/embeddings", "state": {"ready": "READY"}}
    workspace.add_route("GET", "/api/2.0/vector-search/endpoints/{endpoint}/indexes/{index}",
                        lambda s, r, p: Reply(200, INDEX | {"name": p["index"], "endpoint_name": p["endpoint"]}))
    workspace.add_route("GET", "/api/2.0/vector-search/indexes/{index}",
                        lambda s, r, p: Reply(200, INDEX | {"name": p["index"], "endpoint_name": "docs-endpoint"}))
    workspace.add_route("GET", "/api/2.0/vector-search/indexes/{index}/query",
                        lambda s, r, p: Reply(200, {"manifest": {"column_count": 1, "columns": [{"name": "text"}]},
                                                    "result": {"row_count": 1, "data_array": [["the user's doc"]]}}))


@pytest.mark.parametrize("mode", ["sync", "async"])
@pytest.mark.parametrize("agent", AGENTS)
def test_the_migrated_agent_acts_with_the_forwarded_user_token(agent, mode, go_renderer, tmp_path):
    result = migrate_agent_source((CASES / f"{agent}.in.py").read_text(), "agent.py", mode=mode)
    assert "S2A133" in {f.code for f in result.findings}
    assert render_bundle_init(go_renderer, {"app_name": "obo-app"}, tmp_path).returncode == 0
    app = tmp_path / "obo-app"
    (app / "agent_server" / "agent.py").write_text(result.code)
    with WorkspaceServer(token="user-obo-token") as workspace:  # only the user's token is accepted
        install_fake_llm(workspace)
        serve_a_vector_index(workspace)
        env = {
            "OPENAI_BASE_URL": f"{workspace.url}/v1", "OPENAI_API_KEY": "user-obo-token",
            # What Databricks Apps sets: the app's name, the workspace, and the app's own service principal.
            "DATABRICKS_APP_NAME": "obo-app",
            "DATABRICKS_HOST": workspace.url,
            "DATABRICKS_CLIENT_ID": "app-sp-id",
            "DATABRICKS_CLIENT_SECRET": "app-sp-secret",
            "DATABRICKS_CONFIG_FILE": str(tmp_path / "none.databrickscfg"),
        }
        with running_agent_app(app, tmp_path / "server.log", env) as base:
            answer = httpx.post(f"{base}/invocations", json=REQUEST, timeout=60,
                                headers={"x-forwarded-access-token": "user-obo-token"})
            assert answer.status_code == 200, answer.text
            assert answer.json()["output"][0]["content"][0]["text"]
            called = len(workspace.authenticated_requests())
            refused = httpx.post(f"{base}/invocations", json=REQUEST, timeout=60)
        log = (tmp_path / "server.log").read_text()
    assert called and all(r.headers["authorization"] == "Bearer user-obo-token"
                          for r in workspace.authenticated_requests())
    assert USER_CALLS.get(agent, set()) <= {r.path for r in workspace.authenticated_requests()}
    # No token forwarded: the request fails before any call, rather than acting as the app.
    assert refused.status_code >= 400
    assert len(workspace.authenticated_requests()) == called
    assert "x-forwarded-access-token" in log
