"""The copier hooks run as tasks and check their inputs; the CLI offers only what works."""

import json
import shutil
import subprocess
import sys

import pytest

from engines import REPO_ROOT, render_bundle_init, render_copier, tree


def run_hook(name, *args):
    return subprocess.run(
        [sys.executable, str(REPO_ROOT / "hooks" / f"{name}.py"), *args], capture_output=True, text=True
    )


def test_hooks_accept_valid_answers_and_say_what_they_do_not_do():
    pre = run_hook("pre_gen", "--app-name=my-agent", "--endpoint-name=", "--profile=DEFAULT", "--async-mode=yes")
    assert pre.returncode == 0, pre.stderr
    assert "nothing to download" in pre.stdout
    post = run_hook("post_gen", "--app-name=my-agent", "--async-mode=no")
    assert post.returncode == 0, post.stderr
    assert post.stdout == "", "outside copier's copy, post-gen only checks its inputs"


@pytest.mark.parametrize(
    "hook, args, message",
    [
        ("pre_gen", ["--app-name=Bad", "--endpoint-name=", "--profile=DEFAULT", "--async-mode=yes"], "app_name"),
        ("pre_gen", ["--app-name=ok-1", "--endpoint-name=a b", "--profile=DEFAULT", "--async-mode=yes"], "endpoint_name"),
        ("pre_gen", ["--app-name=ok-1", "--endpoint=ep", "--profile=DEFAULT", "--async-mode=yes"], "--endpoint-name"),
        ("post_gen", ["--app-name=ok-1", "--async-mode=maybe"], "async_mode"),
    ],
)
def test_hooks_refuse_bad_answers(hook, args, message):
    result = run_hook(hook, *args)
    assert result.returncode == 2
    assert message in result.stderr


def test_hook_without_its_arguments_is_a_usage_error():
    result = run_hook("post_gen")
    assert result.returncode == 2
    assert "--app-name" in result.stderr


def test_copier_runs_both_hooks_as_tasks(go_renderer, template_repo, tmp_path):
    answers = {"app_name": "task-app"}
    result = render_copier(template_repo, answers, tmp_path / "copier", skip_tasks=False)
    assert result.returncode == 0, result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["copier"], "no endpoint: nothing downloaded"
    # post-gen changes nothing yet: the project equals bundle init's.
    assert render_bundle_init(go_renderer, answers, tmp_path / "bundle").returncode == 0
    assert tree(tmp_path / "copier", ignore={".copier-answers.yml"}) == tree(tmp_path / "bundle" / "task-app")


def test_cli_lists_only_working_commands():
    from serving2apps.cli import build_parser

    parser = build_parser()
    (commands,) = [a for a in parser._actions if a.dest == "==SUPPRESS==" and a.choices]
    assert sorted(commands.choices) == ["deploy", "download", "init", "migrate", "scan", "upgrade", "verify"]
    result = subprocess.run([sys.executable, "-m", "serving2apps.cli", "--help"], capture_output=True, text=True)
    assert result.returncode == 0 and "download" in result.stdout
    version = subprocess.run([sys.executable, "-m", "serving2apps.cli", "--version"], capture_output=True, text=True)
    assert version.stdout.startswith("serving2apps 0.")


@pytest.mark.parametrize("jobs", ["0", "-3", "two"])
def test_jobs_below_one_are_a_usage_error(jobs, capsys):
    from serving2apps.cli import main

    with pytest.raises(SystemExit) as stopped:
        main(["init", "--endpoints", "a,b", "--jobs", jobs, "--yes"])
    assert stopped.value.code == 2
    assert f"argument --jobs: {jobs!r} is not a whole number of 1 or more" in capsys.readouterr().err


def test_the_bundle_engine_without_the_databricks_cli_is_refused_before_anything_is_written(tmp_path, monkeypatch,
                                                                                            capsys):
    """Asked for by name on a machine without the CLI: exit 2 with the way out, not a crash after the download."""
    from serving2apps.cli import main

    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    code = main(["init", "--example", "--app-name", "a-b", "--yes", "--engine", "bundle", "--output-dir",
                 str(tmp_path / "out")])
    err = capsys.readouterr().err
    assert code == 2 and "the databricks CLI is not on PATH" in err and "--engine copier" in err
    assert not (tmp_path / "out").exists()


