"""The agent's resources, user scopes and environment into databricks.yml (and a v1 app's app.yaml)."""

import shutil
from dataclasses import replace
from pathlib import Path

import pytest
import yaml

from bundle_schema import bundle_errors
from engines import REPO_ROOT, render_bundle_init
from serving2apps.bundle_config import RESOURCE_TYPES, SECRET_SINCE, check_cli_version, update_bundle
from serving2apps.environment_secrets import REDACTED
from serving2apps.errors import MigrationError
from serving2apps.model_reader import Resource, read_model
from serving2apps.template_schema import TemplateSchema

EXAMPLE = read_model(REPO_ROOT / "examples" / "echo_agent" / "model")
# The v1 template's databricks.yml, as bundle init rendered it for app res-app (settings in app.yaml).
V1_SCAFFOLD = ((Path(__file__).parent / "fixtures" / "scaffold_v1" / "databricks.yml.tmpl").read_text()
               .replace("{{.app_name}}", "res-app").replace('{{template "app_key"}}', "agent_migration")
               .replace('{{template "experiment_key"}}', "agent_migration_experiment"))


@pytest.fixture(scope="module")
def scaffold(go_renderer, tmp_path_factory):
    out = tmp_path_factory.mktemp("bundle")
    assert render_bundle_init(go_renderer, {"app_name": "res-app"}, out).returncode == 0
    return (out / "res-app" / "databricks.yml").read_text()


V1_APP_YAML = (Path(__file__).parent / "fixtures" / "scaffold_v1" / "app.yaml").read_text()


def run(scaffold, resources=(), scopes=(), env=None, source=""):
    model = replace(EXAMPLE, resources=tuple(resources), user_api_scopes=tuple(scopes))
    return update_bundle(scaffold, None, model, env or {}, source)


def the_app(text):
    (app,) = yaml.safe_load(text)["resources"]["apps"].values()
    return app


def config_env(result):
    return {e["name"]: e for e in the_app(result.databricks_yml)["config"]["env"]}


def codes(result):
    """The findings' codes, but for the worker count every update reports (tested on its own)."""
    return sorted(f.code for f in result.findings if f.code != "S2A209")


def app_resources(text):
    return yaml.safe_load(text)["resources"]["apps"]["agent_migration"]["resources"]


@pytest.mark.parametrize(
    "rtype, name, expected",
    [
        ("serving_endpoint", "databricks-claude-sonnet-4-5",
         {"name": "serving-endpoint-databricks-claude-sonnet-4-5",
          "serving_endpoint": {"name": "databricks-claude-sonnet-4-5", "permission": "CAN_QUERY"}}),
        ("vector_search_index", "main.docs.index",
         {"name": "vector-search-index-main-docs-index",
          "uc_securable": {"securable_full_name": "main.docs.index", "securable_type": "TABLE", "permission": "SELECT"}}),
        ("table", "main.sales.orders",
         {"name": "table-main-sales-orders",
          "uc_securable": {"securable_full_name": "main.sales.orders", "securable_type": "TABLE", "permission": "SELECT"}}),
        ("function", "system.ai.python_exec",
         {"name": "function-system-ai-python-exec",
          "uc_securable": {"securable_full_name": "system.ai.python_exec", "securable_type": "FUNCTION",
                           "permission": "EXECUTE"}}),
        ("uc_connection", "github_conn",
         {"name": "uc-connection-github-conn",
          "uc_securable": {"securable_full_name": "github_conn", "securable_type": "CONNECTION",
                           "permission": "USE_CONNECTION"}}),
        ("sql_warehouse", "abc123def456",
         {"name": "sql-warehouse-abc123def456", "sql_warehouse": {"id": "abc123def456", "permission": "CAN_USE"}}),
        ("genie_space", "01ef0000",
         {"name": "genie-space-01ef0000",
          "genie_space": {"name": "01ef0000", "space_id": "01ef0000", "permission": "CAN_RUN"}}),
        ("lakebase", "agent-memory",
         {"name": "lakebase-agent-memory",
          "database": {"instance_name": "agent-memory", "database_name": "databricks_postgres",
                       "permission": "CAN_CONNECT_AND_CREATE"}}),
        ("app", "search-app", {"name": "app-search-app", "app": {"name": "search-app", "permission": "CAN_USE"}}),
    ],
)
@pytest.mark.parametrize("origin", ["resources", "auth_policy.system_auth_policy"])
def test_every_resource_type(scaffold, rtype, name, expected, origin, tmp_path):
    result = run(scaffold, [Resource(rtype, name, None, origin)])
    entries = app_resources(result.databricks_yml)
    assert entries[0]["name"] == "experiment" and entries[1:] == [expected]
    assert codes(result) == ["S2A200"]
    (tmp_path / "databricks.yml").write_text(result.databricks_yml)
    assert bundle_errors(tmp_path / "databricks.yml") == []


