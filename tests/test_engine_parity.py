"""bundle init and copier render the one template/ tree into byte-identical projects."""

import pytest

from engines import COPIER_ONLY_FILES, render_bundle_init, render_copier, tree

ANSWER_SETS = [
    pytest.param({"app_name": "my-agent", "endpoint_name": "agents_main-support"}, id="defaults"),
    pytest.param(
        {"app_name": "a1", "endpoint_name": "ep-1", "profile": "prod.ws", "async_mode": "no"}, id="sync-short-name"
    ),
    pytest.param(
        {"app_name": "x" * 30, "endpoint_name": "", "profile": "DEFAULT", "async_mode": "yes"},
        id="longest-name-no-endpoint",
    ),
    pytest.param({"app_name": "support-bot-2", "endpoint_name": "E" * 63, "profile": "me@corp"}, id="long-endpoint"),
]


@pytest.mark.parametrize("answers", ANSWER_SETS)
def test_engines_render_identical_trees(answers, go_renderer, template_repo, tmp_path):
    bundle = render_bundle_init(go_renderer, answers, tmp_path / "bundle")
    assert bundle.returncode == 0, bundle.output
    copied = render_copier(template_repo, answers, tmp_path / "copier" / answers["app_name"])
    assert copied.returncode == 0, copied.output

    bundle_tree = tree(tmp_path / "bundle" / answers["app_name"])
    copier_tree = tree(tmp_path / "copier" / answers["app_name"], ignore=COPIER_ONLY_FILES)
    assert sorted(bundle_tree) == sorted(copier_tree)
    for path in bundle_tree:
        assert bundle_tree[path] == copier_tree[path], path
    # The scaffold the seed's "App File Structure" promises.
    for required in [
        "agent_server/__init__.py",
        "agent_server/agent.py",
        "agent_server/start_server.py",
        "agent_server/utils.py",
        "agent_server/evaluate_agent.py",
        "agent_server/chat.html",
        "scripts/__init__.py",
        "scripts/quickstart.py",
        "scripts/start_app.py",
        "scripts/preflight.py",
        "databricks.yml",
        "pyproject.toml",
        "requirements.txt",
        ".env.example",
        ".gitignore",
        "README.md",
    ]:
        assert required in bundle_tree, required


def test_answers_reach_the_files(go_renderer, tmp_path):
    answers = {"app_name": "support-bot", "endpoint_name": "ep-7", "profile": "staging", "async_mode": "no"}
    assert render_bundle_init(go_renderer, answers, tmp_path).returncode == 0
    app = tmp_path / "support-bot"
    assert "name: support-bot" in (app / "databricks.yml").read_text()
    assert 'name = "support-bot"' in (app / "pyproject.toml").read_text()
    assert "DATABRICKS_CONFIG_PROFILE=staging" in (app / ".env.example").read_text()
    assert "**sync** mode" in (app / "README.md").read_text()
    assert "{{" not in "".join(p.read_text() for p in app.rglob("*") if p.is_file())


def test_copier_only_files_stay_out_of_bundle_init(go_renderer, template_repo, tmp_path):
    answers = {"app_name": "my-agent"}
    assert render_bundle_init(go_renderer, answers, tmp_path / "b").returncode == 0
    assert not (tmp_path / "b" / "my-agent" / ".copier-answers.yml").exists()
    assert render_copier(template_repo, answers, tmp_path / "c").returncode == 0
    recorded = (tmp_path / "c" / ".copier-answers.yml").read_text()
    assert "app_name: my-agent" in recorded and "_commit:" in recorded


BAD_INPUTS = [
    pytest.param({"app_name": "My-Agent"}, "app_name", id="uppercase"),
    pytest.param({"app_name": "my_agent"}, "app_name", id="underscore"),
    pytest.param({"app_name": "-agent"}, "app_name", id="leading-hyphen"),
    pytest.param({"app_name": "a"}, "app_name", id="too-short"),
    pytest.param({"app_name": "a" * 31}, "app_name", id="too-long"),
    pytest.param({"app_name": "my-agent\n"}, "app_name", id="trailing-newline"),
    pytest.param({"app_name": "ok-name", "async_mode": "maybe"}, "async_mode", id="unknown-async-mode"),
    pytest.param({"app_name": "ok-name", "endpoint_name": "bad name"}, "endpoint_name", id="endpoint-space"),
    pytest.param({"app_name": "ok-name", "profile": "a b"}, "profile", id="profile-space"),
]


@pytest.mark.parametrize("answers, field", BAD_INPUTS)
def test_bad_answers_stop_both_engines_and_write_nothing(answers, field, go_renderer, template_repo, tmp_path):
    bundle = render_bundle_init(go_renderer, answers, tmp_path / "bundle")
    assert bundle.returncode != 0
    assert field in bundle.output
    copied = render_copier(template_repo, answers, tmp_path / "copier")
    assert copied.returncode != 0
    assert field in copied.output
    assert not (tmp_path / "bundle").exists() or not any((tmp_path / "bundle").iterdir())
    assert not (tmp_path / "copier").exists()


def test_missing_app_name_is_an_error_without_a_tty(go_renderer, template_repo, tmp_path):
    bundle = render_bundle_init(go_renderer, {}, tmp_path / "bundle")
    assert bundle.returncode != 0 and "app_name" in bundle.output
    copied = render_copier(template_repo, {}, tmp_path / "copier")
    assert copied.returncode != 0 and "app_name" in copied.output


def test_existing_output_folder_stops_both_engines(go_renderer, template_repo, tmp_path):
    answers = {"app_name": "my-agent"}
    # bundle init: the app folder exists with the user's own databricks.yml.
    existing = tmp_path / "bundle" / "my-agent"
    existing.mkdir(parents=True)
    (existing / "databricks.yml").write_text("mine\n")
    bundle = render_bundle_init(go_renderer, answers, tmp_path / "bundle")
    assert bundle.returncode != 0 and "already exist" in bundle.output
    assert [p.name for p in existing.iterdir()] == ["databricks.yml"]
    assert (existing / "databricks.yml").read_text() == "mine\n"
    # copier: the destination holds files copier did not make.
    dest = tmp_path / "copier" / "my-agent"
    dest.mkdir(parents=True)
    (dest / "notes.txt").write_text("mine\n")
    copied = render_copier(template_repo, answers, dest)
    assert copied.returncode != 0 and "already exists and is not empty" in copied.output
    assert [p.name for p in dest.iterdir()] == ["notes.txt"]
