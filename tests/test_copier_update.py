"""copier update on a migrated app: the scaffold moves to the new template version, the migration stays,
nothing is downloaded again."""

import subprocess
import warnings

import copier
from plumbum import local

from engines import commit_all, make_template_repo, render_copier
from example import echo
from serving2apps.migrate import migrate


def git(*args, cwd):
    return subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@t.invalid", *args], cwd=cwd,
                          capture_output=True, text=True, check=True).stdout


def test_update_keeps_the_migration(tmp_path):
    template = make_template_repo(tmp_path / "template")
    git("tag", "v1.0.0", cwd=template)
    work = tmp_path / "work"
    work.mkdir()
    app = work / "echo-app"
    # An endpoint with no workspace behind it: if update ran the download step, it would fail.
    answers = {"app_name": "echo-app", "async_mode": "no", "endpoint_name": "echo-endpoint"}
    assert render_copier(template, answers, app).returncode == 0
    model = echo.save(work / "original_mlflow_model")
    migrate(model, app, log=lambda m: None)
    git("init", "-q", "-b", "main", cwd=app)
    commit_all(app, "migrated")
    migrated_agent = (app / "agent_server" / "agent.py").read_text()

    # v2 of the template: a new line in start_server.py and a new scaffold file.
    start_server = template / "template" / "{{.app_name}}" / "agent_server" / "start_server.py"
    start_server.write_text(start_server.read_text().replace(
        '"""Serves the agent', '"""(template v2) Serves the agent'))
    (template / "template" / "{{.app_name}}" / "NOTES.md").write_text("New in v2.\n")
    commit_all(template, "v2")
    git("tag", "v2.0.0", cwd=template)

    with local.cwd(app), local.env(DATABRICKS_HOST="http://127.0.0.1:9", DATABRICKS_TOKEN="x"), \
            warnings.catch_warnings():
        warnings.simplefilter("ignore")
        copier.run_update(str(app), defaults=True, overwrite=True, unsafe=True, quiet=True, vcs_ref="v2.0.0")

    assert "(template v2) Serves the agent" in (app / "agent_server" / "start_server.py").read_text()
    assert (app / "NOTES.md").read_text() == "New in v2.\n"
    assert (app / "agent_server" / "agent.py").read_text() == migrated_agent
    assert (app / "agent_server" / "helpers" / "text.py").is_file()
    assert (app / "agent_server" / "artifacts" / "prompt.txt").is_file()
    assert "_commit: v2.0.0" in (app / ".copier-answers.yml").read_text()
    status = git("status", "--porcelain", cwd=app)
    assert "UU" not in status and ".rej" not in status
    assert sorted(p.name for p in work.iterdir()) == ["echo-app", "original_mlflow_model"]
