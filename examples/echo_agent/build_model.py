"""Builds the embedded example: the echo agent in src/, saved as an MLflow model folder in model/, the way
a model logged for Model Serving looks after download (agent file at the root, code/, artifacts/, examples).

Run from the repository root: uv run python examples/echo_agent/build_model.py
"""

import contextlib
import shutil
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
SOURCE = HERE / "src"
MODEL = HERE / "model"
INPUT_EXAMPLE = {"input": [{"role": "user", "content": "hello world"}]}
# Where a model logged from a Databricks notebook records its source: nothing about the machine that built it.
WORKSPACE_SOURCE = "/Workspace/Users/agent.developer@example.com/echo_agent"


def save(dest: Path) -> Path:
    import mlflow
    from mlflow.models.resources import DatabricksFunction, DatabricksServingEndpoint

    # Save from a neutral folder: mlflow copies a uv project it finds in the working directory into the model.
    with contextlib.chdir(tempfile.mkdtemp()):
        mlflow.pyfunc.save_model(
            str(dest),
            python_model=str(SOURCE / "agent.py"),
            code_paths=[str(SOURCE / "helpers")],
            artifacts={"prompt": str(SOURCE / "prompt.txt")},
            input_example=INPUT_EXAMPLE,
            pip_requirements=["mlflow"],
            model_config={"temperature": 0.1},
            # Declared the way a real agent declares what it calls; the echo agent itself calls nothing.
            resources=[
                DatabricksServingEndpoint(endpoint_name="databricks-claude-sonnet-4-5"),
                DatabricksFunction(function_name="system.ai.python_exec"),
            ],
        )
    mlmodel = dest / "MLmodel"
    mlmodel.write_text(mlmodel.read_text().replace(str(SOURCE), WORKSPACE_SOURCE))
    return dest


if __name__ == "__main__":
    shutil.rmtree(MODEL, ignore_errors=True)
    print(f"saved {save(MODEL)}")
