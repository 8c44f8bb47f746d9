"""Prepares local development (`uv run quickstart`): tools, profile, MLflow experiment, .env.

- checks that uv and the Databricks CLI are installed (a hint for each one missing: the CLI is needed to deploy);
- checks the profile can reach its workspace (the current-user API);
- creates the MLflow experiment /Users/<you>/<app-name> that receives the app's traces, or reuses it;
- writes .env (profile, experiment id, tracking and registry URIs), keeping every value already set there.

Every answer has a flag (--profile, --app-name, --experiment), so it runs without prompts; running it again
changes nothing.
"""

import argparse
import shutil
import sys
from pathlib import Path

APP_ROOT = Path(__file__).resolve().parent.parent

_TOOLS = {
    "uv": "install it: https://docs.astral.sh/uv/getting-started/installation/",
    "databricks": "install the Databricks CLI (needed to deploy): https://docs.databricks.com/dev-tools/cli/install.html",
}


def read_env(path: Path) -> dict[str, str]:
    values = {}
    for line in path.read_text().splitlines() if path.is_file() else []:
        line = line.strip()
        if line and not line.startswith("#") and "=" in line:
            key, value = line.split("=", 1)
            values[key.strip()] = value.strip().strip('"').strip("'")
    return values


def merge_env(path: Path, wanted: dict[str, str]) -> tuple[list[str], list[str]]:
    """Set each wanted key that .env does not set yet (an empty value counts as unset). Returns (set, kept)."""
    current = read_env(path)
    lines = path.read_text().splitlines() if path.is_file() else []
    written, kept = [], []
    for key, value in wanted.items():
        if current.get(key):
            if current[key] != value:
                kept.append(key)
            continue
        replaced = False
        for i, line in enumerate(lines):
            if line.strip().startswith(f"{key}="):
                lines[i] = f"{key}={value}"
                replaced = True
        if not replaced:
            lines.append(f"{key}={value}")
        written.append(key)
    if written:
        tmp = path.with_name(path.name + ".tmp")
        tmp.write_text("\n".join(lines) + "\n")
        tmp.replace(path)
    return written, kept


def app_name() -> str:
    import yaml

    bundle = yaml.safe_load((APP_ROOT / "databricks.yml").read_text())
    return bundle["bundle"]["name"]


def experiment_id(client, path: str) -> tuple[str, bool]:
    """(id, created) of the experiment at path."""
    from databricks.sdk.errors import NotFound, ResourceDoesNotExist

    try:
        return client.experiments.get_by_name(path).experiment.experiment_id, False
    except (NotFound, ResourceDoesNotExist):
        return client.experiments.create_experiment(name=path).experiment_id, True


def main(argv: list[str] | None = None) -> int:
    env_file = APP_ROOT / ".env"
    example = read_env(APP_ROOT / ".env.example")
    parser = argparse.ArgumentParser(description="Prepare local development: profile, experiment, .env.")
    parser.add_argument("--profile", default=read_env(env_file).get("DATABRICKS_CONFIG_PROFILE")
                        or example.get("DATABRICKS_CONFIG_PROFILE") or "DEFAULT",
                        help="Databricks CLI profile (default: the one in .env, else the template's answer)")
    parser.add_argument("--app-name", default=None, help="default: the bundle name in databricks.yml")
    parser.add_argument("--experiment", default=None, help="experiment path (default: /Users/<you>/<app-name>)")
    args = parser.parse_args(argv)

    for tool, hint in _TOOLS.items():
        if shutil.which(tool) is None:
            print(f"warning: {tool} not found; {hint}", file=sys.stderr)

    from databricks.sdk import WorkspaceClient

    try:
        client = WorkspaceClient(profile=args.profile)
        user = client.current_user.me().user_name
    except Exception as exc:  # the SDK raises several types for a bad profile; all mean the same to the user
        print(f"error: profile {args.profile!r} cannot reach its workspace ({type(exc).__name__}: "
              f"{str(exc).splitlines()[0][:200]}); run `databricks auth login --profile {args.profile}`",
              file=sys.stderr)
        return 2
    print(f"Profile {args.profile}: {user} on {client.config.host}")
    path = args.experiment or f"/Users/{user}/{args.app_name or app_name()}"
    experiment, created = experiment_id(client, path)
    print(f"{'Created' if created else 'Using'} MLflow experiment {path} (id {experiment})")

    written, kept = merge_env(env_file, {
        "DATABRICKS_CONFIG_PROFILE": args.profile,
        "MLFLOW_EXPERIMENT_ID": experiment,
        "MLFLOW_TRACKING_URI": "databricks",
        "MLFLOW_REGISTRY_URI": "databricks-uc",
    })
    print(f"{env_file.name}: " + (f"set {', '.join(written)}" if written else "already complete"))
    for key in kept:
        print(f"{env_file.name}: kept your {key} (quickstart would have set it differently)")
    print("Next: uv run start-app (the agent and a chat page at http://127.0.0.1:8000/)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
