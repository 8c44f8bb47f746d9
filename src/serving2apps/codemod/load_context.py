"""load_context's context in the app: a `PythonModelContext` whose artifacts and model config are files
beside agent.py (Model Serving built it from the model folder)."""

from __future__ import annotations

import json

import libcst as cst

from serving2apps.codemod.import_changes import ImportChanges


def context_statement(name: str, artifacts: dict[str, str], model_config_file: str | None) -> cst.SimpleStatementLine:
    """`name = PythonModelContext(...)` with the artifacts' new paths beside this file."""
    here = "Path(__file__).resolve().parent"
    entries = "".join(
        f"        {json.dumps(key)}: str({here} / {json.dumps(path)}),\n" for key, path in sorted(artifacts.items())
    )
    config = (f"ModelConfig(development_config=str({here} / {json.dumps(model_config_file)})).to_dict()"
              if model_config_file else "None")
    code = f"{name} = PythonModelContext(\n    artifacts={{\n{entries}    }},\n    model_config={config},\n)\n"
    return cst.ensure_type(cst.parse_statement(code), cst.SimpleStatementLine)


def context_imports(imports: ImportChanges, artifacts: dict[str, str], model_config_file: str | None) -> None:
    imports.add("mlflow.pyfunc", "PythonModelContext")
    if artifacts or model_config_file:  # the paths beside this file
        imports.add("pathlib", "Path")
    if model_config_file:
        imports.add("mlflow.models", "ModelConfig")