def test_a_type_with_no_app_equivalent_is_reported(scaffold):
    result = run(scaffold, [Resource("uc_model_service", "main.default.svc")])
    assert len(app_resources(result.databricks_yml)) == 1
    assert [(f.code, f.kind) for f in result.findings if f.code != "S2A209"] == [("S2A202", "review")]


def test_on_behalf_of_user_resources_and_scopes(scaffold):
    result = run(scaffold, [Resource("vector_search_index", "main.docs.index", True)],
                 scopes=["serving.serving-endpoints", "vectorsearch.vector-search-indexes"],
                 source="from databricks_ai_bridge import ModelServingUserCredentials\n")
    app = yaml.safe_load(result.databricks_yml)["resources"]["apps"]["agent_migration"]
    assert len(app["resources"]) == 1, "the app's service principal is not granted what the user had"
    # Vector search has no Apps scope: reported with the alternative, never written (a deploy would fail).
    assert app["user_api_scopes"] == ["serving.serving-endpoints"]
    assert codes(result) == ["S2A201", "S2A203", "S2A203", "S2A210", "S2A210"]


@pytest.mark.parametrize("scopes, resources, expected, left_out", [
    (["sql.statement-execution", "sql.warehouses"], [], ["sql"], 0),
    (["dashboards.genie", "iam.current-user:read"], [], ["dashboards.genie"], 0),  # Apps grants iam.* itself
    ([], [Resource("genie_space", "01ef", True), Resource("function", "main.a.f", True),
          Resource("uc_connection", "gh", True), Resource("serving_endpoint", "llm", False)],
     ["dashboards.genie", "sql", "catalog.connections"], 0),
    (["mcp.genie", "catalog.tables"], [Resource("vector_search_index", "a.b.c", True)], [], 3),
])
def test_user_scopes_are_the_ones_apps_accepts(scaffold, scopes, resources, expected, left_out, tmp_path):
    result = run(scaffold, resources, scopes=scopes)
    assert the_app(result.databricks_yml).get("user_api_scopes", []) == expected
    assert [f.code for f in result.findings].count("S2A210") == left_out
    (tmp_path / "databricks.yml").write_text(result.databricks_yml)
    assert bundle_errors(tmp_path / "databricks.yml") == []


def test_environment_variables(scaffold, tmp_path):
    env = {"OPENAI_API_KEY": "{{secrets/agents/openai}}", "LOG_LEVEL": "debug", "VENDOR_TOKEN": REDACTED}
    result = run(scaffold, env=env)
    app_env = config_env(result)
    assert app_env["OPENAI_API_KEY"] == {"name": "OPENAI_API_KEY", "value_from": "secret-agents-openai"}
    assert app_env["LOG_LEVEL"] == {"name": "LOG_LEVEL", "value": "debug"}
    assert "VENDOR_TOKEN" not in app_env and REDACTED not in result.databricks_yml
    assert result.app_yaml is None
    secret = app_resources(result.databricks_yml)[-1]
    assert secret == {"name": "secret-agents-openai", "secret": {"scope": "agents", "key": "openai", "permission": "READ"}}
    assert codes(result) == ["S2A204", "S2A205", "S2A206"]
    assert SECRET_SINCE in result.cli_versions
    (tmp_path / "databricks.yml").write_text(result.databricks_yml)
    assert bundle_errors(tmp_path / "databricks.yml") == []


