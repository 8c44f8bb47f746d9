"""The embedded example's build script, importable by the tests (examples/ is not a package)."""

import importlib.util

from engines import REPO_ROOT

_spec = importlib.util.spec_from_file_location("echo_build_model", REPO_ROOT / "examples" / "echo_agent" / "build_model.py")
echo = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(echo)


def original_model(app):
    """The model folder `init` downloads beside the app it migrates."""
    return app.parent / "original_mlflow_model"