@pytest.mark.skipif(shutil.which("databricks") is None, reason="the databricks CLI is not on PATH (it is not installable here)")
def test_real_bundle_init_matches_the_reference_renderer(go_renderer, tmp_path):
    answers = {"app_name": "cli-app", "endpoint_name": "ep-1", "profile": "DEFAULT", "async_mode": "no"}
    config = tmp_path / "config.json"
    config.write_text(json.dumps(answers))
    cli = subprocess.run(
        ["databricks", "bundle", "init", str(REPO_ROOT), "--config-file", str(config), "--output-dir", str(tmp_path / "cli")],
        capture_output=True,
        text=True,
    )
    assert cli.returncode == 0, cli.stderr
    assert render_bundle_init(go_renderer, answers, tmp_path / "ref").returncode == 0
    assert tree(tmp_path / "cli" / "cli-app") == tree(tmp_path / "ref" / "cli-app")


def test_copier_alone_runs_the_hooks_from_the_template_itself(tmp_path):
    """A user with only copier and its extension (no serving2apps beside them): the tasks build serving2apps
    from the template's own source with uv and migrate the model found beside the app."""
    from example import echo

    template = tmp_path / "template"
    files = subprocess.run(["git", "ls-files"], cwd=REPO_ROOT, capture_output=True, text=True, check=True).stdout
    for relative in files.splitlines():
        if (REPO_ROOT / relative).is_file():
            (template / relative).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(REPO_ROOT / relative, template / relative)
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@t.invalid"]
    subprocess.run(["git", "init", "-q", "-b", "main"], cwd=template, check=True)
    subprocess.run(["git", "add", "-A"], cwd=template, check=True)
    subprocess.run([*git, "commit", "-q", "-m", "template"], cwd=template, check=True)
    work = tmp_path / "work"
    echo.save(work / "original_mlflow_model")
    env = {k: v for k, v in __import__("os").environ.items() if k not in ("VIRTUAL_ENV", "PYTHONPATH")}
    env["XDG_CACHE_HOME"] = str(tmp_path / "cache")
    copier = shutil.which("uv"), "tool", "run", "--from", "copier", "--with", "copier-template-extensions", "copier"
    result = subprocess.run([*copier, "copy", "--trust", "--defaults", "--data", "app_name=alone-app",
                             "--data", "async_mode=no", str(template), str(work / "alone-app")],
                            cwd=work, env=env, capture_output=True, text=True, timeout=900)
    assert result.returncode == 0, result.stderr[-3000:]
    agent = (work / "alone-app" / "agent_server" / "agent.py").read_text()
    assert "@invoke()" in agent and "@stream()" in agent
    assert (work / "alone-app" / "MIGRATION_REPORT.md").is_file()
    assert (tmp_path / "cache" / "serving2apps" / "hooks-venv").is_dir()  # built from the template, cached


def test_migrating_imports_nothing_it_does_not_need():
    """What every `migrate` pays for before it starts: libcst's matchers (~0.3 s to import, built on every node
    type) and databricks-sdk (~0.9 s, needed only to reach a workspace) stay out of a migration's process. The time
    itself is measured by benchmarks/migrate_speed.py, not here."""
    probe = ("import sys\n"
             "import serving2apps.cli, serving2apps.migrate\n"
             "from serving2apps.codemod.agent_file import migrate_agent_source\n"
             "migrate_agent_source(open(sys.argv[1]).read(), 'agent.py', mode='async')\n"
             "print(sorted(m for m in ('libcst.matchers', 'databricks.sdk') if m in sys.modules))\n")
    agent = REPO_ROOT / "tests" / "codemod" / "async_cases" / "openai_chat_stream.in.py"
    done = subprocess.run([sys.executable, "-c", probe, str(agent)], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"