def test_a_second_run_adds_nothing_and_user_edits_survive(scaffold):
    resources = [Resource("serving_endpoint", "llm"), Resource("function", "system.ai.python_exec")]
    env = {"OPENAI_API_KEY": "{{secrets/agents/openai}}"}
    users_yml = scaffold.replace(
        "            permission: CAN_MANAGE\n",
        "            permission: CAN_MANAGE\n"
        "        # added by hand: the team's endpoint, with more rights\n"
        "        - name: 'my-llm'\n"
        "          serving_endpoint:\n"
        "            name: 'llm'\n"
        "            permission: 'CAN_MANAGE'\n",
    )
    users_yml = users_yml.replace('            value_from: "experiment"\n', '            value_from: "experiment"\n'
                                  '          - name: OPENAI_API_KEY\n            value: set-by-hand  # keep\n')
    first = update_bundle(users_yml, None, replace(EXAMPLE, resources=tuple(resources)), env, "")
    second = update_bundle(first.databricks_yml, None, replace(EXAMPLE, resources=tuple(resources)), env, "")
    assert second.databricks_yml == first.databricks_yml
    assert "# added by hand: the team's endpoint, with more rights" in first.databricks_yml
    assert "name: 'my-llm'" in first.databricks_yml and "permission: 'CAN_MANAGE'" in first.databricks_yml
    names = [e["name"] for e in app_resources(first.databricks_yml)]
    # The user's own OPENAI_API_KEY wins, so the endpoint's secret is not granted to the app either.
    assert names == ["experiment", "my-llm", "function-system-ai-python-exec"]
    assert "value: set-by-hand  # keep" in first.databricks_yml
    assert [f.message for f in first.findings if f.code == "S2A206"] == [
        "OPENAI_API_KEY is set differently in databricks.yml; kept, the endpoint's value was not copied"]


def test_what_the_endpoint_set_and_the_app_sets_too_is_the_apps(scaffold):
    """An endpoint deployed with its experiment in MLFLOW_EXPERIMENT_ID: the app's own experiment resource stays. A
    second run reports the variables it copied the first time as copied, so the report does not change."""
    env = {"MLFLOW_EXPERIMENT_ID": "4242", "LOG_LEVEL": "debug", "OPENAI_API_KEY": "{{secrets/agents/openai}}"}
    first = run(scaffold, env=env)
    assert config_env(first)["MLFLOW_EXPERIMENT_ID"] == {"name": "MLFLOW_EXPERIMENT_ID", "value_from": "experiment"}
    assert [f.message for f in first.findings if f.code in ("S2A205", "S2A206")] == [
        "LOG_LEVEL copied from the endpoint into databricks.yml",
        "MLFLOW_EXPERIMENT_ID is set differently in databricks.yml; kept, the endpoint's value was not copied",
        "OPENAI_API_KEY reads secret agents/openai through app resource secret-agents-openai"]
    second = run(first.databricks_yml, env=env)
    assert second.databricks_yml == first.databricks_yml
    assert [f.message for f in second.findings] == [f.message for f in first.findings]


def test_layout_of_the_template_survives(scaffold):
    result = run(scaffold, [Resource("serving_endpoint", "llm")], scopes=["sql"])
    # The blank line that closed the app block still closes it, before targets:
    assert "        - sql\n\ntargets:\n" in result.databricks_yml
    assert result.databricks_yml.startswith("bundle:\n  name: res-app\n\nvariables:\n")


def test_resource_names_stay_unique(scaffold):
    result = run(scaffold, [Resource("table", "a.b.c"), Resource("vector_search_index", "a.b.c"),
                            Resource("table", "A.B.C")])
    names = [e["name"] for e in app_resources(result.databricks_yml)]
    assert len(names) == len(set(names)) == 3  # a.b.c merged (same type and target); A.B.C is another table


