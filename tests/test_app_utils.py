"""The scaffold's request helpers: conversation and user ids, and the on-behalf-of-user client."""

import importlib.util
from concurrent.futures import ThreadPoolExecutor

import pytest
from mlflow.genai.agent_server import set_request_headers
from mlflow.types.responses import ResponsesAgentRequest

from engines import render_bundle_init
from workspace_server import WorkspaceServer


@pytest.fixture(scope="module")
def utils(go_renderer, tmp_path_factory):
    out = tmp_path_factory.mktemp("utils-app")
    assert render_bundle_init(go_renderer, {"app_name": "utils-app"}, out).returncode == 0
    spec = importlib.util.spec_from_file_location("scaffold_utils", out / "utils-app" / "agent_server" / "utils.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def request(**extra):
    return ResponsesAgentRequest(input=[{"role": "user", "content": "hi"}], **extra)


@pytest.mark.parametrize(
    "extra, session, user",
    [
        ({}, None, None),
        ({"custom_inputs": {"thread_id": "t1", "user_id": "u1"}}, "t1", "u1"),
        ({"custom_inputs": {"conversation_id": "c1"}}, "c1", None),
        ({"context": {"conversation_id": "ctx-c", "user_id": "ctx-u"}}, "ctx-c", "ctx-u"),
        ({"custom_inputs": {"thread_id": "t1"}, "context": {"conversation_id": "ctx-c"}}, "t1", None),
    ],
)
def test_session_and_user_ids(utils, extra, session, user):
    assert utils.get_session_id(request(**extra)) == session
    assert utils.get_user_id(request(**extra)) == user


def test_user_client_acts_with_the_forwarded_token_only(utils, monkeypatch):
    with WorkspaceServer(token="user-obo-token") as ws:
        monkeypatch.setenv("DATABRICKS_HOST", ws.url)
        # What Databricks Apps also puts in the environment: the app's own service principal.
        monkeypatch.setenv("DATABRICKS_CLIENT_ID", "app-sp-id")
        monkeypatch.setenv("DATABRICKS_CLIENT_SECRET", "app-sp-secret")
        set_request_headers({"x-forwarded-access-token": "user-obo-token"})
        me = utils.get_user_workspace_client().current_user.me()
    assert me.user_name == "migrator@example.com"
    assert [r.headers["authorization"] for r in ws.authenticated_requests()] == ["Bearer user-obo-token"]


def test_user_client_without_the_header_on_apps_says_why(utils, monkeypatch):
    monkeypatch.setenv("DATABRICKS_APP_NAME", "utils-app")
    monkeypatch.setenv("DATABRICKS_CLIENT_ID", "app-sp-id")
    monkeypatch.setenv("DATABRICKS_CLIENT_SECRET", "app-sp-secret")
    set_request_headers({})
    with pytest.raises(PermissionError, match="user_api_scopes"):
        utils.get_user_workspace_client()


def test_user_client_run_locally_acts_with_your_own_credentials(utils, monkeypatch, tmp_path):
    """Off Databricks Apps no proxy forwards a user's token: as ModelServingUserCredentials outside Model Serving,
    the client uses the developer's credentials, so a migrated on-behalf-of-user agent runs locally too."""
    with WorkspaceServer(token="developer-token") as ws:
        monkeypatch.delenv("DATABRICKS_APP_NAME", raising=False)
        monkeypatch.setenv("DATABRICKS_HOST", ws.url)
        monkeypatch.setenv("DATABRICKS_TOKEN", "developer-token")
        monkeypatch.setenv("DATABRICKS_CONFIG_FILE", str(tmp_path / "none.databrickscfg"))
        set_request_headers({})
        me = utils.get_user_workspace_client().current_user.me()
    assert me.user_name == "migrator@example.com"
    assert [r.headers["authorization"] for r in ws.authenticated_requests()] == ["Bearer developer-token"]



@pytest.mark.parametrize("on_apps, header, token", [(True, "user-obo-token", "user-obo-token"),
                                                     (False, None, "developer-token")])
def test_user_vector_search_credentials(utils, monkeypatch, tmp_path, on_apps, header, token):
    """The user's forwarded token on Databricks Apps; run locally, your own, as the strategy did outside Model
    Serving."""
    with WorkspaceServer(token=token) as ws:
        if on_apps:
            monkeypatch.setenv("DATABRICKS_APP_NAME", "utils-app")
            monkeypatch.setenv("DATABRICKS_CLIENT_ID", "app-sp-id")
            monkeypatch.setenv("DATABRICKS_CLIENT_SECRET", "app-sp-secret")
        else:
            monkeypatch.delenv("DATABRICKS_APP_NAME", raising=False)
            monkeypatch.setenv("DATABRICKS_TOKEN", "developer-token")
        monkeypatch.setenv("DATABRICKS_HOST", ws.url)
        monkeypatch.setenv("DATABRICKS_CONFIG_FILE", str(tmp_path / "none.databrickscfg"))
        set_request_headers({"x-forwarded-access-token": header} if header else {})
        credentials = utils.get_user_vector_search_credentials()
    assert credentials == {"workspace_url": ws.url, "personal_access_token": token}


def test_the_context_thread_pool_carries_the_request_to_its_threads(utils):
    """A plain ThreadPoolExecutor's threads see none of the request's headers; the scaffold's see the submitter's."""
    from mlflow.genai.agent_server import get_request_headers

    def token(_=None):
        return get_request_headers().get("x-forwarded-access-token")

    set_request_headers({"x-forwarded-access-token": "user-obo-token"})
    with ThreadPoolExecutor(max_workers=2) as plain:
        assert plain.submit(token).result() is None
    with utils.ContextThreadPoolExecutor(max_workers=2) as pool:
        assert pool.submit(token).result() == "user-obo-token"
        assert list(pool.map(token, range(4))) == ["user-obo-token"] * 4


def test_a_user_client_kept_past_its_request_acts_as_the_user_of_the_next(utils, monkeypatch, tmp_path):
    """As Model Serving's user credentials read the caller's token on every call, so does the app's user client: an
    agent that keeps one (a cache, a global) never acts for a later user with an earlier user's token."""
    with WorkspaceServer(token="first-user") as ws:
        monkeypatch.setenv("DATABRICKS_APP_NAME", "utils-app")
        monkeypatch.setenv("DATABRICKS_HOST", ws.url)
        monkeypatch.setenv("DATABRICKS_CLIENT_ID", "app-sp-id")
        monkeypatch.setenv("DATABRICKS_CLIENT_SECRET", "app-sp-secret")
        monkeypatch.setenv("DATABRICKS_CONFIG_FILE", str(tmp_path / "none.databrickscfg"))
        set_request_headers({"x-forwarded-access-token": "first-user"})
        kept = utils.get_user_workspace_client()
        # What databricks-langchain's and databricks-openai's vector search tools read to act as the user.
        assert (kept.config.auth_type, kept.config.token) == ("pat", "first-user")
        assert kept.current_user.me().user_name == "migrator@example.com"
        set_request_headers({"x-forwarded-access-token": "second-user", "host": "app"})
        with pytest.raises(Exception):  # this workspace knows the first user only
            kept.current_user.me()
        set_request_headers({"host": "app"})  # a request that came without a token
        with pytest.raises(PermissionError, match="user_api_scopes"):
            kept.current_user.me()
        # A thread that carries no request (the agent's own, a library's) acts with the token of the request that
        # built the client and handed it there.
        set_request_headers({"x-forwarded-access-token": "first-user", "host": "app"})
        handed = utils.get_user_workspace_client()
        with ThreadPoolExecutor(max_workers=1) as plain:
            assert plain.submit(lambda: handed.current_user.me().user_name).result() == "migrator@example.com"
    assert [r.headers["authorization"] for r in ws.authenticated_requests()] == [
        "Bearer first-user", "Bearer second-user", "Bearer first-user"]


def test_the_context_thread_carries_the_request_to_its_target(utils):
    """A plain Thread's target sees none of the request's headers; the scaffold's sees those of the code that
    started it."""
    import threading

    from mlflow.genai.agent_server import get_request_headers

    seen = {}

    def token(kind):
        seen[kind] = get_request_headers().get("x-forwarded-access-token")

    set_request_headers({"x-forwarded-access-token": "user-obo-token"})
    for kind, thread in (("plain", threading.Thread), ("context", utils.ContextThread)):
        started = thread(target=token, args=(kind,))
        started.start()
        started.join()
    assert seen == {"plain": None, "context": "user-obo-token"}
