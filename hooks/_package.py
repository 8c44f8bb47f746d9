"""Finds the serving2apps package for a copier task: installed beside copier, or else built from the template
itself (the template is the package), so copier plus its extension is all a user installs."""

import os
import shutil
import sys
from pathlib import Path

TEMPLATE_ROOT = Path(__file__).resolve().parent.parent
_REEXECUTED = "SERVING2APPS_HOOK_FROM_TEMPLATE"  # set on the re-run, so a failed build cannot loop


def hooks_module():
    try:
        from serving2apps import hooks

        return hooks
    except ImportError:
        pass
    uv = shutil.which("uv")
    if uv is None or os.environ.get(_REEXECUTED):
        print("error: serving2apps is not importable in the Python that runs copier "
              f"({sys.executable}), and it could not be run from the template with uv. Install uv "
              "(https://docs.astral.sh/uv/), or install serving2apps beside copier, then run copier again.",
              file=sys.stderr)
        sys.exit(2)
    # The same hook again, in an environment built from the template's own pyproject.toml and uv.lock (runtime
    # dependencies only), kept in the user's cache so later runs start at once.
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "serving2apps" / "hooks-venv"
    env = {**os.environ, _REEXECUTED: "1", "UV_PROJECT_ENVIRONMENT": str(cache)}
    os.execvpe(uv, [uv, "run", "--quiet", "--frozen", "--no-dev", "--project", str(TEMPLATE_ROOT),
                    "python", sys.argv[0], *sys.argv[1:]], env)