def test_a_resource_the_model_lists_twice_is_granted_and_reported_once(scaffold):
    result = run(scaffold, [Resource("serving_endpoint", "e1"), Resource("serving_endpoint", "e1")])
    assert [e["name"] for e in app_resources(result.databricks_yml)].count("serving-endpoint-e1") == 1
    assert [f.message for f in result.findings if f.code == "S2A200"] == [
        "serving_endpoint e1 granted to the app as serving-endpoint-e1"]


@pytest.mark.parametrize(
    "databricks_yml, message",
    [
        ("bundle: [unclosed\n", "not valid YAML"),
        ("- a list\n", "YAML mapping"),
        ("bundle: {name: x}\nresources: {}\n", "declares 0 apps"),
        ("bundle: {name: x}\nresources:\n  apps:\n    a: {name: a}\n    b: {name: b}\n", "declares 2 apps"),
    ],
)
def test_bad_databricks_yml(scaffold, databricks_yml, message):
    with pytest.raises(MigrationError, match=message):
        update_bundle(databricks_yml, None, EXAMPLE, {}, "")


def test_value_from_must_name_a_declared_resource(scaffold):
    nowhere = scaffold.replace('            value_from: "experiment"\n', '            value_from: "nowhere"\n')
    with pytest.raises(MigrationError, match="databricks.yml sets MLFLOW_EXPERIMENT_ID from resource 'nowhere'"):
        update_bundle(nowhere, None, EXAMPLE, {}, "")
    with pytest.raises(MigrationError, match="app.yaml sets X from resource 'nowhere'"):
        update_bundle(V1_SCAFFOLD, V1_APP_YAML + "  - name: X\n    valueFrom: nowhere\n", EXAMPLE, {}, "")


def test_bad_environment_variable_name(scaffold):
    with pytest.raises(MigrationError, match="not a valid variable name"):
        run(scaffold, env={"BAD-NAME": "x"})


@pytest.mark.parametrize("resources, env, expected, review", [
    # Provisioned Lakebase: an instance name, the `database` resource.
    ([Resource("lakebase", "agent-memory")], {},
     {"database": {"instance_name": "agent-memory", "database_name": "databricks_postgres",
                   "permission": "CAN_CONNECT_AND_CREATE"}}, False),
    # Autoscaling: a project path in the MLmodel, with its database or without.
    ([Resource("lakebase", "projects/mem/branches/main/databases/db-1a2b")], {},
     {"postgres": {"branch": "projects/mem/branches/main", "database": "projects/mem/branches/main/databases/db-1a2b",
                   "permission": "CAN_CONNECT_AND_CREATE"}}, False),
    ([], {"LAKEBASE_AUTOSCALING_PROJECT": "mem", "LAKEBASE_AUTOSCALING_BRANCH": "main"},
     {"postgres": {"branch": "projects/mem/branches/main", "permission": "CAN_CONNECT_AND_CREATE"}}, True),
])
def test_lakebase_provisioned_and_autoscaling(scaffold, resources, env, expected, review, tmp_path):
    result = run(scaffold, resources, env=env)
    (granted,) = [{k: v for k, v in r.items() if k != "name"} for r in app_resources(result.databricks_yml)
                  if r["name"] != "experiment"]
    assert granted == expected
    assert ("S2A211" in codes(result)) == review
    (tmp_path / "databricks.yml").write_text(result.databricks_yml)
    assert bundle_errors(tmp_path / "databricks.yml") == []


def test_min_cli_version_admits_every_type_we_write():
    from serving2apps.bundle_config import POSTGRES

    minimum = TemplateSchema.load(REPO_ROOT).raw["min_databricks_cli_version"]
    check_cli_version(minimum, {t.since for t in RESOURCE_TYPES.values()} | {SECRET_SINCE, POSTGRES.since})
    with pytest.raises(MigrationError, match="raise min_databricks_cli_version"):
        check_cli_version("v0.260.0", {"v0.290.0"})


