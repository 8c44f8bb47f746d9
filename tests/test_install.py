"""README's install line works without a checkout: `uv tool install "git+<repository URL>"` gives a
`serving2apps` command that carries the template and makes an app."""

import os
import shutil
import subprocess

import pytest

from engines import REPO_ROOT


def test_the_command_installs_from_a_git_url_and_makes_an_app(tmp_path):
    if not (REPO_ROOT / ".git").exists() or shutil.which("uv") is None:
        pytest.skip("needs uv and a git checkout of this repository (the URL installs its committed HEAD)")
    env = {**os.environ, "UV_TOOL_DIR": str(tmp_path / "tools"), "UV_TOOL_BIN_DIR": str(tmp_path / "bin")}
    install = subprocess.run(["uv", "tool", "install", f"git+file://{REPO_ROOT}"], env=env, capture_output=True,
                             text=True, timeout=600)
    assert install.returncode == 0, install.stderr
    command = tmp_path / "bin" / "serving2apps"
    # Run from elsewhere, so nothing of the checkout is on the path.
    made = subprocess.run([str(command), "init", "--example", "--app-name", "tool-app", "--engine", "copier",
                           "--no-lock", "--output-dir", str(tmp_path / "apps")], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=600)
    assert made.returncode == 0, made.stdout + made.stderr
    app = tmp_path / "apps" / "tool-app"
    assert "@invoke()" in (app / "agent_server" / "agent.py").read_text()
    assert "config:" in (app / "databricks.yml").read_text() and not (app / "app.yaml").exists()
