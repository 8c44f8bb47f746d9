"""S2A134: the agent's code no longer picks the MLflow experiment (or the Databricks tracking URI) when it is imported
(its file, and its modules from code/, which the agent file imports: `app_runtime`).

The app's server makes the app's own experiment active before it imports the agent: the `experiment` resource in
databricks.yml, which the app's service principal may write to (MLFLOW_EXPERIMENT_ID), with MLFLOW_TRACKING_URI
from the app's env. A `mlflow.set_experiment(...)` the agent's code runs at import would then send every trace to
an experiment the service principal usually cannot reach (a notebook user's `/Users/...` path), and, when it may
not read or create it, stop the app from starting. So the statement goes, and the report names it.

Deliberately conservative; left as they are:
- a call inside a function, a class, or under `if`/`try`/`with` (not a plain statement of the module): it may run
  per request, or only in a notebook (`if __name__ == "__main__":`);
- `mlflow.set_tracking_uri(...)` to anything but `"databricks"` (another tracking server is the agent's choice);
- a call whose value is used (`exp = mlflow.set_experiment(...)`).
"""

from __future__ import annotations

import libcst as cst
from libcst.metadata import MetadataWrapper, QualifiedNameProvider

from serving2apps.codemod.findings import Finding
from serving2apps.codemod.import_changes import ImportChanges
from serving2apps.codemod.names import APPS_TRACKING_URI, SET_EXPERIMENT, SET_TRACKING_URI

CODES = ("S2A134",)

MARKERS = ("set_experiment", "set_tracking_uri")  # a cheap test before any parsing


class _TrackingSetup(cst.CSTTransformer):
    METADATA_DEPENDENCIES = (QualifiedNameProvider,)

    def __init__(self):
        self.removed: list[cst.SimpleStatementLine] = []

    def _chooses_tracking(self, call: cst.Call) -> bool:
        names = {q.name for q in self.get_metadata(QualifiedNameProvider, call.func, set())}
        if names & SET_EXPERIMENT:
            return True
        return bool(names & SET_TRACKING_URI) and len(call.args) == 1 \
            and isinstance(call.args[0].value, cst.SimpleString) \
            and call.args[0].value.evaluated_value == APPS_TRACKING_URI

    def on_visit(self, node):
        return isinstance(node, cst.Module)  # only the module's own statements run at import for sure

    def leave_Module(self, original, updated):
        body = []
        for stmt in updated.body:
            if isinstance(stmt, cst.SimpleStatementLine) and len(stmt.body) == 1 \
                    and isinstance(stmt.body[0], cst.Expr) and isinstance(stmt.body[0].value, cst.Call) \
                    and self._chooses_tracking(stmt.body[0].value):
                self.removed.append(stmt)
                continue
            body.append(stmt)
        return updated.with_changes(body=body)


def drop_tracking_setup(source: str, module: cst.Module, filename: str) -> tuple[cst.Module, list[Finding]]:
    """`module` (parsed from `source`) without its import-time choice of experiment, the imports it alone read gone."""
    if not any(marker in source for marker in MARKERS):
        return module, []
    found = _TrackingSetup()
    module = MetadataWrapper(module, unsafe_skip_copy=True).visit(found)
    if not found.removed:
        return module, []
    imports = ImportChanges()
    for stmt in found.removed:
        imports.drop_unused(stmt)
    calls = "; ".join(cst.Module([]).code_for_node(stmt.body[0]).strip() for stmt in found.removed)
    return imports.apply(module), [Finding(
        "S2A134", f"removed {calls}: the app's traces go to its own experiment (the experiment resource in "
                  "databricks.yml, MLFLOW_EXPERIMENT_ID), which its service principal may write to", filename)]