@pytest.mark.parametrize("value", ["on", "no", "YES", "1:20", "0x1F", "~", "2026-12-01", "1e3", "null"])
def test_values_a_yaml_1_1_reader_would_misread_are_quoted(scaffold, value, tmp_path):
    """PyYAML reads YAML 1.1, as many tools still do: with the quotes every reader gets the same string."""
    result = run(scaffold, resources=[Resource("serving_endpoint", value)], env={"MODE": value})
    assert config_env(result)["MODE"] == {"name": "MODE", "value": value}
    assert app_resources(result.databricks_yml)[-1]["serving_endpoint"]["name"] == value
    (tmp_path / "databricks.yml").write_text(result.databricks_yml)
    assert bundle_errors(tmp_path / "databricks.yml") == []


def test_plain_values_stay_plain(scaffold):
    result = run(scaffold, resources=[Resource("serving_endpoint", "gpt-endpoint")], env={"MODE": "debug"})
    assert "value: debug" in result.databricks_yml and "name: gpt-endpoint" in result.databricks_yml


@pytest.mark.parametrize("serving, size, instances, codes", [
    ({"workload_size": "Small", "scale_to_zero_enabled": False}, None, None, []),
    ({"workload_size": "Medium", "scale_to_zero_enabled": False}, "LARGE", None, ["S2A207"]),
    ({"workload_size": "Large"}, "LARGE", None, ["S2A207"]),
    ({"workload_size": "Small", "min_provisioned_concurrency": 64, "max_provisioned_concurrency": 200}, "LARGE",
     (1, 4), ["S2A207", "S2A207"]),
    ({"min_provisioned_concurrency": 130, "max_provisioned_concurrency": 256}, "LARGE", (3, 4),
     ["S2A207", "S2A207"]),
    ({"max_provisioned_concurrency": 256, "scale_to_zero_enabled": True}, "LARGE", (1, 4),
     ["S2A207", "S2A207", "S2A208"]),
    ({"workload_size": "Small", "scale_to_zero_enabled": True}, None, None, ["S2A208"]),
    ({"workload_size": "Small", "workload_type": "GPU_MEDIUM"}, None, None, ["S2A208"]),
    ({}, None, None, []),  # a model given by URI or folder: no endpoint, the default size
])
def test_the_app_is_sized_like_the_endpoint(scaffold, serving, size, instances, codes, tmp_path):
    result = update_bundle(scaffold, None, EXAMPLE, {}, "", serving)
    (app,) = yaml.safe_load(result.databricks_yml)["resources"]["apps"].values()
    assert app.get("compute_size") == size
    assert (app.get("compute_min_instances"), app.get("compute_max_instances")) == (instances or (None, None))
    assert sorted(f.code for f in result.findings if f.code in ("S2A207", "S2A208")) == codes
    (tmp_path / "databricks.yml").write_text(result.databricks_yml)
    assert bundle_errors(tmp_path / "databricks.yml") == []


def test_a_size_the_user_chose_is_kept(scaffold):
    chosen = scaffold.replace("      source_code_path: ./\n", "      source_code_path: ./\n      compute_size: XLARGE\n")
    assert "compute_size: XLARGE" in chosen
    result = update_bundle(chosen, None, EXAMPLE, {}, "", {"workload_size": "Medium"})
    (app,) = yaml.safe_load(result.databricks_yml)["resources"]["apps"].values()
    assert app["compute_size"] == "XLARGE"


def workers(result):
    return yaml.safe_load(result.databricks_yml)["variables"]["workers"]["default"]


@pytest.mark.parametrize("serving, state, expected", [
    ({}, None, "2"),  # MEDIUM: 2 vCPUs
    ({"workload_size": "Medium"}, None, "4"),  # LARGE: 4 vCPUs
    ({"workload_size": "Medium"}, "it keeps conversations in MemorySaver, in memory", "1"),
])
def test_worker_processes_follow_the_size_unless_the_agent_keeps_state(scaffold, serving, state, expected):
    result = update_bundle(scaffold, None, EXAMPLE, {}, "", serving, state)
    assert workers(result) == expected
    (finding,) = [f for f in result.findings if f.code == "S2A209"]
    assert (state or "one per vCPU") in finding.message


