"""Prepares local development (`uv run quickstart`): checks the tools and writes .env from .env.example.

It never overwrites a .env that exists.
"""

import shutil
import sys
from pathlib import Path

APP_ROOT = Path(__file__).resolve().parent.parent

_TOOLS = {
    "uv": "install it: https://docs.astral.sh/uv/",
    "databricks": "install the Databricks CLI: https://docs.databricks.com/dev-tools/cli/install.html",
}


def main() -> int:
    missing = [f"{tool} not found; {hint}" for tool, hint in _TOOLS.items() if shutil.which(tool) is None]
    for line in missing:
        print(f"warning: {line}", file=sys.stderr)
    env_file = APP_ROOT / ".env"
    if env_file.exists():
        print(f"{env_file.name} exists; left as it is.")
    else:
        shutil.copyfile(APP_ROOT / ".env.example", env_file)
        print(f"wrote {env_file.name} from .env.example; set MLFLOW_EXPERIMENT_ID in it.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
