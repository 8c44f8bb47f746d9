"""`serving2apps deploy`: validate, deploy and run the app's bundle, then ask the deployed app one question.

Seed §6: `bundle deploy` only uploads, so `bundle run` follows (without it the app keeps serving the code it
had). An app of the same name created outside the bundle is adopted with `bundle deployment bind` when asked
(`--bind`). The smoke test reads the app's URL from `databricks apps get` and calls its /invocations with the
user's OAuth token from `databricks auth token` (Databricks Apps accept OAuth tokens, not PATs). Every CLI failure
names the command and a hint (seed §6.5). The token is only ever sent to the app; it is never printed.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import httpx
import yaml

from serving2apps.errors import EXIT_OK, INSTALL_DATABRICKS_CLI, MigrationError

DEFAULT_QUESTION = {"input": [{"role": "user", "content": "Hello! What can you do?"}]}

# (pattern in the CLI's output, hint), first match wins; seed §6.5's common errors.
_HINTS = [
    ("already exists", "an app with this name exists outside this bundle: rerun with --bind to manage it from "
                       "here (databricks bundle deployment bind), or rename the app in databricks.yml"),
    ("unauthenticated", "log in again: databricks auth login --profile {profile}"),
    ("invalid access token", "log in again: databricks auth login --profile {profile}"),
    ("401", "log in again: databricks auth login --profile {profile}"),
    ("permission_denied", "your user lacks a permission the bundle needs (creating apps, or a resource it "
                          "grants): ask a workspace admin, or remove that resource from databricks.yml"),
    ("requires databricks cli", "upgrade the Databricks CLI: https://docs.databricks.com/dev-tools/cli/install.html"),
    ("min_databricks_cli_version", "upgrade the Databricks CLI: https://docs.databricks.com/dev-tools/cli/install.html"),
    ("unknown field", "databricks.yml has a field this CLI does not know: upgrade the CLI, or fix the field named"),
]


def app_of(app_dir: Path) -> tuple[str, str]:
    """(resource key, app name) of the one app the bundle declares."""
    config = app_dir / "databricks.yml"
    if not config.is_file():
        raise MigrationError(f"no databricks.yml in {app_dir}", "run serving2apps deploy inside the migrated app folder")
    apps = ((yaml.safe_load(config.read_text()) or {}).get("resources") or {}).get("apps") or {}
    if len(apps) != 1:
        raise MigrationError(f"databricks.yml declares {len(apps)} apps; serving2apps deploys exactly one",
                             "keep the app the template made (resources.apps.agent_migration)")
    ((key, app),) = apps.items()
    return key, str(app.get("name"))


class _Cli:
    def __init__(self, app_dir: Path, profile: str | None, target: str | None, log):
        self.executable = shutil.which("databricks")
        if self.executable is None:
            raise MigrationError("the databricks CLI is not on PATH", INSTALL_DATABRICKS_CLI)
        self.app_dir, self.profile, self.target, self.log = app_dir, profile, target, log

    def run(self, *args: str, bundle: bool = True, quiet: bool = False) -> str:
        command = ["databricks", *args]
        if self.profile:
            command += ["--profile", self.profile]
        if bundle and self.target:
            command += ["--target", self.target]
        shown = " ".join(command)
        if not quiet:
            self.log(f"$ {shown}")
        done = subprocess.run([self.executable, *command[1:]], cwd=self.app_dir, capture_output=True, text=True,
                              stdin=subprocess.DEVNULL)
        if done.returncode != 0:
            output = (done.stderr.strip() or done.stdout.strip())[-1500:]
            raise MigrationError(f"`{shown}` failed (exit {done.returncode}): {output}", self.hint(output))
        if not quiet and done.stdout.strip():
            self.log(done.stdout.rstrip())
        return done.stdout

    def hint(self, output: str) -> str:
        lowered = output.lower()
        for pattern, hint in _HINTS:
            if pattern in lowered:
                return hint.format(profile=self.profile or "DEFAULT")
        return "read the CLI's message above; `databricks bundle validate` explains configuration errors"


def deploy(app_dir: Path, profile: str | None = None, target: str | None = None, bind: bool = False,
           smoke_test: bool = True, log=print) -> int:
    key, name = app_of(app_dir)
    cli = _Cli(app_dir, profile, target, log)
    cli.run("bundle", "validate")
    if bind:
        cli.run("bundle", "deployment", "bind", key, name, "--auto-approve")
    cli.run("bundle", "deploy")
    cli.run("bundle", "run", key)
    log(f"App {name} deployed and started.")
    if smoke_test:
        ask_deployed_app(cli, app_dir, name, log)
    return EXIT_OK


def ask_deployed_app(cli: _Cli, app_dir: Path, name: str, log) -> None:
    """Query the deployed app's /invocations with the user's OAuth token and print the answer (seed §6.4)."""
    url = json.loads(cli.run("apps", "get", name, "--output", "json", bundle=False, quiet=True)).get("url")
    if not url:
        raise MigrationError(f"`databricks apps get {name}` returned no URL", "the app may still be starting; "
                             f"check `databricks apps get {name}` and try `serving2apps deploy` again")
    token = json.loads(cli.run("auth", "token", "--output", "json", bundle=False, quiet=True)).get("access_token")
    if not token:
        raise MigrationError("`databricks auth token` returned no access token",
                             f"log in with OAuth: databricks auth login --profile {cli.profile or 'DEFAULT'}")
    example = app_dir / "input_example.json"
    question = json.loads(example.read_text()) if example.is_file() else DEFAULT_QUESTION
    log(f"Asking {url}/invocations ...")
    try:
        response = httpx.post(f"{url.rstrip('/')}/invocations", json=question, timeout=120,
                              headers={"Authorization": f"Bearer {token}"})
    except httpx.HTTPError as exc:
        raise MigrationError(f"the deployed app did not answer ({type(exc).__name__})",
                             f"it may still be starting: databricks apps logs {name}") from None
    if response.status_code != 200:
        raise MigrationError(f"the deployed app answered HTTP {response.status_code}: {response.text[:500]}",
                             f"read its logs: databricks apps logs {name}")
    log("The app answered:\n" + answer_text(response.json()))


def answer_text(answer: dict) -> str:
    texts = [part.get("text", "") for item in answer.get("output", []) if item.get("type") == "message"
             for part in item.get("content", [])]
    return "\n".join(t for t in texts if t) or json.dumps(answer)[:1000]