def test_an_agent_with_per_process_state_gets_one_instance(scaffold):
    state = "it keeps conversations in MemorySaver, in memory"
    result = update_bundle(scaffold, None, EXAMPLE, {}, "", {"max_provisioned_concurrency": 256}, state)
    app = the_app(result.databricks_yml)
    assert "compute_max_instances" not in app and workers(result) == "1"
    assert any(f.code == "S2A208" and f"one instance because {state}" in f.message for f in result.findings)


def test_a_worker_count_the_user_set_is_kept(scaffold):
    mine = scaffold.replace('    default: "1"\n', '    default: "3"\n')
    assert workers(update_bundle(mine, None, EXAMPLE, {}, "", {"workload_size": "Medium"})) == "3"


def test_a_v1_app_keeps_its_settings_in_app_yaml():
    """What copier update's render of the old version needs: migrate writes a v1 app the v1 way."""
    env = {"OPENAI_API_KEY": "{{secrets/agents/openai}}", "LOG_LEVEL": "debug"}
    result = update_bundle(V1_SCAFFOLD, V1_APP_YAML, EXAMPLE, env, "", {"workload_size": "Medium"})
    app_env = {e["name"]: e for e in yaml.safe_load(result.app_yaml)["env"]}
    assert app_env["OPENAI_API_KEY"] == {"name": "OPENAI_API_KEY", "valueFrom": "secret-agents-openai"}
    assert app_env["WEB_CONCURRENCY"] == {"name": "WEB_CONCURRENCY", "value": "4"}
    assert "config" not in the_app(result.databricks_yml) and "variables" not in yaml.safe_load(result.databricks_yml)
    second = update_bundle(result.databricks_yml, result.app_yaml, EXAMPLE, env, "", {"workload_size": "Medium"})
    assert (second.databricks_yml, second.app_yaml) == (result.databricks_yml, result.app_yaml)


def test_per_process_state_is_recognised():
    from serving2apps.codemod.findings import Finding
    from serving2apps.sizing import per_process_state

    assert "MemorySaver" in per_process_state("from langgraph.checkpoint.memory import MemorySaver\n", [])
    assert "S2A130" in per_process_state("x = 1\n", [Finding("S2A130", "predict writes self.cache")])
    assert per_process_state("x = 1\n", []) is None


def test_the_endpoints_workspace_credentials_are_not_copied(scaffold, tmp_path):
    """An app authenticates as its own service principal: DATABRICKS_TOKEN beside the DATABRICKS_CLIENT_ID/SECRET that
    Apps sets would make the SDK refuse both ("more than one authorization method configured")."""
    env = {"DATABRICKS_HOST": "https://example.cloud.databricks.com", "DATABRICKS_TOKEN": "{{secrets/agents/pat}}",
           "DATABRICKS_CLIENT_SECRET": REDACTED, "OPENAI_API_KEY": "{{secrets/agents/openai}}"}
    result = run(scaffold, env=env)
    assert set(config_env(result)) >= {"OPENAI_API_KEY"}
    assert not set(config_env(result)) & {"DATABRICKS_HOST", "DATABRICKS_TOKEN", "DATABRICKS_CLIENT_SECRET"}
    assert [e["name"] for e in app_resources(result.databricks_yml)][-1] == "secret-agents-openai"  # no pat resource
    assert codes(result) == ["S2A205", "S2A212", "S2A212", "S2A213"]
    assert [f.kind for f in result.findings if f.code == "S2A212"] == ["review", "review"]
    assert any("DATABRICKS_TOKEN (secret agents/pat)" in f.message for f in result.findings)
    (tmp_path / "databricks.yml").write_text(result.databricks_yml)
    assert bundle_errors(tmp_path / "databricks.yml") == []


@pytest.mark.parametrize("source, read", [
    ('client = OpenAI(api_key=os.environ["DATABRICKS_TOKEN"], base_url=f"{host}/serving-endpoints")\n',
     ["DATABRICKS_TOKEN"]),
    ("token = os.getenv('DATABRICKS_TOKEN') or os.getenv('ARM_CLIENT_SECRET')\n",
     ["ARM_CLIENT_SECRET", "DATABRICKS_TOKEN"]),
    # What an app has: its workspace and its service principal.
    ('w = WorkspaceClient(host=os.environ["DATABRICKS_HOST"], client_id=os.environ["DATABRICKS_CLIENT_ID"])\n', []),
    ("# DATABRICKS_TOKEN is not needed\nw = WorkspaceClient()\n", []),
])
def test_code_that_reads_a_credential_the_app_lacks_is_for_review(scaffold, source, read):
    result = run(scaffold, source=source)
    assert [f.message.split(" reads ")[1].split(",")[0] for f in result.findings if f.code == "S2A214"] == read


