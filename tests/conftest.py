import os
import shutil
import sys

import pytest

from engines import build_go_renderer, make_template_repo, render_bundle_init


@pytest.fixture(scope="session", autouse=True)
def local_tracking_store(tmp_path_factory):
    """Traces that tests produce in-process go to a throwaway store, not to ./mlruns or ./mlflow.db. A file store: a
    sqlite one made on the fly keeps its artifacts, the traces' data among them, in ./mlruns of the working folder."""
    store = tmp_path_factory.mktemp("tracking")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("MLFLOW_TRACKING_URI", (store / "mlruns").as_uri())
        yield


@pytest.fixture(scope="session", autouse=True)
def serving2apps_cache(tmp_path_factory):
    """The original models' environments verify builds go to one folder of the run, shared by the test workers
    (a build is renamed into place, so concurrent builds are safe), never to the user's cache."""
    folder = tmp_path_factory.getbasetemp().parent / "serving2apps-cache"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SERVING2APPS_CACHE_DIR", str(folder))
        yield folder


@pytest.fixture(scope="session")
def go_renderer(tmp_path_factory):
    if shutil.which("go") is None:
        if os.environ.get("CI"):
            pytest.fail("go is not installed; .ci/run installs Debian's golang-go")
        pytest.skip("go is not installed (apt-get install golang-go): the bundle init reference renderer needs it")
    # One Go build cache for the run, shared by the test workers (Go's cache takes concurrent builds).
    return build_go_renderer(tmp_path_factory.mktemp("gorender"), tmp_path_factory.getbasetemp().parent / "gocache")


@pytest.fixture(scope="session")
def template_repo(tmp_path_factory):
    return make_template_repo(tmp_path_factory.mktemp("template-src") / "serving2apps-template")


@pytest.fixture(scope="session")
def mlflow_server(tmp_path_factory):
    from mlflow_registry import running_mlflow_server

    with running_mlflow_server(tmp_path_factory.mktemp("mlflow-server")) as url:
        yield url


@pytest.fixture(scope="session")
def registered(mlflow_server):
    """Fixture agents logged from code and registered, by registered name → version."""
    from mlflow.models.auth_policy import AuthPolicy, SystemAuthPolicy, UserAuthPolicy
    from mlflow.models.resources import (
        DatabricksFunction,
        DatabricksServingEndpoint,
        DatabricksVectorSearchIndex,
    )

    from example import echo as example
    from mlflow_registry import INPUT_EXAMPLE, log_agent

    echo = example.SOURCE
    return {
        "echo_plain": log_agent(mlflow_server, "echo_plain", input_example=INPUT_EXAMPLE),
        "echo_full": log_agent(
            mlflow_server,
            "echo_full",
            code_paths=[str(echo / "helpers")],
            artifacts={"prompt": str(echo / "prompt.txt")},
            model_config={"temperature": 0.1, "tools": ["search"]},
            resources=[
                DatabricksServingEndpoint(endpoint_name="databricks-claude-sonnet-4-5"),
                DatabricksFunction(function_name="system.ai.python_exec"),
                DatabricksVectorSearchIndex(index_name="main.docs.index", on_behalf_of_user=True),
            ],
            input_example=INPUT_EXAMPLE,
        ),
        "echo_auth": log_agent(
            mlflow_server,
            "echo_auth",
            auth_policy=AuthPolicy(
                system_auth_policy=SystemAuthPolicy(resources=[DatabricksServingEndpoint(endpoint_name="llm")]),
                user_auth_policy=UserAuthPolicy(api_scopes=["serving.serving-endpoints"]),
            ),
            input_example=INPUT_EXAMPLE,
        ),
    }


@pytest.fixture(scope="session")
def agent_scaffold(go_renderer, tmp_path_factory):
    """A rendered app on sys.path, so migrated code loaded in-process can import agent_server.adapters."""
    out = tmp_path_factory.mktemp("behaviour-app")
    assert render_bundle_init(go_renderer, {"app_name": "behaviour"}, out).returncode == 0
    app = out / "behaviour"
    sys.path.insert(0, str(app))
    yield app
    sys.path.remove(str(app))
    for name in [m for m in sys.modules if m == "agent_server" or m.startswith("agent_server.")]:
        del sys.modules[name]


@pytest.fixture(scope="module")
def migrated_example(tmp_path_factory):
    """`init --example` (copier engine) once per test module: app/ beside original_mlflow_model/."""
    from serving2apps.init import init

    root = tmp_path_factory.mktemp("example")
    init(None, "app", root, example=True, engine="copier", log=lambda m: None)
    return root


@pytest.fixture
def example_app(migrated_example, tmp_path):
    """A copy of the migrated example that the test may change, with its model folder beside it."""
    shutil.copytree(migrated_example, tmp_path, dirs_exist_ok=True)
    return tmp_path / "app"