@pytest.mark.parametrize("gigabytes, serving, expected, review", [
    (0.05, {}, "2", False),
    (1.5, {}, "2", False),  # 2 × (1.5 + 0.5) GB within 80% of MEDIUM's 6 GB
    (2.5, {}, "1", False),
    (2.5, {"workload_size": "Medium"}, "3", False),  # LARGE: 12 GB
    (6.0, {}, "1", True),  # not even one process: for review
])
def test_workers_fit_in_memory_when_each_loads_the_models_files(scaffold, tmp_path, gigabytes, serving, expected,
                                                                review):
    model = tmp_path / "model"
    shutil.copytree(EXAMPLE.root, model)
    with open(model / "artifacts" / "index.bin", "wb") as index:  # sparse: takes no disk
        index.truncate(int(gigabytes * 1e9))
    result = update_bundle(scaffold, None, read_model(model), {}, "", serving)
    assert workers(result) == expected
    assert ("S2A215" in codes(result)) == review


def test_what_the_endpoints_ai_gateway_did_is_for_review(scaffold):
    gateway = ["logged every request and answer to the inference table main.serving.bot_payload",
               "rate-limited its callers (100 calls per minute per user)"]
    result = update_bundle(scaffold, None, EXAMPLE, {}, "", {"gateway": gateway})
    assert [f.message for f in result.findings if f.code == "S2A216"] == [
        f"the endpoint {feature}; an app does not" for feature in gateway]
    assert {f.kind for f in result.findings if f.code == "S2A216"} == {"review"}


@pytest.mark.parametrize("source", [
    "client = WorkspaceClient(credentials_strategy=ModelServingUserCredentials())\n",  # built at load: not rewritten
    "vsc = VectorSearchClient(credential_strategy=CredentialStrategy.MODEL_SERVING_USER_CREDENTIALS)\n",
])
def test_on_behalf_of_user_credentials_left_in_the_code_are_reported(scaffold, source):
    result = run(scaffold, scopes=["serving.serving-endpoints"], source=source)
    assert codes(result) == ["S2A201", "S2A203"]


@pytest.mark.parametrize("source, helper", [
    ("client = get_user_workspace_client()\n", "get_user_workspace_client"),
    ("vsc = VectorSearchClient(**get_user_vector_search_credentials())\n", "get_user_vector_search_credentials"),
])
def test_acting_for_the_user_with_no_user_scopes_is_reported(scaffold, source, helper):
    """Without user_api_scopes Databricks Apps forwards no user token, so the migrated client would refuse."""
    assert [f.message for f in run(scaffold, source=source).findings if f.code == "S2A203"] == [
        f"the agent acts on behalf of the user ({helper}), but the model declared no user scopes: add the ones it "
        "needs to user_api_scopes"]
    assert "S2A203" not in codes(run(scaffold, scopes=["serving.serving-endpoints"], source=source))


@pytest.mark.parametrize("scopes", [["serving.serving-endpoints"],
                                    ["serving.serving-endpoints", "vectorsearch.vector-search-indexes"]])
def test_a_vector_search_client_acting_as_the_user_is_for_review_once(scaffold, scopes):
    """No Apps scope lets the user's token reach vector search: reported once, by the model's scope or by the code."""
    result = run(scaffold, scopes=scopes, source="vsc = VectorSearchClient(**get_user_vector_search_credentials())\n")
    flagged = [f for f in result.findings if f.code == "S2A210"]
    assert len(flagged) == 1 and flagged[0].kind == "review"
    assert "VectorSearchClient() without get_user_vector_search_credentials()" in flagged[0].hint
